using System.Runtime.InteropServices;

namespace TorchLosses.Parity.Reports;

/// <summary>Errors and counts of one dtype of one loss.</summary>
public sealed class DTypeSummary
{
    /// <summary>The dtype.</summary>
    public required ScalarType DType { get; init; }

    /// <summary>Cases of this dtype.</summary>
    public int Cases { get; set; }

    /// <summary>Failed cases of this dtype.</summary>
    public int Failed { get; set; }

    /// <summary>The worst errors over every element compared.</summary>
    public ErrorMetrics Metrics { get; } = new();
}

/// <summary>One row of the summary table: everything run for one loss.</summary>
public sealed class LossSummary
{
    /// <summary>The loss (functional name without <c>_loss</c>).</summary>
    public required string Loss { get; init; }

    /// <summary>Cases run.</summary>
    public int Cases { get; set; }

    /// <summary>Cases passed.</summary>
    public int Passed { get; set; }

    /// <summary>Cases against libtorch's native function.</summary>
    public int Native { get; set; }

    /// <summary>Error-parity cases.</summary>
    public int Errors { get; set; }

    /// <summary>Cases against PyTorch's recorded vectors.</summary>
    public int Vectors { get; set; }

    /// <summary>Cases whose composed gradients also went through gradcheck.</summary>
    public int Gradchecks { get; set; }

    /// <summary>The reductions covered.</summary>
    public SortedSet<string> Reductions { get; } = new(StringComparer.Ordinal);

    /// <summary>Per dtype, in <see cref="Tolerances.Known"/> order.</summary>
    public List<DTypeSummary> ByDType { get; } = new();

    /// <summary>The slowest case.</summary>
    public CaseResult? Slowest { get; set; }
}

/// <summary>The outcome of a run: its options, every case result, and the per-loss summary.</summary>
public sealed class RunReport
{
    /// <summary>Builds the report of <paramref name="results"/>.</summary>
    public RunReport(RunOptions options, IReadOnlyList<CaseResult> results, IReadOnlyList<ParitySuite> suites, TimeSpan elapsed)
    {
        Options = options;
        Results = results;
        Suites = suites;
        Elapsed = elapsed;
        Losses = Summarise(results);
    }

    /// <summary>What was selected.</summary>
    public RunOptions Options { get; }

    /// <summary>Every case result, in run order.</summary>
    public IReadOnlyList<CaseResult> Results { get; }

    /// <summary>The suites the cases came from.</summary>
    public IReadOnlyList<ParitySuite> Suites { get; }

    /// <summary>Wall time of the whole run.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>One summary per loss, in the order the losses first ran.</summary>
    public IReadOnlyList<LossSummary> Losses { get; }

    /// <summary>TorchSharp 0.107's own losses on the same cases (null when the run skipped them): reported, never failed.</summary>
    public TorchSharpSection? TorchSharp { get; init; }

    /// <summary>The failed cases.</summary>
    public IEnumerable<CaseResult> Failures => Results.Where(r => !r.Passed);

    /// <summary>True when no case failed (and at least one ran).</summary>
    public bool Passed => Results.Count > 0 && Results.All(r => r.Passed);

    /// <summary>The losses that have PyTorch vectors but no suite yet: composed later, reported, not failed.</summary>
    public IReadOnlyList<string> NotYetComposed
    {
        get
        {
            var covered = new HashSet<string>(Suites.SelectMany(s => s.Losses));
            return VectorWitness.Available().Select(LossName).Where(l => !covered.Contains(l)).ToList();
        }
    }

    /// <summary>"smooth_l1_loss" → "smooth_l1"; "cross_entropy" and "kl_div" stay.</summary>
    public static string LossName(string functional) => functional.EndsWith("_loss", StringComparison.Ordinal) ? functional[..^5] : functional;

    /// <summary>
    /// The version of TorchLosses under test ("0.1.0"): the assembly's informational version, set once in
    /// Directory.Build.props, without the source revision the SDK appends after a "+".
    /// </summary>
    public static string TorchLossesVersion =>
        (typeof(TorchLosses.nn).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown")
        .Split('+')[0];

    /// <summary>The libtorch TorchSharp runs on ("2.10.0": TorchSharp's <c>torch.__version__</c>, whose fourth part is dropped).</summary>
    public static string LibTorchVersion => torch.__version__.EndsWith(".0", StringComparison.Ordinal) && torch.__version__.Count(c => c == '.') == 3
        ? torch.__version__[..^2]
        : torch.__version__;

    /// <summary>The PyTorch version the vectors were recorded with (from the first vector file), or "none".</summary>
    public static string VectorTorchVersion => VectorWitness.Available().Select(VectorWitness.TorchVersion).FirstOrDefault(v => v is not null) ?? "none";

    private static List<LossSummary> Summarise(IReadOnlyList<CaseResult> results)
    {
        var losses = new List<LossSummary>();
        foreach (var group in results.GroupBy(r => r.Loss))
        {
            var s = new LossSummary { Loss = group.Key };
            foreach (var r in group)
            {
                s.Cases++;
                if (r.Passed) s.Passed++;
                switch (r.Kind)
                {
                    case CaseKind.Native: s.Native++; break;
                    case CaseKind.Error: s.Errors++; break;
                    case CaseKind.Vector: s.Vectors++; break;
                }
                if (r.Gradcheck == "passed" || r.Gradcheck == "failed") s.Gradchecks++;
                if (r.Reduction.Length > 0) s.Reductions.Add(r.Reduction.StartsWith("legacy", StringComparison.Ordinal) ? "legacy" : r.Reduction);
                if (s.Slowest is null || r.Milliseconds > s.Slowest.Milliseconds) s.Slowest = r;
                var d = s.ByDType.FirstOrDefault(x => x.DType == r.DType);
                if (d is null) s.ByDType.Add(d = new DTypeSummary { DType = r.DType });
                d.Cases++;
                if (!r.Passed) d.Failed++;
                d.Metrics.Merge(r.Metrics);
            }
            s.ByDType.Sort((a, b) => Order(a.DType).CompareTo(Order(b.DType)));
            losses.Add(s);
        }
        return losses;
    }

    private static int Order(ScalarType t)
    {
        for (int i = 0; i < Tolerances.Known.Count; i++)
            if (Tolerances.Known[i].Type == t) return i;
        return 100;
    }
}
