using System.Globalization;

namespace TorchLosses.Benchmarks;

/// <summary>
/// The cases a run covers and how long it measures each, from the command line. The benchmarks run
/// in process, so the benchmark classes read their parameter values from here.
/// </summary>
public sealed class Selection
{
    public static Selection Current { get; set; } = new();

    public string[] Losses { get; set; } = LossTable.All.Select(spec => spec.Name).ToArray();
    public PathKind[] Paths { get; set; } = Enum.GetValues<PathKind>();
    public ModeKind[] Modes { get; set; } = Enum.GetValues<ModeKind>();
    public string[] DTypes { get; set; } = { "f32", "f64" };
    public long[] Sizes { get; set; } = { 100, 10_000, 1_000_000, 10_000_000 };

    /// <summary>N of the memory pass (allocation counts do not depend on timing, so it covers the large sizes of the matrix).</summary>
    public long[] MemorySizes { get; set; } = { 10_000, 1_000_000, 10_000_000 };

    /// <summary>N of the call count (the calls into libtorch per loss call; they do not depend on N).</summary>
    public long[] CallSizes { get; set; } = { 100 };

    /// <summary>N of the op-by-op profile.</summary>
    public long[] ProfileSizes { get; set; } = { 1_000_000 };

    /// <summary>The sizes of the blocking sweep (<see cref="Blocking"/>), float32 elements around the blocked reduction's threshold.</summary>
    public long[] BlockingSizes { get; set; } = { 1_000_000, 2_000_000, 4_000_000, 8_000_000, 16_000_000 };

    public int WarmupCount { get; set; } = 2;
    public int IterationCount { get; set; } = 9;
    public int IterationMilliseconds { get; set; } = 100;
    public int Threads { get; set; } = 1;

    /// <summary>Keep glibc's malloc defaults instead of heap reuse (see <see cref="HeapSettings"/>).</summary>
    public bool GlibcMalloc { get; set; }

    /// <summary>Where results go instead of artifacts/bench (for side experiments that must not replace the main run's).</summary>
    public string? Artifacts { get; set; }

    /// <summary>Whether this run measured a reduced set (written into the report).</summary>
    public bool Reduced { get; set; }

    public static ScalarType ToScalarType(string dtype) => dtype switch
    {
        "f32" => ScalarType.Float32,
        "f64" => ScalarType.Float64,
        _ => throw new ArgumentException($"unknown dtype '{dtype}' (f32 or f64)", nameof(dtype)),
    };

    public const string Usage = """
        usage: dotnet run -c Release --project bench/TorchLosses.Benchmarks -- [command] [options]
        commands:
          all (default)  memory pass, op profile, call counts, floor, blocking and pick sweeps, loss benchmarks, TorchSharp's
                         per-op cost, then write docs/performance.md
          losses         the loss benchmarks only          memory    the memory pass only (N = --memory-sizes)
          profile        the analytic path op by op        overhead  TorchSharp's per-op cost only
          calls          the calls into TorchSharp's native library per loss call (N = --call-sizes; needs a C compiler)
          floor          this machine's streaming rate and the memory-bandwidth floor of smooth_l1 at N = 1e7
          blocking       smooth_l1's forward whole and in blocks at N = --blocking-sizes (where the blocked reduction pays)
          picks          nll's target scores read with gather and with index_select, 1000 to 10⁴ targets
          report         rewrite docs/performance.md from the saved results
          Every command but report first checks the native side of the selected losses against ATen's op (TorchScript).
        options (comma-separated lists):
          --quick                 N = 1e2,1e6 and f32 only (about 5 minutes)
          --losses smooth_l1,mse  --paths Native,Analytic  --modes Forward,ForwardBackward
          --dtypes f32,f64        --sizes 1e2,1e4,1e6,1e7  --memory-sizes 1e4,1e6,1e7  --profile-sizes 1e6
          --call-sizes 1e2        --blocking-sizes 1e6,2e6,4e6,8e6,1.6e7
          --warmup 2 --iterations 9 --iteration-ms 100      --threads 1
          --glibc-malloc          keep glibc's malloc defaults (default: freed memory stays in the heap, see HeapSettings);
                                  results go to artifacts/bench-glibc, which the report adds as a comparison table
          --artifacts DIR         results elsewhere than artifacts/bench (the report is then not written to docs/)
        """;

    public static Selection Parse(IReadOnlyList<string> args)
    {
        var selection = new Selection();
        for (int k = 0; k < args.Count; k++)
        {
            string Next() => k + 1 < args.Count ? args[++k] : throw new ArgumentException($"{args[k]} needs a value");
            string[] List() => Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            switch (args[k])
            {
                case "--quick":
                    selection.Sizes = new long[] { 100, 1_000_000 };
                    selection.DTypes = new[] { "f32" };
                    selection.Reduced = true;
                    break;
                case "--losses":
                    selection.Losses = List().Select(name => LossTable.Get(name).Name).ToArray();
                    selection.Reduced = true;
                    break;
                case "--paths": selection.Paths = List().Select(Enum.Parse<PathKind>).ToArray(); selection.Reduced = true; break;
                case "--modes": selection.Modes = List().Select(Enum.Parse<ModeKind>).ToArray(); selection.Reduced = true; break;
                case "--dtypes":
                    selection.DTypes = List();
                    foreach (var dtype in selection.DTypes) ToScalarType(dtype);
                    selection.Reduced = true;
                    break;
                case "--sizes": selection.Sizes = List().Select(ParseSize).ToArray(); selection.Reduced = true; break;
                case "--memory-sizes": selection.MemorySizes = List().Select(ParseSize).ToArray(); break;
                case "--call-sizes": selection.CallSizes = List().Select(ParseSize).ToArray(); break;
                case "--profile-sizes": selection.ProfileSizes = List().Select(ParseSize).ToArray(); break;
                case "--blocking-sizes": selection.BlockingSizes = List().Select(ParseSize).ToArray(); break;
                case "--warmup": selection.WarmupCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--iterations": selection.IterationCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--iteration-ms": selection.IterationMilliseconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--artifacts": selection.Artifacts = Path.GetFullPath(Next()); break;
                case "--glibc-malloc": selection.GlibcMalloc = true; break;
                case "--threads": selection.Threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option '{args[k]}'");
            }
        }
        return selection;
    }

    /// <summary>Reads 1e6, 1000000 or 1_000_000.</summary>
    public static long ParseSize(string text) =>
        checked((long)double.Parse(text.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture));
}
