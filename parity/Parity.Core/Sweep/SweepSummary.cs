using System.Globalization;

namespace TorchLosses.Parity.Sweep;

/// <summary>
/// The deviations the sweep knows of and shows, each with its reason. A call that matches one is reported as such and does not
/// fail the sweep; an entry that no call matches any more fails it (<see cref="SweepSummary.Unseen"/>), so a fixed deviation
/// leaves this list.
/// </summary>
public static class KnownDeviations
{
    /// <summary>The list.</summary>
    public static readonly IReadOnlyList<ExpectedDeviation> All = new ExpectedDeviation[]
    {
        new("multi_margin/*/(all)/empty batch/*",
            "libtorch's defect, not reproduced: its multi_margin_loss returns uninitialised memory for an empty batch with mean; TorchLosses gives NaN"),
        new("multilabel_margin/*/(all)/empty batch/*",
            "libtorch's defect, not reproduced: its multilabel_margin_loss returns uninitialised memory for an empty batch with mean; TorchLosses gives NaN"),
    };

    /// <summary>The known deviation a call matches, if any.</summary>
    public static ExpectedDeviation? For(SweepCall call) => All.FirstOrDefault(d => d.Matches(call.Name));
}

/// <summary>The sweep's figures: calls, verdicts, errors that name their argument, and what failed.</summary>
public sealed class SweepSummary
{
    /// <summary>Summarises <paramref name="results"/>; <paramref name="allDTypes"/>: the calls cover every dtype, so a known
    /// deviation that none shows is fixed (with fewer dtypes it may just not have been called).</summary>
    public SweepSummary(IReadOnlyList<SweepResult> results, TimeSpan elapsed, bool allDTypes = true)
    {
        Results = results;
        Elapsed = elapsed;
        AllDTypes = allDTypes;
    }

    /// <summary>Whether the calls covered every dtype.</summary>
    public bool AllDTypes { get; }

    /// <summary>Every result.</summary>
    public IReadOnlyList<SweepResult> Results { get; }

    /// <summary>Wall time of the sweep.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Count per verdict, in the enum's order.</summary>
    public IReadOnlyList<(Verdict Verdict, int Count)> Verdicts =>
        Enum.GetValues<Verdict>().Select(v => (v, Results.Count(r => r.Verdict == v))).ToList();

    /// <summary>Calls where TorchLosses raised.</summary>
    public int Errors => Results.Count(r => r.IsError);

    /// <summary>Of those, the ones whose exception names an argument of the loss.</summary>
    public int ErrorsNamingArgument => Results.Count(r => r.IsError && r.NamesArgument);

    /// <summary>Calls where both raised and the messages are the same text (PyTorch's wording).</summary>
    public int SameMessages => Results.Count(r => r.SameMessage == true);

    /// <summary>Calls where both raised.</summary>
    public int BothRaised => Results.Count(r => r.SameMessage is not null);

    /// <summary>Failed calls that a known deviation explains.</summary>
    public IReadOnlyList<(SweepResult Result, ExpectedDeviation Deviation)> Known =>
        Results.Where(r => !r.Passed).Select(r => (r, KnownDeviations.For(r.Call))).Where(p => p.Item2 is not null).Select(p => (p.r, p.Item2!)).ToList();

    /// <summary>Failed calls that no known deviation explains: each a silent wrong answer or an unclear error.</summary>
    public IReadOnlyList<SweepResult> Unexpected => Results.Where(r => !r.Passed && KnownDeviations.For(r.Call) is null).ToList();

    /// <summary>Known deviations that no call showed (fixed: remove them from the list).</summary>
    public IReadOnlyList<ExpectedDeviation> Unseen =>
        AllDTypes ? KnownDeviations.All.Where(d => !Results.Any(r => !r.Passed && d.Matches(r.Call.Name))).ToList() : Array.Empty<ExpectedDeviation>();

    /// <summary>Whether the sweep passed: nothing unexpected, every known deviation still seen.</summary>
    public bool Passed => Unexpected.Count == 0 && Unseen.Count == 0;

    /// <summary>The summary as Markdown lines (the parity report's section).</summary>
    public IEnumerable<string> Markdown()
    {
        static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        yield return "## Bad-input sweep";
        yield return "";
        yield return $"Generated (parity/Parity.Core/Sweep): every loss × form × tensor argument × {{null, disposed, each dtype, 0-d, rank ±1, " +
                     "non-broadcastable, non-contiguous, stride-0, NaN/±∞, requires_grad}, an empty batch, and every double hyperparameter " +
                     "across {0, ±5e-324, ±1e-300, ±1e-40, ±3.4e38, ±3.5e38, ±1e300, ±double.MaxValue, ±∞, NaN, typical}, each in float64, " +
                     "float32, bfloat16 and float16, against libtorch's own op (PyTorch's 21 losses; the detection, segmentation, robust and " +
                     "contrastive losses have none: there a call must end in a clear error naming its argument or in a value).";
        yield return "";
        yield return $"{N(Results.Count)} calls in {Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s. " +
                     $"Of {N(Errors)} errors, {N(ErrorsNamingArgument)} name their argument; where both raised, {N(SameMessages)} of {N(BothRaised)} " +
                     "messages are libtorch's text.";
        yield return "";
        yield return "| verdict | calls |";
        yield return "|---|---:|";
        foreach (var (verdict, count) in Verdicts) yield return $"| {Describe(verdict)} | {N(count)} |";
        yield return "";
        if (Known.Count > 0)
        {
            yield return "Known deviations (listed in KnownDeviations, shown here until fixed):";
            yield return "";
            foreach (var group in Known.GroupBy(k => k.Deviation))
                yield return $"- `{group.Key.Pattern}` ({N(group.Count())} calls): {group.Key.Reason}";
            yield return "";
        }
        foreach (var r in Unexpected.Take(50)) yield return $"- UNEXPECTED {r.Verdict}: `{r.Call.Name}`: {r.Detail}";
        foreach (var d in Unseen) yield return $"- known deviation no longer seen (remove it): `{d.Pattern}`";
    }

    /// <summary>A verdict in words.</summary>
    public static string Describe(Verdict verdict) => verdict switch
    {
        Verdict.SameValue => "value and gradients equal to libtorch's",
        Verdict.ValueWithoutWitness => "value, no libtorch op to compare (Gaussian NLL, the losses beyond PyTorch's)",
        Verdict.ErrorWithoutWitness => "clear error, no libtorch op to compare (Gaussian NLL, the losses beyond PyTorch's)",
        Verdict.SameError => "clear error where libtorch raises too (null and disposed tensors included)",
        Verdict.ErrorWhereLibtorchReturns => "clear error where libtorch's op returns (a check PyTorch makes in Python, or one that avoids a crash)",
        Verdict.UnclearError => "unclear error (type does not fit, or names no argument)",
        Verdict.ValueWhereLibtorchRaises => "silent: a value where libtorch raises",
        Verdict.WrongValue => "silent: a value or gradient that differs from libtorch's",
        _ => verdict.ToString(),
    };
}
