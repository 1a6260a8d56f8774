using TorchLosses;
using static TorchLossesTests.Support.Parity;
using L = TorchLosses.nn.functional;
using R = TorchSharp.torch.nn.Reduction;

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
        var grad = autograd.grad(new[] { loss }, new[] { x }, create_graph: true)[0]!;
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
}
