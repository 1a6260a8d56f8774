namespace TorchLosses;

/// <summary>The reductions a loss can apply; <see cref="BatchMean"/> exists only for KL divergence.</summary>
internal enum ReductionKind
{
    None,
    Mean,
    Sum,
    BatchMean,
}

/// <summary>
/// The one place where losses are reduced and where PyTorch's reduction arguments (the enum, the
/// strings and the legacy <c>size_average</c>/<c>reduce</c> pair) are interpreted.
/// </summary>
internal static class Reductions
{
    /// <summary>Checks a <see cref="torch.nn.Reduction"/> value (an enum can hold any number).</summary>
    internal static ReductionKind Parse(torch.nn.Reduction reduction) => reduction switch
    {
        torch.nn.Reduction.None => ReductionKind.None,
        torch.nn.Reduction.Mean => ReductionKind.Mean,
        torch.nn.Reduction.Sum => ReductionKind.Sum,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction,
            $"{(long)reduction} is not a valid value for reduction"),
    };

    /// <summary>
    /// Parses PyTorch's reduction strings: "none", "mean", "sum", the deprecated "elementwise_mean"
    /// (with PyTorch's warning), and "batchmean" where <paramref name="allowBatchMean"/> is set.
    /// </summary>
    internal static ReductionKind Parse(string reduction, string loss, bool allowBatchMean = false) => reduction switch
    {
        "none" => ReductionKind.None,
        "mean" => ReductionKind.Mean,
        "sum" => ReductionKind.Sum,
        "batchmean" when allowBatchMean => ReductionKind.BatchMean,
        "elementwise_mean" => WarnElementwiseMean(loss),
        _ => throw new ArgumentException($"{reduction} is not a valid value for reduction", nameof(reduction)),
    };

    private static ReductionKind WarnElementwiseMean(string loss)
    {
        LossWarnings.Raise(loss, "reduction='elementwise_mean' is deprecated, please use reduction='mean' instead.");
        return ReductionKind.Mean;
    }

    /// <summary>
    /// PyTorch's <c>legacy_get_string</c>: an unset argument counts as true; both true give mean, only
    /// <paramref name="reduce"/> gives sum, <paramref name="reduce"/> false gives none. Raises
    /// PyTorch's deprecation warning on <see cref="LossWarnings"/>.
    /// </summary>
    internal static torch.nn.Reduction FromLegacy(bool? size_average, bool? reduce, string loss)
    {
        bool average = size_average ?? true;
        bool reduced = reduce ?? true;
        var result = !reduced ? torch.nn.Reduction.None : average ? torch.nn.Reduction.Mean : torch.nn.Reduction.Sum;
        LossWarnings.Raise(loss,
            $"size_average and reduce args will be deprecated, please use reduction='{Name(result)}' instead.");
        return result;
    }

    /// <summary>
    /// The reduction a legacy <c>size_average</c>/<c>reduce</c> pair selects when either is set (it then
    /// overrides <paramref name="reduction"/>, as in PyTorch), otherwise <paramref name="reduction"/>.
    /// </summary>
    internal static torch.nn.Reduction LegacyOr(bool? size_average, bool? reduce, torch.nn.Reduction reduction, string loss) =>
        size_average is null && reduce is null ? reduction : FromLegacy(size_average, reduce, loss);

    /// <summary>PyTorch's string for a reduction.</summary>
    internal static string Name(torch.nn.Reduction reduction) => reduction switch
    {
        torch.nn.Reduction.None => "none",
        torch.nn.Reduction.Mean => "mean",
        torch.nn.Reduction.Sum => "sum",
        _ => ((long)reduction).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Reduces per-element losses: none returns them, mean divides the sum by their count (NaN for
    /// none at all, as in PyTorch), sum adds them, batchmean divides the sum by the size of the first
    /// dimension of <paramref name="batchSource"/> (no division for a 0-d input).
    /// </summary>
    internal static Tensor Apply(Tensor loss, ReductionKind reduction, Tensor? batchSource = null) => reduction switch
    {
        ReductionKind.None => loss,
        ReductionKind.Mean => IntegralMean(loss),
        ReductionKind.Sum => loss.sum(),
        ReductionKind.BatchMean => BatchMean(loss, batchSource ?? loss),
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "unknown reduction"),
    };

    /// <inheritdoc cref="Apply(Tensor, ReductionKind, Tensor?)"/>
    internal static Tensor Apply(Tensor loss, torch.nn.Reduction reduction) => Apply(loss, Parse(reduction));

    /// <summary>The mean, or libtorch's refusal of the mean of integers (L1 or hinge of integer inputs), naming the input.</summary>
    private static Tensor IntegralMean(Tensor loss) =>
        torch.is_floating_point(loss) || torch.is_complex(loss)
            ? loss.mean()
            : throw new ArgumentException("mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. " +
                                          $"Got: {Check.TorchTypeName(loss.dtype)}", "input");

    private static Tensor BatchMean(Tensor loss, Tensor batchSource)
    {
        var total = loss.sum();
        if (batchSource.dim() == 0) return total;
        using var batchSourceSize = batchSource.size(0).ToScalar();
        return total / batchSourceSize;
    }

    /// <summary>
    /// The weighted mean used by NLL and cross entropy: the sum of the weighted losses divided by the
    /// sum of the weights of the targets that were not ignored (NaN when that is 0/0, as in PyTorch).
    /// </summary>
    internal static Tensor WeightedMean(Tensor weightedLossSum, Tensor weightSum) => weightedLossSum / weightSum;

    /// <summary>
    /// The reduction of torchvision's and fvcore's box losses: as <see cref="Apply(Tensor, ReductionKind, Tensor?)"/>, but the
    /// mean of no elements is 0·sum = 0, which keeps the graph, so the gradient is a defined zero (not NaN).
    /// </summary>
    internal static Tensor ApplyEmptySafe(Tensor loss, ReductionKind reduction) =>
        reduction == ReductionKind.Mean && loss.numel() == 0 ? loss.sum() * torch.zeros(Array.Empty<long>(), loss.dtype, loss.device) : Apply(loss, reduction);
}
