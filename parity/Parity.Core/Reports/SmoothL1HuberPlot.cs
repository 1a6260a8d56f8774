using System.Diagnostics;
using System.Globalization;
using System.Text;
using L = TorchLosses.nn.functional;
using N = TorchLosses.Parity.Aten;

namespace TorchLosses.Parity.Reports;

/// <summary>
/// The figure of the report: SmoothL1 and Huber per element against d = input − target, for several beta
/// and delta, the composed loss and gradient (dashed) over libtorch's native ones (solid). The curves are
/// computed here, written as .dat files to a temporary folder and drawn by gnuplot (Debian's gnuplot-nox,
/// installed by scripts/setup.sh) to PNG and SVG.
/// </summary>
public static class SmoothL1HuberPlot
{
    /// <summary>The beta values drawn for SmoothL1 (0 is L1).</summary>
    public static readonly double[] Betas = { 0, 0.5, 1, 2.5 };

    /// <summary>The delta values drawn for Huber.</summary>
    public static readonly double[] Deltas = { 0.5, 1, 2.5 };

    /// <summary>The curves of one loss and parameter: d, native and composed loss, native and composed gradient.</summary>
    public sealed record Curves(string Loss, double Parameter, double[] D, double[] NativeLoss, double[] ComposedLoss, double[] NativeGrad, double[] ComposedGrad)
    {
        /// <summary>The largest |composed − native| over loss and gradient.</summary>
        public double MaxDifference =>
            Enumerable.Range(0, D.Length).Max(i => Math.Max(Math.Abs(ComposedLoss[i] - NativeLoss[i]), Math.Abs(ComposedGrad[i] - NativeGrad[i])));
    }

    /// <summary>Evaluates the curves on d ∈ [−3, 3] in steps of 0.01 (the kinks ±beta lie on the grid), in float64.</summary>
    public static IReadOnlyList<Curves> Compute()
    {
        var d = Enumerable.Range(0, 601).Select(i => (i - 300) / 100.0).ToArray();
        var curves = new List<Curves>();
        foreach (var beta in Betas)
            curves.Add(Evaluate("smooth_l1", beta, d,
                (x, y) => L.smooth_l1_loss(x, y, torch.nn.Reduction.None, beta), (x, y) => N.smooth_l1_loss(x, y, torch.nn.Reduction.None, beta)));
        foreach (var delta in Deltas)
            curves.Add(Evaluate("huber", delta, d,
                (x, y) => L.huber_loss(x, y, torch.nn.Reduction.None, delta), (x, y) => N.huber_loss(x, y, delta, torch.nn.Reduction.None)));
        return curves;
    }

    private static Curves Evaluate(string loss, double parameter, double[] d, Func<Tensor, Tensor, Tensor> composed, Func<Tensor, Tensor, Tensor> native)
    {
        (double[] value, double[] grad) Run(Func<Tensor, Tensor, Tensor> f)
        {
            using var scope = NewDisposeScope();
            var x = tensor(d).requires_grad_(true);
            var y = zeros(d.Length, ScalarType.Float64);
            var l = f(x, y);
            var g = torch.autograd.grad(new[] { l.sum() }, new[] { x })[0]!;
            return (Comparison.Read(l), Comparison.Read(g));
        }
        var (nl, ng) = Run(native);
        var (cl, cg) = Run(composed);
        return new Curves(loss, parameter, d, nl, cl, ng, cg);
    }

    /// <summary>
    /// Draws the figure to <paramref name="pngPath"/> and the same with ".svg". Returns null on success,
    /// otherwise why it could not be drawn (gnuplot missing or failing): the report goes on without it.
    /// </summary>
    public static string? Write(IReadOnlyList<Curves> curves, string pngPath)
    {
        var work = Directory.CreateTempSubdirectory("parity-plot-");
        try
        {
            foreach (var c in curves) File.WriteAllText(Path.Combine(work.FullName, DataFile(c)), Data(c));
            var svgPath = Path.ChangeExtension(pngPath, ".svg");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
            var script = Script(curves, Path.GetFullPath(pngPath), Path.GetFullPath(svgPath));
            File.WriteAllText(Path.Combine(work.FullName, "plot.gp"), script);
            var start = new ProcessStartInfo("gnuplot", "plot.gp")
            {
                WorkingDirectory = work.FullName,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start);
            if (process is null) return "gnuplot could not be started";
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(60_000))
            {
                process.Kill();
                return "gnuplot did not finish within 60 s";
            }
            return process.ExitCode == 0 ? null : $"gnuplot failed: {errors.Result.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "gnuplot is not installed (bash scripts/setup.sh installs gnuplot-nox)";
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string DataFile(Curves c) => $"{c.Loss}_{c.Parameter.ToString(CultureInfo.InvariantCulture)}.dat";

    private static string Data(Curves c)
    {
        var text = new StringBuilder("# d native_loss composed_loss native_grad composed_grad\n");
        for (int i = 0; i < c.D.Length; i++)
            text.Append(string.Join(" ", new[] { c.D[i], c.NativeLoss[i], c.ComposedLoss[i], c.NativeGrad[i], c.ComposedGrad[i] }
                .Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
        return text.ToString();
    }

    private static readonly string[] Colors = { "#1b9e77", "#d95f02", "#7570b3", "#e7298a" };

    private static string Script(IReadOnlyList<Curves> curves, string png, string svg)
    {
        string Panel(string loss, string symbol, int column, string title, string ylabel, string key)
        {
            var mine = curves.Where(c => c.Loss == loss).ToList();
            double diff = mine.Max(c => c.MaxDifference);
            var plots = new List<string>();
            for (int k = 0; k < mine.Count; k++)
            {
                var c = mine[k];
                string p = c.Parameter.ToString(CultureInfo.InvariantCulture);
                string label = c.Loss == "smooth_l1" && c.Parameter == 0 ? $"{symbol} = 0 (L1)" : $"{symbol} = {p}";
                plots.Add($"'{DataFile(c)}' using 1:{column} with lines lw 7 lc rgb '{Colors[k]}' dt 1 title '{label} native'");
                string composed = k == mine.Count - 1 ? "title 'composed (each)'" : "notitle";
                plots.Add($"'{DataFile(c)}' using 1:{column + 1} with lines lw 2 lc rgb '#222222' dt (8,5) {composed}");
            }
            return $"set title \"{title}   (max |composed − native| = {Format.Error(diff)})\"\nset ylabel \"{ylabel}\"\nset key {key}\nplot " +
                   string.Join(", \\\n     ", plots) + "\n";
        }

        var body = new StringBuilder();
        body.AppendLine("set multiplot layout 2,2 title \"TorchLosses parity: composed (dashed black) over libtorch native (coloured), per element, target = 0\"");
        body.AppendLine("set grid lc rgb '#dddddd'");
        body.AppendLine("set xlabel \"d = input − target\"");
        body.AppendLine("set xrange [-3:3]");
        body.AppendLine("set yrange [*:*]");
        body.Append(Panel("smooth_l1", "β", 2, "SmoothL1 loss", "loss", "top center"));
        body.AppendLine("set yrange [-1.3:1.3]");
        body.Append(Panel("smooth_l1", "β", 4, "SmoothL1 gradient ∂loss/∂input", "gradient", "top left"));
        body.AppendLine("set yrange [*:*]");
        body.Append(Panel("huber", "δ", 3 - 1, "Huber loss", "loss", "top center"));
        body.AppendLine("set yrange [-2.8:2.8]");
        body.Append(Panel("huber", "δ", 4, "Huber gradient ∂loss/∂input", "gradient", "top left"));
        body.AppendLine("unset multiplot");
        string draw = body.ToString();
        return $"set encoding utf8\nset terminal pngcairo size 1500,1050 font 'DejaVu Sans,12'\nset output '{png}'\n{draw}" +
               $"set terminal svg size 1500,1050 font 'DejaVu Sans,12' dynamic\nset output '{svg}'\n{draw}set output\n";
    }
}
