using System.Diagnostics;
using System.Text.Json;

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
        foreach (var n in selection.MemorySizes)
        {
            using var scope = torch.NewDisposeScope();
            var spec = LossTable.All[0];
            var (x, y) = spec.MakeOperands(n, ScalarType.Float32, requiresGrad: false);
            var d = x - y;
            var m = d.clamp(-1.0, 1.0);
            var ones = torch.ones_like(d);
            var scratch = d.clone();
            var upstream = torch.tensor(1f);
            // In-place ops work on a scratch buffer with values that stay bounded (no denormals).
            var common = new (string op, Action run)[]
            {
                ("sub x−y (alloc)", () => (x - y).Dispose()),
                ("mean", () => d.mean().Dispose()),
                ("backward: g·grad_output (alloc)", () => (m * upstream).Dispose()),
                ("backward: mul_(1/N) in place", () => scratch.mul_(1.0)),
            };
            var specific = new Dictionary<string, (string op, Action run)[]>
            {
                ["smooth_l1"] = new (string, Action)[]
                {
                    ("clamp(d,−β,β) (alloc)", () => d.clamp(-1.0, 1.0).Dispose()),
                    ("add_(m,−0.5) in place", () => scratch.add_(ones, -0.5)),
                    ("mul_(m) in place", () => scratch.mul_(ones)),
                },
                ["mse"] = new (string, Action)[]
                {
                    ("square (alloc)", () => d.square().Dispose()),
                    ("mul_(2) in place", () => scratch.mul_(1.0)),
                },
                ["l1"] = new (string, Action)[]
                {
                    ("abs (alloc)", () => d.abs().Dispose()),
                    ("sign (alloc)", () => d.sign().Dispose()),
                },
            };
            specific["huber"] = specific["smooth_l1"];
            foreach (var loss in selection.Losses.Where(specific.ContainsKey))
            foreach (var (op, run) in common.Take(1).Concat(specific[loss]).Concat(common.Skip(1)))
            {
                var timing = new OpTiming(loss, op, n, MedianNanoseconds(run));
                results.Add(timing);
                Console.WriteLine($"profile {loss,-10} N={n,-9} {op,-34} {Report.FormatTime(timing.MedianNs)}");
            }
        }
        return results;
    }

    /// <summary>Median over 9 rounds of the mean time per call in a batch calibrated to ≈10 ms.</summary>
    private static double MedianNanoseconds(Action run)
    {
        for (int k = 0; k < 3; k++) run();
        var clock = Stopwatch.StartNew();
        run();
        int batch = (int)Math.Clamp(10e6 / Math.Max(1, clock.Elapsed.TotalNanoseconds), 1, 100_000);
        var rounds = new List<double>();
        for (int round = 0; round < 9; round++)
        {
            clock.Restart();
            for (int k = 0; k < batch; k++) run();
            rounds.Add(clock.Elapsed.TotalNanoseconds / batch);
        }
        rounds.Sort();
        return rounds[rounds.Count / 2];
    }

    public static void Save(List<OpTiming> results, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(results, Json.Options));

    public static List<OpTiming> Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<List<OpTiming>>(File.ReadAllText(path), Json.Options) ?? new() : new();
}
