namespace TorchLosses;

/// <summary>
/// The shared frame of the losses that compare input and target element by element and broadcast
/// them (L1, MSE, SmoothL1, Huber): PyTorch's checks in PyTorch's order, then the per-element formula,
/// then the reduction. Temporaries are released on return; the autograd graph keeps what it needs.
/// </summary>
internal static class PointwiseLoss
{
    /// <summary>Computes a loss and reduces it, after PyTorch's checks.</summary>
    /// <param name="input">The prediction.</param>
    /// <param name="target">The target; broadcast against the input (with PyTorch's warning when the sizes differ).</param>
    /// <param name="reduction">none, mean or sum.</param>
    /// <param name="loss">The functional's name, for warnings.</param>
    /// <param name="kernel">libtorch's CPU kernel name, for the unsupported-dtype message.</param>
    /// <param name="supported">The element types the native kernel implements; null when any type is accepted.</param>
    /// <param name="validateParameters">Checks the loss's own parameters (after the reduction check, as ATen does).</param>
    /// <param name="elementwise">The per-element loss of (input, target), differentiated by autograd.</param>
    /// <param name="analytic">The analytic-gradient path (see <see cref="LossGradients"/>), or null when the loss has none; it is
    /// given the reduction and <paramref name="elementwise"/>, which its backward differentiates under create_graph.</param>
    internal static Tensor Compute(Tensor input, Tensor target, torch.nn.Reduction reduction, string loss, string kernel,
        torch.ScalarType[]? supported, Action? validateParameters, Func<Tensor, Tensor, Tensor> elementwise,
        Func<ReductionKind, Func<Tensor, Tensor, Tensor>, Tensor>? analytic = null)
    {
        Check.Defined(input, target);
        bool sameShape = Check.PointwisePair(input, target, loss);
        var kind = Reductions.Parse(reduction);
        validateParameters?.Invoke();
        // Each fact about the operands is read once (every query is a call into libtorch).
        torch.ScalarType inputType = input.dtype, targetType = target.dtype;
        // l1_loss subtracts first, which libtorch refuses for a bool operand; the kernels (mse, smooth L1, Huber) read a bool
        // operand as 0/1 in the promoted type.
        if (supported is null && (inputType == torch.ScalarType.Bool || targetType == torch.ScalarType.Bool))
            Check.SubtractsNoBool(input, target, nameof(input), nameof(target));
        var type = inputType == targetType ? inputType : torch.promote_types(inputType, targetType);
        if (supported is not null) Check.KernelSupports(kernel, type, type == inputType ? nameof(input) : nameof(target), supported);

        using var scope = torch.NewDisposeScope();
        if (analytic is not null && LossGradients.AnalyticApplies(inputType, targetType, sameShape))
            return scope.MoveToOuter(analytic(kind, elementwise));
        var x = inputType == torch.ScalarType.Bool ? input.to(type) : input;
        var y = targetType == torch.ScalarType.Bool ? target.to(type) : target;
        var result = Reductions.Apply(elementwise(x, y), kind);
        return scope.MoveToOuter(result);
    }

    /// <summary>
    /// Float32 copies of input and target, broadcast to one shape first: for the float16/bfloat16 kernels that work in float32.
    /// The gradient of each copy is rounded back to the half type element by element and only then summed over the broadcast
    /// dimensions, as libtorch, which broadcasts before its kernel runs, sums the kernel's half-type gradients.
    /// </summary>
    internal static (Tensor input, Tensor target) BroadcastToFloat32(Tensor input, Tensor target)
    {
        var both = torch.broadcast_tensors(input, target);
        return (both[0].to(torch.ScalarType.Float32), both[1].to(torch.ScalarType.Float32));
    }
}
