using L = TorchLosses.nn.functional;
using N = TorchSharp.torch.nn.functional;

namespace TorchLosses.Benchmarks;

/// <summary>
/// One size of the blocking sweep: smooth_l1's forward (β = 1, mean, float32, no graph) at <paramref name="N"/> elements,
/// its element-wise ops replayed on the whole operands and block by block, the library's own call, and native's.
/// </summary>
/// <param name="N">The number of elements.</param>
/// <param name="WholeNs">Median time of the ops on the whole operands (sub, clamp, add_, mul_, mean).</param>
/// <param name="BlockedNs">Median time of the same ops block by block (the sum of the block sums, divided by N), per block size in elements.</param>
/// <param name="LibraryNs">Median time of TorchLosses' smooth_l1_loss (the analytic path picks whole or blocked by itself).</param>
/// <param name="NativeNs">Median time of libtorch's smooth_l1_loss through TorchSharp.</param>
/// <param name="WholeGradientNs">The whole replay keeping the gradient factor, scaled by 1/N (the forward of a forward+backward,
/// whose backward at an upstream of 1 runs no op).</param>
/// <param name="BlockedGradientNs">The blocked replay (blocks of <see cref="Blocking.LibraryBlock"/>) keeping the gradient factor: each
/// block's, scaled, copied into one N-sized tensor.</param>
public sealed record BlockingTiming(long N, double WholeNs, Dictionary<long, double> BlockedNs, double LibraryNs, double NativeNs,
    double WholeGradientNs, double BlockedGradientNs);

/// <summary>
/// Where the blocked reduction of the pointwise losses pays (PairwiseGradientFunction's MinimumBlockedBytes and BlockBytes):
/// smooth_l1's forward, whose four element-wise ops and the reduction pass over N-sized temporaries once the operands no
/// longer fit in the cache, timed on the whole operands and in blocks of several sizes, at sizes around the threshold.
/// </summary>
public static class Blocking
{
    /// <summary>The block sizes swept, in float32 elements: 128 Ki (512 KiB), 512 Ki (2 MiB, the library's) and 2 Mi (8 MiB).</summary>
    public static readonly long[] BlockElements = { 1 << 17, 1 << 19, 1 << 21 };

    /// <summary>The library's block, in float32 elements (PairwiseGradientFunction.BlockBytes, 2 MiB).</summary>
    public const long LibraryBlock = PairwiseGradientFunction.BlockBytes / sizeof(float);

    public static List<BlockingTiming> Run(Selection selection)
    {
        torch.set_num_threads(selection.Threads);
        using var plusOne = 1.0.ToScalar();
        using var minusOne = (-1.0).ToScalar();
        using var minusHalf = (-0.5).ToScalar();
        // The analytic forward's element-wise part on one block (or the whole): d = x − y, m = clamp(d, −1, 1), m·(d − m/2),
        // summed; with a gradient, m scaled by 1/N is kept as the gradient factor (into its slice of one N-sized tensor when blocked).
        Tensor BlockSum(Tensor x, Tensor y, Scalar? scale = null, Tensor? gradient = null)
        {
            using var d = x - y;
            using var m = d.clamp(minusOne, plusOne);
            var sum = d.add_(m, minusHalf).mul_(m).sum();
            if (scale is not null && gradient is null) m.mul_(scale);
            else if (scale is not null) gradient!.copy_(m.mul_(scale));
            return sum;
        }
        var results = new List<BlockingTiming>();
        foreach (var n in selection.BlockingSizes)
        {
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(20261207);
            var x = torch.randn(n, dtype: ScalarType.Float32);
            var y = torch.randn(n, dtype: ScalarType.Float32);
            using var count = n.ToScalar();
            using var reciprocal = (1.0 / n).ToScalar();
            void Blocked(long block, bool keepGradient)
            {
                using var gradient = keepGradient ? torch.empty(n, dtype: ScalarType.Float32) : null;
                var sums = new List<Tensor>();
                for (long start = 0; start < n; start += block)
                {
                    long length = Math.Min(block, n - start);
                    using var xs = x.narrow(0, start, length);
                    using var ys = y.narrow(0, start, length);
                    using var slice = gradient?.narrow(0, start, length);
                    sums.Add(BlockSum(xs, ys, keepGradient ? reciprocal : null, slice));
                }
                using (var stacked = torch.stack(sums)) stacked.sum().div_(count).Dispose();
                sums.ForEach(s => s.Dispose());
            }
            var runs = new List<Action> { () => BlockSum(x, y).div_(count).Dispose() };
            runs.AddRange(BlockElements.Select(block => (Action)(() => Blocked(block, keepGradient: false))));
            runs.Add(() => BlockSum(x, y, reciprocal).div_(count).Dispose());
            runs.Add(() => Blocked(LibraryBlock, keepGradient: true));
            runs.Add(() => L.smooth_l1_loss(x, y).Dispose());
            runs.Add(() => N.smooth_l1_loss(x, y).Dispose());
            var medians = OpProfile.MedianNanoseconds(runs);
            double whole = medians[0], wholeGradient = medians[^4], blockedGradient = medians[^3], library = medians[^2], native = medians[^1];
            var blocked = BlockElements.Select((block, k) => (block, k)).ToDictionary(b => b.block, b => medians[1 + b.k]);
            var timing = new BlockingTiming(n, whole, blocked, library, native, wholeGradient, blockedGradient);
            results.Add(timing);
            Console.WriteLine($"blocking N={n}: whole {Report.FormatTime(whole)}, " +
                              string.Join(", ", blocked.Select(b => $"blocks of {b.Key} {Report.FormatTime(b.Value)}")) +
                              $", TorchLosses {Report.FormatTime(library)}, native {Report.FormatTime(native)}; keeping the gradient: whole " +
                              $"{Report.FormatTime(wholeGradient)}, blocks of {LibraryBlock} {Report.FormatTime(blockedGradient)}");
        }
        return results;
    }

}
