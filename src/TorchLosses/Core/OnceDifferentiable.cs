namespace TorchLosses;

/// <summary>
/// Marks the operand of a loss that libtorch differentiates only once (CTC: its double backward fails with "derivative for
/// aten::_ctc_loss_backward is not implemented"), so that ours fails too instead of returning a second derivative that is
/// not libtorch's. The identity in forward and in a first-order backward (one custom autograd node on the operand). A
/// backward under create_graph (grad mode on) raises a <see cref="LossWarnings"/> warning that names the loss, and passes
/// the gradient back through <see cref="Refusal"/>: differentiating that gradient again then stops in libtorch's engine with
/// an error, as libtorch's own loss does at the same step.
/// </summary>
/// <remarks>
/// Why not an exception: on TorchSharp 0.107 an exception thrown inside a custom backward ends the process, and the
/// backward cannot know whether the gradient it returns will be differentiated. libtorch's engine, though, checks every
/// gradient a node returns against the shape of the node's input and throws a C++ error when they cannot match; TorchSharp
/// turns that error into a .NET exception in <c>Tensor.backward</c> and <c>torch.autograd.backward</c> (its
/// <c>torch.autograd.grad</c> does not catch native errors and ends the process, for libtorch's own CTC too).
/// </remarks>
internal sealed class OnceDifferentiable : torch.autograd.SingleTensorFunction<OnceDifferentiable>
{
    public override string Name => nameof(OnceDifferentiable);

    /// <summary>The operand itself, or marked when autograd records it.</summary>
    internal static Tensor Mark(Tensor operand, string loss) =>
        operand.requires_grad && torch.is_grad_enabled() ? apply(operand, loss) : operand;

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
    {
        ctx.save_data("loss", vars[1]!);
        return (Tensor)vars[0]!;
    }

    public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
    {
        if (!AnalyticGradient.GraphRequested) return new() { grad_output, null };
        var loss = (string)ctx.get_data("loss")!;
        AnalyticGradient.RaiseSafely(loss, $"{loss} is differentiable only once, as in libtorch (derivative for aten::_ctc_loss_backward " +
            "is not implemented): its gradient was requested with create_graph, and differentiating that gradient again fails.");
        return AnalyticGradient.Backward(grad_output, () => new() { Refusal.apply(grad_output), null }, slots: 2, operands: 1);
    }

    /// <summary>
    /// The gradient of a once-differentiable loss under create_graph: the identity in forward; its backward returns a gradient
    /// whose shape cannot match its input's, which libtorch's engine rejects ("Function CSharpNode returned an invalid
    /// gradient at index 0 - got [C + 1] but expected shape compatible with [T, N, C]").
    /// </summary>
    internal sealed class Refusal : torch.autograd.SingleTensorFunction<Refusal>
    {
        public override string Name => nameof(Refusal);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var gradient = (Tensor)vars[0]!;
            ctx.save_data("shape", Tensors.Shape(gradient));
            return gradient.clone();
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            var shape = (long[])ctx.get_data("shape")!;
            long last = shape.Length == 0 ? 1 : shape[^1];
            return AnalyticGradient.Backward(grad_output,
                () => new() { torch.zeros(new[] { last + 1 }, grad_output.dtype, grad_output.device) }, slots: 1, operands: 1);
        }
    }
}
