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
/// all: the loss is log_softmax (cross entropy), the pick of each target's score (gather, or index_select
/// on the flat scores) and a sum, negated or divided by −count. Those ops are recorded as they are, without this
/// function: differentiated by libtorch's own nodes they give libtorch's gradients bit for bit (the pick's backward
/// scatters −upstream/count into zeros, as nll_loss's backward does, and log_softmax's backward is the one libtorch's
/// cross entropy runs), at the cost of native nodes instead of a TorchSharp custom function (float32 forward+backward of cross
/// entropy against native at 10⁶ / 10⁷ elements: 0.96 / 1.00 in docs/performance.md at commit 3b7f8d8, where the custom
/// function's report at commit 0e91f04 had 1.15 / 1.20).</para>
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
    /// The loss; through the custom function when the input needs a gradient and a weight or an ignored target is involved
    /// (the plain path is recorded op by op, see the class remarks). <c>logSoftmax</c> is true for cross entropy (the input
    /// holds logits) and false for NLL (log-probabilities).
    /// </summary>
    /// <remarks><c>anyIgnored</c>: whether a target may equal the ignore index (from <see cref="ClassTargets.CheckRange"/>);
    /// without weights and ignored targets the lean path is taken.</remarks>
    internal static Tensor Apply(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, ReductionKind reduction,
        long classDim, bool logSoftmax, bool anyIgnored)
    {
        long count = target.numel();
        if (weight is null && !anyIgnored && count > 0) return Plain(input, target, count, reduction, classDim, logSoftmax);
        return input.requires_grad && torch.is_grad_enabled()
            ? apply(input, target, weight, ignoreIndex, reduction, classDim, logSoftmax)
            : Forward(input, target, weight, ignoreIndex, reduction, classDim, logSoftmax).Loss;
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

    /// <summary>
    /// The plain path (no weight, no ignored target, at least one target): every target counts with weight 1, so the loss is
    /// −picked, summed, or divided by −count for mean (libtorch's sum of the picked scores over the number of targets). Under
    /// grad mode these ops are recorded as they are (see the class remarks).
    /// </summary>
    private static Tensor Plain(Tensor input, Tensor target, long count, ReductionKind reduction, long classDim, bool logSoftmax)
    {
        var scores = logSoftmax ? input.log_softmax(classDim) : input;
        var target64 = Tensors.InType(target, torch.ScalarType.Int64);
        bool flat = PicksFlat(scores, classDim, count);
        // Flat: the targets' entries of the contiguous (B, C) scores, read at i·C + yᵢ, shaped like the target.
        var picked = flat
            ? scores.view(-1).index_select(0, RowOffsets(scores).add_(target64, Scalars.One))
            : scores.gather(classDim, target64.unsqueeze(classDim));
        if (reduction == ReductionKind.None) return (flat ? picked : picked.squeeze(classDim)).neg_();
        if (reduction == ReductionKind.Sum) return picked.sum().neg_();
        using var minusCount = (-count).ToScalar();
        return picked.sum().div_(minusCount);
    }

    /// <summary>What the weighted forward computes and the backward needs.</summary>
    /// <param name="Loss">The reduced loss.</param>
    /// <param name="Scores">log_softmax(input) for cross entropy, the input for NLL.</param>
    /// <param name="Index">The class index of each target, unsqueezed along the class dimension (0 where ignored).</param>
    /// <param name="TargetWeight">w[yᵢ], 0 where ignored.</param>
    /// <param name="Valid">The targets that are not ignored.</param>
    /// <param name="Total">The weighted mean's denominator Σ w[yᵢ]; null for none/sum.</param>
    private sealed record Result(Tensor Loss, Tensor Scores, Tensor Index, Tensor TargetWeight, Tensor Valid, Tensor? Total);

    /// <summary>The loss with class weights and ignored targets: w[yᵢ]·(−picked), 0 where ignored, with NLL's weighted mean.</summary>
    private static Result Forward(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, ReductionKind reduction,
        long classDim, bool logSoftmax)
    {
        var scores = logSoftmax ? input.log_softmax(classDim) : input;
        var (pickedWeighted, targetWeight, valid, safeIndex) = ClassTargets.PickWithIndex(scores, target, weight, ignoreIndex, classDim);
        var weighted = pickedWeighted.mul_(targetWeight).neg_();
        var total = reduction == ReductionKind.Mean ? targetWeight.sum() : null;
        var weightedLoss = total is null ? Reductions.Apply(weighted, reduction) : Reductions.WeightedMean(weighted.sum(), total);
        return new(weightedLoss, scores, safeIndex.unsqueeze(classDim), targetWeight, valid, total);
    }

    /// <summary>
    /// Whether the targets' scores are read from the flat (B, C) scores with index_select at i·C + yᵢ rather than with gather
    /// along the class dimension. libtorch 2.10's CPU gather with an index of one column costs more per target than
    /// index_select once there are a few thousand targets, while the offsets cost two small ops (arange and an add), which
    /// gather does not need. The benchmark's `picks` pass (`dotnet run -c Release --project bench/TorchLosses.Benchmarks --
    /// picks`, then `-- report`: docs/performance.md, "Where index_select pays") times both, float32, 1 thread: the read plus
    /// its sum at B = 4096 and 10⁴ targets, 10 and 1000 classes, 11–54 µs with index_select against 15–81 µs with gather; at
    /// B = 1000 the two are within about a microsecond and a half (the report at commit 3b7f8d8; later runs move these by
    /// their run-to-run spread). Only for 2-D contiguous scores.
    /// </summary>
    private static bool PicksFlat(Tensor scores, long classDim, long targets) =>
        classDim == 1 && targets >= FlatPickTargets && scores.dim() == 2 && scores.is_contiguous();

    /// <summary>The number of targets from which <see cref="PicksFlat"/> reads with index_select.</summary>
    internal const long FlatPickTargets = 4096;

    /// <summary>The offset i·C of each row of the contiguous (B, C) <paramref name="scores"/>, on their device.</summary>
    private static Tensor RowOffsets(Tensor scores)
    {
        var shape = Tensors.Shape(scores);
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
        var result = Forward(input, target, (Tensor?)vars[2], (long)vars[3]!, reduction, classDim, logSoftmax);
        ctx.save_for_backward(new() { logSoftmax ? result.Scores : null, result.Index, result.TargetWeight, result.Valid, result.Total,
            input, target, (Tensor?)vars[2] });
        ctx.save_data("operands", ((long)vars[3]!, reduction, logSoftmax));
        ctx.save_data("classDim", classDim);
        ctx.save_data("shape", Tensors.Shape(input));
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
                return AnalyticGradient.Differentiable(grad_output, 7, new[] { saved[5] },
                    () => Composite(saved[5]!, saved[6]!, saved[7], ignoreIndex, reduction, classDim, logSoftmax));
            }
            var (logProbabilities, index, targetWeight, valid, total) = (saved[0], saved[1]!, saved[2]!, saved[3]!, saved[4]);
            var upstream = total is not null ? grad_output / total : grad_output;
            // cᵢ = w[yᵢ]·upstream, shaped like the index, and 0 at ignored targets (even when the weight total is 0, where the
            // others become ±∞ or NaN, as in libtorch).
            var coefficient = torch.where(valid, targetWeight * upstream, torch.zeros_like(targetWeight)).unsqueeze(classDim);
            Tensor grad = logProbabilities is not null
                ? logProbabilities.exp().mul_(coefficient)
                : torch.zeros((long[])ctx.get_data("shape")!, grad_output.dtype, grad_output.device);
            grad.scatter_add_(classDim, index, coefficient.neg().expand(Tensors.Shape(index)));
            return new() { grad, null, null, null, null, null, null };
        }, slots: 7, operands: 1);
}
