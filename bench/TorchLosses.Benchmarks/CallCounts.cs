using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TorchLosses.Benchmarks;

/// <summary>The calls into TorchSharp's native library that one loss call makes, per exported function.</summary>
/// <param name="Calls">How many measured calls (after the warm-up) the figures come from.</param>
/// <param name="PerSymbol">Calls per loss call of each THS* function (an integer when <paramref name="Stable"/>).</param>
/// <param name="Stable">Every measured call made exactly the same calls.</param>
/// <param name="MinTotal">The fewest calls any one measured loss call made.</param>
/// <param name="MaxTotal">The most calls any one measured loss call made.</param>
public sealed record CallCount(string Loss, PathKind Path, ModeKind Mode, string DType, long N, int Calls,
    Dictionary<string, double> PerSymbol, bool Stable, long MinTotal, long MaxTotal)
{
    public double Total => PerSymbol.Values.Sum();

    /// <summary>Calls per loss call of one <see cref="CallCounts.Category"/>.</summary>
    public double In(string category) => PerSymbol.Where(p => CallCounts.Category(p.Key) == category).Sum(p => p.Value);
}

/// <summary>What calls.json holds: the counts, or why there are none.</summary>
public sealed class CallCountRun
{
    public bool Measured { get; set; }
    public string Reason { get; set; } = "";
    public string Compiler { get; set; } = "";
    public List<CallCount> Results { get; set; } = new();
}

/// <summary>
/// Counts the calls into TorchSharp's native library (<c>libLibTorchSharp.so</c>, exported functions THS*) per loss call.
/// The counter is a small C library (<c>native/thscount.c</c>, compiled here at run time with the C compiler on PATH into the
/// artifacts folder) that the process loads with <c>LD_PRELOAD</c>: it interposes <c>dlsym</c>, through which .NET resolves
/// every P/Invoke target, and hands back for each THS* name a trampoline that counts the call and jumps to the real
/// function. The <c>calls</c> command starts the benchmark again with the library preloaded (only that child process runs
/// through the trampolines; the timed runs never do). Each counted loss call runs as the benchmark's step does (its own
/// dispose scope, so the disposals of its tensors count), then the garbage collector and the finalizers run before the
/// counters are read, so that the Scalars and tensors a call leaves to the finalizer are counted with it.
/// </summary>
public static class CallCounts
{
    /// <summary>Set in the child's environment to the preloaded library's path.</summary>
    private const string ShimVariable = "TORCHLOSSES_THSCOUNT";

    private const int WarmupCalls = 3;
    private const int MeasuredCalls = 10;

    /// <summary>The categories of <see cref="Category"/>, in the report's order.</summary>
    public static readonly string[] Categories = { "op", "query", "scalar", "custom function", "error check", "dispose" };

    private static readonly Regex Query = new(
        @"^THSTensor_(type|ndimension|size|sizes|stride|strides|requires_grad|numel|element_size|is_\w+|device_\w+|data|data_idx_\w+|item)$|" +
        @"^THSTorch_(scalar_type|scalar_to_\w+|promote_types)$|^THSAutograd_(is\w+|shouldCheckNaN)$",
        RegexOptions.CultureInvariant);

    private static readonly Regex ScalarConversion = new(@"^THSTorch_\w+_to_scalar$|^THSTensor_new\w*Scalar$", RegexOptions.CultureInvariant);

    /// <summary>
    /// What kind of call a THS* function is, by its name: <c>query</c> (a tensor's dtype, shape, flags, a host read of a value,
    /// the autograd mode), <c>scalar</c> (a number made into a libtorch Scalar or a 0-d tensor), <c>custom function</c> (TorchSharp's
    /// bookkeeping of a custom autograd function: its node, saved variables, wrapped outputs), <c>dispose</c> (freeing a tensor
    /// or Scalar handle), <c>error check</c> (TorchSharp asking libtorch for the last error after a call,
    /// <c>THSTorch_get_and_reset_last_err</c>), <c>op</c> (everything else: tensor ops, the loss ops, <c>THSAutograd_grad</c>, which runs the backward).
    /// </summary>
    public static string Category(string name) =>
        name == "THSTorch_get_and_reset_last_err" ? "error check"
        : Query.IsMatch(name) ? "query"
        : ScalarConversion.IsMatch(name) ? "scalar"
        : name.Contains("dispose", StringComparison.Ordinal) && !name.StartsWith("THSAutograd_", StringComparison.Ordinal) ? "dispose"
        : name.StartsWith("THSAutograd_", StringComparison.Ordinal) && name is not ("THSAutograd_grad" or "THSAutograd_backward") ? "custom function"
        : "op";

    /// <summary>Whether this process runs with the counter preloaded.</summary>
    public static bool InForce => Environment.GetEnvironmentVariable(ShimVariable) is { Length: > 0 } shim &&
                                  (Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "").Contains(shim, StringComparison.Ordinal);

    /// <summary>
    /// Compiles the counter into <paramref name="artifacts"/> and runs the <c>calls</c> command again in a child process with it
    /// preloaded; returns the child's exit code. Where that is not possible (not Linux x86-64, no C compiler), writes calls.json
    /// saying why and returns 0.
    /// </summary>
    public static int RunInChild(string[] options, string artifacts, bool glibcDefaults)
    {
        var output = Path.Combine(artifacts, "calls.json");
        File.Delete(output);   // a failed child leaves no stale counts behind
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return NotMeasured(output, $"the counter needs Linux on x86-64 (this is {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture})");
        var source = Path.Combine(AppContext.BaseDirectory, "native", "thscount.c");
        var compiler = FindCompiler();
        if (compiler is null) return NotMeasured(output, "no C compiler (cc, gcc or clang) on PATH to build the counter (bench/TorchLosses.Benchmarks/native/thscount.c)");
        var library = Path.Combine(artifacts, "thscount.so");
        var (exit, messages) = RunTool(compiler, "-shared", "-fPIC", "-O2", "-o", library, source, "-ldl");
        if (exit != 0) return NotMeasured(output, $"{compiler} could not build the counter: {messages.Trim()}");
        var preload = Environment.GetEnvironmentVariable("LD_PRELOAD");
        var environment = new List<(string, string)>
        {
            ("LD_PRELOAD", string.IsNullOrEmpty(preload) ? library : library + ":" + preload),
            (ShimVariable, library),
            ("TORCHLOSSES_THSCOUNT_CC", compiler),
        };
        return HeapSettings.RunChild(new[] { "calls" }.Concat(options).ToArray(), environment, glibcDefaults);
    }

    private static int NotMeasured(string output, string reason)
    {
        Console.WriteLine($"calls: not measured: {reason}");
        Save(new CallCountRun { Measured = false, Reason = reason }, output);
        return 0;
    }

    private static string? FindCompiler()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return new[] { "cc", "gcc", "clang" }.SelectMany(name => path.Select(dir => Path.Combine(dir, name))).FirstOrDefault(File.Exists);
    }

    private static (int exit, string messages) RunTool(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var messages = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + messages.Result);
    }

    /// <summary>In the child with the counter preloaded: counts every (loss, path, mode, dtype, N) of the selection.</summary>
    public static CallCountRun Run(Selection selection)
    {
        using var counter = Counter.Open(Environment.GetEnvironmentVariable(ShimVariable)!);
        if (counter.Failure is { } failure)
            return new CallCountRun { Measured = false, Reason = failure };
        torch.set_num_threads(selection.Threads);
        var run = new CallCountRun { Measured = true, Compiler = Environment.GetEnvironmentVariable("TORCHLOSSES_THSCOUNT_CC") ?? "" };
        foreach (var ((loss, path, mode, dtype, n, _), step) in LossTable.Steps(selection, selection.CallSizes))
        {
            var result = Count(counter, step, new CallCount(loss, path, mode, dtype, n, MeasuredCalls, new(), true, 0, 0));
            if (result.Total == 0)
                return new CallCountRun { Measured = false, Reason = $"the counter saw no call during {loss} {path} {mode}: the preloaded dlsym was not used" };
            run.Results.Add(result);
            Console.WriteLine($"calls {loss,-15} {mode,-15} {dtype} N={n,-9} {path,-8} {result.Total,6:0.##} calls" +
                              (result.Stable ? "" : $" (NOT STABLE: {result.MinTotal}–{result.MaxTotal})") + ": " +
                              string.Join(", ", Categories.Select(c => $"{c} {result.In(c):0.##}")));
        }
        return run;
    }

    private static CallCount Count(Counter counter, Action step, CallCount template)
    {
        void Call()
        {
            using (torch.NewDisposeScope()) step();
            // What the call left to the finalizer (Scalars made from numbers, undisposed handles) is freed now, inside its window.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        for (int k = 0; k < WarmupCalls; k++) Call();
        var perCall = new List<Dictionary<string, long>>();
        for (int k = 0; k < MeasuredCalls; k++)
        {
            var before = counter.Snapshot();
            Call();
            var after = counter.Snapshot();
            perCall.Add(after.Where(p => p.Value != before.GetValueOrDefault(p.Key)).ToDictionary(p => p.Key, p => p.Value - before.GetValueOrDefault(p.Key)));
        }
        var names = perCall.SelectMany(c => c.Keys).Distinct().OrderBy(name => name, StringComparer.Ordinal);
        var mean = names.ToDictionary(name => name, name => perCall.Average(c => (double)c.GetValueOrDefault(name)));
        bool stable = perCall.All(c => c.Count == perCall[0].Count && c.All(p => perCall[0].GetValueOrDefault(p.Key) == p.Value));
        var totals = perCall.Select(c => c.Values.Sum()).ToList();
        return template with { PerSymbol = mean, Stable = stable, MinTotal = totals.Min(), MaxTotal = totals.Max() };
    }

    public static void Save(CallCountRun run, string path) => File.WriteAllText(path, JsonSerializer.Serialize(run, Json.Options));

    public static CallCountRun? Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<CallCountRun>(File.ReadAllText(path), Json.Options) : null;

    /// <summary>The preloaded counter's exported functions (thscount.c), reached through the library's handle.</summary>
    private sealed class Counter : IDisposable
    {
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int IntFunction();
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr NameFunction(int k);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int SnapshotFunction(long[] counts, int capacity);

        private readonly IntPtr handle;
        private readonly IntFunction symbols, active, failure;
        private readonly NameFunction name;
        private readonly SnapshotFunction snapshot;
        private readonly List<string> names = new();

        private Counter(IntPtr handle)
        {
            this.handle = handle;
            T Export<T>(string export) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(handle, export));
            symbols = Export<IntFunction>("thscount_symbols");
            active = Export<IntFunction>("thscount_active");
            failure = Export<IntFunction>("thscount_failure");
            name = Export<NameFunction>("thscount_name");
            snapshot = Export<SnapshotFunction>("thscount_snapshot");
        }

        /// <summary>The library is already loaded (preloaded), so this returns its handle.</summary>
        public static Counter Open(string library) => new(NativeLibrary.Load(library));

        /// <summary>Why the counter cannot count, or null.</summary>
        public string? Failure => active() == 1 ? null : failure() switch
        {
            1 => "the counter could not map executable memory for its trampolines",
            2 => "the counter's table of functions is full",
            3 => "a THS* name is longer than the counter's table allows",
            _ => "the counter is not active on this platform",
        };

        /// <summary>Every counter so far, by function name.</summary>
        public Dictionary<string, long> Snapshot()
        {
            var counts = new long[symbols() + 64];
            int n = snapshot(counts, counts.Length);
            while (names.Count < n) names.Add(Marshal.PtrToStringAnsi(name(names.Count))!);
            var result = new Dictionary<string, long>(n);
            for (int k = 0; k < n; k++) result[names[k]] = result.GetValueOrDefault(names[k]) + counts[k];
            return result;
        }

        public void Dispose() => NativeLibrary.Free(handle);
    }
}
