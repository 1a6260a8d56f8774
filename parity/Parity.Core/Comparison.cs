using System.Globalization;

namespace TorchLosses.Parity;

/// <summary>The worst errors seen over the elements compared so far.</summary>
public sealed class ErrorMetrics
{
    /// <summary>Largest |actual − expected| over finite elements whose reference is at most 1 in magnitude
    /// (above 1 the relative error is the meaningful one).</summary>
    public double MaxAbs { get; private set; }

    /// <summary>Largest |actual − expected| / |expected| over finite elements whose reference exceeds the dtype's atol.</summary>
    public double MaxRel { get; private set; }

    /// <summary>Largest distance in units in the last place of the dtype the tolerance is for (the case's: a float64 result of
    /// a float32 case is counted in float32 ulp), on the bit patterns, over the same elements as <see cref="MaxRel"/> (near 0,
    /// subnormal noise would count billions of ulp). An element formed by cancellation, small next to the terms that made it,
    /// can be many ulp of itself while within atol.</summary>
    public long MaxUlp { get; private set; }

    /// <summary>How many elements were compared.</summary>
    public long Elements { get; private set; }

    /// <summary>Records one compared pair; <paramref name="dtype"/> is the one whose ulp count.</summary>
    public void Add(double expected, double actual, ScalarType dtype, double atol)
    {
        Elements++;
        if (!double.IsFinite(expected) || !double.IsFinite(actual)) return;
        double abs = Math.Abs(actual - expected);
        if (Math.Abs(expected) <= 1) MaxAbs = Math.Max(MaxAbs, abs);
        if (Math.Abs(expected) <= atol) return;
        MaxRel = Math.Max(MaxRel, abs / Math.Abs(expected));
        MaxUlp = Math.Max(MaxUlp, Ulp.Distance(expected, actual, dtype));
    }

    /// <summary>Folds another set of metrics into this one.</summary>
    public void Merge(ErrorMetrics other)
    {
        MaxAbs = Math.Max(MaxAbs, other.MaxAbs);
        MaxRel = Math.Max(MaxRel, other.MaxRel);
        MaxUlp = Math.Max(MaxUlp, other.MaxUlp);
        Elements += other.Elements;
    }
}

/// <summary>Distances in units in the last place, computed on the bit patterns of the dtype.</summary>
public static class Ulp
{
    /// <summary>
    /// How many representable values of <paramref name="dtype"/> lie between <paramref name="a"/> and
    /// <paramref name="b"/>, each rounded to that dtype first (values read back from a tensor of it are exact; a float64
    /// result of a float32 case is rounded). +0 and −0 are 0 apart.
    /// </summary>
    public static long Distance(double a, double b, ScalarType dtype)
    {
        if (a == b) return 0;
        return dtype switch
        {
            ScalarType.Float32 => Math.Abs(Ordered(BitConverter.SingleToInt32Bits((float)a)) - Ordered(BitConverter.SingleToInt32Bits((float)b))),
            // bfloat16 is the upper half of a float32: the float32 pattern shifted right by 16.
            ScalarType.BFloat16 => Math.Abs(Ordered(BitConverter.SingleToInt32Bits((float)a) >> 16) - Ordered(BitConverter.SingleToInt32Bits((float)b) >> 16)),
            ScalarType.Float16 => Math.Abs(Ordered(BitConverter.HalfToInt16Bits((Half)a)) - Ordered(BitConverter.HalfToInt16Bits((Half)b))),
            _ => Distance64(a, b),
        };
    }

    private static long Distance64(double a, double b)
    {
        Int128 d = (Int128)Ordered(BitConverter.DoubleToInt64Bits(a)) - Ordered(BitConverter.DoubleToInt64Bits(b));
        if (d < 0) d = -d;
        return d > long.MaxValue ? long.MaxValue : (long)d;
    }

    // Maps a sign-magnitude pattern onto a monotone integer line (−0 and +0 both to 0).
    private static long Ordered(long bits) => bits < 0 ? long.MinValue - bits : bits;

    private static long Ordered(int bits) => bits < 0 ? (long)int.MinValue - bits : bits;

    private static long Ordered(short bits) => bits < 0 ? (long)short.MinValue - bits : bits;
}

/// <summary>Element-wise comparison of a result with its reference, accumulating <see cref="ErrorMetrics"/>.</summary>
public static class Comparison
{
    /// <summary>
    /// Compares <paramref name="actual"/> with <paramref name="expected"/>: same shape, same dtype (when
    /// <paramref name="expectedDType"/> is given), and every element within <paramref name="tolerance"/>.
    /// Returns null when they agree, otherwise what differs, naming the worst element.
    /// </summary>
    public static string? Compare(string what, long[] expectedShape, double[] expected, ScalarType? expectedDType, Tensor actual,
        Tolerance tolerance, ErrorMetrics metrics)
    {
        if (!expectedShape.AsSpan().SequenceEqual(actual.shape))
            return $"{what}: shape {Shape(actual.shape)}, expected {Shape(expectedShape)}";
        if (expectedDType is { } dt && dt != actual.dtype)
            return $"{what}: dtype {Tolerances.Label(actual.dtype)}, expected {Tolerances.Label(dt)}";
        var values = Read(actual);
        var dtype = tolerance.DType ?? actual.dtype;
        if (tolerance.Normwise)
        {
            double largest = expected.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
            tolerance = tolerance with { Magnitude = Math.Max(tolerance.Magnitude, largest) };
        }
        long failures = 0, worst = -1;
        double worstExcess = -1;
        for (long i = 0; i < values.Length; i++)
        {
            double e = expected[i], a = values[i];
            metrics.Add(e, a, dtype, tolerance.Atol);
            if (tolerance.Accepts(e, a)) continue;
            failures++;
            double excess = double.IsFinite(e) && double.IsFinite(a) ? Math.Abs(a - e) - tolerance.Allowed(e) : double.PositiveInfinity;
            if (excess > worstExcess) { worstExcess = excess; worst = i; }
        }
        if (failures == 0) return null;
        double we = expected[worst], wa = values[worst];
        return $"{what}{Index(worst, expectedShape)}: expected {Number(we)}, got {Number(wa)} " +
               $"(|Δ| {Number(Math.Abs(wa - we))}, {Ulp.Distance(we, wa, dtype)} ulp; allowed {Number(tolerance.Allowed(we))}); " +
               $"{failures} of {values.Length} elements differ";
    }

    /// <summary>Compares two tensors; the expected one's dtype must be matched exactly.</summary>
    public static string? Compare(string what, Tensor expected, Tensor actual, Tolerance tolerance, ErrorMetrics metrics) =>
        Compare(what, expected.shape, Read(expected), expected.dtype, actual, tolerance, metrics);

    /// <summary>The values of a tensor as float64 (exact for every floating dtype up to float64), row-major.</summary>
    public static double[] Read(Tensor t)
    {
        using var scope = NewDisposeScope();
        // Flattened: TorchSharp's data<T>() throws on an empty tensor of two or more dimensions.
        return t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();
    }

    /// <summary>The multi-index of row-major element <paramref name="flat"/> of a tensor of <paramref name="shape"/>, as "[1, 2]".</summary>
    public static string Index(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            long size = Math.Max(shape[d], 1);
            index[d] = flat % size;
            flat /= size;
        }
        return Shape(index);
    }

    /// <summary>A shape as "[3, 4]".</summary>
    public static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>A double as it round-trips, invariant culture.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
