using System.Globalization;
using ScottPlot;
using TorchLosses.Figures;

namespace TorchLossesTests.Docs;

/// <summary>
/// Draws the figures of docs/losses (<c>docs/figures/*.png</c> and <c>*.svg</c>) from the data files that
/// <see cref="FigureTests"/> computes with TorchLosses (<c>docs/figures/data/*.dat</c>): the figures show only
/// numbers the code produced. Each figure has two panels, the loss and its gradient (or two related losses).
/// </summary>
internal static class DocFigures
{
    private const int PanelWidth = 640, PanelHeight = 460;

    /// <summary>Draws every figure from the data in <paramref name="dataDirectory"/> into <paramref name="outputDirectory"/>; returns the files written.</summary>
    public static IReadOnlyList<string> DrawAll(string dataDirectory, string outputDirectory)
    {
        var regression = Columns.Read(Path.Combine(dataDirectory, "regression.dat"));
        var crossEntropy = Columns.Read(Path.Combine(dataDirectory, "cross-entropy.dat"));
        var probabilistic = Columns.Read(Path.Combine(dataDirectory, "probabilistic.dat"));
        var boxIou = Columns.Read(Path.Combine(dataDirectory, "box-iou.dat"));
        var focal = Columns.Read(Path.Combine(dataDirectory, "focal.dat"));
        var robust = Columns.Read(Path.Combine(dataDirectory, "robust.dat"));
        return new[]
        {
            SmoothL1(regression).Save(Path.Combine(outputDirectory, "smooth-l1.png")),
            Huber(regression).Save(Path.Combine(outputDirectory, "huber.png")),
            CrossEntropy(crossEntropy).Save(Path.Combine(outputDirectory, "cross-entropy.png")),
            Probabilistic(probabilistic).Save(Path.Combine(outputDirectory, "probabilistic.png")),
            BoxIou(boxIou).Save(Path.Combine(outputDirectory, "box-iou.png")),
            Focal(focal).Save(Path.Combine(outputDirectory, "focal.png")),
            Robust(robust).Save(Path.Combine(outputDirectory, "robust.png")),
        }.SelectMany(files => files).ToList();
    }

    /// <summary>One curve of a loss-and-gradient figure: the loss in column <c>Column</c>, its derivative in <c>Column'</c>.</summary>
    private sealed record Series(string Column, string Label, Color Color, string? GradientLabel = null, bool Dashed = false);

    /// <summary>The common figure: the loss on the left, its derivative on the right, the same curves in both.</summary>
    private static Figure LossAndGradient(string title, Columns data, string x, string xLabel, string gradientLabel, IReadOnlyList<Series> series,
        (double xMin, double xMax, double yMin, double yMax) lossLimits, Alignment lossLegend,
        (double yMin, double yMax) gradientLimits, Alignment gradientLegend)
    {
        var figure = new Figure(title, 1, 2, PanelWidth, PanelHeight);
        var loss = figure[0].Labels("loss", xLabel, "loss");
        var gradient = figure[1].Labels("gradient", xLabel, gradientLabel);
        foreach (var s in series)
        {
            var (width, pattern) = s.Dashed ? (2f, LinePattern.Dashed) : (2.5f, LinePattern.Solid);
            loss.Curve(data[x], data[s.Column], s.Color, s.Label, width, pattern);
            gradient.Curve(data[x], data[s.Column + "'"], s.Color, s.GradientLabel ?? s.Label, width, pattern);
        }
        loss.Limits(lossLimits.xMin, lossLimits.xMax, lossLimits.yMin, lossLimits.yMax).Legend(lossLegend);
        gradient.Limits(lossLimits.xMin, lossLimits.xMax, gradientLimits.yMin, gradientLimits.yMax).Legend(gradientLegend);
        return figure;
    }

    private static Figure SmoothL1(Columns data) =>
        LossAndGradient("SmoothL1Loss for several β (β = 0 is L1)", data, "d", "d = input − target", "gradient ∂loss/∂input",
            new[] { "0", "0.5", "1", "2" }.Select((beta, k) => new Series($"smooth_l1_b{beta}", $"β = {beta}", Style.Curves[k])).ToList(),
            (-3, 3, 0, 3.2), Alignment.UpperCenter, (-1.3, 1.5), Alignment.UpperLeft);

    private static Figure Huber(Columns data) =>
        LossAndGradient("HuberLoss for several δ, and its δ → ∞ limit ½·d² (half of MSE)", data, "d", "d = input − target", "gradient ∂loss/∂input",
            new[] { "0.5", "1", "2" }.Select((delta, k) => new Series($"huber_d{delta}", $"δ = {delta}", Style.Curves[k + 1]))
                .Append(new Series("half_mse", "½·d²", Style.Curves[4], GradientLabel: "d", Dashed: true)).ToList(),
            (-3, 3, 0, 4.7), Alignment.UpperCenter, (-3.2, 3.8), Alignment.UpperLeft);

    private static Figure CrossEntropy(Columns data) =>
        LossAndGradient("CrossEntropyLoss, two classes, logits (z, 0), target class 0", data, "z", "logit gap z", "gradient ∂loss/∂z",
            new[] { "0", "0.1", "0.3" }.Select((epsilon, k) => new Series($"ce_e{epsilon}", $"ε = {epsilon}", Style.Curves[k])).ToList(),
            (-6, 6, 0, 6.5), Alignment.UpperRight, (-1.1, 0.5), Alignment.LowerRight);

    private static Figure Probabilistic(Columns data)
    {
        var figure = new Figure("Poisson NLL against the log-rate, Gaussian NLL against the variance", 1, 2, PanelWidth, PanelHeight);
        var poisson = figure[0].Labels("PoissonNLLLoss", "log-rate x = log λ", "PoissonNLLLoss (log input)");
        var gaussian = figure[1].Labels("GaussianNLLLoss", "variance v", "GaussianNLLLoss");
        string[] counts = { "0", "1", "3" }, errors = { "0.5", "1", "1.5" };
        for (int k = 0; k < 3; k++)
        {
            poisson.Curve(data["x"], data[$"poisson_y{counts[k]}"], Style.Curves[k], $"y = {counts[k]}");
            gaussian.Curve(data["v"], data[$"gaussian_d{errors[k]}"], Style.Curves[k], $"d = {errors[k]}");
        }
        poisson.Limits(-3, 3, -1.2, 6).Legend(Alignment.UpperCenter);
        gaussian.Limits(0, 4.1, -0.5, 4).Legend(Alignment.UpperRight);
        return figure;
    }

    private static Figure BoxIou(Columns data) =>
        LossAndGradient("Box losses of a 2 × 2 box (t, t, t + 2, t + 2) sliding past the box (0, 0, 2, 2)", data, "t", "offset t (disjoint for |t| > 2)",
            "gradient ∂loss/∂t",
            new[]
            {
                new Series("iou", "IoU loss (1 − IoU)", Style.Curves[4]), new Series("giou", "GIoU", Style.Curves[1]),
                new Series("diou", "DIoU", Style.Curves[0]), new Series("ciou", "CIoU (= DIoU: equal aspect ratios)", Style.Curves[3], Dashed: true),
            },
            (-4, 4, 0, 2.3), Alignment.UpperCenter, (-2.1, 2.1), Alignment.UpperLeft);

    private static Figure Focal(Columns data)
    {
        var figure = new Figure("Sigmoid focal loss of a positive against p, the probability of the true class (α off)", 1, 2, PanelWidth, PanelHeight);
        var loss = figure[0].Labels("focal loss −(1 − p)^γ·log p", "probability of the true class p", "loss");
        var factor = figure[1].Labels("modulating factor (1 − p)^γ = focal / BCE", "probability of the true class p", "(1 − p)^γ");
        string[] gammas = { "0", "0.5", "1", "2", "5" };
        for (int k = 0; k < gammas.Length; k++)
        {
            string label = gammas[k] == "0" ? "γ = 0 (BCE)" : $"γ = {gammas[k]}";
            loss.Curve(data["p"], data[$"focal_g{gammas[k]}"], Style.Curves[k], label);
            factor.Curve(data["p"], data[$"factor_g{gammas[k]}"], Style.Curves[k], label);
        }
        loss.Limits(0, 1, 0, 5).Legend(Alignment.UpperRight);
        factor.Limits(0, 1, 0, 1.05).Legend(null);   // the same colours as the loss panel's legend
        return figure;
    }

    private static Figure Robust(Columns data) =>
        LossAndGradient("Barron's general robust loss ρ(x, α, c = 1) and ψ = ∂ρ/∂x for a sweep of α", data, "x", "x = input − target (c = 1)",
            "ψ(x) = ∂ρ/∂x",
            new[]
            {
                new Series("a2", "α = 2 (L2, ½x²)", Style.Curves[4], Dashed: true), new Series("a1", "α = 1 (Charbonnier / pseudo-Huber)", Style.Curves[0]),
                new Series("a0", "α = 0 (Cauchy)", Style.Curves[1]), new Series("a-2", "α = −2 (Geman-McClure)", Style.Curves[2]),
                new Series("a-inf", "α = −∞ (Welsch)", Style.Curves[3]),
            },
            (-6, 6, 0, 5), Alignment.UpperCenter, (-2.2, 2.2), Alignment.UpperLeft);

    /// <summary>The columns of a data file written by <see cref="FigureTests"/>: the third comment line names them.</summary>
    private sealed class Columns
    {
        private readonly Dictionary<string, double[]> byName = new();

        public double[] this[string name] => byName.TryGetValue(name, out var values)
            ? values
            : throw new KeyNotFoundException($"no column '{name}' (columns: {string.Join(", ", byName.Keys)})");

        public static Columns Read(string path)
        {
            var lines = File.ReadAllLines(path);
            var names = lines.Where(l => l.StartsWith('#')).ElementAt(2).TrimStart('#').Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var rows = lines.Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
                .ToList();
            var columns = new Columns();
            for (int c = 0; c < names.Length; c++) columns.byName[names[c]] = rows.Select(r => r[c]).ToArray();
            return columns;
        }
    }
}
