using System.Globalization;
using System.Text;

namespace TorchLossesTests.Docs;

/// <summary>
/// The data behind the figures of the docs, computed by TorchLosses. Each test recomputes a data file
/// and fails if the committed one differs, so a figure cannot show curves the code no longer
/// produces. With <c>TORCHLOSSES_UPDATE_FIGURES=1</c> the tests write the data instead and redraw the
/// figures, PNG and SVG, with ScottPlot (<see cref="DocFigures"/>); <c>docs/figures/update.sh</c> does that.
/// </summary>
[TestClass]
public sealed class FigureTests
{
    private const string UpdateVariable = "TORCHLOSSES_UPDATE_FIGURES";

    private static readonly string[] DataFiles =
    {
        "docs/figures/data/regression.dat", "docs/figures/data/cross-entropy.dat", "docs/figures/data/probabilistic.dat",
        "docs/figures/data/box-iou.dat", "docs/figures/data/focal.dat", "docs/figures/data/robust.dat",
    };

    [TestMethod]
    public void RegressionFigureDataIsCurrent() => AssertCurrent(DataFiles[0], RegressionCurves());

    [TestMethod]
    public void CrossEntropyFigureDataIsCurrent() => AssertCurrent(DataFiles[1], CrossEntropyCurves());

    [TestMethod]
    public void ProbabilisticFigureDataIsCurrent() => AssertCurrent(DataFiles[2], ProbabilisticCurves());

    [TestMethod]
    public void BoxIouFigureDataIsCurrent() => AssertCurrent(DataFiles[3], BoxIouCurves());

    [TestMethod]
    public void FocalFigureDataIsCurrent() => AssertCurrent(DataFiles[4], FocalCurves());

    [TestMethod]
    public void RobustFigureDataIsCurrent() => AssertCurrent(DataFiles[5], RobustCurves());

    /// <summary>
    /// The committed data draw: every figure comes out as a PNG and an SVG (drawn here into a temporary folder), and each
    /// has its committed counterpart in docs/figures.
    /// </summary>
    [TestMethod]
    public void FiguresDrawFromTheCommittedData()
    {
        var folder = Directory.CreateTempSubdirectory("doc-figures-");
        try
        {
            var files = DocFigures.DrawAll(Repository.PathOf("docs/figures/data"), folder.FullName);
            Assert.HasCount(14, files);
            foreach (var file in files)
            {
                var bytes = File.ReadAllBytes(file);
                Assert.IsGreaterThan(10_000, bytes.Length, $"{file} is too small to hold a figure");
                if (file.EndsWith(".png", StringComparison.Ordinal))
                    CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4], $"{file} is not a PNG");
                else
                    StringAssert.Contains(File.ReadAllText(file), "<svg", $"{file} is not an SVG");
                string committed = Path.Combine("docs/figures", Path.GetFileName(file));
                Assert.IsTrue(File.Exists(Repository.PathOf(committed)), $"{committed} is missing; run docs/figures/update.sh");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// d from −3 to 3 in steps of 0.02 (every kink of β, δ ∈ {0.5, 1, 2} is a grid point); per-element
    /// loss and gradient of SmoothL1 (β = 0, 0.5, 1, 2), Huber (δ = 0.5, 1, 2) and MSE/2.
    /// </summary>
    internal static string RegressionCurves()
    {
        using var scope = NewDisposeScope();
        var d = Enumerable.Range(-150, 301).Select(k => k / 50.0).ToArray();
        var columns = new List<(string name, double[] values)> { ("d", d) };
        void Add(string name, Func<Tensor, Tensor, Tensor> loss)
        {
            var input = tensor(d).requires_grad_();
            var perElement = loss(input, zeros(d.Length, ScalarType.Float64));
            var gradient = autograd.grad(new[] { perElement.sum() }, new[] { input })[0]!;
            columns.Add(($"{name}", perElement.detach().data<double>().ToArray()));
            columns.Add(($"{name}'", gradient.data<double>().ToArray()));
        }
        foreach (var beta in new[] { 0.0, 0.5, 1.0, 2.0 })
            Add($"smooth_l1_b{beta.ToString(CultureInfo.InvariantCulture)}", (x, y) => L.smooth_l1_loss(x, y, R.None, beta));
        foreach (var delta in new[] { 0.5, 1.0, 2.0 })
            Add($"huber_d{delta.ToString(CultureInfo.InvariantCulture)}", (x, y) => L.huber_loss(x, y, R.None, delta));
        Add("half_mse", (x, y) => 0.5 * L.mse_loss(x, y, R.None));
        return Table("Regression losses of d = input − target (target 0), computed by TorchLosses; X' is the derivative of X.", columns);
    }

    /// <summary>
    /// Two classes with logits (z, 0) and target class 0, z from −6 to 6 in steps of 0.05: the loss
    /// and its derivative in z for label smoothing ε = 0, 0.1, 0.3.
    /// </summary>
    internal static string CrossEntropyCurves()
    {
        using var scope = NewDisposeScope();
        var z = Enumerable.Range(-120, 241).Select(k => k / 20.0).ToArray();
        var columns = new List<(string name, double[] values)> { ("z", z) };
        foreach (var epsilon in new[] { 0.0, 0.1, 0.3 })
        {
            var gap = tensor(z).requires_grad_();
            var logits = stack(new[] { gap, zeros(z.Length, ScalarType.Float64) }, 1);
            var perRow = L.cross_entropy(logits, zeros(z.Length, ScalarType.Int64), reduction: R.None, label_smoothing: epsilon);
            var gradient = autograd.grad(new[] { perRow.sum() }, new[] { gap })[0]!;
            string name = $"ce_e{epsilon.ToString(CultureInfo.InvariantCulture)}";
            columns.Add((name, perRow.detach().data<double>().ToArray()));
            columns.Add(($"{name}'", gradient.data<double>().ToArray()));
        }
        return Table("Cross entropy of logits (z, 0) against class 0, computed by TorchLosses; X' is the derivative in z.", columns);
    }

    /// <summary>
    /// 241 rows of two curves each: Poisson NLL (log input) against the log-rate x from −3 to 3 (step 1/40)
    /// for counts y = 0, 1, 3; and Gaussian NLL against the variance v from 0.1 to 4.1 (step 1/60) for
    /// errors d = 0.5, 1, 1.5.
    /// </summary>
    internal static string ProbabilisticCurves()
    {
        using var scope = NewDisposeScope();
        var x = Enumerable.Range(0, 241).Select(k => -3 + k / 40.0).ToArray();
        var v = Enumerable.Range(0, 241).Select(k => 0.1 + k / 60.0).ToArray();
        var columns = new List<(string name, double[] values)> { ("x", x) };
        foreach (var count in new[] { 0.0, 1.0, 3.0 })
            columns.Add(($"poisson_y{count.ToString(CultureInfo.InvariantCulture)}",
                L.poisson_nll_loss(tensor(x), full(x.Length, count, ScalarType.Float64), reduction: R.None).data<double>().ToArray()));
        columns.Add(("v", v));
        foreach (var d in new[] { 0.5, 1.0, 1.5 })
            columns.Add(($"gaussian_d{d.ToString(CultureInfo.InvariantCulture)}",
                L.gaussian_nll_loss(full(v.Length, d, ScalarType.Float64), zeros(v.Length, ScalarType.Float64), tensor(v), reduction: R.None).data<double>().ToArray()));
        return Table("Poisson NLL of log-rate x for counts y, and Gaussian NLL of variance v for errors d, computed by TorchLosses.", columns);
    }

    /// <summary>
    /// A 2 × 2 box sliding diagonally past the target box (0, 0, 2, 2): the prediction is (t, t, t + 2, t + 2) for t from −4 to 4
    /// in steps of 0.02 (the boxes overlap for |t| &lt; 2 and touch at a corner for |t| = 2). Per-box loss and its derivative in t
    /// for the IoU, GIoU, DIoU and CIoU losses (eps = 1e-7).
    /// </summary>
    internal static string BoxIouCurves()
    {
        using var scope = NewDisposeScope();
        var t = Enumerable.Range(-200, 401).Select(k => k / 50.0).ToArray();
        var columns = new List<(string name, double[] values)> { ("t", t) };
        var target = tensor(new[] { 0.0, 0, 2, 2 }).expand(t.Length, 4);
        var side = tensor(2.0);
        void Add(string name, Func<Tensor, Tensor, Tensor> loss)
        {
            var shift = tensor(t).requires_grad_();
            var corner = shift.unsqueeze(1);
            var perBox = loss(cat(new[] { corner, corner, corner + side, corner + side }, 1), target);
            var gradient = autograd.grad(new[] { perBox.sum() }, new[] { shift })[0]!;
            columns.Add((name, perBox.detach().data<double>().ToArray()));
            columns.Add(($"{name}'", gradient.data<double>().ToArray()));
        }
        Add("iou", (a, b) => L.box_iou_loss(a, b));
        Add("giou", (a, b) => L.generalized_box_iou_loss(a, b));
        Add("diou", (a, b) => L.distance_box_iou_loss(a, b));
        Add("ciou", (a, b) => L.complete_box_iou_loss(a, b));
        return Table("Box losses of the prediction (t, t, t + 2, t + 2) against the target (0, 0, 2, 2), computed by TorchLosses; X' is the derivative in t.", columns);
    }

    /// <summary>
    /// The sigmoid focal loss of a positive (target 1, α &lt; 0: no α weighting) against the probability p of the true class,
    /// p = k/400 for k = 1 … 399, for γ = 0, 0.5, 1, 2, 5; and its modulating factor (1 − p)^γ, the ratio of the focal loss to its
    /// γ = 0 value (which is BCE).
    /// </summary>
    internal static string FocalCurves()
    {
        using var scope = NewDisposeScope();
        var p = Enumerable.Range(1, 399).Select(k => k / 400.0).ToArray();
        var logits = tensor(p.Select(v => Math.Log(v) - Math.Log(1 - v)).ToArray());
        var positive = ones(p.Length, ScalarType.Float64);
        var bce = L.sigmoid_focal_loss(logits, positive, alpha: -1, gamma: 0);
        var columns = new List<(string name, double[] values)> { ("p", p) };
        foreach (var gamma in new[] { 0.0, 0.5, 1.0, 2.0, 5.0 })
        {
            var focal = L.sigmoid_focal_loss(logits, positive, alpha: -1, gamma: gamma);
            string name = gamma.ToString(CultureInfo.InvariantCulture);
            columns.Add(($"focal_g{name}", focal.data<double>().ToArray()));
            columns.Add(($"factor_g{name}", (focal / bce).data<double>().ToArray()));
        }
        return Table("Sigmoid focal loss of a positive (alpha < 0) against the probability p of the true class, and focal / BCE = (1 - p)^gamma, computed by TorchLosses.", columns);
    }

    /// <summary>
    /// x from −6 to 6 in steps of 0.02, c = 1: Barron's ρ(x, α, c) and ψ = ∂ρ/∂x (by autograd) for α = 2 (L2, ½x²),
    /// 1 (Charbonnier / pseudo-Huber), 0 (Cauchy), −2 (Geman-McClure) and −∞ (Welsch), each at the exact limit the loss takes there.
    /// </summary>
    internal static string RobustCurves()
    {
        using var scope = NewDisposeScope();
        var x = Enumerable.Range(-300, 601).Select(k => k / 50.0).ToArray();
        var columns = new List<(string name, double[] values)> { ("x", x) };
        foreach (var (name, alpha) in RobustSweep)
        {
            var input = tensor(x).requires_grad_();
            var perElement = L.barron_loss(input, zeros(x.Length, ScalarType.Float64), alpha, 1.0, R.None);
            var gradient = autograd.grad(new[] { perElement.sum() }, new[] { input })[0]!;
            columns.Add((name, perElement.detach().data<double>().ToArray()));
            columns.Add(($"{name}'", gradient.data<double>().ToArray()));
        }
        return Table("Barron's general robust loss rho(x, alpha, c = 1) for a sweep of alpha, computed by TorchLosses; X' is the derivative in x (autograd).", columns);
    }

    /// <summary>The α of the robust figure, by column name.</summary>
    internal static readonly (string Name, double Alpha)[] RobustSweep =
    {
        ("a2", 2.0), ("a1", 1.0), ("a0", 0.0), ("a-2", -2.0), ("a-inf", double.NegativeInfinity),
    };

    private static string Table(string title, List<(string name, double[] values)> columns)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(title).Append('\n');
        text.Append("# Generated by tests/TorchLosses.Tests/Docs/FigureTests.cs; do not edit.\n");
        text.Append("# ").AppendJoin(' ', columns.Select(c => c.name)).Append('\n');
        for (int row = 0; row < columns[0].values.Length; row++)
            text.AppendJoin(' ', columns.Select(c => Format(c.values[row]))).Append('\n');
        return text.ToString();
    }

    /// <summary>Six decimals: enough for a plot, and stable against last-bit differences between gradient paths.</summary>
    private static string Format(double value)
    {
        string text = value.ToString("0.000000", CultureInfo.InvariantCulture);
        return text == "-0.000000" ? "0.000000" : text;
    }

    private static void AssertCurrent(string relativePath, string computed)
    {
        string path = Repository.PathOf(relativePath);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, computed);
            if (DataFiles.All(f => File.Exists(Repository.PathOf(f)))) Redraw();   // the last one written redraws all figures
            return;
        }
        Assert.IsTrue(File.Exists(path), $"{relativePath} is missing; run docs/figures/update.sh");
        string committed = File.ReadAllText(path).Replace("\r\n", "\n");
        if (committed == computed) return;
        var committedLines = committed.Split('\n');
        var computedLines = computed.Split('\n');
        int first = Enumerable.Range(0, Math.Min(committedLines.Length, computedLines.Length)).FirstOrDefault(i => committedLines[i] != computedLines[i]);
        Assert.Fail($"{relativePath} no longer matches the code (first difference on line {first + 1}):\n"
            + $"committed: {committedLines.ElementAtOrDefault(first)}\ncomputed:  {computedLines.ElementAtOrDefault(first)}\n"
            + "If the change is intended, run docs/figures/update.sh and commit the data and the figures.");
    }

    private static readonly object redrawLock = new();

    private static void Redraw()
    {
        lock (redrawLock) DocFigures.DrawAll(Repository.PathOf("docs/figures/data"), Repository.PathOf("docs/figures"));
    }
}
