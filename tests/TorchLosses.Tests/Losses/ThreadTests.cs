using System.Runtime.InteropServices;
using TorchLosses;

using static TorchLossesTests.Support.Threads;

namespace TorchLossesTests.Losses;

/// <summary>
/// TorchLosses on many threads at once: the composed losses, on both gradient paths (the analytic path runs TorchSharp
/// custom autograd functions), give on every thread and every iteration exactly what they gave single-threaded; the
/// gradient mode chosen on one thread does not leak into another; errors stay with the thread that raised them.
/// </summary>
[TestClass]
public sealed class LossThreadTests
{
    private const int Threads = 8;
    private const int IterationsPerThread = 200;


    /// <summary>A loss value and the gradient of its first input, as plain arrays.</summary>
    private sealed record Result(double Value, double[] Gradient);

    /// <summary>A differentiable computation of one thread's own data.</summary>
    private delegate Tensor Computation(Tensor x, int thread);

    /// <summary>
    /// The cases: composed losses (regression, classification, probabilistic, margin) and a few ops under
    /// autograd. x is a float64 (2, 4) leaf with values that depend on the thread, so a result
    /// delivered to the wrong thread would not match.
    /// </summary>
    private static readonly (string Name, Computation Compute)[] Cases =
    {
        ("mse_loss", (x, t) => L.mse_loss(x, Target(t))),
        ("l1_loss", (x, t) => L.l1_loss(x, Target(t), R.Sum)),
        ("smooth_l1_loss", (x, t) => L.smooth_l1_loss(x, Target(t), beta: 0.5)),
        ("huber_loss", (x, t) => L.huber_loss(x, Target(t), delta: 2.0)),
        ("binary_cross_entropy", (x, t) => L.binary_cross_entropy(Sigmoid(x), Probabilities(t))),
        ("binary_cross_entropy_with_logits", (x, t) => L.binary_cross_entropy_with_logits(x, Probabilities(t))),
        ("cross_entropy", (x, t) => L.cross_entropy(x, Classes(t), label_smoothing: 0.1)),
        ("nll_loss", (x, t) => L.nll_loss(x, Classes(t))),
        ("kl_div", (x, t) => L.kl_div(x, Probabilities(t), reduction: R.Sum)),
        ("soft_margin_loss", (x, t) => L.soft_margin_loss(x, Signs(t))),
        ("poisson_nll_loss", (x, t) => L.poisson_nll_loss(x, Target(t).abs())),
        ("ops", (x, t) => ((x * x + x.exp()) / (x.abs() + 1)).sum() - x.square().sqrt().mean() * (t + 1)),
    };

    private static double[] Values(int thread, double scale, double shift) =>
        Enumerable.Range(0, 8).Select(k => Math.Round(Math.Sin(0.7 * k + 1.3 * thread) * scale + shift, 6)).ToArray();

    private static Tensor Input(int thread) => tensor(Values(thread, 2.0, 0.1), new long[] { 2, 4 }, requires_grad: true);
    private static Tensor Target(int thread) => tensor(Values(thread + 100, 1.5, -0.2), new long[] { 2, 4 });
    private static Tensor Probabilities(int thread) => tensor(Values(thread + 200, 0.45, 0.5), new long[] { 2, 4 });
    private static Tensor Signs(int thread) => tensor(Values(thread + 300, 1, 0).Select(v => v < 0 ? -1.0 : 1.0).ToArray(), new long[] { 2, 4 });
    private static Tensor Classes(int thread) => tensor(new long[] { thread % 4, (thread + 3) % 4 });
    private static Tensor Sigmoid(Tensor x) => 1.0 / (1.0 + (-x).exp());

    private static Result Evaluate(Computation compute, int thread, GradientMode mode)
    {
        using var scope = NewDisposeScope();
        using var path = LossGradients.Use(mode);
        var x = Input(thread);
        var loss = compute(x, thread);
        loss.backward();
        return new Result(loss.item<double>(), x.grad!.data<double>().ToArray());
    }

    private static readonly GradientMode[] Modes = { GradientMode.Analytic, GradientMode.Autograd };

    /// <summary>
    /// Every case on eight threads at once, each thread alternating the gradient path (so analytic custom functions and
    /// plain autograd run side by side), must reproduce the single-threaded result bit for bit.
    /// </summary>
    [TestMethod]
    public void LossesOnEightThreadsMatchTheSingleThreadedResultsOnBothGradientPaths()
    {
        // Up front, on this thread alone.
        var expected = new Result[Threads, Cases.Length, Modes.Length];
        for (int t = 0; t < Threads; t++)
            for (int c = 0; c < Cases.Length; c++)
                for (int m = 0; m < Modes.Length; m++)
                    expected[t, c, m] = Evaluate(Cases[c].Compute, t, Modes[m]);
        // The threads' data differ, so each thread has its own expected values.
        Assert.AreNotEqual(expected[0, 0, 0].Value, expected[1, 0, 0].Value);

        int checks = 0;
        OnThreads(Threads, t =>
        {
            for (int iteration = 0; iteration < IterationsPerThread; iteration++)
            {
                int m = (iteration + t) % Modes.Length;
                for (int c = 0; c < Cases.Length; c++)
                {
                    var actual = Evaluate(Cases[c].Compute, t, Modes[m]);
                    var wanted = expected[t, c, m];
                    if (actual.Value != wanted.Value || !actual.Gradient.SequenceEqual(wanted.Gradient))
                        throw new AssertFailedException(
                            $"thread {t}, iteration {iteration}, {Cases[c].Name} ({Modes[m]}): got {actual.Value:R} [{string.Join(", ", actual.Gradient)}], " +
                            $"expected {wanted.Value:R} [{string.Join(", ", wanted.Gradient)}]");
                    Interlocked.Increment(ref checks);
                }
            }
        });
        Assert.AreEqual(Threads * IterationsPerThread * Cases.Length, checks);
    }

    /// <summary>
    /// Errors raised on many threads at once carry their own thread's message: TorchLosses' own checks (a target out of
    /// range names the thread's target) and libtorch's (a broadcast error names the thread's sizes; TorchSharp keeps
    /// libtorch's error per thread), with a successful call in between leaving no stale message behind.
    /// </summary>
    [TestMethod]
    public void ConcurrentErrorsCarryTheirOwnThreadsMessage()
    {
        // Fewer rounds than the value test: each libtorch error captures a C++ backtrace (milliseconds).
        const int rounds = 50;
        int checks = 0;
        OnThreads(Threads, t =>
        {
            for (int iteration = 0; iteration < rounds; iteration++)
            {
                using var scope = NewDisposeScope();
                var shapes = Assert.ThrowsExactly<ExternalException>(() => _ = ones(t + 2) + ones(t + 20));
                Assert.AreEqual(
                    $"The size of tensor a ({t + 2}) must match the size of tensor b ({t + 20}) at non-singleton dimension 0",
                    TorchLosses.Parity.Aten.AtenMessage(shapes.Message));
                Assert.AreEqual(2.0 * (t + 1), (ones(t + 1, dtype: ScalarType.Float64) * 2).sum().item<double>());
                var target = tensor(new long[] { 4 + t });
                var bounds = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.nll_loss(zeros(1, 4), target));
                StringAssert.StartsWith(bounds.Message, $"Target {4 + t} is out of bounds.");
                Interlocked.Increment(ref checks);
            }
        });
        Assert.AreEqual(Threads * rounds, checks);
    }

    /// <summary><see cref="LossGradients.Use"/> sets the gradient path for its own thread only.</summary>
    [TestMethod]
    public void TheGradientModeOfOneThreadDoesNotReachAnother()
    {
        using var set = new ManualResetEventSlim();
        using var looked = new ManualResetEventSlim();
        GradientMode? seenElsewhere = null;
        OnThreads(2, t =>
        {
            if (t == 0)
            {
                using (LossGradients.Use(GradientMode.Autograd))
                {
                    set.Set();
                    looked.Wait();
                    Assert.AreEqual(GradientMode.Autograd, LossGradients.Current);
                }
                Assert.AreEqual(LossGradients.Default, LossGradients.Current);
            }
            else
            {
                set.Wait();
                seenElsewhere = LossGradients.Current;
                looked.Set();
            }
        });
        Assert.AreEqual(LossGradients.Default, seenElsewhere);
    }
}
