using System.Diagnostics;
using TorchLosses;

using static TorchLossesTests.Support.Threads;

namespace TorchLossesTests.Losses;

/// <summary>
/// The Scalar lifetime trap of TorchSharp 0.107 (README, "TorchSharp's traps"): a Scalar created for a number argument and
/// not kept alive during the native call can be finalized under it when another thread triggers a garbage collection.
/// Here several threads run losses whose composition passes numbers to libtorch (clamp bounds, margins, eps, fills,
/// the alpha of every tensor addition) while one more thread collects garbage and runs the finalizers in a loop; every
/// value and gradient must equal, bit for bit, what a single thread computed with no collector running.
/// Build/ImplicitScalarTests keeps such Scalars out of the sources; this test shows what they did.
/// </summary>
/// <remarks>Not run beside other tests: its collector would make their own temporary Scalars (test code is not held to the
/// rule) fail in the same way.</remarks>
[TestClass]
[DoNotParallelize]
public sealed class ScalarLifetimeTests
{
    private const int Workers = 4;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(4);

    private sealed record Result(double Value, double[] Gradient);

    private delegate Tensor Computation(Tensor x, int seed);

    private static Tensor Data(int seed, double scale, double shift, params long[] shape) =>
        tensor(Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b))
            .Select(k => Math.Round(Math.Sin(0.7 * k + 1.3 * seed) * scale + shift, 6)).ToArray(), shape);

    /// <summary>Losses with number parameters (margins, bounds, eps, smoothing), on float64 (3, 5) inputs.</summary>
    private static readonly (string Name, Computation Compute)[] Cases =
    {
        ("smooth_l1_loss", (x, s) => L.smooth_l1_loss(x, Data(s + 1, 1.5, -0.2, 3, 5), beta: 0.75)),
        ("huber_loss", (x, s) => L.huber_loss(x, Data(s + 1, 1.5, -0.2, 3, 5), delta: 0.6)),
        ("cross_entropy", (x, s) => L.cross_entropy(x, tensor(new long[] { s % 5, (s + 2) % 5, (s + 4) % 5 }), label_smoothing: 0.15)),
        ("poisson_nll_loss", (x, s) => L.poisson_nll_loss(x, Data(s + 2, 1, 1.2, 3, 5), log_input: false, full: true, eps: 1e-3)),
        ("gaussian_nll_loss", (x, s) => L.gaussian_nll_loss(x, Data(s + 3, 1, 0, 3, 5), Data(s + 4, 0.4, 0.5, 3, 5), full: true, eps: 1e-2)),
        ("margin_ranking_loss", (x, s) => L.margin_ranking_loss(x, Data(s + 5, 1, 0, 3, 5), Data(s + 6, 1, 0, 3, 5).sign(), margin: 0.3)),
        ("hinge_embedding_loss", (x, s) => L.hinge_embedding_loss(x, Data(s + 7, 1, 0, 3, 5).sign(), margin: 1.4)),
        ("cosine_embedding_loss", (x, s) => L.cosine_embedding_loss(x, Data(s + 8, 1, 0, 3, 5), Data(s + 9, 1, 0, 3).sign(), margin: 0.2)),
        ("triplet_margin_loss", (x, s) => L.triplet_margin_loss(x, Data(s + 10, 1, 0, 3, 5), Data(s + 11, 1, 0, 3, 5), margin: 0.8, p: 1.5)),
        ("triplet_margin_with_distance_loss", (x, s) => L.triplet_margin_with_distance_loss(x, Data(s + 12, 1, 0, 3, 5), Data(s + 13, 1, 0, 3, 5))),
        ("multi_margin_loss", (x, s) => L.multi_margin_loss(x, tensor(new long[] { s % 5, (s + 1) % 5, (s + 3) % 5 }), p: 2, margin: 0.7)),
        ("sigmoid_focal_loss", (x, s) => L.sigmoid_focal_loss(x, Data(s + 14, 0.45, 0.5, 3, 5), alpha: 0.3, gamma: 1.5, reduction: R.Mean)),
    };

    private static Result Evaluate(Computation compute, int seed, GradientMode mode)
    {
        using var scope = NewDisposeScope();
        using var path = LossGradients.Use(mode);
        var x = Data(seed, 2.0, 0.1, 3, 5).requires_grad_();
        var loss = compute(x, seed);
        loss.backward();
        return new Result(loss.item<double>(), x.grad!.data<double>().ToArray());
    }

    private static readonly GradientMode[] Modes = { GradientMode.Analytic, GradientMode.Autograd };

    [TestMethod]
    public void LossesGiveTheSameBitsWhileAnotherThreadCollectsGarbage()
    {
        var expected = new Result[Workers, Cases.Length, Modes.Length];
        for (int w = 0; w < Workers; w++)
            for (int c = 0; c < Cases.Length; c++)
                for (int m = 0; m < Modes.Length; m++)
                    expected[w, c, m] = Evaluate(Cases[c].Compute, w, Modes[m]);

        using var stop = new CancellationTokenSource();
        long collections = 0;
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Generation 0, where the temporaries are: the cheapest collection, so the most of them per second.
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
            }
        });
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long evaluations = 0;
        var clock = Stopwatch.StartNew();
        collector.Start();
        try
        {
            OnThreads(Workers, w =>
            {
                for (int round = 0; clock.Elapsed < Duration; round++)
                    for (int c = 0; c < Cases.Length; c++)
                    {
                        int m = (round + w) % Modes.Length;
                        string? failure = null;
                        try
                        {
                            var actual = Evaluate(Cases[c].Compute, w, Modes[m]);
                            var wanted = expected[w, c, m];
                            if (BitConverter.DoubleToInt64Bits(actual.Value) != BitConverter.DoubleToInt64Bits(wanted.Value) ||
                                !actual.Gradient.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(wanted.Gradient.Select(BitConverter.DoubleToInt64Bits)))
                                failure = $"{Cases[c].Name} ({Modes[m]}), thread {w}: got {actual.Value:R} [{string.Join(", ", actual.Gradient)}], " +
                                          $"expected {wanted.Value:R} [{string.Join(", ", wanted.Gradient)}]";
                        }
                        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException)
                        {
                            failure = $"{Cases[c].Name} ({Modes[m]}), thread {w}: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
                        }
                        Interlocked.Increment(ref evaluations);
                        if (failure is not null) failures.Enqueue(failure);
                    }
            });
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
        Console.WriteLine($"{evaluations} evaluations on {Workers} threads, {collections} collections, {failures.Count} differed");
        Assert.IsGreaterThan(10L, Interlocked.Read(ref collections), "the collector thread hardly ran");
        Assert.IsEmpty(failures, $"{failures.Count} of {evaluations} evaluations differed from the single-threaded run while " +
            $"{collections} collections ran; the first ones:\n{string.Join("\n", failures.Take(10))}");
    }
}
