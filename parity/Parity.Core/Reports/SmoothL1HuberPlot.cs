using System.Globalization;
using ScottPlot;
using TorchLosses.Figures;
using L = TorchLosses.nn.functional;
using N = TorchLosses.Parity.Aten;

namespace TorchLosses.Parity.Reports;

/// <summary>
/// The figure of the report: SmoothL1 and Huber per element against d = input − target, for several beta
/// and delta, the composed loss and gradient (dashed) over libtorch's native ones (solid). The curves are
/// computed here and drawn in-process by the shared figure library (tools/Figures, ScottPlot) to PNG and SVG.
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
    /// Draws the figure to <paramref name="pngPath"/> and the same with ".svg". Returns null on success, otherwise why
    /// it could not be drawn (the report goes on without it).
    /// </summary>
    public static string? Write(IReadOnlyList<Curves> curves, string pngPath)
    {
        try
        {
            var figure = new Figure("TorchLosses parity: composed (dashed black) over libtorch native (coloured), per element, target = 0",
                2, 2, 760, 520);
            Panel(figure.Panel(0, 0), curves, "smooth_l1", gradient: false, "SmoothL1 loss", Alignment.UpperCenter, null);
            Panel(figure.Panel(0, 1), curves, "smooth_l1", gradient: true, "SmoothL1 gradient ∂loss/∂input", Alignment.UpperLeft, (-1.3, 1.3));
            Panel(figure.Panel(1, 0), curves, "huber", gradient: false, "Huber loss", Alignment.UpperCenter, null);
            Panel(figure.Panel(1, 1), curves, "huber", gradient: true, "Huber gradient ∂loss/∂input", Alignment.UpperLeft, (-2.8, 2.8));
            figure.Save(pngPath);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TypeInitializationException or DllNotFoundException)
        {
            return $"the figure could not be drawn: {e.Message}";
        }
    }

    /// <summary>One panel: each parameter's native curve (thick, coloured) with the composed one over it (thin, dashed black).</summary>
    private static void Panel(Plot panel, IReadOnlyList<Curves> curves, string loss, bool gradient, string title, Alignment legend, (double min, double max)? yRange)
    {
        var mine = curves.Where(c => c.Loss == loss).ToList();
        string symbol = loss == "smooth_l1" ? "β" : "δ";
        panel.Labels($"{title}   (max |composed − native| = {Format.Error(mine.Max(c => c.MaxDifference))})", "d = input − target",
            gradient ? "gradient" : "loss");
        for (int k = 0; k < mine.Count; k++)
        {
            var c = mine[k];
            string p = c.Parameter.ToString(CultureInfo.InvariantCulture);
            string label = loss == "smooth_l1" && c.Parameter == 0 ? $"{symbol} = 0 (L1) native" : $"{symbol} = {p} native";
            panel.Curve(c.D, gradient ? c.NativeGrad : c.NativeLoss, Style.Curves[k], label, width: 7);
        }
        for (int k = 0; k < mine.Count; k++)
        {
            var c = mine[k];
            panel.Curve(c.D, gradient ? c.ComposedGrad : c.ComposedLoss, Colors.Black.WithLightness(0.13f), k == mine.Count - 1 ? "composed (each)" : null,
                width: 2, pattern: LinePattern.Dashed);
        }
        if (yRange is { } y) panel.Limits(-3, 3, y.min, y.max);
        else panel.LimitsX(-3, 3);
        panel.Legend(legend);
    }
}
