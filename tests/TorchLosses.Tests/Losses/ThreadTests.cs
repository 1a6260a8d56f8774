using System.Runtime.InteropServices;

namespace TorchLossesTests.Losses;

/// <summary>
/// The binding on many threads at once: native losses and differentiated ops on independent
/// tensors give, on every thread and every iteration, exactly what they gave single-threaded;
/// errors stay with the thread that raised them (the shim's error slot is thread-local); dispose
/// scopes and grad mode belong to the thread that set them.
/// </summary>
[TestClass]
public sealed class BindingThreadTests
{
    private const int Threads = 8;
    private const int IterationsPerThread = 200;

    /// <summary>
    /// Runs body(threadIndex) on <paramref name="count"/> dedicated threads that start together, and
    /// rethrows whatever any of them threw.
    /// </summary>
    private static void OnThreads(int count, Action<int> body)
    {
        using var start = new Barrier(count);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, count).Select(index => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                body(index);
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        if (!failures.IsEmpty) throw new AggregateException(failures);
    }

    /// <summary>A loss value and the gradient of its first input, as plain arrays.</summary>
    private sealed record Result(double Value, double[] Gradient);

    /// <summary>A differentiable computation of one thread's own data.</summary>
    private delegate Tensor Computation(Tensor x, int thread);

    /// <summary>
    /// The cases: native losses (regression, classification, probabilistic) and a few ops under
    /// autograd. x is a float64 (2, 4) leaf with values that depend on the thread, so a result
    /// delivered to the wrong thread would not match.
    /// </summary>
    private static readonly (string Name, Computation Compute)[] Cases =
    {
        ("mse_loss", (x, t) => nn.functional.mse_loss(x, Target(t))),
        ("l1_loss", (x, t) => nn.functional.l1_loss(x, Target(t), nn.Reduction.Sum)),
        ("smooth_l1_loss", (x, t) => nn.functional.smooth_l1_loss(x, Target(t), beta: 0.5)),
        ("huber_loss", (x, t) => nn.functional.huber_loss(x, Target(t), 2.0)),
        ("binary_cross_entropy", (x, t) => nn.functional.binary_cross_entropy(Sigmoid(x), Probabilities(t))),
        ("binary_cross_entropy_with_logits", (x, t) => nn.functional.binary_cross_entropy_with_logits(x, Probabilities(t))),
        ("cross_entropy", (x, t) => nn.functional.cross_entropy(x, Classes(t), label_smoothing: 0.1)),
        ("nll_loss", (x, t) => nn.functional.nll_loss(x, Classes(t))),
        ("kl_div", (x, t) => nn.functional.kl_div(x, Probabilities(t), reduction: nn.Reduction.Sum)),
        ("soft_margin_loss", (x, t) => nn.functional.soft_margin_loss(x, Signs(t))),
        ("poisson_nll_loss", (x, t) => nn.functional.poisson_nll_loss(x, Target(t).abs())),
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

    private static Result Evaluate(Computation compute, int thread)
    {
        using var scope = NewDisposeScope();
        var x = Input(thread);
        var loss = compute(x, thread);
        loss.backward();
        return new Result(loss.item<double>(), x.grad!.data<double>().ToArray());
    }

    [TestMethod]
    public void LossesAndAutogradOnEightThreadsMatchTheSingleThreadedResults()
    {
        // Up front, on this thread alone.
        var expected = new Result[Threads, Cases.Length];
        for (int t = 0; t < Threads; t++)
            for (int c = 0; c < Cases.Length; c++)
                expected[t, c] = Evaluate(Cases[c].Compute, t);
        // The threads' data differ, so each thread has its own expected values.
        Assert.AreNotEqual(expected[0, 0].Value, expected[1, 0].Value);

        int checks = 0;
        OnThreads(Threads, t =>
        {
            for (int iteration = 0; iteration < IterationsPerThread; iteration++)
            {
                for (int c = 0; c < Cases.Length; c++)
                {
                    var actual = Evaluate(Cases[c].Compute, t);
                    var wanted = expected[t, c];
                    if (actual.Value != wanted.Value || !actual.Gradient.SequenceEqual(wanted.Gradient))
                        throw new AssertFailedException(
                            $"thread {t}, iteration {iteration}, {Cases[c].Name}: got {actual.Value:R} [{string.Join(", ", actual.Gradient)}], " +
                            $"expected {wanted.Value:R} [{string.Join(", ", wanted.Gradient)}]");
                    Interlocked.Increment(ref checks);
                }
            }
        });
        Assert.AreEqual(Threads * IterationsPerThread * Cases.Length, checks);
    }

    [TestMethod]
    public void ConcurrentErrorsCarryTheirOwnThreadsMessage()
    {
        int checks = 0;
        OnThreads(Threads, t =>
        {
            for (int iteration = 0; iteration < IterationsPerThread; iteration++)
            {
                using var scope = NewDisposeScope();
                // A shape error whose sizes name the thread...
                var shapes = Assert.ThrowsExactly<ExternalException>(() => _ = ones(t + 2) + ones(t + 20));
                Assert.AreEqual(
                    $"The size of tensor a ({t + 2}) must match the size of tensor b ({t + 20}) at non-singleton dimension 0",
                    shapes.Message);
                // ...a successful call in between leaves no stale message behind...
                Assert.AreEqual(2.0 * (t + 1), (ones(t + 1, dtype: ScalarType.Float64) * 2).sum().item<double>());
                // ...and an index error whose target names the thread.
                var target = tensor(new long[] { 4 + t });
                var bounds = Assert.ThrowsExactly<ExternalException>(() => nn.functional.nll_loss(zeros(1, 4), target));
                Assert.AreEqual($"Target {4 + t} is out of bounds.", bounds.Message);
                Interlocked.Increment(ref checks);
            }
        });
        Assert.AreEqual(Threads * IterationsPerThread, checks);
    }

    [TestMethod]
    public void ADisposeScopeCapturesOnlyItsOwnThreadsTensors()
    {
        using var scopeOpen = new ManualResetEventSlim();
        using var otherCreated = new ManualResetEventSlim();
        using var scopeClosed = new ManualResetEventSlim();
        Tensor? mine = null, theirs = null;
        DisposeScope? theirScopeWhileMineWasOpen = null;

        OnThreads(2, t =>
        {
            if (t == 0)
            {
                using (NewDisposeScope())
                {
                    mine = ones(3);
                    scopeOpen.Set();
                    otherCreated.Wait();
                }
                scopeClosed.Set();
            }
            else
            {
                scopeOpen.Wait();
                theirScopeWhileMineWasOpen = CurrentDisposeScope;
                theirs = ones(3);
                otherCreated.Set();
                scopeClosed.Wait();
            }
        });

        Assert.IsNull(theirScopeWhileMineWasOpen);
        Assert.IsTrue(mine!.IsInvalid);
        Assert.IsFalse(theirs!.IsInvalid);
        Assert.AreEqual(3f, theirs.sum().item<float>());
        theirs.Dispose();
    }

    [TestMethod]
    public void ScopesOnManyThreadsAtOnceEachDisposeExactlyTheirOwnTensors()
    {
        OnThreads(Threads, t =>
        {
            for (int iteration = 0; iteration < IterationsPerThread; iteration++)
            {
                Tensor kept;
                Tensor[] created;
                using (var outer = NewDisposeScope())
                {
                    using (var inner = NewDisposeScope())
                    {
                        created = Enumerable.Range(0, t + 1).Select(k => full(1, (double)k, ScalarType.Float64)).ToArray();
                        kept = created[t].MoveToOuterDisposeScope();
                        Assert.AreEqual((long)t, inner.DisposablesCount);
                        Assert.AreEqual(1L, outer.DisposablesCount);
                    }
                    for (int k = 0; k < t; k++) Assert.IsTrue(created[k].IsInvalid);
                    Assert.AreEqual((double)t, kept.item<double>());
                }
                Assert.IsTrue(kept.IsInvalid);
                Assert.IsNull(CurrentDisposeScope);
            }
        });
    }

    [TestMethod]
    public void GradModeIsPerThread()
    {
        using var noGradSet = new ManualResetEventSlim();
        using var checkedOther = new ManualResetEventSlim();
        bool otherThreadRecorded = false, otherThreadEnabled = false;

        OnThreads(2, t =>
        {
            if (t == 0)
            {
                using (no_grad())
                {
                    noGradSet.Set();
                    checkedOther.Wait();
                    using var scope = NewDisposeScope();
                    Assert.IsFalse((ones(2, requires_grad: true) * 2).requires_grad);
                }
                Assert.IsTrue(is_grad_enabled());
            }
            else
            {
                noGradSet.Wait();
                using var scope = NewDisposeScope();
                otherThreadEnabled = is_grad_enabled();
                otherThreadRecorded = (ones(2, requires_grad: true) * 2).requires_grad;
                checkedOther.Set();
            }
        });

        Assert.IsTrue(otherThreadEnabled);
        Assert.IsTrue(otherThreadRecorded);
    }
}
