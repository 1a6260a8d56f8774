using System.Numerics;
using System.Runtime.InteropServices;

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
                $"{prefix}weight tensor should be defined either for all {classes} classes or no classes but got weight tensor of shape: {Check.Brackets(weight)}",
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
    /// <remarks>Reads the B targets once, never the input: a contiguous int64 target on the CPU in place (no copy, no
    /// tensor op), any other one through one copy to a contiguous int64 tensor on the CPU. The check itself is the targets'
    /// minimum and maximum (vectorised), plus a search for <paramref name="ignoreIndex"/> only when it lies between them;
    /// the ordered scan that names the first offending target runs only when the minimum or maximum is outside [0, classes).
    /// (libtorch checks the same inside its kernel, while it reads the targets.)</remarks>
    internal static bool CheckRange(Tensor target, long classes, long ignoreIndex)
    {
        if (target.device_type == DeviceType.META) return true;
        if (target.dtype == torch.ScalarType.Int64 && target.device_type == DeviceType.CPU && target.is_contiguous())
            return CheckRangeOnHost(target, classes, ignoreIndex);
        using var scope = torch.NewDisposeScope();
        return CheckRangeOnHost(target.to(torch.ScalarType.Int64, torch.CPU).contiguous(), classes, ignoreIndex);   // one host copy
    }

    /// <summary>The check on contiguous int64 targets on the CPU, read in place, in spans of <paramref name="spanElements"/>
    /// targets (a span holds at most 2³¹ bytes), in order, so that the first target out of range is the one named.</summary>
    internal static bool CheckRangeOnHost(Tensor host, long classes, long ignoreIndex, long spanElements = int.MaxValue / sizeof(long))
    {
        long count = host.numel();
        if (count <= spanElements) return count > 0 && CheckRangeOf(MemoryMarshal.Cast<byte, long>(host.bytes), classes, ignoreIndex);
        bool anyIgnored = false;
        using var flat = host.view(-1);
        for (long start = 0; start < count; start += spanElements)
        {
            using var part = flat.narrow(0, start, Math.Min(spanElements, count - start));
            anyIgnored |= CheckRangeOf(MemoryMarshal.Cast<byte, long>(part.bytes), classes, ignoreIndex);
        }
        return anyIgnored;
    }

    private static bool CheckRangeOf(ReadOnlySpan<long> target, long classes, long ignoreIndex)
    {
        var (min, max) = MinMax(target);
        if (min >= 0 && max < classes)   // every target is a class; one is ignored only if ignore_index is one of them
            return ignoreIndex >= min && ignoreIndex <= max && target.Contains(ignoreIndex);
        bool anyIgnored = false;
        foreach (var value in target)   // in order, so the message names the first target out of range, as libtorch's
        {
            if (value == ignoreIndex) anyIgnored = true;
            else if (value < 0 || value >= classes)
                throw new ArgumentOutOfRangeException(nameof(target), value, $"Target {value} is out of bounds.");
        }
        return anyIgnored;
    }

    /// <summary>The least and the greatest of a non-empty span, a vector of lanes at a time.</summary>
    private static (long min, long max) MinMax(ReadOnlySpan<long> values)
    {
        long min = values[0], max = values[0];
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= 2 * Vector<long>.Count)
        {
            var lows = new Vector<long>(values);
            var highs = lows;
            for (i = Vector<long>.Count; i <= values.Length - Vector<long>.Count; i += Vector<long>.Count)
            {
                var block = new Vector<long>(values.Slice(i));
                lows = Vector.Min(lows, block);
                highs = Vector.Max(highs, block);
            }
            for (int lane = 0; lane < Vector<long>.Count; lane++)
            {
                min = Math.Min(min, lows[lane]);
                max = Math.Max(max, highs[lane]);
            }
        }
        for (; i < values.Length; i++)
        {
            min = Math.Min(min, values[i]);
            max = Math.Max(max, values[i]);
        }
        return (min, max);
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
        var w = weight is null ? valid.to(scores.dtype) : torch.where(valid, weight.index_select(0, safeIndex.flatten()).reshape(Tensors.Shape(safeIndex)), zero);
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
