using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using TorchLosses.Parity;
using TorchLosses.Parity.Reports;
using TorchLosses.Parity.Sweep;

// The parity report: every composed loss against libtorch's native function, the PyTorch vectors and
// gradcheck; beside it, TorchSharp's own losses on the same cases (reported, never failed; --no-torchsharp
// skips them). Exit code 0 when every case passes, 1 when any fails (each named, with its rerun command),
// 2 when the options select nothing.

var filter = new Option<string[]>("--filter")
{
    Description = "Run the cases whose name contains this text (a glob when it has * or ?; an exact name runs that case alone). Repeatable.",
    AllowMultipleArgumentsPerToken = true,
};
var dtype = new Option<string[]>("--dtype")
{
    Description = "Only these dtypes: f64, f32, bf16, f16 (comma-separated or repeated).",
    AllowMultipleArgumentsPerToken = true,
};
var quick = new Option<bool>("--quick") { Description = "The quick subset for CI (a few hundred cases, seconds)." };
var seed = new Option<int>("--seed") { Description = "Seed of the random inputs (default 0; the report states it).", DefaultValueFactory = _ => 0 };
var list = new Option<bool>("--list") { Description = "List the selected case names and exit." };
var output = new Option<string?>("--output")
{
    Description = "Folder for parity.md, results.json and the figure. Default: docs/ and parity/ for the full sweep, artifacts/parity/ otherwise.",
};
var noPlot = new Option<bool>("--no-plot") { Description = "Do not draw the SmoothL1/Huber figure." };
var noTorchSharp = new Option<bool>("--no-torchsharp")
{
    Description = "Skip the second witness, TorchSharp's own losses on the same cases (reported only, never failed).",
};
var noSweep = new Option<bool>("--no-sweep")
{
    Description = "Skip the bad-input sweep (every loss × argument × bad value and every hyperparameter across the double range; " +
                  "run unless --filter is given; --quick runs the test suite's version, the full run also every change through the modules).",
};
var threads = new Option<int>("--threads")
{
    Description = "libtorch's intra-op threads (default 1: the cases are small, and more threads only contend on a shared machine).",
    DefaultValueFactory = _ => 1,
};

var root = new RootCommand("TorchLosses parity suite: composed losses against libtorch's native kernels, PyTorch's vectors and gradcheck.")
{
    filter, dtype, quick, seed, list, output, noPlot, noTorchSharp, noSweep, threads,
};
root.SetAction(parse =>
{
    if (parse.GetValue(threads) is var count and < 1)
    {
        AnsiConsole.MarkupLine($"[red]--threads must be at least 1, not {count}[/]");
        return 2;
    }
    torch.set_num_threads(parse.GetValue(threads));
    var dtypes = new List<ScalarType>();
    foreach (var label in (parse.GetValue(dtype) ?? Array.Empty<string>()).SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries)))
    {
        if (Tolerances.Parse(label) is not { } t)
        {
            AnsiConsole.MarkupLine($"[red]unknown dtype '{Markup.Escape(label)}'[/] (f64, f32, bf16, f16)");
            return 2;
        }
        dtypes.Add(t);
    }
    var options = new RunOptions
    {
        Filters = parse.GetValue(filter) ?? Array.Empty<string>(),
        DTypes = dtypes,
        Quick = parse.GetValue(quick),
        Seed = parse.GetValue(seed),
    };
    return Run(options, parse.GetValue(list), parse.GetValue(output), parse.GetValue(noPlot), !parse.GetValue(noTorchSharp),
        !parse.GetValue(noSweep) && options.Filters.Count == 0);
});
// Redirected output (CI logs) gets a wide table instead of Spectre's 80-column default.
if (Console.IsOutputRedirected && AnsiConsole.Profile.Width < 160) AnsiConsole.Profile.Width = 160;
return root.Parse(args).Invoke();

static int Run(RunOptions options, bool listOnly, string? outputDir, bool noPlot, bool torchSharp, bool sweep)
{
    var suites = SuiteCatalog.Discover();
    var cases = Runner.Select(SuiteCatalog.Cases(suites), options);
    if (listOnly)
    {
        foreach (var c in cases) Console.WriteLine(c.Name);
        return cases.Count == 0 ? 2 : 0;
    }
    if (cases.Count == 0)
    {
        AnsiConsole.MarkupLine("[red]No case matches the options.[/] List the names with --list.");
        return 2;
    }

    AnsiConsole.MarkupLine($"[bold]TorchLosses {RunReport.TorchLossesVersion} parity[/] (libtorch {RunReport.LibTorchVersion}, TorchSharp {TorchSharpSection.TorchSharpVersion}): {cases.Count} cases from {suites.Count} suites " +
                           $"({Markup.Escape(string.Join(", ", suites.SelectMany(s => s.Losses)))}), seed {options.Seed}" +
                           (options.IsFullSweep ? ", full sweep" : ""));
    Runner.Run(cases[0], options.Seed);   // warm-up (JIT, libtorch's first-call set-up), so case timings mean something
    var clock = Stopwatch.StartNew();
    var results = new List<CaseResult>(cases.Count);
    int failed = 0;
    ProgressBar().Start(ctx =>
    {
        var task = ctx.AddTask("starting", maxValue: cases.Count);
        foreach (var c in cases)
        {
            task.Description = Markup.Escape($"{c.Loss,-14} {Tolerances.Label(c.DType),-5}") + (failed > 0 ? $" [red]{failed} failed[/]" : "");
            var result = Runner.Run(c, options.Seed);
            results.Add(result);
            if (!result.Passed) failed++;
            task.Increment(1);
        }
        task.Description = failed == 0 ? "[green]done[/]" : $"[red]done, {failed} failed[/]";
    });
    clock.Stop();

    var section = torchSharp ? RunTorchSharp(cases, options.Seed) : null;
    var report = new RunReport(options, results, suites, clock.Elapsed) { TorchSharp = section };
    PrintSummary(report);
    if (section is not null) PrintTorchSharp(section);
    var badInputs = sweep ? RunSweep(options) : null;
    if (badInputs is not null) PrintSweep(badInputs);

    // Where the reports go: the committed ones only for the full sweep, unless asked otherwise.
    string docs, data;
    if (outputDir is not null) docs = data = outputDir;
    else if (options.IsFullSweep) (docs, data) = (Path.Combine(RepoPaths.Root, "docs"), Path.Combine(RepoPaths.Root, "parity"));
    else docs = data = Path.Combine(RepoPaths.Root, "artifacts", "parity");
    string? figure = null;
    if (!noPlot)
    {
        const string name = "parity-smooth-l1-huber.png";
        var problem = SmoothL1HuberPlot.Write(SmoothL1HuberPlot.Compute(), Path.Combine(docs, name));
        if (problem is null) figure = name;
        else AnsiConsole.MarkupLine($"[yellow]figure not drawn:[/] {Markup.Escape(problem)}");
    }
    var markdown = Path.Combine(docs, "parity.md");
    var json = Path.Combine(data, "results.json");
    MarkdownReport.Write(report, markdown, figure);
    if (badInputs is not null) File.AppendAllLines(markdown, new[] { "" }.Concat(badInputs.Markdown()));
    JsonReport.Write(report, json);
    AnsiConsole.MarkupLine($"Reports: {Markup.Escape(Relative(markdown))}, {Markup.Escape(Relative(json))}" +
                           (figure is null ? "" : $", {Markup.Escape(Relative(Path.Combine(docs, figure)))} (+ .svg)"));

    if (badInputs is { Passed: false })
    {
        AnsiConsole.MarkupLine($"[red]The bad-input sweep failed:[/] {badInputs.Unexpected.Count} unexpected verdicts, " +
                               $"{badInputs.Unseen.Count} known deviations no longer seen (listed above).");
        if (report.Passed) return 1;
    }
    if (report.Passed)
    {
        AnsiConsole.MarkupLine($"[green]All {results.Count} cases passed[/] in {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s.");
        return 0;
    }
    AnsiConsole.MarkupLine($"[red]{failed} of {results.Count} cases failed:[/]");
    foreach (var r in report.Failures.Take(100))
    {
        AnsiConsole.MarkupLine($"  [red]✗[/] {Markup.Escape(r.Name)}");
        AnsiConsole.MarkupLine($"      {Markup.Escape(r.Failure ?? "")}");
        AnsiConsole.MarkupLine($"      [grey]rerun: {Markup.Escape(Format.Rerun(r.Name, options.Seed))}[/]");
    }
    if (failed > 100) AnsiConsole.MarkupLine($"  … {failed - 100} more in {Markup.Escape(Relative(json))}");
    return 1;
}

// The second witness: TorchSharp's own losses on the same cases. It reports and never changes the exit code.
static TorchSharpSection RunTorchSharp(IReadOnlyList<ParityCase> cases, int seed)
{
    var covered = cases.Where(TorchSharpWitness.Covers).ToList();
    var clock = Stopwatch.StartNew();
    IReadOnlyList<WitnessResult> results = Array.Empty<WitnessResult>();
    ProgressBar().Start(ctx =>
    {
        var task = ctx.AddTask("TorchSharp's own losses", maxValue: covered.Count);
        results = TorchSharpWitness.Run(covered, seed, c =>
        {
            task.Description = Markup.Escape($"TorchSharp {c.Loss,-14}");
            task.Increment(1);
        });
        task.Description = "[green]TorchSharp's own losses: done[/]";
    });
    return new TorchSharpSection(results, clock.Elapsed);
}

static void PrintTorchSharp(TorchSharpSection section)
{
    // One row per loss; each count cell lists the routes in the order of the "routes" cell (f factory, m module, fn functional).
    var table = new Table().RoundedBorder()
        .Title($"[bold]TorchSharp {Markup.Escape(TorchSharpSection.TorchSharpVersion)}'s own losses[/] on the same cases (reported, never failed)")
        .Caption("routes: f = torch.nn factory, m = module constructor, fn = torch.nn.functional; counts per route, in that order")
        .AddColumn(new TableColumn("loss").NoWrap()).AddColumn(new TableColumn("routes").NoWrap())
        .AddColumn(new TableColumn("agree").RightAligned().NoWrap()).AddColumn(new TableColumn("disagree").RightAligned().NoWrap())
        .AddColumn(new TableColumn("not expr.").RightAligned().NoWrap()).AddColumn(new TableColumn("not comp.").RightAligned().NoWrap())
        .AddColumn("why they disagree (main known defect, or the first case)");
    foreach (var loss in section.Losses)
    {
        var routes = section.Routes.Where(r => r.Loss == loss).ToList();
        string Counts(Func<RouteSummary, int> count, string colour = "") =>
            string.Join("/", routes.Select(r => count(r) is var n && n > 0 && colour.Length > 0 ? $"[{colour}]{n}[/]" : count(r).ToString(CultureInfo.InvariantCulture)));
        var why = routes.Select(Format.WhyDisagrees).FirstOrDefault(w => w is not null);
        table.AddRow(
            Markup.Escape(loss),
            string.Join(" ", routes.Select(r => r.Route switch { "factory" => "f", "module" => "m", _ => "fn" })),
            Counts(r => r.Agrees),
            Counts(r => r.Disagrees, "red"),
            Counts(r => r.NotExpressible),
            Counts(r => r.NotCompared),
            Markup.Escape(Format.Shorten(why ?? "", 58)));
    }
    AnsiConsole.Write(table);
    AnsiConsole.MarkupLine($"[grey]{section.Cases} cases, {section.Results.Count} route runs: " +
                           string.Join(", ", Enum.GetValues<WitnessOutcome>().Select(o => $"{section.Results.Count(r => r.Outcome == o)} {Format.Outcome(o)}")) +
                           $" ({section.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s). Examples and causes in the report.[/]");
}

// The bad-input sweep: --quick runs the test suite's version; the full run also sends every change through the modules.
static SweepSummary RunSweep(RunOptions options)
{
    var calls = BadInputSweep.Calls(modules: !options.Quick, dtypes: options.DTypes.Count > 0 ? options.DTypes : null);
    var clock = Stopwatch.StartNew();
    IReadOnlyList<SweepResult> results = Array.Empty<SweepResult>();
    ProgressBar().Start(ctx =>
    {
        var task = ctx.AddTask("bad-input sweep", maxValue: calls.Count);
        results = BadInputSweep.Run(calls, options.Seed, r =>
        {
            task.Description = Markup.Escape($"sweep {r.Call.Loss.Name,-14}");
            task.Increment(1);
        });
        task.Description = "[green]bad-input sweep: done[/]";
    });
    return new SweepSummary(results, clock.Elapsed, allDTypes: options.DTypes.Count == 0);
}

static void PrintSweep(SweepSummary sweep)
{
    var table = new Table().RoundedBorder().Title("[bold]Bad-input sweep[/]").AddColumn("verdict").AddColumn(new TableColumn("calls").RightAligned());
    foreach (var (verdict, count) in sweep.Verdicts) table.AddRow(Markup.Escape(SweepSummary.Describe(verdict)), count.ToString(CultureInfo.InvariantCulture));
    AnsiConsole.Write(table);
    AnsiConsole.MarkupLine($"{sweep.Results.Count} calls in {sweep.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s; " +
                           $"of {sweep.Errors} errors, {sweep.ErrorsNamingArgument} name their argument; where both raised, " +
                           $"{sweep.SameMessages} of {sweep.BothRaised} messages are libtorch's text.");
    foreach (var group in sweep.Known.GroupBy(k => k.Deviation))
        AnsiConsole.MarkupLine($"[yellow]known[/] {Markup.Escape(group.Key.Pattern)} ({group.Count()} calls): [grey]{Markup.Escape(group.Key.Reason)}[/]");
    foreach (var r in sweep.Unexpected.Take(50))
        AnsiConsole.MarkupLine($"[red]✗ {r.Verdict}[/] {Markup.Escape(r.Call.Name)}: {Markup.Escape(r.Detail)}");
    foreach (var d in sweep.Unseen)
        AnsiConsole.MarkupLine($"[red]✗ known deviation no longer seen (remove it from KnownDeviations):[/] {Markup.Escape(d.Pattern)}");
}

// A progress bar that stays on screen, with the time left.
static Progress ProgressBar() => AnsiConsole.Progress()
    .AutoClear(false)
    .HideCompleted(false)
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(),
        new SpinnerColumn());

static void PrintSummary(RunReport report)
{
    var table = new Table().RoundedBorder().Title("[bold]Parity summary[/]")
        .AddColumn("loss").AddColumn(new TableColumn("cases").RightAligned()).AddColumn(new TableColumn("passed").RightAligned())
        .AddColumn(new TableColumn("native / errors / pytorch / gradcheck").RightAligned())
        .AddColumn("max abs error").AddColumn("max rel error").AddColumn("max ulp").AddColumn("slowest case");
    foreach (var s in report.Losses)
    {
        string Cell(Func<ErrorMetrics, string> metric) => Markup.Escape(string.Join("\n", Format.PerDType(s, metric)));
        table.AddRow(
            Markup.Escape(s.Loss),
            s.Cases.ToString(CultureInfo.InvariantCulture),
            s.Passed == s.Cases ? $"[green]{s.Passed}[/]" : $"[red]{s.Passed}[/]",
            $"{s.Native} / {s.Errors} / {s.Vectors} / {s.Gradchecks}",
            Cell(m => Format.Error(m.MaxAbs)),
            Cell(m => Format.Error(m.MaxRel)),
            Cell(m => m.MaxUlp.ToString(CultureInfo.InvariantCulture)),
            s.Slowest is { } slow ? Markup.Escape($"{Format.Ms(slow.Milliseconds)}\n{slow.Name}") : "");
    }
    AnsiConsole.Write(table);
    var pending = report.NotYetComposed;
    if (pending.Count > 0)
        AnsiConsole.MarkupLine($"[grey]Not yet composed (vectors ready): {Markup.Escape(string.Join(", ", pending))}[/]");
}

static string Relative(string path) => Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
