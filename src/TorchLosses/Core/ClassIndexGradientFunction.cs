namespace TorchLosses;

/// <summary>
/// The analytic-gradient form of NLL and of cross entropy with class-index targets (no label
/// smoothing). With cᵢ = w[yᵢ]·(upstream, ÷ W for mean) and 0 at ignored targets:
/// NLL: ∂ℓ/∂input[i, k] = −cᵢ·[k = yᵢ]; cross entropy: ∂ℓ/∂input[i, k] = cᵢ·(softmax(input)[i, k] − [k = yᵢ]).
/// The backward is one exp of the saved log-probabilities, one in-place multiply and one in-place
/// scatter-add (NLL: a zero tensor and the scatter-add).
/// <para>When no class weight is given and no target is ignored (the common case, known from the range
/// check that already read the targets) every wᵢ is 1 and the mean's denominator is the number of
/// targets, so the ignore mask, the per-target weights and their sum are not built at all: the
/// forward is log_softmax, gather and a sum, and cᵢ is the upstream gradient (÷ count for mean).</para>
/// </summary>
internal sealed class ClassIndexGradientFunction : torch.autograd.SingleTensorFunction<ClassIndexGradientFunction>
{
    public override string Name => nameof(ClassIndexGradientFunction);

    /// <summary>True when the analytic path applies: analytic mode, float32/float64 input, a weight of the same dtype without gradient.</summary>
    internal static bool Applies(Tensor input, Tensor? weight) =>
        LossGradients.Current == GradientMode.Analytic
        && (input.dtype == torch.ScalarType.Float32 || input.dtype == torch.ScalarType.Float64)
        && (weight is null || (weight.dtype == input.dtype && !weight.requires_grad));

    /// <summary>
    /// The loss; through the custom function when the input needs a gradient. <c>logSoftmax</c> is true
    /// for cross entropy (the input holds logits) and false for NLL (log-probabilities).
    /// </summary>
    /// <remarks><c>anyIgnored</c>: whether a target may equal the ignore index (from <see cref="ClassTargets.CheckRange"/>);
    /// without weights and ignored targets the lean path is taken.</remarks>
    internal static Tensor Apply(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, ReductionKind reduction,
        long classDim, bool logSoftmax, bool anyIgnored)
    {
        if (weight is null && !anyIgnored && target.numel() > 0)
            return input.requires_grad
                ? apply(input, target, reduction, classDim, logSoftmax)
                : PlainForward(input, target, reduction, classDim, logSoftmax).loss;
        return input.requires_grad
            ? apply(input, target, weight, ignoreIndex, reduction, classDim, logSoftmax)
            : Forward(input, target, weight, ignoreIndex, reduction, classDim, logSoftmax).loss;
    }

    /// <summary>The forward without weights or ignored targets: −picked, reduced (mean divides by the target count).</summary>
    private static (Tensor loss, Tensor scores, Tensor index) PlainForward(Tensor input, Tensor target, ReductionKind reduction,
        long classDim, bool logSoftmax)
    {
        var scores = logSoftmax ? input.log_softmax(classDim) : input;
        var index = target.to(torch.ScalarType.Int64).unsqueeze(classDim);
        var picked = scores.gather(classDim, index);
        var loss = reduction switch
        {
            ReductionKind.None => picked.squeeze(classDim).neg_(),
            ReductionKind.Sum => picked.sum().neg_(),
            _ => picked.sum().div_(-target.numel()),
        };
        return (loss, scores, index);
    }

    private static (Tensor loss, Tensor scores, Tensor targetWeight, Tensor valid, Tensor safeIndex) Forward(Tensor input,
        Tensor target, Tensor? weight, long ignoreIndex, ReductionKind reduction, long classDim, bool logSoftmax)
    {
        var scores = logSoftmax ? input.log_softmax(classDim) : input;
        var (picked, targetWeight, valid, safeIndex) = ClassTargets.PickWithIndex(scores, target, weight, ignoreIndex, classDim);
        var loss = ClassTargets.Reduce(picked.mul_(targetWeight).neg_(), targetWeight, reduction);
        return (loss, scores, targetWeight, valid, safeIndex);
    }

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
    {
        if (vars.Length == 5) return ForwardPlain(ctx, vars);
        var input = (Tensor)vars[0]!;
        var reduction = (ReductionKind)vars[4]!;
        var classDim = (long)vars[5]!;
        var logSoftmax = (bool)vars[6]!;
        var (loss, scores, targetWeight, valid, safeIndex) =
            Forward(input, (Tensor)vars[1]!, (Tensor?)vars[2], (long)vars[3]!, reduction, classDim, logSoftmax);
        ctx.save_for_backward(new() { logSoftmax ? scores : null, targetWeight, valid, safeIndex,
            reduction == ReductionKind.Mean ? targetWeight.sum() : null });
        ctx.save_data("classDim", classDim);
        ctx.save_data("logSoftmax", logSoftmax);
        ctx.save_data("shape", input.shape);
        return loss;
    }

    private static Tensor ForwardPlain(torch.autograd.AutogradContext ctx, object?[] vars)
    {
        var input = (Tensor)vars[0]!;
        var target = (Tensor)vars[1]!;
        var reduction = (ReductionKind)vars[2]!;
        var classDim = (long)vars[3]!;
        var logSoftmax = (bool)vars[4]!;
        var (loss, scores, index) = PlainForward(input, target, reduction, classDim, logSoftmax);
        ctx.save_for_backward(new() { logSoftmax ? scores : null, index });
        ctx.save_data("classDim", classDim);
        ctx.save_data("shape", input.shape);
        ctx.save_data("count", reduction == ReductionKind.Mean ? target.numel() : 0L);
        return loss;
    }

    public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
    {
        if (ctx.get_data("count") is long count) return BackwardPlain(ctx, grad_output, count);
        var saved = ctx.get_saved_variables();
        var (logProbabilities, targetWeight, valid, safeIndex, total) = (saved[0], saved[1]!, saved[2]!, saved[3]!, saved[4]);
        var classDim = (long)ctx.get_data("classDim")!;
        // cᵢ: 0 at ignored targets (even when the weight total is 0, where the others become ±∞ or NaN, as in libtorch).
        var upstream = total is null ? grad_output : grad_output / total;
        var coefficient = torch.where(valid, targetWeight * upstream, torch.zeros_like(targetWeight)).unsqueeze(classDim);
        var index = safeIndex.unsqueeze(classDim);
        Tensor grad = logProbabilities is not null
            ? Exp(ctx, logProbabilities).mul_(coefficient)
            : torch.zeros((long[])ctx.get_data("shape")!, coefficient.dtype, coefficient.device);
        grad.scatter_add_(classDim, index, coefficient.neg_());
        return new() { grad, null, null, null, null, null, null };
    }

    /// <summary>The backward of <see cref="ForwardPlain"/>: cᵢ = upstream (÷ count for mean) at every target.</summary>
    private static List<Tensor?> BackwardPlain(torch.autograd.AutogradContext ctx, Tensor grad_output, long count)
    {
        var saved = ctx.get_saved_variables();
        var (logProbabilities, index) = (saved[0], saved[1]!);
        var classDim = (long)ctx.get_data("classDim")!;
        // A reduced loss has a 0-d upstream: one coefficient for every target; none has one per target.
        var coefficient = count > 0 ? grad_output / count : grad_output.dim() == 0 ? grad_output : grad_output.unsqueeze(classDim);
        Tensor grad = logProbabilities is not null
            ? Exp(ctx, logProbabilities).mul_(coefficient)
            : torch.zeros((long[])ctx.get_data("shape")!, grad_output.dtype, grad_output.device);
        grad.scatter_add_(classDim, index, coefficient.neg().expand(index.shape));
        return new() { grad, null, null, null, null };
    }

    /// <summary>softmax from the saved log-probabilities (a temporary of the forward), in place once the graph is released.</summary>
    private static Tensor Exp(torch.autograd.AutogradContext ctx, Tensor logProbabilities) =>
        AnalyticGradient.MayReuseSaved(ctx) ? logProbabilities.exp_() : logProbabilities.exp();
}
