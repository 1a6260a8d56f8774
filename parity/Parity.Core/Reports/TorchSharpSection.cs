using System.Globalization;
using System.Reflection;

namespace TorchLosses.Parity.Reports;

/// <summary>One TorchSharp route of one loss, summed over the cases the witness ran.</summary>
public sealed class RouteSummary
{
    /// <summary>The loss (as the suites name it).</summary>
    public required string Loss { get; init; }

    /// <summary>"factory", "module" or "functional".</summary>
    public required string Route { get; init; }

    /// <summary>The call as a user writes it.</summary>
    public required string Api { get; init; }

    /// <summary>Cases where the route agrees with the reference.</summary>
    public int Agrees { get; set; }

    /// <summary>Cases where it does not.</summary>
    public int Disagrees { get; set; }

    /// <summary>Cases the route's API cannot express.</summary>
    public int NotExpressible { get; set; }

    /// <summary>Cases without an independent reference (or whose reference failed).</summary>
    public int NotCompared { get; set; }

    /// <summary>Every case counted.</summary>
    public int Cases => Agrees + Disagrees + NotExpressible + NotCompared;

    /// <summary>The first case of each outcome but agreement: the example the report shows.</summary>
    public Dictionary<WitnessOutcome, WitnessResult> Examples { get; } = new();

    /// <summary>
    /// Per outcome but agreement, why, with how many cases (in order of first appearance): for disagreements the known cause
    /// (<see cref="NotAKnownDefect"/> where none explains it), otherwise the reason without the value it names
    /// ("ignore_index=1: TorchSharp's NLL has no ignore_index" counts as "TorchSharp's NLL has no ignore_index").
    /// </summary>
    public Dictionary<WitnessOutcome, List<(string Why, int Count)>> Why { get; } = new();

    /// <summary>What <see cref="Why"/> says of a disagreement that no known cause explains.</summary>
    public const string NotAKnownDefect = "not a known defect";

    /// <summary>The reasons of one outcome (empty when it never happened).</summary>
    public IReadOnlyList<(string Why, int Count)> WhyOf(WitnessOutcome outcome) =>
        Why.TryGetValue(outcome, out var list) ? list : Array.Empty<(string, int)>();

    internal void Add(WitnessResult r)
    {
        switch (r.Outcome)
        {
            case WitnessOutcome.Agrees: Agrees++; return;
            case WitnessOutcome.Disagrees: Disagrees++; break;
            case WitnessOutcome.NotExpressible: NotExpressible++; break;
            default: NotCompared++; break;
        }
        Examples.TryAdd(r.Outcome, r);
        string why = r.Outcome == WitnessOutcome.Disagrees ? r.Cause ?? NotAKnownDefect : General(r.Detail ?? "");
        if (!Why.TryGetValue(r.Outcome, out var list)) Why[r.Outcome] = list = new();
        int k = list.FindIndex(w => w.Why == why);
        if (k < 0) list.Add((why, 1));
        else list[k] = (why, list[k].Count + 1);
    }

    /// <summary>A reason without the value it starts with ("p=1.5: TorchSharp's p is an integer" → "TorchSharp's p is an integer").</summary>
    private static string General(string reason)
    {
        int colon = reason.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && reason[..colon].Contains('=') ? reason[(colon + 2)..] : reason;
    }
}

/// <summary>A row of the SmoothL1/Huber table: one edge regime, per route agreeing / disagreeing / not expressible.</summary>
public sealed record EdgeRow(string Loss, string Regime, IReadOnlyDictionary<string, (int Agrees, int Disagrees, int NotExpressible)> ByRoute);

/// <summary>
/// The report's section "TorchSharp 0.107's own losses": the <see cref="TorchSharpWitness"/> results per loss and route, and
/// the SmoothL1/Huber comparison by edge regime. It reports; it never fails a run.
/// </summary>
public sealed class TorchSharpSection
{
    /// <summary>Summarises <paramref name="results"/>.</summary>
    public TorchSharpSection(IReadOnlyList<WitnessResult> results, TimeSpan elapsed)
    {
        Results = results;
        Elapsed = elapsed;
        var routes = new List<RouteSummary>();
        foreach (var r in results)
        {
            var s = routes.FirstOrDefault(x => x.Loss == r.Loss && x.Route == r.Route);
            if (s is null)
            {
                string api = TorchSharpRoutes.Find(r.Loss)?.Routes.FirstOrDefault(x => x.Name == r.Route)?.Api ?? r.Route;
                routes.Add(s = new RouteSummary { Loss = r.Loss, Route = r.Route, Api = api });
            }
            s.Add(r);
        }
        Routes = routes;
        Edges = SummariseEdges(results);
    }

    /// <summary>Every route on every case, in run order.</summary>
    public IReadOnlyList<WitnessResult> Results { get; }

    /// <summary>Wall time of the witness.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>One summary per loss and route, in run order.</summary>
    public IReadOnlyList<RouteSummary> Routes { get; }

    /// <summary>The losses, in run order.</summary>
    public IEnumerable<string> Losses => Routes.Select(r => r.Loss).Distinct();

    /// <summary>How many cases the witness ran.</summary>
    public int Cases => Results.Select(r => r.Case).Distinct().Count();

    /// <summary>The SmoothL1 and Huber rows: every edge regime, every reduction, per route.</summary>
    public IReadOnlyList<EdgeRow> Edges { get; }

    /// <summary>TorchSharp's package version (e.g. 0.107.0).</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "?";

    /// <summary>The losses whose edge regimes the section shows.</summary>
    public static readonly IReadOnlyList<string> EdgeLosses = new[] { "smooth_l1", "huber" };

    /// <summary>
    /// The rows a SmoothL1/Huber case counts in (a case may count in several): all cases, its reduction, the size of β (δ),
    /// where |x − y| lies, non-finite or extreme inputs, empty inputs, errors, PyTorch vectors. From the case's name.
    /// </summary>
    public static IEnumerable<string> EdgeRegimes(WitnessResult r)
    {
        string p = r.Loss == "huber" ? "δ" : "β", parameter = r.Loss == "huber" ? "delta" : "beta";
        var segments = r.Case.Split('/');
        yield return "all cases";
        yield return r.Reduction.StartsWith("legacy", StringComparison.Ordinal) ? "reduction: legacy size_average/reduce" : $"reduction: {r.Reduction}";
        var value = segments.Where(s => s.StartsWith(parameter + "=", StringComparison.Ordinal)).Select(s => ParseNumber(s[(parameter.Length + 1)..])).FirstOrDefault();
        if (r.Kind == CaseKind.Error || segments[^1] == "error") yield return $"errors (invalid {p}, shapes, dtypes)";
        else if (value is { } v)
        {
            if (v == 0) yield return $"{p} = 0" + (r.Loss == "smooth_l1" ? " (L1)" : "");
            else if (v > 0 && v <= 1e-6) yield return $"tiny {p} (1e-300 to 1e-6)";
            else if (v >= 1e6) yield return $"huge {p} (1e6 to 1e39)";
        }
        string layout = segments[^1];
        if (layout.StartsWith("ties", StringComparison.Ordinal)) yield return $"|x − y| exactly at {p} (and 0)";
        else if (layout == "nonfinite") yield return "±∞ and NaN inputs";
        else if (layout == "extreme") yield return "extreme |x − y| (1e30, 3e38) and subnormals";
        else if (layout.StartsWith("empty", StringComparison.Ordinal)) yield return "empty inputs";
        if (r.Case.Contains("/pytorch/", StringComparison.Ordinal)) yield return "PyTorch 1.13 vectors";
    }

    private static double? ParseNumber(string text) => text.ToLowerInvariant() switch
    {
        "nan" => double.NaN,
        "inf" or "infinity" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null,
    };

    private static List<EdgeRow> SummariseEdges(IReadOnlyList<WitnessResult> results)
    {
        var rows = new List<EdgeRow>();
        foreach (var loss in EdgeLosses)
        {
            var cells = new Dictionary<string, Dictionary<string, (int, int, int)>>();
            var order = new List<string>();
            foreach (var r in results.Where(r => r.Loss == loss))
                foreach (var regime in EdgeRegimes(r))
                {
                    if (!cells.TryGetValue(regime, out var byRoute)) { cells[regime] = byRoute = new(); order.Add(regime); }
                    var (a, d, n) = byRoute.GetValueOrDefault(r.Route);
                    byRoute[r.Route] = r.Outcome switch
                    {
                        WitnessOutcome.Agrees => (a + 1, d, n),
                        WitnessOutcome.Disagrees => (a, d + 1, n),
                        WitnessOutcome.NotExpressible => (a, d, n + 1),
                        _ => (a, d, n),
                    };
                }
            // All cases, the reductions, then the edges in a fixed reading order.
            foreach (var regime in order.OrderBy(RegimeOrder).ThenBy(x => Array.IndexOf(ReductionOrder, x)).ThenBy(x => x, StringComparer.Ordinal))
                rows.Add(new EdgeRow(loss, regime, cells[regime].ToDictionary(kv => kv.Key, kv => kv.Value)));
        }
        return rows;
    }

    private static readonly string[] ReductionOrder = { "reduction: none", "reduction: mean", "reduction: sum" };

    private static int RegimeOrder(string regime) => regime switch
    {
        "all cases" => 0,
        "reduction: none" => 1,
        "reduction: mean" => 1,
        "reduction: sum" => 1,
        _ when regime.StartsWith("reduction", StringComparison.Ordinal) => 2,
        _ when regime.Contains(" = 0", StringComparison.Ordinal) => 3,
        _ when regime.StartsWith("tiny", StringComparison.Ordinal) => 4,
        _ when regime.StartsWith("|x − y| exactly", StringComparison.Ordinal) => 5,
        _ when regime.StartsWith("huge", StringComparison.Ordinal) => 6,
        _ when regime.StartsWith("±∞", StringComparison.Ordinal) => 7,
        _ when regime.StartsWith("extreme", StringComparison.Ordinal) => 8,
        _ when regime.StartsWith("empty", StringComparison.Ordinal) => 9,
        _ when regime.StartsWith("errors", StringComparison.Ordinal) => 10,
        _ => 11,
    };
}
