using TorchLosses;

namespace TorchLossesTests.Support;

/// <summary>Observes which gradient path a loss took: the analytic one's gradient cannot be differentiated again.</summary>
internal static class GradientPath
{
    /// <summary>
    /// Takes ∂loss/∂<paramref name="wrt"/> with create_graph in both modes. On the analytic path the custom
    /// function's backward does not record, so that derivative is a constant to autograd (requires_grad false); on
    /// the autograd path it is recorded, and the derivative of its sum with respect to <paramref name="with"/>
    /// equals <paramref name="expectedSecond"/> (skipped when null: a loss whose second derivative is not supported).
    /// </summary>
    internal static void AssertAnalyticOnlyOnceDifferentiable(Func<Tensor> loss, Tensor wrt, Tensor with, Tensor? expectedSecond)
    {
        using var scope = NewDisposeScope();
        using (LossGradients.Use(GradientMode.Analytic))
        {
            var first = autograd.grad(new[] { loss() }, new[] { wrt }, retain_graph: true, create_graph: true)[0]!;
            Assert.IsFalse(first.requires_grad, "the analytic path's gradient must not be recorded");
        }
        using (LossGradients.Use(GradientMode.Autograd))
        {
            var first = autograd.grad(new[] { loss() }, new[] { wrt }, retain_graph: true, create_graph: true)[0]!;
            Assert.IsTrue(first.requires_grad, "the autograd path's gradient must be recorded");
            if (expectedSecond is null) return;
            var second = autograd.grad(new[] { first.sum() }, new[] { with })[0]!;
            Parity.AssertClose(expectedSecond, second, "second derivative on the autograd path");
        }
    }
}
