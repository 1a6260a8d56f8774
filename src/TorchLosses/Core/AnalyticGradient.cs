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
        ReductionKind.BatchMean when input.dim() > 0 => 1.0 / input.size(0),
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
    /// Whether a custom function's backward must return a gradient that autograd can differentiate again. libtorch's engine
    /// runs every backward with grad mode set to the caller's <c>create_graph</c> (measured on TorchSharp 0.107: on inside a
    /// custom backward under <c>autograd.grad(…, create_graph: true)</c> or <c>backward(create_graph: true)</c>, off otherwise),
    /// and it keeps the graph of the tensors a custom backward returns. So a backward that finds grad mode on computes its
    /// gradient with recorded ops (<see cref="Differentiable"/>); otherwise it takes its fast, unrecorded path.
    /// </summary>
    internal static bool GraphRequested => torch.is_grad_enabled();

    /// <summary>
    /// The gradient of a loss as a recorded function of its operands and of the upstream gradient, for a backward that runs
    /// under create_graph: the loss is recomputed from the operands saved in forward through its autograd composition (the
    /// one <see cref="GradientMode.Autograd"/> uses), and autograd differentiates that with create_graph, so the result
    /// carries a graph to every operand that requires grad, to the upstream gradient, and through them to whatever they came
    /// from. Second derivatives are then those of the autograd mode, which the tests hold to libtorch's.
    /// </summary>
    /// <param name="gradOutput">The upstream gradient the backward received.</param>
    /// <param name="slots">The number of forward arguments (the length of the list a backward returns).</param>
    /// <param name="operands">The saved operands by forward position (null at a position that gets no gradient from the
    /// fast path either); those that require grad get a gradient.</param>
    /// <param name="composite">The loss recomputed from the operands with recorded ops.</param>
    internal static List<Tensor?> Differentiable(Tensor gradOutput, int slots, Tensor?[] operands, Func<Tensor> composite)
    {
        var gradients = new List<Tensor?>(new Tensor?[slots]);
        var wanted = Enumerable.Range(0, operands.Length).Where(i => operands[i] is { requires_grad: true }).ToArray();
        var loss = composite();
        if (wanted.Length == 0 || !loss.requires_grad) return gradients;
        var computed = torch.autograd.grad(new[] { loss }, wanted.Select(i => operands[i]!).ToArray(), new[] { gradOutput },
            retain_graph: true, create_graph: true, allow_unused: true);
        for (int k = 0; k < wanted.Length; k++)
            gradients[wanted[k]] = computed[k] is { IsInvalid: false } gradient ? gradient : null;
        return gradients;
    }

    /// <summary>
    /// Runs the body of a custom function's backward so that it leaves on the thread nothing but the gradients it returns:
    /// what the body makes (its temporaries and the saved tensors it unpacks) is disposed on return, and so is the wrapper
    /// TorchSharp made of <paramref name="gradOutput"/> for this call (TorchSharp never disposes it; libtorch holds its own
    /// reference). The returned gradients stay: libtorch copies them once the backward has returned, and TorchSharp 0.107
    /// leaves their wrappers to the caller's dispose scope, if one is open, or else to their finalizer.
    /// </summary>
    /// <remarks>
    /// An exception must not leave a custom backward (TorchSharp 0.107 ends the process). The one the body can meet is
    /// libtorch's refusal to unpack a saved tensor, typically an operand modified in place between forward and backward
    /// ("one of the variables needed for gradient computation has been modified by an inplace operation"), where
    /// libtorch's own loss raises that error from its backward. Then the message is raised as a <see cref="LossWarnings"/>
    /// warning and the backward returns, for each of its first <paramref name="operands"/> arguments (the tensors among
    /// them that require grad), a gradient whose shape cannot match: libtorch's engine rejects it, so the backward fails
    /// with an error at the same step as libtorch's (a .NET exception from <c>backward</c>), instead of ending the process.
    /// </remarks>
    /// <param name="gradOutput">The upstream gradient the backward received.</param>
    /// <param name="body">Computes the gradients, one entry per forward argument (null where none).</param>
    /// <param name="slots">The number of forward arguments (the length of the list a backward returns).</param>
    /// <param name="operands">How many leading forward arguments are always tensors.</param>
    internal static List<Tensor?> Backward(Tensor gradOutput, Func<List<Tensor?>> body, int slots, int operands)
    {
        List<Tensor?> gradients;
        using (var scope = torch.NewDisposeScope())
        {
            try
            {
                gradients = body();
            }
            catch (Exception error)
            {
                RaiseSafely("backward", $"a loss's backward failed and is refused: {error.Message.Split('\n')[0]}");
                gradients = new List<Tensor?>(new Tensor?[slots]);
                for (int k = 0; k < operands; k++)
                    gradients[k] = torch.zeros(new long[] { 0 }, gradOutput.dtype, gradOutput.device);
            }
            foreach (var gradient in gradients)
                if (gradient is not null) scope.MoveToOuter(gradient);
        }
        if (!gradients.Any(gradient => ReferenceEquals(gradient, gradOutput))) gradOutput.Dispose();
        return gradients;
    }

    /// <summary>Raises a warning from inside a backward: a handler that throws is ignored there (it would end the process).</summary>
    internal static void RaiseSafely(string loss, string message)
    {
        try
        {
            LossWarnings.Raise(loss, message);
        }
        catch
        {
            // Nothing may leave a custom backward.
        }
    }
}
