using System.Diagnostics;
using System.Reflection;
using BenchmarkDotNet.Running;
using TorchLosses.Benchmarks;

var commands = new[] { "all", "losses", "memory", "profile", "calls", "floor", "blocking", "picks", "overhead", "report" };
string command = args.Length > 0 && commands.Contains(args[0]) ? args[0] : "all";
var options = args.SkipWhile(a => commands.Contains(a)).ToArray();
if (options.Contains("--help") || options.Contains("-h"))
{
    Console.WriteLine(Selection.Usage);
    return 0;
}

Selection selection;
try
{
    selection = Selection.Parse(options);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Selection.Usage);
    return 2;
}
Selection.Current = selection;

string root = RepoRoot();
// A --glibc-malloc run is a side run: its results go to artifacts/bench-glibc, where the main report finds them.
bool sideRun = selection.GlibcMalloc && command != "report";
string artifacts = selection.Artifacts ?? Path.Combine(root, "artifacts", sideRun ? Report.GlibcArtifacts : "bench");
string reportPath = selection.Artifacts is null && !sideRun ? Path.Combine(root, "docs", "performance.md") : Path.Combine(artifacts, "performance.md");
Directory.CreateDirectory(artifacts);

// The call count runs in a child process with the counter preloaded (CallCounts); no other command runs through it.
if (command == "calls" && !CallCounts.InForce) return CallCounts.RunInChild(options, artifacts, selection.GlibcMalloc);
if (command != "report" && HeapSettings.RelaunchIfNeeded(selection.GlibcMalloc, args) is int exitCode) return exitCode;
string allocator = HeapSettings.Describe(selection.GlibcMalloc);

if (command == "report")
{
    Console.WriteLine($"wrote {Report.Write(artifacts, reportPath)}");
    return 0;
}

if (command is not ("memory" or "profile" or "calls") && typeof(LossTable).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
{
    Console.Error.WriteLine("Benchmarks must run optimized: dotnet run -c Release --project bench/TorchLosses.Benchmarks -- ...");
    return 2;
}

var info = RunInfo.Begin(selection, args, allocator);
try
{
    info.NativeChecked = NativeCheck.Run(selection);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 3;
}
using (info.SampleLoad())
{
    if (command is "all" or "memory")
        MemoryPass.Save(MemoryPass.Run(selection), Path.Combine(artifacts, "memory.json"));
    if (command is "all" or "profile")
        OpProfile.Save(OpProfile.Run(selection), Path.Combine(artifacts, "profile.json"));
    if (command == "calls")
        CallCounts.Save(CallCounts.Run(selection), Path.Combine(artifacts, "calls.json"));
    if (command == "all" && CallCounts.RunInChild(options, artifacts, selection.GlibcMalloc) != 0)
        Console.Error.WriteLine("calls: the call count's child process failed; the report shows no call counts");
    if (command is "all" or "floor")
        Floor.Save(Floor.Run(selection), Path.Combine(artifacts, "floor.json"));
    if (command is "all" or "blocking")
        Json.Save(Blocking.Run(selection), Path.Combine(artifacts, "blocking.json"));
    if (command is "all" or "picks")
        Json.Save(Picks.Run(selection), Path.Combine(artifacts, "picks.json"));
    var config = BenchConfig.Create(selection, artifacts);
    if (command is "all" or "losses") BenchmarkRunner.Run<LossBenchmarks>(config);
    if (command is "all" or "overhead") BenchmarkRunner.Run<OverheadBenchmarks>(config);
}
info.End();
// The report's status and machine sections describe the timing run; the single passes (memory, profile, overhead) keep it.
if (command is "all" or "losses") info.Save(Path.Combine(artifacts, "run-info.json"));
if (command == "all") Console.WriteLine($"wrote {Report.Write(artifacts, reportPath)}");
return 0;

static string RepoRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        if (File.Exists(Path.Combine(directory.FullName, "TorchLosses.sln"))) return directory.FullName;
    return Directory.GetCurrentDirectory();
}
