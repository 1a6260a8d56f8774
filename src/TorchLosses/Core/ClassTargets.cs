namespace TorchLosses;

/// <summary>
/// The one place where class-index targets are checked and class weights applied, shared by NLL,
/// cross entropy and multi-margin: PyTorch's shape, dtype and range checks with its messages, the
/// per-target weight w[yᵢ] (zero where the target is ignored), and the weighted mean.
/// </summary>
internal static class ClassTargets
{
    /// <summary>The element types a class-index target may have (libtorch accepts int64 and uint8).</summary>
    internal static void CheckIndexDtype(Tensor target)
    {
        var type = target.dtype;
        if (type != torch.ScalarType.Int64 && type != torch.ScalarType.Byte)
            throw new ArgumentException($"expected scalar type Long but found {Check.TorchTypeName(type)}", nameof(target));
    }

    /// <summary>
    /// libtorch's weight check: one weight per class (<see cref="CheckWeightDtype"/> checks the dtype).
    /// <paramref name="prefix"/> is "cross_entropy: " on the probability-target path.
    /// </summary>
    internal static void CheckWeight(Tensor? weight, long classes, string prefix = "")
    {
        if (weight is null) return;
        if (weight.dim() != 1 || weight.numel() != classes)
            throw new ArgumentException(
                $"{prefix}weight tensor should be defined either for all {classes} classes or no classes but got weight tensor of shape: {Check.Brackets(weight.shape)}",
                nameof(weight));
    }

    /// <summary>libtorch's dtype rule for the weight of NLL/CE with class-index targets.</summary>
    internal static void CheckWeightDtype(Tensor? weight, Tensor input)
    {
        if (weight is not null && weight.dtype != input.dtype)
            throw new ArgumentException(
                $"expected scalar type {Check.TorchTypeName(input.dtype)} but found {Check.TorchTypeName(weight.dtype)}", nameof(weight));
    }

    /// <summary>
    /// Checks that every target that is not <paramref name="ignoreIndex"/> lies in [0, classes), with
    /// libtorch's message for the first one that does not. Reads the targets, so it is skipped on the
    /// meta device (which has no data). Returns whether any target may be ignored (true when the
    /// targets could not be read), so that callers can take a path without the ignore mask.
    /// </summary>
    internal static bool CheckRange(Tensor target, long classes, long ignoreIndex)
    {
        if (target.device_type == DeviceType.META) return true;
        if (target.numel() == 0) return false;
        using var scope = torch.NewDisposeScope();
        bool anyIgnored = false;
        foreach (var value in target.to(torch.ScalarType.Int64).data<long>())   // one host copy, read in place
        {
            if (value == ignoreIndex) anyIgnored = true;
            else if (value < 0 || value >= classes)
                throw new ArgumentOutOfRangeException(nameof(target), value, $"Target {value} is out of bounds.");
        }
        return anyIgnored;
    }

    /// <summary>
    /// Picks, along <paramref name="classDim"/>, the entry of <paramref name="scores"/> at each target
    /// class, and the weight w[yᵢ] of that class (1 without weights), both zeroed where the target is
    /// ignored. The gather uses class 0 at ignored positions, and the <c>where</c> keeps whatever
    /// value sits there (even ±∞ or NaN) out of the loss and out of the gradient.
    /// </summary>
    internal static (Tensor picked, Tensor targetWeight) Pick(Tensor scores, Tensor target, Tensor? weight, long ignoreIndex, long classDim)
    {
        var (picked, targetWeight, _, _) = PickWithIndex(scores, target, weight, ignoreIndex, classDim);
        return (picked, targetWeight);
    }

    /// <summary><see cref="Pick"/>, also returning the mask of non-ignored targets and the safe class index (0 where ignored).</summary>
    internal static (Tensor picked, Tensor targetWeight, Tensor valid, Tensor safeIndex) PickWithIndex(Tensor scores, Tensor target,
        Tensor? weight, long ignoreIndex, long classDim)
    {
        var index = target.to(torch.ScalarType.Int64);
        using var ignoreIndexScalar = ignoreIndex.ToScalar();
        var valid = index != ignoreIndexScalar;
        var safeIndex = index.masked_fill(valid.logical_not(), Scalars.Zero);
        var gathered = scores.gather(classDim, safeIndex.unsqueeze(classDim)).squeeze(classDim);
        var zero = torch.zeros_like(gathered);
        var picked = torch.where(valid, gathered, zero);
        var w = weight is null ? valid.to(scores.dtype) : torch.where(valid, weight.index_select(0, safeIndex.flatten()).reshape(safeIndex.shape), zero);
        return (picked, w, valid, safeIndex);
    }

    /// <summary>
    /// NLL's reduction: none returns the weighted losses, sum adds them, mean divides by the sum of the
    /// weights of the non-ignored targets (NaN with zero gradient when every target is ignored).
    /// </summary>
    internal static Tensor Reduce(Tensor weightedLoss, Tensor targetWeight, ReductionKind reduction) => reduction switch
    {
        ReductionKind.Mean => Reductions.WeightedMean(weightedLoss.sum(), targetWeight.sum()),
        _ => Reductions.Apply(weightedLoss, reduction),
    };
}
