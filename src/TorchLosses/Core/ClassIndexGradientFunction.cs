namespace TorchLosses;

/// <summary>
/// The analytic-gradient form of NLL and of cross entropy with class-index targets (no label
/// smoothing). With cᵢ = w[yᵢ]·(upstream, ÷ W for mean) and 0 at ignored targets:
/// NLL: ∂ℓ/∂input[i, k] = −cᵢ·[k = yᵢ]; cross entropy: ∂ℓ/∂input[i, k] = cᵢ·(softmax(input)[i, k] − [k = yᵢ]).
/// The backward is one exp of the saved log-probabilities, one in-place multiply and one in-place
/// scatter-add (NLL: a zero tensor and the scatter-add).
/// <para>When no class weight is given and no target is ignored (the common case, known from the range
/// check that already read the targets; the "plain" path) every wᵢ is 1 and the mean's denominator is
/// the number of targets, so the ignore mask, the per-target weights and their sum are not built at
/// all: the forward is log_softmax, gather and a sum, and cᵢ is the upstream gradient (÷ count for mean).</para>
/// <para>Under create_graph the backward differentiates <see cref="Composite"/> of the saved operands instead, so the gradient
/// can be differentiated again (cross entropy's second derivative is log_softmax's; NLL's gradient is linear in the upstream
/// gradient and constant in the input).</para>
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
        bool plain = weight is null && !anyIgnored && target.numel() > 0;
        return input.requires_grad && torch.is_grad_enabled()
            ? apply(input, target, weight, ignoreIndex, reduction, classDim, logSoftmax, plain)
            : Forward(input, target, weight, ignoreIndex, reduction, classDim, logSoftmax, plain).Loss;
    }

    /// <summary>
    /// The autograd composition of the same loss (the autograd mode's): log_softmax (cross entropy), the picked score at each
    /// target times w[yᵢ], 0 at ignored targets, reduced with NLL's weighted mean.
    /// </summary>
    internal static Tensor Composite(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, ReductionKind reduction, long classDim,
        bool logSoftmax)
    {
        var scores = logSoftmax ? input.log_softmax(classDim) : input;
        var (picked, targetWeight) = ClassTargets.Pick(scores, target, weight, ignoreIndex, classDim);
        return ClassTargets.Reduce(-(picked * targetWeight), targetWeight, reduction);
    }

    /// <summary>What the forward computes and the backward needs.</summary>
    /// <param name="Loss">The reduced loss.</param>
    /// <param name="Scores">log_softmax(input) for cross entropy, the input for NLL.</param>
    /// <param name="Index">The class index of each target, unsqueezed along the class dimension (0 where ignored).</param>
    /// <param name="TargetWeight">w[yᵢ], 0 where ignored; null on the plain path (every wᵢ is 1).</param>
    /// <param name="Valid">The targets that are not ignored; null on the plain path.</param>
    /// <param name="Total">The weighted mean's denominator Σ w[yᵢ]; null on the plain path and for none/sum.</param>
    private sealed record Result(Tensor Loss, Tensor Scores, Tensor Index, Tensor? TargetWeight, Tensor? Valid, Tensor? Total);

    private static Result Forward(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, ReductionKind reduction,
        long classDim, bool logSoftmax, bool plain)
    {
        var scores = logSoftmax ? input.log_softmax(classDim) : input;
        if (plain)
        {
            // Every target counts with weight 1: −picked, and mean divides by the number of targets.
            var target64 = Tensors.InType(target, torch.ScalarType.Int64);
            var index = target64.unsqueeze(classDim);
            bool flat = PicksFlat(scores, classDim, target64);
            // Flat: the targets' entries of the contiguous (B, C) scores, read at i·C + yᵢ, shaped like the target.
            var picked = flat ? scores.view(-1).index_select(0, RowOffsets(scores).add_(target64, Scalars.One)) : scores.gather(classDim, index);
            using var minusCount = (-target.numel()).ToScalar();
            var loss = reduction switch
            {
                ReductionKind.None => (flat ? picked : picked.squeeze(classDim)).neg_(),
                ReductionKind.Sum => picked.sum().neg_(),
                _ => picked.sum().div_(minusCount),
            };
            return new(loss, scores, index, null, null, null);
        }
        var (pickedWeighted, targetWeight, valid, safeIndex) = ClassTargets.PickWithIndex(scores, target, weight, ignoreIndex, classDim);
        var weighted = pickedWeighted.mul_(targetWeight).neg_();
        var total = reduction == ReductionKind.Mean ? targetWeight.sum() : null;
        var weightedLoss = total is null ? Reductions.Apply(weighted, reduction) : Reductions.WeightedMean(weighted.sum(), total);
        return new(weightedLoss, scores, safeIndex.unsqueeze(classDim), targetWeight, valid, total);
    }

    /// <summary>
    /// Whether the targets' scores are read from the flat (B, C) scores with index_select at i·C + yᵢ rather than with gather
    /// along the class dimension. libtorch 2.10's CPU gather with an index of one column costs about twice index_select's
    /// time per target once there are a few thousand targets (measured at 1 thread, float32, with 10 to 1000 classes: at
    /// B = 10⁴, C = 1000, 80 µs against 40 µs), while the offsets cost two small ops (arange and an add), which gather
    /// does not need; at B = 1000 gather is still the cheaper. Only for 2-D contiguous scores.
    /// </summary>
    private static bool PicksFlat(Tensor scores, long classDim, Tensor target) =>
        classDim == 1 && target.numel() >= FlatPickTargets && scores.dim() == 2 && scores.is_contiguous();

    /// <summary>The number of targets from which <see cref="PicksFlat"/> reads with index_select.</summary>
    private const long FlatPickTargets = 4096;

    /// <summary>The offset i·C of each row of the contiguous (B, C) <paramref name="scores"/>, on their device.</summary>
    private static Tensor RowOffsets(Tensor scores)
    {
        var shape = scores.shape;
        using var end = (shape[0] * shape[1]).ToScalar();
        using var step = shape[1].ToScalar();
        return torch.arange(Scalars.Zero, end, step, torch.ScalarType.Int64, scores.device);
    }

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
    {
        var input = (Tensor)vars[0]!;
        var target = (Tensor)vars[1]!;
        var reduction = (ReductionKind)vars[4]!;
        var classDim = (long)vars[5]!;
        var logSoftmax = (bool)vars[6]!;
        var result = Forward(input, target, (Tensor?)vars[2], (long)vars[3]!, reduction, classDim, logSoftmax, (bool)vars[7]!);
        // The mean's denominator: the weight total, or on the plain path the number of targets (0: no division).
        ctx.save_for_backward(new() { logSoftmax ? result.Scores : null, result.Index, result.TargetWeight, result.Valid, result.Total,
            input, target, (Tensor?)vars[2] });
        ctx.save_data("operands", ((long)vars[3]!, reduction, logSoftmax));
        ctx.save_data("count", reduction == ReductionKind.Mean && result.TargetWeight is null ? target.numel() : 0L);
        ctx.save_data("classDim", classDim);
        ctx.save_data("shape", input.shape);
        return result.Loss;
    }

    public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        => AnalyticGradient.Backward(grad_output, () =>
        {
            var saved = ctx.get_saved_variables();
            var classDim = (long)ctx.get_data("classDim")!;
            if (AnalyticGradient.GraphRequested)
            {
                var (ignoreIndex, reduction, logSoftmax) = ((long, ReductionKind, bool))ctx.get_data("operands")!;
                return AnalyticGradient.Differentiable(grad_output, 8, new[] { saved[5] },
                    () => Composite(saved[5]!, saved[6]!, saved[7], ignoreIndex, reduction, classDim, logSoftmax));
            }
            var (logProbabilities, index, targetWeight, valid, total) = (saved[0], saved[1]!, saved[2], saved[3], saved[4]);
            var count = (long)ctx.get_data("count")!;
            using var countScalar = count.ToScalar();
            var upstream = total is not null ? grad_output / total : count > 0 ? grad_output / countScalar : grad_output;
            // cᵢ, shaped like the index. Plain path: the upstream itself (0-d for a reduced loss, one per target for none).
            // Otherwise w[yᵢ]·upstream and 0 at ignored targets (even when the weight total is 0, where the others become
            // ±∞ or NaN, as in libtorch).
            var coefficient = targetWeight is null
                ? (upstream.dim() == 0 ? upstream : upstream.unsqueeze(classDim))
                : torch.where(valid!, targetWeight * upstream, torch.zeros_like(targetWeight)).unsqueeze(classDim);
            Tensor grad = logProbabilities is not null
                ? logProbabilities.exp().mul_(coefficient)
                : torch.zeros((long[])ctx.get_data("shape")!, grad_output.dtype, grad_output.device);
            grad.scatter_add_(classDim, index, coefficient.neg().expand(index.shape));
            return new() { grad, null, null, null, null, null, null, null };
        }, slots: 8, operands: 1);
}
