using System.Diagnostics;
using System.Text.Json;
using TorchLosses.Parity;

namespace TorchLosses.Benchmarks;

/// <summary>The median time of one primitive op of a path, replayed alone.</summary>
public sealed record OpTiming(string Loss, string Op, long N, double MedianNs);

/// <summary>
/// Where the time of the analytic forward+backward goes: each tensor op the analytic path runs
/// (read from PairwiseGradientFunction and the losses' element-wise parts) is replayed alone on
/// operands of the same size and timed (median of rounds of calibrated batches). The report sets
/// their sum against the measured path; the rest is framework cost (the custom function's .NET
/// callbacks, the autograd engine, dispose scopes).
/// </summary>
public static class OpProfile
{
    public static List<OpTiming> Run(Selection selection)
    {
        torch.set_num_threads(selection.Threads);
        var results = new List<OpTiming>();
        foreach (var n in selection.ProfileSizes)
        {
            using var scope = torch.NewDisposeScope();
            var spec = LossTable.All[0];
            var (x, y) = spec.MakeOperands(n, ScalarType.Float32, requiresGrad: false);
            var d = x - y;
            var ones = torch.ones_like(d);
            var scratch = d.clone();
            var upstream = torch.tensor(1f);
            // In-place ops work on a scratch buffer with values that stay bounded (no denormals).
            var common = new (string op, Action run)[]
            {
                ("sub x−y (alloc)", () => (x - y).Dispose()),
                ("mean", () => d.mean().Dispose()),
            };
            // The gradient factor is scaled by mean's 1/N (MSE: 2/N) in place in the forward and kept as the gradient: with an
            // upstream of 1 and the graph released, the backward runs no op (L1's backward multiplies by upstream/N in place).
            var scale = ("gradient factor · 1/N in place", (Action)(() => scratch.mul_(upstream)));
            var specific = new Dictionary<string, (string op, Action run)[]>
            {
                ["smooth_l1"] = new (string, Action)[]
                {
                    ("clamp(d,−β,β) (alloc)", () => d.clamp(-1.0, 1.0).Dispose()),
                    ("add_(m,−0.5) in place", () => scratch.add_(ones, -0.5)),
                    ("mul_(m) in place", () => scratch.mul_(ones)),
                    scale,
                },
                ["mse"] = new (string, Action)[]
                {
                    ("square (alloc)", () => d.square().Dispose()),
                    scale,
                },
                ["l1"] = new (string, Action)[]
                {
                    ("abs (alloc)", () => d.abs().Dispose()),
                    ("sign (alloc)", () => d.sign().Dispose()),
                    ("backward: sign · (upstream/N) in place", () => scratch.mul_(upstream)),
                },
            };
            specific["huber"] = specific["smooth_l1"];
            foreach (var loss in selection.Losses.Where(specific.ContainsKey))
            foreach (var (op, run) in common.Take(1).Concat(specific[loss]).Concat(common.Skip(1)))
            {
                var timing = new OpTiming(loss, op, n, MedianNanoseconds(run));
                results.Add(timing);
                Console.WriteLine($"profile {loss,-10} N={n,-9} {op,-50} {Report.FormatTime(timing.MedianNs)}");
            }
        }
        results.AddRange(FixedCosts());
        return results;
    }

    /// <summary>The group name of the fixed costs in the results.</summary>
    public const string Framework = "framework";

    /// <summary>
    /// What a call costs apart from its kernels, at N = 1e2 where kernels are nearly free: the kinds of TorchSharp call a
    /// composed loss makes (an op, an op with a double scalar, a reduction, a shape read two ways and a dtype query), a forward+backward
    /// through a native autograd node (sum) and through a custom function (sum in forward, expand in backward) — their
    /// difference is the custom function's own cost — and one native loss through TorchSharp's functional and through
    /// TorchScript (the parity suite's route): the same ATen op reached two ways.
    /// </summary>
    private static IEnumerable<OpTiming> FixedCosts()
    {
        using var scope = torch.NewDisposeScope();
        const long n = 100;
        var x = torch.randn(n);
        var y = torch.randn(n);
        var leaf = x.detach().requires_grad_(true);
        var steps = new (string op, Action run)[]
        {
            ("one op: x − y", () => (x - y).Dispose()),
            ("one op with a double scalar: x · 0.5", () => (x * 0.5).Dispose()),
            ("a reduction: x.mean()", () => x.mean().Dispose()),
            ("a shape query: x.shape", () => GC.KeepAlive(x.shape)),
            ("the rank and each size: x.dim(), x.size(k)", () => GC.KeepAlive(Tensors.Shape(x))),
            ("a dtype query: x.dtype", () => GC.KeepAlive(x.dtype)),
            ("native node: sum, then autograd.grad", () => Step(() => torch.autograd.grad(new[] { leaf.sum() }, new[] { leaf }))),
            ("custom function: sum, then autograd.grad", () => Step(() => torch.autograd.grad(new[] { SumFunction.apply(leaf) }, new[] { leaf }))),
            ("native smooth_l1 forward, TorchSharp's functional", () => torch.nn.functional.smooth_l1_loss(x, y).Dispose()),
            ("native smooth_l1 forward, through TorchScript", () => Aten.smooth_l1_loss(x, y).Dispose()),
        };
        foreach (var (op, run) in steps)
        {
            var timing = new OpTiming(Framework, op, n, MedianNanoseconds(run));
            Console.WriteLine($"profile {Framework,-10} N={n,-9} {op,-50} {Report.FormatTime(timing.MedianNs)}");
            yield return timing;
        }
    }

    private static void Step(Action run)
    {
        using var scope = torch.NewDisposeScope();
        run();
    }

    /// <summary>x.sum() with a hand-written backward (the upstream expanded to x's shape).</summary>
    private sealed class SumFunction : torch.autograd.SingleTensorFunction<SumFunction>
    {
        public override string Name => nameof(SumFunction);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var input = (Tensor)vars[0]!;
            ctx.save_data("shape", input.shape);
            return input.sum();
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) =>
            new() { grad_output.expand((long[])ctx.get_data("shape")!) };
    }

    /// <summary>Median over 9 rounds of the mean time per call in a batch calibrated to ≈10 ms.</summary>
    internal static double MedianNanoseconds(Action run) => MedianNanoseconds(new[] { run })[0];

    /// <summary>
    /// The same for several ways of doing one thing, measured in turn within each round (round by round rather than one
    /// after the other), so that a slow spell of the machine falls on all of them alike.
    /// </summary>
    internal static double[] MedianNanoseconds(IReadOnlyList<Action> runs)
    {
        var clock = new Stopwatch();
        var batches = runs.Select(run =>
        {
            for (int k = 0; k < 3; k++) run();
            clock.Restart();
            run();
            return (int)Math.Clamp(10e6 / Math.Max(1, clock.Elapsed.TotalNanoseconds), 1, 100_000);
        }).ToArray();
        var rounds = runs.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < 9; round++)
            for (int j = 0; j < runs.Count; j++)
            {
                clock.Restart();
                for (int k = 0; k < batches[j]; k++) runs[j]();
                rounds[j].Add(clock.Elapsed.TotalNanoseconds / batches[j]);
            }
        return rounds.Select(r => r.Order().ElementAt(r.Count / 2)).ToArray();
    }

    public static void Save(List<OpTiming> results, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(results, Json.Options));

    public static List<OpTiming> Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<List<OpTiming>>(File.ReadAllText(path), Json.Options) ?? new() : new();
}
