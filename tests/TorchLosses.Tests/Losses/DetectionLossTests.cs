using TorchLosses;
using TorchLossesTests.Support;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// The detection losses: sigmoid and softmax focal, the IoU family of box losses and Balanced L1. References: libtorch's
/// own ops where a special case is one (γ = 0 focal is BCE with logits / cross entropy), float64 scalar loops written
/// here from the papers' formulas, torchvision's hand-derived test values, gradcheck, and (in DetectionVectorTests) the
/// vectors recorded from torchvision 0.14.
/// </summary>
[TestClass]
public sealed class DetectionLossTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double[] Values(Tensor t) => t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();

    // ---------------------------------------------------------------- sigmoid focal

    private static readonly double[] Logits = { -3.0, -0.7, 0.0, 0.4, 2.5, 6.0, -6.0, 1.1 };
    private static readonly double[] Labels = { 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0 };

    [TestMethod]
    [DataRow(0.25, 2.0), DataRow(-1.0, 2.0), DataRow(0.0, 2.0), DataRow(1.0, 0.0), DataRow(0.58, 0.5), DataRow(-1.0, 0.0)]
    public void SigmoidFocalMatchesTheScalarFormulaAndItsDerivedGradient(double alpha, double gamma)
    {
        using var scope = NewDisposeScope();
        var x = T(Logits);
        var y = T(Labels, grad: false);
        var loss = L.sigmoid_focal_loss(x, y, alpha, gamma);
        loss.sum().backward();
        var values = Values(loss);
        var grads = Values(x.grad!);
        for (int i = 0; i < Logits.Length; i++)
        {
            double p = Sigmoid(Logits[i]), t = Labels[i];
            double pt = p * t + (1 - p) * (1 - t);
            double at = alpha < 0 ? 1 : alpha * t + (1 - alpha) * (1 - t);
            double expected = -at * Math.Pow(1 - pt, gamma) * Math.Log(pt);
            double gradient = at * (2 * t - 1) * Math.Pow(1 - pt, gamma) * (gamma * pt * Math.Log(pt) + pt - 1);
            Assert.AreEqual(expected, values[i], 1e-12 * Math.Max(1, Math.Abs(expected)), $"value at x = {Logits[i]}");
            Assert.AreEqual(gradient, grads[i], 1e-12 * Math.Max(1, Math.Abs(gradient)), $"gradient at x = {Logits[i]}");
        }
    }

    [TestMethod]
    public void SigmoidFocalWithGammaZeroAndNoAlphaIsBceWithLogits()
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.sigmoid_focal_loss(a[0], a[1], -1, 0, reduction),
                    a => N.binary_cross_entropy_with_logits(a[0], a[1], reduction: reduction),
                    Normal(3, dtype, true, 4, 5), T(Enumerable.Range(0, 20).Select(i => (i * 7 % 3) / 2.0).ToArray(), dtype, true, 4, 5));
    }

    [TestMethod]
    public void SigmoidFocalReductionsAndTorchvisionsPlainMean()
    {
        using var scope = NewDisposeScope();
        var x = Normal(5, ScalarType.Float64, false, 3, 4);
        var y = T(Enumerable.Range(0, 12).Select(i => (double)(i % 2)).ToArray(), grad: false, shape: new long[] { 3, 4 });
        var none = L.sigmoid_focal_loss(x, y);
        CollectionAssert.AreEqual(new long[] { 3, 4 }, none.shape);
        Assert.AreEqual(none.sum().item<double>(), L.sigmoid_focal_loss(x, y, reduction: R.Sum).item<double>(), 1e-15);
        Assert.AreEqual(none.mean().item<double>(), L.sigmoid_focal_loss(x, y, reduction: R.Mean).item<double>(), 1e-15);
        var empty = L.sigmoid_focal_loss(zeros(0, 3, float64), zeros(0, 3, float64), reduction: R.Mean);
        Assert.IsTrue(double.IsNaN(empty.item<double>()), "torchvision's sigmoid_focal_loss takes a plain mean: NaN for no elements");
        using var module = TorchLosses.nn.SigmoidFocalLoss(reduction: R.Sum);
        Assert.AreEqual(L.sigmoid_focal_loss(x, y, reduction: R.Sum).item<double>(), module.forward(x, y).item<double>());
    }

    [TestMethod]
    public void SigmoidFocalIsAtMostBceAndStableForHugeLogits()
    {
        using var scope = NewDisposeScope();
        var x = T(new[] { -100.0, 100.0, -100.0, 100.0, 30.0 });
        var y = T(new[] { 0.0, 1.0, 1.0, 0.0, 1.0 }, grad: false);
        var loss = L.sigmoid_focal_loss(x, y, alpha: -1);
        loss.sum().backward();
        var bce = Values(N.binary_cross_entropy_with_logits(x.detach(), y, reduction: R.None));
        var values = Values(loss);
        for (int i = 0; i < values.Length; i++) Assert.IsTrue(values[i] <= bce[i], $"focal ≤ BCE at {i}");
        Assert.AreEqual(100.0, values[2], 1e-12);   // a confident mistake keeps (almost) its whole BCE
        Assert.IsTrue(Values(x.grad!).All(double.IsFinite));
    }

    [TestMethod]
    public void SigmoidFocalRejectsBadInput()
    {
        using var scope = NewDisposeScope();
        var x = zeros(3, 2, float32);
        Assert.ThrowsExactly<ArgumentException>(() => L.sigmoid_focal_loss(x, zeros(3, 3, float32)));
        Assert.ThrowsExactly<ArgumentException>(() => L.sigmoid_focal_loss(x, zeros(3, 2, int64)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.sigmoid_focal_loss(x, zeros(3, 2, float32), gamma: -1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.sigmoid_focal_loss(x, zeros(3, 2, float32), alpha: double.NaN));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.sigmoid_focal_loss(x, zeros(3, 2, float32), reduction: (R)7));
    }

    // ---------------------------------------------------------------- softmax focal

    private static Tensor Targets(params long[] values) => tensor(values, int64);

    [TestMethod]
    public void SoftmaxFocalWithGammaZeroIsCrossEntropyExactly()
    {
        // The same values and gradients as TorchLosses' cross_entropy to the last bit, and as libtorch's op within the dtype tolerance.
        using var scope = NewDisposeScope();
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var weighted in new[] { false, true })
                    foreach (var (shape, target) in new[] { (new long[] { 6, 4 }, Targets(0, 3, 1, -100, 2, 3)),
                                                            (new long[] { 2, 4, 3 }, Targets(0, 3, 1, 2, 2, -100).reshape(2, 3)) })
                    {
                        var weight = weighted ? T(new[] { 0.5, 2.0, 1.0, 1.5 }, dtype, grad: false) : null;
                        var input = Normal(11, dtype, true, shape);
                        using (LossGradients.Use(GradientMode.Autograd))
                        {
                            var x1 = input.detach().clone().requires_grad_(true);
                            var x2 = input.detach().clone().requires_grad_(true);
                            var focal = L.softmax_focal_loss(x1, target, weight, gamma: 0, reduction: reduction);
                            var ce = L.cross_entropy(x2, target, weight, reduction: reduction);
                            CollectionAssert.AreEqual(Values(ce), Values(focal), $"{dtype} {reduction} weighted={weighted}: values");
                            focal.sum().backward();
                            ce.sum().backward();
                            CollectionAssert.AreEqual(Values(x2.grad!), Values(x1.grad!), $"{dtype} {reduction} weighted={weighted}: gradients");
                        }
                        AssertSame(a => L.softmax_focal_loss(a[0], target, weight, 0, -100, reduction),
                            a => N.cross_entropy(a[0], target, weight, -100, reduction), input);
                    }
    }

    [TestMethod]
    [DataRow(2.0), DataRow(0.5), DataRow(1.0), DataRow(3.0)]
    public void SoftmaxFocalMatchesAScalarLoop(double gamma)
    {
        using var scope = NewDisposeScope();
        const int n = 5, c = 4;
        long[] targets = { 0, 3, -1, 2, 1 };
        double[] weight = { 0.25, 1.0, 2.0, 0.5 };
        var input = Normal(17, ScalarType.Float64, false, n, c);
        var x = Values(input);
        double sum = 0, weightSum = 0;
        var perRow = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (targets[i] == -1) continue;
            double max = Enumerable.Range(0, c).Max(k => x[i * c + k]);
            double z = Enumerable.Range(0, c).Sum(k => Math.Exp(x[i * c + k] - max));
            double logP = x[i * c + targets[i]] - max - Math.Log(z);
            perRow[i] = -weight[targets[i]] * Math.Pow(1 - Math.Exp(logP), gamma) * logP;
            sum += perRow[i];
            weightSum += weight[targets[i]];
        }
        var w = T(weight, grad: false);
        var t = Targets(targets);
        ValueAssert.Close(perRow, Values(L.softmax_focal_loss(input, t, w, gamma, -1, R.None)), 1e-12, "none");
        Assert.AreEqual(sum, L.softmax_focal_loss(input, t, w, gamma, -1, R.Sum).item<double>(), 1e-12);
        Assert.AreEqual(sum / weightSum, L.softmax_focal_loss(input, t, w, gamma, -1, R.Mean).item<double>(), 1e-12);
        GradCheck.gradcheck(a => L.softmax_focal_loss(a[0], t, w, gamma, -1, R.Mean), new[] { input.detach().clone().requires_grad_(true) });
    }

    [TestMethod]
    public void SoftmaxFocalGradientIsZeroNotNanWhereTheTargetIsCertain()
    {
        // p_y = 1 exactly in float64 (logit margin 1000): (1 − p)^γ is 0 with the limit gradient 0, also for γ < 1.
        using var scope = NewDisposeScope();
        var x = T(new[] { 1000.0, 0.0, 0.0, 0.0, 1.0, 2.0 }, shape: new long[] { 2, 3 });
        var loss = L.softmax_focal_loss(x, Targets(0, 2), gamma: 0.5, reduction: R.Sum);
        loss.backward();
        var grads = Values(x.grad!);
        Assert.IsTrue(grads.All(double.IsFinite));
        CollectionAssert.AreEqual(new[] { 0.0, 0.0, 0.0 }, grads.Take(3).ToArray());
    }

    [TestMethod]
    public void SoftmaxFocalModuleAndErrors()
    {
        using var scope = NewDisposeScope();
        var input = Normal(2, ScalarType.Float32, false, 3, 4);
        using var module = TorchLosses.nn.SoftmaxFocalLoss(gamma: 2);
        Assert.AreEqual(L.softmax_focal_loss(input, Targets(0, 1, 2)).item<float>(), module.forward(input, Targets(0, 1, 2)).item<float>());
        var outOfRange = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.softmax_focal_loss(input, Targets(0, 4, 1)));
        StringAssert.Contains(outOfRange.Message, "Target 4 is out of bounds.");
        Assert.ThrowsExactly<ArgumentException>(() => L.softmax_focal_loss(input, Targets(0, 1)));
        Assert.ThrowsExactly<ArgumentException>(() => L.softmax_focal_loss(input, zeros(3, float32)));
        Assert.ThrowsExactly<ArgumentException>(() => L.softmax_focal_loss(input, zeros(3, 4, float32)));
        Assert.ThrowsExactly<ArgumentException>(() => L.softmax_focal_loss(input, Targets(0, 1, 2), weight: ones(3, float32)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.softmax_focal_loss(input, Targets(0, 1, 2), gamma: double.PositiveInfinity));
    }

    // ---------------------------------------------------------------- IoU family

    // torchvision's test boxes (test_ops.py): box1 a 2×2 square around 0, box2 its upper-right quarter, box3 adjacent to box2,
    // box4 touching box2 at a corner.
    private static readonly double[][] TorchvisionBoxes =
    {
        new[] { -1.0, -1, 1, 1 }, new[] { 0.0, 0, 1, 1 }, new[] { 0.0, 1, 1, 2 }, new[] { 1.0, 1, 2, 2 },
    };

    private static Tensor Boxes(ScalarType dtype, params double[][] boxes) =>
        tensor(boxes.SelectMany(b => b).ToArray(), new long[] { boxes.Length, 4 }).to(dtype);

    [TestMethod]
    // torchvision pairs box1 with box1, box2 and box2 with box3, box4 for GIoU, and box1 with each box for DIoU and CIoU.
    [DataRow("giou", false, new[] { 0.0, 0.75, 1.0, 1.5 })]
    [DataRow("diou", true, new[] { 0.0, 0.8125, 1.1923, 1.25 })]
    [DataRow("ciou", true, new[] { 0.0, 0.8125, 1.1923, 1.25 })]
    [DataRow("iou", false, new[] { 0.0, 0.75, 1.0, 1.0 })]
    public void TorchvisionsKnownBoxValues(string which, bool againstBox1, double[] expected)
    {
        using var scope = NewDisposeScope();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            var b = TorchvisionBoxes;
            var a = againstBox1 ? Boxes(dtype, b[0], b[0], b[0], b[0]) : Boxes(dtype, b[0], b[0], b[1], b[1]);
            var g = Boxes(dtype, b[0], b[1], b[2], b[3]);
            var loss = Box(which, a, g, R.None, 1e-7);
            // torchvision's tolerance for these hand values is 1e-4 (they are rounded to 4 digits).
            ValueAssert.Close(expected, Values(loss), 1e-4, $"{which} {dtype}");
            Assert.AreEqual(expected.Sum(), Values(Box(which, a, g, R.Sum, 1e-7))[0], 4e-4);
            Assert.AreEqual(expected.Average(), Values(Box(which, a, g, R.Mean, 1e-7))[0], 1e-4);
        }
    }

    private static Tensor Box(string which, Tensor a, Tensor b, R reduction, double eps) => which switch
    {
        "iou" => L.box_iou_loss(a, b, reduction, eps),
        "giou" => L.generalized_box_iou_loss(a, b, reduction, eps),
        "diou" => L.distance_box_iou_loss(a, b, reduction, eps),
        _ => L.complete_box_iou_loss(a, b, reduction, eps),
    };

    /// <summary>The papers' formulas per box pair in float64, with torchvision's placement of eps.</summary>
    private static double ScalarBoxLoss(string which, double[] p, double[] g, double eps)
    {
        double iw = Math.Min(p[2], g[2]) - Math.Max(p[0], g[0]);
        double ih = Math.Min(p[3], g[3]) - Math.Max(p[1], g[1]);
        double inter = iw > 0 && ih > 0 ? iw * ih : 0;
        double union = (p[2] - p[0]) * (p[3] - p[1]) + (g[2] - g[0]) * (g[3] - g[1]) - inter;
        double iou = inter / (union + eps);
        double cw = Math.Max(p[2], g[2]) - Math.Min(p[0], g[0]);
        double ch = Math.Max(p[3], g[3]) - Math.Min(p[1], g[1]);
        if (which == "iou") return 1 - iou;
        if (which == "giou") return 1 - iou + (cw * ch - union) / (cw * ch + eps);
        double rho2 = Math.Pow((p[0] + p[2]) / 2 - (g[0] + g[2]) / 2, 2) + Math.Pow((p[1] + p[3]) / 2 - (g[1] + g[3]) / 2, 2);
        double diou = 1 - iou + rho2 / (cw * cw + ch * ch + eps);
        if (which == "diou") return diou;
        double v = 4 / (Math.PI * Math.PI) * Math.Pow(Math.Atan((g[2] - g[0]) / (g[3] - g[1])) - Math.Atan((p[2] - p[0]) / (p[3] - p[1])), 2);
        return diou + v / (1 - iou + v + eps) * v;
    }

    private static double[][] RandomBoxes(int seed, int count, bool allowInverted)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            double x = random.NextDouble() * 4 - 2, y = random.NextDouble() * 4 - 2;
            double w = random.NextDouble() * 3 + 0.1, h = random.NextDouble() * 3 + 0.1;
            if (allowInverted && random.NextDouble() < 0.2) w = -w;   // x2 < x1, computed as torchvision does
            return new[] { x, y, x + w, y + h };
        }).ToArray();
    }

    [TestMethod]
    [DataRow("iou"), DataRow("giou"), DataRow("diou"), DataRow("ciou")]
    public void BoxLossesMatchAScalarLoopIncludingInvertedBoxes(string which)
    {
        using var scope = NewDisposeScope();
        var p = RandomBoxes(1, 40, allowInverted: true);
        var g = RandomBoxes(2, 40, allowInverted: true);
        foreach (var eps in new[] { 1e-7, 0.0, 0.5 })
        {
            var expected = p.Zip(g, (a, b) => ScalarBoxLoss(which, a, b, eps)).ToArray();
            ValueAssert.Close(expected, Values(Box(which, Boxes(ScalarType.Float64, p), Boxes(ScalarType.Float64, g), R.None, eps)), 1e-12, $"{which} eps={eps}");
        }
    }

    [TestMethod]
    [DataRow("iou"), DataRow("giou"), DataRow("diou")]
    public void BoxLossGradientsPassGradcheck(string which)
    {
        // Random boxes (overlapping and disjoint) away from the kinks where edges cross: the central difference is exact there.
        using var scope = NewDisposeScope();
        var p = Boxes(ScalarType.Float64, RandomBoxes(3, 12, allowInverted: false)).requires_grad_(true);
        var g = Boxes(ScalarType.Float64, RandomBoxes(4, 12, allowInverted: false)).requires_grad_(true);
        GradCheck.gradcheck(a => Box(which, a[0], a[1], R.Sum, 1e-7), new[] { p, g });
    }

    [TestMethod]
    public void CompleteIouGradientTreatsAlphaAsAConstant()
    {
        // CIoU's gradient is DIoU's plus α·∂v with α = v/(1 − IoU + v + eps) held fixed: check it against autograd of
        // DIoU + α₀·v with α₀ computed beforehand, where v is written out here.
        using var scope = NewDisposeScope();
        var pBoxes = RandomBoxes(5, 10, false);
        var gBoxes = RandomBoxes(6, 10, false);
        var p = Boxes(ScalarType.Float64, pBoxes).requires_grad_(true);
        var g = Boxes(ScalarType.Float64, gBoxes).requires_grad_(true);
        L.complete_box_iou_loss(p, g, R.Sum).backward();

        var p2 = Boxes(ScalarType.Float64, pBoxes).requires_grad_(true);
        var g2 = Boxes(ScalarType.Float64, gBoxes).requires_grad_(true);
        Tensor V(Tensor a, Tensor b) => 4 / (Math.PI * Math.PI) *
            ((b[.., 2] - b[.., 0]) / (b[.., 3] - b[.., 1])).atan().sub(((a[.., 2] - a[.., 0]) / (a[.., 3] - a[.., 1])).atan()).square();
        var iou = 1 - L.box_iou_loss(p2.detach(), g2.detach());
        var v0 = V(p2.detach(), g2.detach());
        var alpha = v0 / (1 - iou + v0 + 1e-7);
        (L.distance_box_iou_loss(p2, g2) + alpha * V(p2, g2)).sum().backward();
        ValueAssert.Close(Values(p2.grad!), Values(p.grad!), 1e-12, "∂/∂boxes1");
        ValueAssert.Close(Values(g2.grad!), Values(g.grad!), 1e-12, "∂/∂boxes2");
    }

    [TestMethod]
    [DataRow("iou"), DataRow("giou"), DataRow("diou"), DataRow("ciou")]
    public void EmptyBatchMeanIsZeroWithADefinedZeroGradient(string which)
    {
        using var scope = NewDisposeScope();
        var p = zeros(new long[] { 0, 4 }, float32).requires_grad_(true);
        var g = zeros(new long[] { 0, 4 }, float32);
        var mean = Box(which, p, g, R.Mean, 1e-7);
        Assert.AreEqual(0f, mean.item<float>());
        mean.backward();
        Assert.IsNotNull(p.grad);
        CollectionAssert.AreEqual(new long[] { 0, 4 }, p.grad!.shape);
        CollectionAssert.AreEqual(new long[] { 0 }, Box(which, p, g, R.None, 1e-7).shape);
        Assert.AreEqual(0f, Box(which, p, g, R.Sum, 1e-7).item<float>());
    }

    [TestMethod]
    public void IntegerAndHalfBoxesArePromotedToFloat32()
    {
        using var scope = NewDisposeScope();
        var b = TorchvisionBoxes;
        var expected = L.generalized_box_iou_loss(Boxes(ScalarType.Float32, b[0], b[1]), Boxes(ScalarType.Float32, b[1], b[3]));
        foreach (var dtype in new[] { ScalarType.Int64, ScalarType.Int32, ScalarType.Float16, ScalarType.BFloat16 })
        {
            var loss = L.generalized_box_iou_loss(Boxes(dtype, b[0], b[1]), Boxes(dtype, b[1], b[3]));
            Assert.AreEqual(ScalarType.Float32, loss.dtype, $"{dtype}");
            CollectionAssert.AreEqual(Values(expected), Values(loss), $"{dtype}");
        }
        Assert.AreEqual(ScalarType.Float64, L.distance_box_iou_loss(Boxes(ScalarType.Int64, b[0]), Boxes(ScalarType.Float64, b[1])).dtype);
    }

    [TestMethod]
    public void DisjointBoxesHaveAFlatIouButNotAFlatGiou()
    {
        using var scope = NewDisposeScope();
        var p = Boxes(ScalarType.Float64, new[] { 0.0, 0, 1, 1 }).requires_grad_(true);
        var g = Boxes(ScalarType.Float64, new[] { 3.0, 0, 4, 1 });
        L.box_iou_loss(p, g, R.Sum).backward();
        CollectionAssert.AreEqual(new[] { 0.0, 0, 0, 0 }, Values(p.grad!));
        p.grad!.zero_();
        L.generalized_box_iou_loss(p, g, R.Sum).backward();
        Assert.IsTrue(Values(p.grad!)[2] < 0, "GIoU pulls the right edge towards the target");
    }

    [TestMethod]
    public void BoxModulesAndErrors()
    {
        using var scope = NewDisposeScope();
        var b = TorchvisionBoxes;
        var p = Boxes(ScalarType.Float32, b[0], b[1]);
        var g = Boxes(ScalarType.Float32, b[1], b[2]);
        using var module = TorchLosses.nn.CompleteBoxIouLoss(reduction: R.Mean);
        Assert.AreEqual(L.complete_box_iou_loss(p, g, R.Mean).item<float>(), module.forward(p, g).item<float>());
        Assert.ThrowsExactly<ArgumentException>(() => L.generalized_box_iou_loss(zeros(2, 3), zeros(2, 3)));
        Assert.ThrowsExactly<ArgumentException>(() => L.generalized_box_iou_loss(zeros(2, 4), zeros(3, 4)));
        Assert.ThrowsExactly<ArgumentException>(() => L.generalized_box_iou_loss(zeros(2, 4, ScalarType.Bool), zeros(2, 4)));
        Assert.ThrowsExactly<ArgumentException>(() => L.box_iou_loss(zeros(4), zeros(Array.Empty<long>())));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.distance_box_iou_loss(p, g, eps: -1e-7));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.complete_box_iou_loss(p, g, eps: double.NaN));
        CollectionAssert.AreEqual(new long[] { 2 }, L.box_iou_loss(p, g[..1]).shape, "(1, 4) broadcasts against (2, 4)");
    }

    // ---------------------------------------------------------------- Balanced L1

    private static (double value, double gradient) ScalarBalancedL1(double d, double alpha, double gamma, double beta)
    {
        double b = Math.Exp(gamma / alpha) - 1, x = Math.Abs(d);
        if (x < beta)
            return (alpha / b * (b * x + 1) * Math.Log(b * x / beta + 1) - alpha * x,
                Math.Sign(d) * (alpha * Math.Log(b * x / beta + 1) + alpha * (b * x + 1) / (b * x + beta) - alpha));
        return (gamma * x + gamma / b - alpha * beta, Math.Sign(d) * gamma);
    }

    [TestMethod]
    [DataRow(0.5, 1.5, 1.0), DataRow(0.5, 1.5, 0.5), DataRow(1.0, 2.0, 2.0)]
    public void BalancedL1MatchesTheScalarFormulaAndItsDerivedGradient(double alpha, double gamma, double beta)
    {
        using var scope = NewDisposeScope();
        double[] d = { 0.0, 1e-3, -0.2, 0.4999, 0.5, -0.9, 1.0, 1.7, -3.0, 2.0 };
        var x = T(d);
        var loss = L.balanced_l1_loss(x, zeros(d.Length, float64), alpha, gamma, beta, R.None);
        loss.sum().backward();
        var values = Values(loss);
        var grads = Values(x.grad!);
        for (int i = 0; i < d.Length; i++)
        {
            var (value, gradient) = ScalarBalancedL1(d[i], alpha, gamma, beta);
            Assert.AreEqual(value, values[i], 1e-13 * Math.Max(1, Math.Abs(value)), $"value at d = {d[i]}");
            Assert.AreEqual(gradient, grads[i], 1e-13 * Math.Max(1, Math.Abs(gradient)), $"gradient at d = {d[i]}");
        }
    }

    [TestMethod]
    public void BalancedL1IsContinuousAtBetaAndItsSlopeToo()
    {
        // With the defaults: b = e³ − 1, C = γ/b − αβ; value continuous, slope α·ln(b + 1) = γ on both sides.
        double alpha = 0.5, gamma = 1.5, b = Math.Exp(3) - 1;
        var below = ScalarBalancedL1(Math.BitDecrement(1.0), alpha, gamma, 1.0);
        var at = ScalarBalancedL1(1.0, alpha, gamma, 1.0);
        Assert.AreEqual(at.value, below.value, 1e-14);
        Assert.AreEqual(gamma, below.gradient, 1e-14);
        Assert.AreEqual(1.5 + 1.5 / b - 0.5, at.value, 1e-15);
        using var scope = NewDisposeScope();
        Assert.AreEqual(at.value, L.balanced_l1_loss(T(new[] { 1.0 }), zeros(1, float64)).item<double>(), 1e-15);
    }

    [TestMethod]
    public void BalancedL1GradcheckReductionsEmptyAndNonFinite()
    {
        using var scope = NewDisposeScope();
        var input = T(new[] { 0.3, -0.6, 1.4, -2.2, 0.05, 0.8 }, shape: new long[] { 2, 3 });
        var target = T(new[] { 0.0, 0.1, -0.2, 0.3, 0.9, -0.4 }, shape: new long[] { 2, 3 });
        GradCheck.gradcheck(a => L.balanced_l1_loss(a[0], a[1]), new[] { input, target });
        var none = L.balanced_l1_loss(input, target, reduction: R.None);
        Assert.AreEqual(none.sum().item<double>(), L.balanced_l1_loss(input, target, reduction: R.Sum).item<double>(), 1e-15);
        Assert.AreEqual(none.mean().item<double>(), L.balanced_l1_loss(input, target).item<double>(), 1e-15);

        var empty = zeros(0, float32).requires_grad_(true);
        var mean = L.balanced_l1_loss(empty, zeros(0, float32));
        Assert.AreEqual(0f, mean.item<float>());
        mean.backward();
        CollectionAssert.AreEqual(new long[] { 0 }, empty.grad!.shape);

        var x = T(new[] { double.PositiveInfinity, double.NaN, 0.5 });
        var loss = L.balanced_l1_loss(x, zeros(3, float64), reduction: R.None);
        loss.sum().backward();
        var v = Values(loss);
        Assert.IsTrue(double.IsPositiveInfinity(v[0]) && double.IsNaN(v[1]) && double.IsFinite(v[2]));
        var g = Values(x.grad!);
        Assert.AreEqual(1.5, g[0], "an infinite residual is on the linear branch: slope γ, no NaN from the other branch");
        Assert.IsTrue(double.IsFinite(g[2]));

        using var module = TorchLosses.nn.BalancedL1Loss(beta: 0.5);
        Assert.AreEqual(L.balanced_l1_loss(input, target, beta: 0.5).item<double>(), module.forward(input, target).item<double>());
    }

    [TestMethod]
    public void BalancedL1RejectsBadInput()
    {
        using var scope = NewDisposeScope();
        var x = zeros(3, float32);
        Assert.ThrowsExactly<ArgumentException>(() => L.balanced_l1_loss(x, zeros(4, float32)));
        Assert.ThrowsExactly<ArgumentException>(() => L.balanced_l1_loss(x, zeros(3, int64)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.balanced_l1_loss(x, x, beta: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.balanced_l1_loss(x, x, alpha: -0.5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.balanced_l1_loss(x, x, gamma: double.NaN));
    }
}
