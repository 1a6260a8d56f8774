using TorchLosses;

namespace TorchLossesTests.Support;

/// <summary>Second derivatives through both gradient paths.</summary>
internal static class GradientPath
{
    /// <summary>
    /// Takes ∂loss/∂<paramref name="wrt"/> with create_graph in both modes: the gradient is recorded in both (the analytic
    /// path's backward differentiates the autograd composition under create_graph), and the derivative of its sum with
    /// respect to <paramref name="with"/> equals <paramref name="expectedSecond"/> in both.
    /// </summary>
    internal static void AssertTwiceDifferentiableInBothModes(Func<Tensor> loss, Tensor wrt, Tensor with, Tensor expectedSecond)
    {
        foreach (var mode in new[] { GradientMode.Analytic, GradientMode.Autograd })
        {
            using var scope = NewDisposeScope();
            using var _ = LossGradients.Use(mode);
            var first = autograd.grad(new[] { loss() }, new[] { wrt }, retain_graph: true, create_graph: true)[0]!;
            Assert.IsTrue(first.requires_grad, $"[{mode}] the gradient must be recorded");
            var second = autograd.grad(new[] { first.sum() }, new[] { with })[0]!;
            Parity.AssertClose(expectedSecond, second, $"[{mode}] second derivative");
        }
    }
}
