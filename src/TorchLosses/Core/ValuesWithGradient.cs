namespace TorchLosses;

/// <summary>
/// A per-element loss with the values of one tensor and the autograd graph (gradient and higher derivatives) of another: two
/// evaluations of the same loss that round differently. Used by the float16 and bfloat16 kernels, whose forward and backward
/// do not round alike (SmoothL1's float16 forward rounds every operation to float16 while its backward works in float32;
/// Huber's float16 forward works in float32 and its backward in float16): the values are the forward kernel's own expression,
/// the graph is the backward kernel's.
/// </summary>
/// <remarks>
/// One custom autograd node: forward returns the values; backward passes the upstream gradient unchanged to the
/// differentiable expression, so autograd differentiates that expression (and again, under create_graph). Unlike
/// values + (differentiable − differentiable), no ∞ − ∞ can reach a value or a gradient where either evaluation overflows:
/// libtorch's float16 smooth L1 with β rounded to ∞ gives NaN at d = +∞ and the gradient ±1, and both stand here.
/// </remarks>
internal sealed class ValuesWithGradient : torch.autograd.SingleTensorFunction<ValuesWithGradient>
{
    public override string Name => nameof(ValuesWithGradient);

    /// <summary>The values of <paramref name="values"/> with the graph of <paramref name="differentiable"/> (same shape and dtype).</summary>
    internal static Tensor Of(Tensor values, Tensor differentiable) =>
        torch.is_grad_enabled() && differentiable.requires_grad ? apply(values.detach(), differentiable) : values.detach();

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars) => ((Tensor)vars[0]!).detach();

    public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) =>
        AnalyticGradient.Backward(grad_output, () => new() { null, grad_output }, slots: 2, operands: 2);
}
