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
    /// <param name="analytic">The analytic-gradient path (see <see cref="LossGradients"/>), or null when the loss has none.</param>
    internal static Tensor Compute(Tensor input, Tensor target, torch.nn.Reduction reduction, string loss, string kernel,
        torch.ScalarType[]? supported, Action? validateParameters, Func<Tensor, Tensor, Tensor> elementwise,
        Func<ReductionKind, Tensor>? analytic = null)
    {
        Check.PointwisePair(input, target, loss);
        var kind = Reductions.Parse(reduction);
        validateParameters?.Invoke();
        if (supported is not null) Check.KernelSupports(kernel, torch.promote_types(input.dtype, target.dtype), supported);

        using var scope = torch.NewDisposeScope();
        var result = analytic is not null && LossGradients.AnalyticApplies(input, target)
            ? analytic(kind)
            : Reductions.Apply(elementwise(input, target), kind);
        return scope.MoveToOuter(result);
    }

    /// <summary>
    /// Evaluates a per-element formula with float16 operands computed in float32 and the per-element result rounded
    /// back to float16. For a loss whose formula divides by a parameter that float16 cannot hold the reciprocal of
    /// (SmoothL1's 1/β beyond 65504): its float16 gradient would overflow where libtorch's kernel gives a finite one.
    /// The other losses compose in float16 directly, as libtorch 2.10's kernels round each operation to it.
    /// </summary>
    internal static Tensor HalfViaFloat(Tensor input, Tensor target, Func<Tensor, Tensor, Tensor> elementwise)
    {
        if (input.dtype != torch.ScalarType.Float16 && target.dtype != torch.ScalarType.Float16) return elementwise(input, target);
        var resultType = torch.promote_types(input.dtype, target.dtype);
        var x = input.dtype == torch.ScalarType.Float16 ? input.to(torch.ScalarType.Float32) : input;
        var y = target.dtype == torch.ScalarType.Float16 ? target.to(torch.ScalarType.Float32) : target;
        return elementwise(x, y).to(resultType);
    }
}
