using L = TorchLosses.nn.functional;
using N = TorchSharp.torch.nn.functional;

namespace TorchLosses.Benchmarks;

/// <summary>
/// One shape of the pick sweep: the scores of <paramref name="Targets"/> class-index targets read from (B, C) log-probabilities
/// with <c>gather</c> along the classes and with <c>index_select</c> on the flat scores at i·C + yᵢ, each summed (forward) and
/// differentiated (forward+backward), beside TorchLosses' and native's nll_loss forward.
/// </summary>
public sealed record PickTiming(long Targets, long Classes, double GatherNs, double IndexSelectNs, double GatherBackwardNs,
    double IndexSelectBackwardNs, double LibraryNs, double NativeNs);

/// <summary>
/// Where NLL and cross entropy read their targets' scores with index_select instead of gather
/// (ClassIndexGradientFunction's FlatPickTargets): both ways at a few batch sizes and class counts.
/// </summary>
public static class Picks
{
    public static readonly (long targets, long classes)[] Shapes =
        { (1000, 10), (1000, 1000), (4096, 10), (4096, 1000), (10_000, 10), (10_000, 1000) };

    public static List<PickTiming> Run(Selection selection)
    {
        torch.set_num_threads(selection.Threads);
        var results = new List<PickTiming>();
        foreach (var (b, c) in Shapes)
        {
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(20261207);
            var scores = torch.randn(b, c, dtype: ScalarType.Float32).log_softmax(1);
            var leaf = scores.detach().requires_grad_();
            var targets = torch.randint(0, c, new[] { b });
            var index = targets.unsqueeze(1);
            using var start = 0L.ToScalar();
            using var end = (b * c).ToScalar();
            using var step = c.ToScalar();
            Tensor Gathered(Tensor s) => s.gather(1, index).sum();
            Tensor Selected(Tensor s)
            {
                using var offsets = torch.arange(start, end, step, ScalarType.Int64).add_(targets);
                using var flat = s.view(-1);
                using var picked = flat.index_select(0, offsets);
                return picked.sum();
            }
            void Backward(Func<Tensor, Tensor> pick)
            {
                using var inner = torch.NewDisposeScope();
                torch.autograd.grad(new[] { pick(leaf) }, new[] { leaf });
            }
            var medians = OpProfile.MedianNanoseconds(new Action[]
            {
                () => Gathered(scores).Dispose(),
                () => Selected(scores).Dispose(),
                () => Backward(Gathered),
                () => Backward(Selected),
                () => L.nll_loss(scores, targets).Dispose(),
                () => N.nll_loss(scores, targets).Dispose(),
            });
            var timing = new PickTiming(b, c, medians[0], medians[1], medians[2], medians[3], medians[4], medians[5]);
            results.Add(timing);
            Console.WriteLine($"picks B={b} C={c}: gather {Report.FormatTime(timing.GatherNs)}, index_select {Report.FormatTime(timing.IndexSelectNs)}; " +
                              $"with backward {Report.FormatTime(timing.GatherBackwardNs)} / {Report.FormatTime(timing.IndexSelectBackwardNs)}; " +
                              $"nll_loss TorchLosses {Report.FormatTime(timing.LibraryNs)}, native {Report.FormatTime(timing.NativeNs)}");
        }
        return results;
    }

}
