namespace TorchLosses;

/// <summary>
/// Small pieces shared by the custom autograd functions of the analytic-gradient path (see
/// <see cref="LossGradients"/>): when a function must be recorded, which extra operands it accepts, and
/// the factor by which a reduction scales the upstream gradient.
/// </summary>
internal static class AnalyticGradient
{
    /// <summary>Whether autograd would record a node: grad mode is on and some operand requires grad.</summary>
    internal static bool Recorded(Tensor a, Tensor b, Tensor? c = null) =>
        torch.is_grad_enabled() && (a.requires_grad || b.requires_grad || (c is not null && c.requires_grad));

    /// <summary>Whether an optional operand (a weight) fits the analytic path: absent, or of the input's dtype.</summary>
    internal static bool Fits(Tensor input, Tensor? operand) => operand is null || operand.dtype == input.dtype;

    /// <summary>
    /// ∂(reduced loss)/∂(per-element loss): 1/numel for mean (1 when empty, where there is no element to
    /// scale), 1/input.size(0) for batchmean (1 for a 0-d input), 1 for sum and none.
    /// </summary>
    internal static double Factor(ReductionKind reduction, Tensor input) => reduction switch
    {
        ReductionKind.Mean => 1.0 / Math.Max(1, input.numel()),
        ReductionKind.BatchMean when input.dim() > 0 => 1.0 / input.shape[0],
        _ => 1.0,
    };

    /// <summary>
    /// The upstream gradient times <paramref name="factor"/>: a 0-d tensor for the reducing reductions (so
    /// the scaling costs no pass over N elements), the per-element upstream itself for none.
    /// </summary>
    internal static Tensor Upstream(Tensor gradOutput, double factor)
    {
        if (factor == 1) return gradOutput;
        using var factorScalar = factor.ToScalar();
        return gradOutput * factorScalar;
    }

    /// <summary>−t·g, in one pass over t when g is 0-d (a reduced upstream), else in two.</summary>
    internal static Tensor NegatedProduct(Tensor t, Tensor g) => g.dim() == 0 ? t.mul(g.neg()) : t.mul(g).neg_();

    /// <summary>
    /// Runs the body of a custom function's backward so that it leaves on the thread nothing but the gradients it returns:
    /// what the body makes (its temporaries and the saved tensors it unpacks) is disposed on return, and so is the wrapper
    /// TorchSharp made of <paramref name="gradOutput"/> for this call (TorchSharp never disposes it; libtorch holds its own
    /// reference). The returned gradients stay: libtorch copies them once the backward has returned, and TorchSharp 0.107
    /// leaves their wrappers to the caller's dispose scope, if one is open, or else to their finalizer.
    /// </summary>
    internal static List<Tensor?> Backward(Tensor gradOutput, Func<List<Tensor?>> body)
    {
        List<Tensor?> gradients;
        using (var scope = torch.NewDisposeScope())
        {
            gradients = body();
            foreach (var gradient in gradients)
                if (gradient is not null) scope.MoveToOuter(gradient);
        }
        if (!gradients.Any(gradient => ReferenceEquals(gradient, gradOutput))) gradOutput.Dispose();
        return gradients;
    }
}
