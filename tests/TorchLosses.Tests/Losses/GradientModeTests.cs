using TorchLosses;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>The analytic/autograd switch: scoping, and the autograd path's double backward at the kinks (both modes: SecondOrderTests).</summary>
[TestClass]
public sealed class GradientModeTests
{
    [TestMethod]
    public void UseScopesTheModeToTheBlockAndTheWorkItStarts()
    {
        var before = LossGradients.Current;
        using (LossGradients.Use(GradientMode.Autograd))
        {
            Assert.AreEqual(GradientMode.Autograd, LossGradients.Current);
            using (LossGradients.Use(GradientMode.Analytic))
                Assert.AreEqual(GradientMode.Analytic, LossGradients.Current);
            Assert.AreEqual(GradientMode.Autograd, LossGradients.Current);
            Assert.AreEqual(GradientMode.Autograd, ModeOnThread(flow: true), "a thread started inside the scope inherits it");
            Assert.AreEqual(LossGradients.Default, ModeOnThread(flow: false), "a thread that does not flow from the scope does not see it");
        }
        Assert.AreEqual(before, LossGradients.Current);
    }

    private static GradientMode ModeOnThread(bool flow)
    {
        GradientMode seen = (GradientMode)(-1);
        var thread = new Thread(() => seen = LossGradients.Current);
        if (flow) thread.Start(); else thread.UnsafeStart();
        thread.Join();
        return seen;
    }

    /// <summary>
    /// The measurement with a thread-static mode: across an await the mode was lost in 3 of 100 cases and leaked
    /// onto pool threads (afterwards 2,000 of 2,000 unrelated work items ran in the other mode). Here 200 concurrent logical
    /// calls open a scope and await on pool threads (Task.Yield, Task.Delay), in both modes; each checks its mode after
    /// every await; meanwhile and afterwards 2,000 unrelated work items (queued outside any scope, with and without the
    /// queuing call's context) check that they see the default.
    /// </summary>
    [TestMethod]
    public async Task ScopeFlowsAcrossAwaitAndNeverReachesUnrelatedWork()
    {
        var expectedDefault = LossGradients.Default;
        int lost = 0, leaked = 0;
        async Task Scoped(GradientMode mode)
        {
            using (LossGradients.Use(mode))
            {
                for (int k = 0; k < 3; k++)
                {
                    if (k % 2 == 0) await Task.Yield(); else await Task.Delay(1);
                    if (LossGradients.Current != mode) Interlocked.Increment(ref lost);
                }
                using (LossGradients.Use(mode == GradientMode.Autograd ? GradientMode.Analytic : GradientMode.Autograd))
                    await Task.Yield();
                if (LossGradients.Current != mode) Interlocked.Increment(ref lost);
            }
        }
        Task Unrelated(bool flowContext)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            WaitCallback check = _ =>
            {
                if (LossGradients.Current != expectedDefault) Interlocked.Increment(ref leaked);
                done.SetResult();
            };
            if (flowContext) ThreadPool.QueueUserWorkItem(check); else ThreadPool.UnsafeQueueUserWorkItem(check, null);
            return done.Task;
        }

        var scoped = Enumerable.Range(0, 200).Select(i => Task.Run(() => Scoped(i % 2 == 0 ? GradientMode.Autograd : GradientMode.Analytic))).ToList();
        var during = Enumerable.Range(0, 1000).Select(i => Unrelated(flowContext: i % 2 == 0)).ToList();
        await Task.WhenAll(scoped.Concat(during));
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Unrelated(flowContext: i % 2 == 0)));
        Assert.AreEqual(0, lost, "scopes whose mode was lost after an await");
        Assert.AreEqual(0, leaked, "unrelated work items that saw another call's mode");
        Assert.AreEqual(expectedDefault, LossGradients.Current, "the test's own call");
    }

    [TestMethod]
    public async Task AScopeOpenedInAnAsyncMethodStaysInIt()
    {
        var before = LossGradients.Current;
        var other = before == GradientMode.Autograd ? GradientMode.Analytic : GradientMode.Autograd;
        async Task<GradientMode> OpenAndAwait()
        {
            LossGradients.Use(other);   // never disposed: it ends with the async method's logical call
            await Task.Yield();
            return LossGradients.Current;
        }
        Assert.AreEqual(other, await OpenAndAwait(), "inside the method, after its await");
        Assert.AreEqual(before, LossGradients.Current, "the caller, after awaiting it");
    }

    /// <summary>
    /// Out-of-order disposal is harmless (the documented rule): the mode is the innermost scope not yet disposed, so disposing
    /// the outer scope first leaves the inner one in force, and after both the mode before either is back. With a
    /// thread-static mode the outer scope's disposal restored the default under the live inner scope, and the inner one's
    /// then restored the outer mode for good.
    /// </summary>
    [TestMethod]
    public void OutOfOrderDisposalIsHarmless()
    {
        var before = LossGradients.Current;
        var outer = LossGradients.Use(GradientMode.Autograd);
        var inner = LossGradients.Use(GradientMode.Analytic);
        outer.Dispose();
        Assert.AreEqual(GradientMode.Analytic, LossGradients.Current, "the inner scope is still in force");
        inner.Dispose();
        Assert.AreEqual(before, LossGradients.Current, "both disposed: the mode before either");
        outer.Dispose();
        inner.Dispose();
        Assert.AreEqual(before, LossGradients.Current, "disposing twice changes nothing");

        // Three levels, the middle one first; a scope opened after that nests under the innermost live scope.
        var a = LossGradients.Use(GradientMode.Autograd);
        var b = LossGradients.Use(GradientMode.Analytic);
        var c = LossGradients.Use(GradientMode.Autograd);
        b.Dispose();
        Assert.AreEqual(GradientMode.Autograd, LossGradients.Current, "c in force");
        c.Dispose();
        Assert.AreEqual(GradientMode.Autograd, LossGradients.Current, "b is gone, so a");
        using (LossGradients.Use(GradientMode.Analytic))
            Assert.AreEqual(GradientMode.Analytic, LossGradients.Current);
        Assert.AreEqual(GradientMode.Autograd, LossGradients.Current, "back to a");
        a.Dispose();
        Assert.AreEqual(before, LossGradients.Current);
    }

    [TestMethod]
    public async Task DisposingFromAnotherThreadEndsTheScopeEverywhere()
    {
        var before = LossGradients.Current;
        var scope = LossGradients.Use(GradientMode.Autograd);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inherited = new TaskCompletionSource<GradientMode>(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = Task.Run(async () =>
        {
            inherited.SetResult(LossGradients.Current);
            await gate.Task;
            return LossGradients.Current;
        });
        Assert.AreEqual(GradientMode.Autograd, await inherited.Task, "the child inherits the scope");
        await Task.Run(() => scope.Dispose());   // another thread, another flow
        Assert.AreEqual(before, LossGradients.Current, "the opening call after the scope was disposed elsewhere");
        gate.SetResult();
        Assert.AreEqual(before, await child, "the child after the scope it inherited was disposed");
    }

    [TestMethod]
    public void UseRejectsAnUndefinedMode()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LossGradients.Use((GradientMode)7));
        Assert.AreEqual("mode", e.ParamName);
    }

    [TestMethod]
    public void AutogradPathSupportsDoubleBackward()
    {
        // smooth_l1 with β = 2, sum: ∂²ℓ/∂x² = 1/β inside the quadratic zone, 0 outside.
        using var scope = NewDisposeScope();
        using var mode = LossGradients.Use(GradientMode.Autograd);
        var x = T(new[] { 0.5, -1.0, 3.0, -5.0 });
        var y = zeros(4, ScalarType.Float64);
        var loss = L.smooth_l1_loss(x, y, R.Sum, beta: 2.0);
        var grad = autograd.grad(new[] { loss }, new[] { x }, retain_graph: true, create_graph: true)[0]!;
        var second = autograd.grad(new[] { grad.sum() }, new[] { x })[0]!;
        CollectionAssert.AreEqual(new[] { 0.5, 0.5, 0.0, 0.0 }, second.data<double>().ToArray());
    }

    /// <summary>
    /// Double backward through the autograd path against libtorch's own (the ATen ops' double backward), at points strictly
    /// inside the zone, exactly on |d| = β, outside, at 0, ±∞ and NaN, for β in and beyond the usual range: the first
    /// derivative and, from it, ∂²/∂x² and ∂²/∂x∂y — 1/β (SmoothL1) or 1 (Huber) strictly inside the zone, 0 elsewhere,
    /// also on its boundary.
    /// </summary>
    [TestMethod]
    [DataRow("smooth_l1", 2.0), DataRow("smooth_l1", 0.5), DataRow("smooth_l1", 1e-300), DataRow("smooth_l1", 1e39),
     DataRow("huber", 2.0), DataRow("huber", 0.5), DataRow("huber", 1e-300), DataRow("huber", 1e39)]
    public void DoubleBackwardIsLibtorchs(string loss, double parameter)
    {
        using var mode = LossGradients.Use(GradientMode.Autograd);
        var d = new[] { -3, -1, -0.9995, -0.25, 0, 0.25, 0.9995, 1, 3 }.Select(v => v * parameter)
            .Concat(new[] { double.PositiveInfinity, double.NegativeInfinity, double.NaN }).ToArray();
        foreach (var reduction in new[] { R.Sum, R.Mean })
        {
            using var scope = NewDisposeScope();
            Tensor[] Derivatives(Func<Tensor, Tensor, Tensor> f)
            {
                var x = T(d);
                var y = zeros(d.Length, ScalarType.Float64).requires_grad_();
                var first = autograd.grad(new[] { f(x, y) }, new[] { x }, retain_graph: true, create_graph: true)[0]!;
                var second = autograd.grad(new[] { first.sum() }, new[] { x, y });
                return new[] { first.detach(), second[0]!, second[1]! };
            }
            var native = Derivatives(loss == "huber" ? (x, y) => N.huber_loss(x, y, parameter, reduction) : (x, y) => N.smooth_l1_loss(x, y, reduction, parameter));
            var ours = Derivatives(loss == "huber" ? (x, y) => L.huber_loss(x, y, reduction, parameter) : (x, y) => L.smooth_l1_loss(x, y, reduction, parameter));
            string what = $"{loss}({parameter}) {reduction}";
            AssertClose(native[0], ours[0], $"{what}: first derivative");
            AssertClose(native[1], ours[1], $"{what}: ∂²/∂x²");
            AssertClose(native[2], ours[2], $"{what}: ∂²/∂x∂y");
        }
    }

    [TestMethod]
    public void BothPathsGiveTheSameFirstDerivative()
    {
        using var scope = NewDisposeScope();
        var x = T(new[] { 0.5, -1.0, 3.0, -5.0, 2.0 });
        var y = T(new[] { 0.0, 1.0, 1.0, -3.0, 0.0 });
        Tensor[] Gradients(GradientMode mode)
        {
            using var _ = LossGradients.Use(mode);
            var (a, b) = (x.detach().clone().requires_grad_(), y.detach().clone().requires_grad_());
            var grads = autograd.grad(new[] { L.huber_loss(a, b, R.Mean, 2.0) }, new[] { a, b });
            return new[] { grads[0]!, grads[1]! };
        }
        var analytic = Gradients(GradientMode.Analytic);
        var viaAutograd = Gradients(GradientMode.Autograd);
        AssertClose(viaAutograd[0], analytic[0], "input gradient");
        AssertClose(viaAutograd[1], analytic[1], "target gradient");
    }

    /// <summary>
    /// The analytic backwards write the gradient into a saved temporary when the graph is released; with
    /// retain_graph the temporary must survive, so a second backward gives the same gradient again, and both
    /// equal the gradient of a fresh graph (which reuses the temporary).
    /// </summary>
    [TestMethod]
    public void RetainedGraphsGiveTheSameGradientOnEveryBackward()
    {
        using var scope = NewDisposeScope();
        using var mode = LossGradients.Use(GradientMode.Analytic);
        var x = T(new[] { 0.5, -1.0, 3.0, -5.0, 2.0, 0.25 });
        var y = T(new[] { 0.0, 1.0, 1.0, -3.0, 0.0, 0.0 });
        var logits = T(new[] { 0.5, -1.0, 3.0, -5.0, 2.0, 0.25 }).reshape(2, 3);
        var classes = tensor(new long[] { 2, 0 });
        var losses = new (string name, Func<Tensor, Tensor> loss, Tensor input)[]
        {
            ("smooth_l1", a => L.smooth_l1_loss(a, y, R.Mean, 2.0), x),
            ("huber", a => L.huber_loss(a, y, R.Sum, 0.5), x),
            ("mse", a => L.mse_loss(a, y), x),
            ("l1", a => L.l1_loss(a, y, R.None).sum(), x),
            ("cross_entropy", a => L.cross_entropy(a, classes), logits),
            ("nll_loss", a => L.nll_loss(a.log_softmax(1), classes, reduction: R.Sum), logits),
        };
        foreach (var (name, loss, input) in losses)
        {
            var a = input.detach().clone().requires_grad_();
            var value = loss(a);
            var first = autograd.grad(new[] { value }, new[] { a }, retain_graph: true)[0]!;
            var second = autograd.grad(new[] { value }, new[] { a })[0]!;
            var fresh = autograd.grad(new[] { loss(a) }, new[] { a })[0]!;
            CollectionAssert.AreEqual(first.data<double>().ToArray(), second.data<double>().ToArray(), $"{name}: second backward of a retained graph");
            CollectionAssert.AreEqual(first.data<double>().ToArray(), fresh.data<double>().ToArray(), $"{name}: backward of a fresh graph");
        }
    }
}
