using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TorchLosses.Parity.Reports;

/// <summary>Formatting shared by the console, Markdown and JSON reports.</summary>
public static class Format
{
    /// <summary>A small error as "2.2e-16" ("0" for zero).</summary>
    public static string Error(double value)
    {
        if (value == 0) return "0";
        if (!double.IsFinite(value)) return value.ToString(CultureInfo.InvariantCulture);
        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        double mantissa = value / Math.Pow(10, exponent);
        if (Math.Abs(Math.Round(mantissa, 1)) >= 10) { mantissa /= 10; exponent++; }
        return $"{mantissa.ToString("0.0", CultureInfo.InvariantCulture)}e{exponent}";
    }

    /// <summary>Milliseconds as "12.3 ms".</summary>
    public static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>One entry per dtype, e.g. "f64 2.2e-16", for a cell of the summary table.</summary>
    public static IEnumerable<string> PerDType(LossSummary s, Func<ErrorMetrics, string> metric) =>
        s.ByDType.Where(d => d.Metrics.Elements > 0).Select(d => $"{Tolerances.Label(d.DType)} {metric(d.Metrics)}");

    /// <summary>Text on one line, cut to <paramref name="length"/> characters (an ellipsis marks the cut).</summary>
    public static string Shorten(string text, int length)
    {
        var line = string.Join(" ", text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= length ? line : line[..(length - 1)] + "…";
    }

    /// <summary>
    /// Why a TorchSharp route disagrees, in one line: the known defect behind most of its disagreements (with how many others
    /// there are), or, when no known defect explains most, the first disagreement itself. Null when it never disagrees.
    /// </summary>
    public static string? WhyDisagrees(RouteSummary r)
    {
        if (r.Disagrees == 0) return null;
        var (cause, count) = r.WhyOf(WitnessOutcome.Disagrees).MaxBy(c => c.Count);
        if (cause == RouteSummary.NotAKnownDefect) return "first: " + r.Examples[WitnessOutcome.Disagrees].Detail;
        return count == r.Disagrees ? cause : $"{cause} ({r.Disagrees - count} other)";
    }

    /// <summary>"agree", "disagree", "not expressible", "not compared".</summary>
    public static string Outcome(WitnessOutcome outcome) => outcome switch
    {
        WitnessOutcome.Agrees => "agree",
        WitnessOutcome.Disagrees => "disagree",
        WitnessOutcome.NotExpressible => "not expressible",
        _ => "not compared",
    };

    /// <summary>The command that reruns exactly this case.</summary>
    public static string Rerun(string name, int seed) =>
        $"dotnet run -c Release --project parity/Parity -- --filter '{name}'" + (seed != 0 ? $" --seed {seed}" : "");
}

/// <summary>Writes parity/results.json: the run's settings, per-loss summaries, failures and every case.</summary>
public static class JsonReport
{
    /// <summary>Writes the report to <paramref name="path"/> (directories are created).</summary>
    public static void Write(RunReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = new MemoryStream();
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("generator", "dotnet run -c Release --project parity/Parity");
        w.WriteString("torchlosses", RunReport.TorchLossesVersion);
        w.WriteString("libtorch", RunReport.LibTorchVersion);
        w.WriteString("vectors_pytorch", RunReport.VectorTorchVersion);
        w.WriteNumber("seed", report.Options.Seed);
        w.WriteBoolean("quick", report.Options.Quick);
        w.WriteStartArray("filters");
        foreach (var f in report.Options.Filters) w.WriteStringValue(f);
        w.WriteEndArray();
        w.WriteStartArray("dtypes");
        foreach (var d in report.Options.DTypes) w.WriteStringValue(Tolerances.Label(d));
        w.WriteEndArray();
        w.WriteNumber("seconds", Math.Round(report.Elapsed.TotalSeconds, 1));
        w.WriteNumber("cases", report.Results.Count);
        w.WriteNumber("passed", report.Results.Count(r => r.Passed));
        w.WriteNumber("failed", report.Results.Count(r => !r.Passed));
        w.WriteBoolean("ok", report.Passed);

        w.WriteStartObject("tolerances");
        foreach (var (type, label) in Tolerances.Known)
        {
            var t = Tolerances.For(type);
            w.WriteStartObject(label);
            w.WriteNumber("rtol", t.Rtol);
            w.WriteNumber("atol", t.Atol);
            w.WriteEndObject();
        }
        w.WriteEndObject();

        w.WriteStartArray("losses");
        foreach (var s in report.Losses)
        {
            w.WriteStartObject();
            w.WriteString("loss", s.Loss);
            w.WriteNumber("cases", s.Cases);
            w.WriteNumber("passed", s.Passed);
            w.WriteNumber("native", s.Native);
            w.WriteNumber("errors", s.Errors);
            w.WriteNumber("pytorch_vectors", s.Vectors);
            w.WriteNumber("gradchecks", s.Gradchecks);
            w.WriteStartArray("reductions");
            foreach (var r in s.Reductions) w.WriteStringValue(r);
            w.WriteEndArray();
            w.WriteStartObject("by_dtype");
            foreach (var d in s.ByDType)
            {
                w.WriteStartObject(Tolerances.Label(d.DType));
                w.WriteNumber("cases", d.Cases);
                w.WriteNumber("failed", d.Failed);
                w.WriteNumber("max_abs", d.Metrics.MaxAbs);
                w.WriteNumber("max_rel", d.Metrics.MaxRel);
                w.WriteNumber("max_ulp", d.Metrics.MaxUlp);
                w.WriteNumber("elements", d.Metrics.Elements);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            if (s.Slowest is { } slow)
            {
                w.WriteStartObject("slowest");
                w.WriteString("name", slow.Name);
                w.WriteNumber("ms", Math.Round(slow.Milliseconds, 2));
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("not_yet_composed");
        foreach (var l in report.NotYetComposed) w.WriteStringValue(l);
        w.WriteEndArray();

        w.WriteStartArray("failures");
        foreach (var r in report.Failures)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteString("failure", r.Failure);
            w.WriteString("rerun", Format.Rerun(r.Name, report.Options.Seed));
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("columns");
        foreach (var column in new[] { "name", "kind", "passed", "max_abs", "max_rel", "max_ulp", "gradcheck" }) w.WriteStringValue(column);
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stream.Position = 0;
        var head = new StreamReader(stream).ReadToEnd().TrimEnd();
        // Every case on one compact line (deterministic for a seed: no timings), as rows of the columns above.
        var rows = report.Results.Select(r => "    " + JsonSerializer.Serialize(new object?[]
        {
            r.Name, r.Kind.ToString().ToLowerInvariant(), r.Passed, Round(r.Metrics.MaxAbs), Round(r.Metrics.MaxRel), r.Metrics.MaxUlp, r.Gradcheck,
        }));
        var torchSharp = report.TorchSharp is { } section ? ",\n  \"torchsharp\": " + TorchSharp(section).Replace("\n", "\n  ") : "";
        File.WriteAllText(path, head[..^1].TrimEnd() + ",\n  \"results\": [\n" + string.Join(",\n", rows) + "\n  ]" + torchSharp + "\n}\n");
    }

    /// <summary>Keeps «», Δ, −, ∞ readable (the default encoder escapes every non-ASCII character).</summary>
    private static readonly JavaScriptEncoder Readable = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>
    /// The section "TorchSharp's own losses": totals, per loss and route the counts, why (causes and reasons, counted) and one
    /// example of each outcome but agreement, the SmoothL1/Huber edge table, and every disagreement, one compact row each.
    /// </summary>
    private static string TorchSharp(TorchSharpSection section)
    {
        using var stream = new MemoryStream();
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = Readable });
        w.WriteStartObject();
        w.WriteString("torchsharp", TorchSharpSection.TorchSharpVersion);
        w.WriteString("note", "TorchSharp's own losses on the same cases, compared as the composed losses are; reported, never failed");
        w.WriteNumber("seconds", Math.Round(section.Elapsed.TotalSeconds, 1));
        w.WriteNumber("cases", section.Cases);
        w.WriteNumber("runs", section.Results.Count);
        foreach (var outcome in Enum.GetValues<WitnessOutcome>())
            w.WriteNumber(Key(outcome), section.Results.Count(r => r.Outcome == outcome));

        w.WriteStartArray("losses");
        foreach (var loss in section.Losses)
        {
            w.WriteStartObject();
            w.WriteString("loss", loss);
            w.WriteStartArray("routes");
            foreach (var r in section.Routes.Where(r => r.Loss == loss))
            {
                w.WriteStartObject();
                w.WriteString("route", r.Route);
                w.WriteString("api", r.Api);
                w.WriteNumber("cases", r.Cases);
                w.WriteNumber("agrees", r.Agrees);
                w.WriteNumber("disagrees", r.Disagrees);
                w.WriteNumber("not_expressible", r.NotExpressible);
                w.WriteNumber("not_compared", r.NotCompared);
                w.WriteStartObject("why");
                foreach (var (outcome, whys) in r.Why.OrderBy(e => e.Key))
                {
                    w.WriteStartArray(Key(outcome));
                    foreach (var (why, count) in whys)
                    {
                        w.WriteStartObject();
                        w.WriteString("why", why);
                        w.WriteNumber("cases", count);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteStartObject("examples");
                foreach (var (outcome, example) in r.Examples.OrderBy(e => e.Key))
                {
                    w.WriteStartObject(Key(outcome));
                    w.WriteString("case", example.Case);
                    w.WriteString("detail", example.Detail);
                    if (example.Cause is not null) w.WriteString("cause", example.Cause);
                    w.WriteString("rerun", Format.Rerun(example.Case, 0));
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("smooth_l1_huber_edges");
        foreach (var row in section.Edges)
        {
            w.WriteStartObject();
            w.WriteString("loss", row.Loss);
            w.WriteString("regime", row.Regime);
            foreach (var (route, (agrees, disagrees, notExpressible)) in row.ByRoute)
            {
                w.WriteStartObject(route);
                w.WriteNumber("agrees", agrees);
                w.WriteNumber("disagrees", disagrees);
                w.WriteNumber("not_expressible", notExpressible);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("columns");
        foreach (var column in new[] { "case", "route", "cause" }) w.WriteStringValue(column);
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stream.Position = 0;
        var text = new StreamReader(stream).ReadToEnd().TrimEnd();
        // Every disagreement on one compact line (what differed is in the examples; --filter '<case>' shows it for any case).
        var options = new JsonSerializerOptions { Encoder = Readable };
        var rows = section.Results.Where(r => r.Outcome == WitnessOutcome.Disagrees)
            .Select(r => "    " + JsonSerializer.Serialize(new object?[] { r.Case, r.Route, r.Cause ?? RouteSummary.NotAKnownDefect }, options));
        return text[..^1].TrimEnd() + ",\n  \"disagreements\": [\n" + string.Join(",\n", rows) + "\n  ]\n}";
    }

    /// <summary>"agrees", "disagrees", "not_expressible", "not_compared".</summary>
    private static string Key(WitnessOutcome outcome) => outcome switch
    {
        WitnessOutcome.Agrees => "agrees",
        WitnessOutcome.Disagrees => "disagrees",
        WitnessOutcome.NotExpressible => "not_expressible",
        _ => "not_compared",
    };

    private static double Round(double value) => double.Parse(value.ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

/// <summary>Writes docs/parity.md: the summary table, the tolerances and why, the parameter grids, the figure.</summary>
public static class MarkdownReport
{
    /// <summary>Writes the report to <paramref name="path"/>; <paramref name="figure"/> is the figure's file name beside it, if any.</summary>
    public static void Write(RunReport report, string path, string? figure)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Render(report, figure));
    }

    /// <summary>The report as Markdown.</summary>
    public static string Render(RunReport report, string? figure)
    {
        var o = report.Options;
        var md = new StringBuilder();
        md.AppendLine("# Parity report");
        md.AppendLine();
        md.AppendLine("<!-- Generated by `dotnet run -c Release --project parity/Parity` (the full sweep); do not edit by hand. -->");
        md.AppendLine();
        string scope = o.IsFullSweep ? "the full sweep" : $"a partial run ({Describe(o)})";
        md.AppendLine($"Every composed loss of TorchLosses {RunReport.TorchLossesVersion} (`src/TorchLosses`) against libtorch {RunReport.LibTorchVersion}'s own ATen op " +
                      $"(through TorchSharp {TorchSharpSection.TorchSharpVersion}'s TorchScript compiler) and against vectors recorded from PyTorch {RunReport.VectorTorchVersion}, " +
                      $"with finite-difference gradient checks: {scope}, seed {o.Seed}.");
        md.AppendLine();
        int failed = report.Results.Count(r => !r.Passed);
        md.AppendLine($"**{report.Results.Count} cases, {report.Results.Count - failed} passed, {failed} failed** " +
                      $"({report.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s).");
        md.AppendLine();
        md.AppendLine("Run it: `dotnet run -c Release --project parity/Parity` " +
                      "(options: `--filter`, `--dtype`, `--quick`, `--seed`, `--threads`, `--no-torchsharp`; see `parity/README.md`).");
        md.AppendLine();

        md.AppendLine("## Three witnesses");
        md.AppendLine();
        md.AppendLine("1. **native** — libtorch's own ATen op for the loss (the op PyTorch's `torch.nn.functional` calls, reached with all of " +
                      "PyTorch's parameters through TorchScript: `parity/Parity.Core/Aten.cs`), " +
                      "run on the same inputs: the value and the gradient of every input that requires grad (input and target where PyTorch " +
                      "lets the target require grad), after the same fixed upstream gradient. **errors** — inputs libtorch rejects: the " +
                      "composed loss must reject them too, with the same message.");
        md.AppendLine("2. **pytorch** — values, gradients and error texts recorded from real PyTorch by `parity/generate_vectors.py` " +
                      "(committed under `parity/vectors/`, so the suite runs without Python). For the losses PyTorch computes in Python " +
                      "(GaussianNLLLoss, MultiLabelSoftMarginLoss, TripletMarginWithDistanceLoss) this is the reference.");
        md.AppendLine("3. **gradcheck** — `TorchLosses.GradCheck.gradcheck` (PyTorch's semantics: central differences in float64, eps 1e-6, " +
                      "atol 1e-5, rtol 1e-3, the full Jacobian) on the composed loss, in float64, at points away from kinks.");
        if (report.TorchSharp is not null)
            md.AppendLine("\nBeside them, and separate: **TorchSharp's own losses** on the same cases (the section " +
                          $"[{TorchSharpHeading}](#{Anchor(TorchSharpHeading)}) below): reported, never failed.");
        md.AppendLine();

        md.AppendLine("## Summary");
        md.AppendLine();
        md.AppendLine("Errors are over every element compared (values and gradients), per case dtype: absolute errors where the reference " +
                      "is at most 1 in magnitude, relative errors and ulp where it exceeds the dtype's atol. Ulp are counted on the bit " +
                      "patterns of the case's dtype, the one whose tolerance applies (a float64 result of a float32 case, e.g. with a " +
                      "float64 target, is counted in float32 ulp). An element formed by cancellation, small next to the terms that made " +
                      "it, can be many ulp and a large relative error of itself while within atol: see the tolerances below.");
        md.AppendLine();
        md.AppendLine("| loss | cases | passed | native | errors | pytorch | gradcheck | reductions | max abs error | max rel error | max ulp | slowest case |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|---|---|---|---|");
        foreach (var s in report.Losses)
        {
            string Cell(Func<ErrorMetrics, string> m) => string.Join("<br>", Format.PerDType(s, m));
            md.AppendLine($"| {s.Loss} | {s.Cases} | {s.Passed} | {s.Native} | {s.Errors} | {s.Vectors} | {s.Gradchecks} | " +
                          $"{string.Join(", ", s.Reductions)} | {Cell(m => Format.Error(m.MaxAbs))} | {Cell(m => Format.Error(m.MaxRel))} | " +
                          $"{Cell(m => m.MaxUlp.ToString(CultureInfo.InvariantCulture))} | " +
                          $"{(s.Slowest is { } slow ? $"{Format.Ms(slow.Milliseconds)}: `{slow.Name}`" : "")} |");
        }
        md.AppendLine();
        var pending = report.NotYetComposed;
        if (pending.Count > 0)
        {
            md.AppendLine($"Not yet composed (PyTorch vectors are ready in `parity/vectors/`; their suites come with the losses): {string.Join(", ", pending)}.");
            md.AppendLine();
        }

        if (failed > 0)
        {
            md.AppendLine("## Failures");
            md.AppendLine();
            foreach (var r in report.Failures.Take(200))
                md.AppendLine($"- `{r.Name}`: {r.Failure?.Replace("|", "\\|")}");
            if (failed > 200) md.AppendLine($"- … and {failed - 200} more (parity/results.json lists them all)");
            md.AppendLine();
        }

        if (report.TorchSharp is { } torchSharp) TorchSharp(md, torchSharp);

        if (figure is not null)
        {
            md.AppendLine("## SmoothL1 and Huber, composed over native");
            md.AppendLine();
            md.AppendLine("The composed loss and its gradient (dashed) drawn over libtorch's native kernel (solid), per element against " +
                          "d = input − target, for several beta and delta. The curves coincide, including the kinks at |d| = beta " +
                          "(and beta = 0, where SmoothL1 is L1) and the linear tails of slope 1 (SmoothL1) and delta (Huber).");
            md.AppendLine();
            md.AppendLine($"![SmoothL1 and Huber: composed and native loss and gradient curves]({figure})");
            md.AppendLine();
        }

        md.AppendLine("## Tolerances");
        md.AppendLine();
        md.AppendLine("An element passes when |composed − reference| ≤ atol + rtol·|reference|; NaN must meet NaN and ±inf the same infinity. " +
                      "Shapes and dtypes must match exactly.");
        md.AppendLine();
        md.AppendLine("| dtype | rtol | atol | why | largest in this run |");
        md.AppendLine("|---|---:|---:|---|---|");
        foreach (var (type, why) in Tolerances.Justification)
        {
            var t = Tolerances.For(type);
            md.AppendLine($"| {Tolerances.Label(type)} | {Format.Error(t.Rtol)} | {Format.Error(t.Atol)} | {why} | {Largest(report, type)} |");
        }
        md.AppendLine();
        md.AppendLine("The PyTorch vectors are float64 and use the float64 tolerance. gradcheck uses its own (PyTorch's) tolerances.");
        md.AppendLine();

        md.AppendLine("## Parameter grids");
        md.AppendLine();
        foreach (var suite in report.Suites)
        {
            md.AppendLine($"### {suite.GetType().Name}: {string.Join(", ", suite.Losses)}");
            md.AppendLine();
            md.AppendLine("| loss | axis | values |");
            md.AppendLine("|---|---|---|");
            foreach (var g in suite.Grid) md.AppendLine($"| {g.Loss} | {g.Axis} | {g.Values.Replace("|", "\\|")} |");
            md.AppendLine();
        }
        md.AppendLine("Every loss also runs its PyTorch vectors (`parity/vectors/<functional>.json`: each reduction, the parameters above, " +
                      "ties at the kinks, non-finite and empty inputs, and PyTorch's error texts).");
        md.AppendLine();
        md.AppendLine("## Case names and reruns");
        md.AppendLine();
        md.AppendLine("Names read `loss/dtype/reduction/parameters/shape=[…]/layout`, e.g. `smooth_l1/f64/mean/beta=0.5/shape=[3,4]/matrix`; " +
                      "error cases `loss/dtype/reduction/error/what`, vector cases `loss/f64/reduction/pytorch/…`. A failing case is rerun " +
                      "alone with `dotnet run -c Release --project parity/Parity -- --filter '<name>'`.");
        return md.ToString();
    }

    /// <summary>The section "TorchSharp 0.107's own losses": what was run and how, per loss and route the counts, the causes
    /// and an example of each outcome, and SmoothL1/Huber by edge regime.</summary>
    private static void TorchSharp(StringBuilder md, TorchSharpSection section)
    {
        string version = TorchSharpSection.TorchSharpVersion;
        md.AppendLine($"## {TorchSharpHeading}");
        md.AppendLine();
        md.AppendLine($"The same cases, run through TorchSharp {version}'s own losses by each route it offers: the `torch.nn` factory " +
                      "(`torch.nn.SmoothL1Loss(...)`, then `.call(x, y)`), the module's constructor (`new TorchSharp.Modules.…`) where it differs " +
                      "from the factory (for SmoothL1Loss and HuberLoss always), and `torch.nn.functional`. Each is compared with the case's " +
                      "reference exactly as the composed loss is: values, the gradients after the same upstream gradient, error messages, " +
                      "with the same tolerances. This section reports and never fails the run: TorchLosses is held to the ATen op.");
        md.AppendLine();
        md.AppendLine("- A call is written as a user porting PyTorch code writes it: a parameter the case leaves at PyTorch's default is left at " +
                      "TorchSharp's default (so a default that differs shows); any other value is passed.");
        md.AppendLine("- Arguments: in native and error cases TorchSharp's loss takes the ATen op's place inside the case's own native call, with " +
                      "the op's arguments (weights, ignore_index, a log_softmax the call makes first) in the case's own dtype (CTC's float32 reference, " +
                      "libtorch's float64 kernel, does not make TorchSharp's run in float64); PyTorch vectors use the recorded " +
                      "kwargs; the losses PyTorch composes in Python use the parameters in the case's name.");
        md.AppendLine("- **not expressible**: the route's API cannot say the call (no `ignore_index` for NLL, no `batchmean`, no `label_smoothing` on " +
                      "the CrossEntropy factory, an integer `p` for the triplet loss, no `size_average`/`reduce`, the reduction as an enum). " +
                      "**not compared**: the case has no independent reference (MultiLabelSoftMargin's native reference is TorchSharp's own " +
                      "function), or its reference itself failed. The `/autograd` copies of cases (TorchLosses' second gradient path) are not repeated.");
        md.AppendLine();
        var all = section.Results;
        md.AppendLine($"**{section.Cases} cases, {all.Count} route runs: " +
                      string.Join(", ", Enum.GetValues<WitnessOutcome>().Select(o => $"{all.Count(r => r.Outcome == o)} {Format.Outcome(o)}")) +
                      $"** ({section.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s).");
        md.AppendLine();
        md.AppendLine("| loss | route | call | agree | disagree | not expressible | not compared |");
        md.AppendLine("|---|---|---|---:|---:|---:|---:|");
        foreach (var r in section.Routes)
            md.AppendLine($"| {r.Loss} | {r.Route} | `{r.Api}` | {r.Agrees} | {(r.Disagrees > 0 ? $"**{r.Disagrees}**" : "0")} | {r.NotExpressible} | {r.NotCompared} |");
        md.AppendLine();

        md.AppendLine("### Where they differ, and why");
        md.AppendLine();
        md.AppendLine("Per loss, each outcome but agreement: the routes, why with how many cases, and the first case as an example " +
                      "(rerun it with `--filter '<name>'`). A disagreement's why is the known cause that produces that kind of difference " +
                      "on that case (TorchSharp's defects as torchsharp-0.107.md lists them, checks PyTorch makes in Python, the float32 " +
                      $"precision of libtorch's CTC kernel, which TorchSharp calls), or \"{RouteSummary.NotAKnownDefect}\".");
        md.AppendLine();
        foreach (var loss in section.Losses)
        {
            var routes = section.Routes.Where(r => r.Loss == loss).ToList();
            if (routes.All(r => r.Agrees == r.Cases)) continue;
            md.AppendLine($"- **{loss}**");
            foreach (var outcome in new[] { WitnessOutcome.Disagrees, WitnessOutcome.NotExpressible, WitnessOutcome.NotCompared })
            {
                // Routes with the same reasons and the same first case are one line.
                foreach (var group in routes.Where(r => r.Examples.ContainsKey(outcome))
                             .GroupBy(r => (r.Examples[outcome].Case, string.Join(";", r.WhyOf(outcome)))))
                {
                    var members = group.ToList();
                    int Count(RouteSummary r) => outcome switch
                    {
                        WitnessOutcome.Disagrees => r.Disagrees,
                        WitnessOutcome.NotExpressible => r.NotExpressible,
                        _ => r.NotCompared,
                    };
                    string counts = members.Select(Count).Distinct().Count() == 1
                        ? $"{string.Join(", ", members.Select(m => m.Route))}: {Count(members[0])}" + (members.Count > 1 ? " each" : "")
                        : string.Join(", ", members.Select(m => $"{m.Route} {Count(m)}"));
                    var example = members[0].Examples[outcome];
                    string why = string.Join("; ", members[0].WhyOf(outcome).Select(w => $"{w.Why} ({w.Count})"));
                    // A disagreement's example says what differed; the other outcomes' reasons are already the why.
                    string what = outcome == WitnessOutcome.Disagrees ? $": {Cell(example.Detail)}" : ".";
                    md.AppendLine($"  - {Format.Outcome(outcome)} ({counts}) — {Cell(why)}. E.g. `{example.Case}`{what}");
                }
            }
        }
        md.AppendLine();

        md.AppendLine("### SmoothL1Loss and HuberLoss, by route and edge regime");
        md.AppendLine();
        md.AppendLine("The product's headline comparison: TorchSharp's `SmoothL1Loss` and `HuberLoss` by each route, over every reduction and the " +
                      "β/δ edges (0, tiny, |x − y| exactly at β, huge, ±∞ inputs). A case counts in every row it belongs to; a cell reads " +
                      "agreeing of compared (agreeing + disagreeing), then the cases the route cannot express, which are not compared.");
        md.AppendLine();
        foreach (var loss in TorchSharpSection.EdgeLosses)
        {
            var rows = section.Edges.Where(e => e.Loss == loss).ToList();
            if (rows.Count == 0) continue;
            var routeNames = rows.SelectMany(r => r.ByRoute.Keys).Distinct().ToList();
            md.AppendLine($"| {loss} | " + string.Join(" | ", routeNames) + " |");
            md.AppendLine("|---|" + string.Concat(routeNames.Select(_ => "---|")));
            foreach (var row in rows)
                md.AppendLine($"| {Cell(row.Regime)} | " + string.Join(" | ", routeNames.Select(n => EdgeCell(row.ByRoute.GetValueOrDefault(n)))) + " |");
            md.AppendLine();
            var whys = section.Routes.Where(r => r.Loss == loss)
                .SelectMany(r => r.WhyOf(WitnessOutcome.Disagrees).Select(w => (w.Why, Count: $"{r.Route} {w.Count}")))
                .GroupBy(w => w.Why, w => w.Count)
                .Select(g => $"{g.Key} ({string.Join(", ", g)})")
                .ToList();
            if (whys.Count > 0)
            {
                md.AppendLine($"Why {loss} disagrees: {string.Join("; ", whys).Replace("|", "\\|")}.");
                md.AppendLine();
            }
        }
    }

    /// <summary>
    /// The largest relative difference of the run's cases of <paramref name="dtype"/> (over elements above atol) with its case,
    /// and the largest absolute one (over elements at most 1 in magnitude), or "—" when none ran.
    /// </summary>
    private static string Largest(RunReport report, ScalarType dtype)
    {
        var cases = report.Results.Where(r => r.DType == dtype && r.Metrics.Elements > 0).ToList();
        if (cases.Count == 0) return "—";
        var rel = cases.MaxBy(r => r.Metrics.MaxRel)!;
        var abs = cases.MaxBy(r => r.Metrics.MaxAbs)!;
        static string Where(double value, CaseResult r) => value > 0 ? $" (`{r.Name}`)" : "";
        return $"relative {Format.Error(rel.Metrics.MaxRel)}{Where(rel.Metrics.MaxRel, rel)}, absolute {Format.Error(abs.Metrics.MaxAbs)}{Where(abs.Metrics.MaxAbs, abs)}";
    }

    private static string EdgeCell((int Agrees, int Disagrees, int NotExpressible) c)
    {
        var text = $"{c.Agrees} of {c.Agrees + c.Disagrees}";
        if (c.Disagrees > 0) text += $", **{c.Disagrees} disagree**";
        if (c.NotExpressible > 0) text += $", {c.NotExpressible} not expressible";
        return text;
    }

    /// <summary>The heading of the section on TorchSharp's own losses.</summary>
    private static string TorchSharpHeading => $"TorchSharp {TorchSharpSection.TorchSharpVersion}'s own losses";

    /// <summary>A heading's anchor as GitHub makes it: lower case, letters, digits, '-' and '_' kept, spaces as '-'
    /// ("TorchSharp 0.107.0's own losses" → "torchsharp-01070s-own-losses").</summary>
    private static string Anchor(string heading) =>
        string.Concat(heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');

    /// <summary>A detail for a Markdown list or table: one line, at most 400 characters, pipes escaped.</summary>
    private static string Cell(string? text) => Format.Shorten(text ?? "", 400).Replace("|", "\\|");

    private static string Describe(RunOptions o)
    {
        var parts = new List<string>();
        if (o.Quick) parts.Add("--quick");
        if (o.Filters.Count > 0) parts.Add("--filter " + string.Join(" ", o.Filters.Select(f => $"'{f}'")));
        if (o.DTypes.Count > 0) parts.Add("--dtype " + string.Join(",", o.DTypes.Select(Tolerances.Label)));
        return string.Join(" ", parts);
    }
}
