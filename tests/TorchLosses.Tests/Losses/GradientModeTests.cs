using TorchLosses;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>The analytic/autograd switch: scoping, and what only the autograd path can do (double backward).</summary>
[TestClass]
public sealed class GradientModeTests
{
    [TestMethod]
    public void UseScopesTheModeToTheBlockAndThread()
    {
        var before = LossGradients.Current;
        using (LossGradients.Use(GradientMode.Autograd))
        {
            Assert.AreEqual(GradientMode.Autograd, LossGradients.Current);
            using (LossGradients.Use(GradientMode.Analytic))
                Assert.AreEqual(GradientMode.Analytic, LossGradients.Current);
            Assert.AreEqual(GradientMode.Autograd, LossGradients.Current);
            GradientMode other = GradientMode.Autograd;
            var thread = new Thread(() => other = LossGradients.Current);
            thread.Start();
            thread.Join();
            Assert.AreEqual(LossGradients.Default, other, "a scope on one thread does not reach another");
        }
        Assert.AreEqual(before, LossGradients.Current);
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
