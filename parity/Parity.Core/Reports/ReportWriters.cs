using System.Globalization;
using System.Text;
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
        File.WriteAllText(path, head[..^1].TrimEnd() + ",\n  \"results\": [\n" + string.Join(",\n", rows) + "\n  ]\n}\n");
    }

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
        md.AppendLine($"Every composed loss of `src/TorchLosses` against libtorch {RunReport.LibTorchVersion}'s native function " +
                      $"(through the binding) and against vectors recorded from PyTorch {RunReport.VectorTorchVersion}, " +
                      $"with finite-difference gradient checks: {scope}, seed {o.Seed}.");
        md.AppendLine();
        int failed = report.Results.Count(r => !r.Passed);
        md.AppendLine($"**{report.Results.Count} cases, {report.Results.Count - failed} passed, {failed} failed** " +
                      $"({report.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s).");
        md.AppendLine();
        md.AppendLine("Run it: `bash scripts/setup.sh && dotnet run -c Release --project parity/Parity` " +
                      "(options: `--filter`, `--dtype`, `--quick`, `--seed`; see `parity/README.md`).");
        md.AppendLine();

        md.AppendLine("## Three witnesses");
        md.AppendLine();
        md.AppendLine("1. **native** — libtorch's own function for the loss (`torch.nn.functional.*` of the binding, the ATen op PyTorch calls), " +
                      "run on the same inputs: the value and the gradient of every input that requires grad (input and target where PyTorch " +
                      "lets the target require grad), after the same fixed upstream gradient. **errors** — inputs libtorch rejects: the " +
                      "composed loss must reject them too, with the same message.");
        md.AppendLine("2. **pytorch** — values, gradients and error texts recorded from real PyTorch by `parity/generate_vectors.py` " +
                      "(committed under `parity/vectors/`, so the suite runs without Python). For the losses PyTorch computes in Python " +
                      "(GaussianNLLLoss, MultiLabelSoftMarginLoss, TripletMarginWithDistanceLoss) this is the reference.");
        md.AppendLine("3. **gradcheck** — `TorchLosses.GradCheck.gradcheck` (PyTorch's semantics: central differences in float64, eps 1e-6, " +
                      "atol 1e-5, rtol 1e-3, the full Jacobian) on the composed loss, in float64, at points away from kinks.");
        md.AppendLine();

        md.AppendLine("## Summary");
        md.AppendLine();
        md.AppendLine("Errors are over every element compared (values and gradients), per dtype: absolute errors where the reference " +
                      "is at most 1 in magnitude, relative errors and ulp (on the bit patterns of the dtype) where it exceeds the dtype's atol.");
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
        md.AppendLine("| dtype | rtol | atol | why |");
        md.AppendLine("|---|---:|---:|---|");
        foreach (var (type, why) in Tolerances.Justification)
        {
            var t = Tolerances.For(type);
            md.AppendLine($"| {Tolerances.Label(type)} | {Format.Error(t.Rtol)} | {Format.Error(t.Atol)} | {why} |");
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

    private static string Describe(RunOptions o)
    {
        var parts = new List<string>();
        if (o.Quick) parts.Add("--quick");
        if (o.Filters.Count > 0) parts.Add("--filter " + string.Join(" ", o.Filters.Select(f => $"'{f}'")));
        if (o.DTypes.Count > 0) parts.Add("--dtype " + string.Join(",", o.DTypes.Select(Tolerances.Label)));
        return string.Join(" ", parts);
    }
}
