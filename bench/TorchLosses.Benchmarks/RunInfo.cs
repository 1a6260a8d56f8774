using System.Globalization;
using System.Runtime.InteropServices;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Running;

namespace TorchLosses.Benchmarks;

/// <summary>The machine and the conditions of a run, as the report states them.</summary>
public sealed class RunInfo
{
    public string CpuModel { get; set; } = "";
    public int LogicalCores { get; set; }
    public string Memory { get; set; } = "";
    public string Os { get; set; } = "";
    public string DotNet { get; set; } = "";
    public string TorchSharp { get; set; } = "";
    public string LibTorch { get; set; } = "";
    public string BenchmarkDotNet { get; set; } = "";
    public int Threads { get; set; }

    public int WarmupCount { get; set; }
    public int IterationCount { get; set; }
    public int IterationMilliseconds { get; set; }

    /// <summary>The malloc setting of the run (<see cref="HeapSettings"/>).</summary>
    public string Allocator { get; set; } = "";
    public DateTime StartedUtc { get; set; }
    public DateTime FinishedUtc { get; set; }

    /// <summary>1-minute load averages sampled every 15 s during the run.</summary>
    public List<double> LoadSamples { get; set; } = new();

    public string LoadAtStart { get; set; } = "";
    public string LoadAtEnd { get; set; } = "";
    public string Selection { get; set; } = "";
    public bool Reduced { get; set; }

    /// <summary>The (loss, dtype) pairs whose native call was checked against ATen's op in this run (<see cref="NativeCheck"/>).</summary>
    public List<string> NativeChecked { get; set; } = new();

    public static RunInfo Begin(Selection selection, IEnumerable<string> args, string allocator)
    {
        torch.set_num_threads(selection.Threads);
        var info = new RunInfo
        {
            CpuModel = CpuModelName(),
            LogicalCores = Environment.ProcessorCount,
            Memory = MemTotal(),
            Os = RuntimeInformation.OSDescription,
            DotNet = RuntimeInformation.FrameworkDescription,
            TorchSharp = Version(typeof(torch).Assembly),
            LibTorch = LibTorchPackage(),
            BenchmarkDotNet = Version(typeof(BenchmarkRunner).Assembly),
            Threads = torch.get_num_threads(),
            Allocator = allocator,
            WarmupCount = selection.WarmupCount,
            IterationCount = selection.IterationCount,
            IterationMilliseconds = selection.IterationMilliseconds,
            StartedUtc = DateTime.UtcNow,
            LoadAtStart = LoadAverage(),
            Selection = string.Join(' ', args),
            Reduced = selection.Reduced,
        };
        return info;
    }

    /// <summary>Samples the load average until disposed.</summary>
    public IDisposable SampleLoad() =>
        new Timer(_ =>
        {
            if (double.TryParse(LoadAverage().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load))
                lock (LoadSamples) LoadSamples.Add(load);
        }, null, TimeSpan.Zero, TimeSpan.FromSeconds(15));

    public void End()
    {
        FinishedUtc = DateTime.UtcNow;
        LoadAtEnd = LoadAverage();
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json.Options));

    public static RunInfo? Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<RunInfo>(File.ReadAllText(path), Json.Options) : null;

    /// <summary>An assembly's informational version without the source revision ("0.107.0+abc…" → "0.107.0").</summary>
    private static string Version(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                      ?? assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = version.IndexOf('+');
        return plus < 0 ? version : version[..plus];
    }

    /// <summary>
    /// The libtorch package this process runs on, for this platform ("libtorch-cpu-linux-x64 2.10.0"; the package version
    /// is libtorch's), from the application's dependency manifest: libtorch's binaries carry no version string that
    /// TorchSharp exposes.
    /// </summary>
    private static string LibTorchPackage()
    {
        var manifest = Path.Combine(AppContext.BaseDirectory, Assembly.GetEntryAssembly()!.GetName().Name + ".deps.json");
        if (!File.Exists(manifest)) return "unknown";
        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        var package = document.RootElement.GetProperty("libraries").EnumerateObject()
            .Select(library => library.Name.Split('/'))
            .FirstOrDefault(parts => parts.Length == 2 && parts[0].StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase) &&
                                     parts[0].EndsWith("-" + RuntimeInformation.RuntimeIdentifier, StringComparison.OrdinalIgnoreCase));
        return package is null ? "unknown" : $"{package[0]} {package[1]}";
    }

    private static string CpuModelName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string MemTotal()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kib = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            return $"{kib / 1024.0 / 1024.0:F1} GiB";
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException)
        {
            return "unknown";
        }
    }

    /// <summary>The 1, 5 and 15-minute load averages from /proc/loadavg.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
