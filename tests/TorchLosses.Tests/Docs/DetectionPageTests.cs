using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Docs;

/// <summary>Every number and identity of docs/losses/detection.md, computed by TorchLosses (and, where the page says so, by libtorch).</summary>
[TestClass]
public sealed class DetectionPageTests : DocPageTests
{
    protected override string PagePath => "docs/losses/detection.md";

    private static readonly double[][] Box = { new[] { -1.0, -1, 1, 1 }, new[] { 0.0, 0, 1, 1 }, new[] { 0.0, 1, 1, 2 }, new[] { 1.0, 1, 2, 2 } };

    private static Tensor B(double[] box) => tensor(box);

    private static double Item(Tensor t) => t.to(ScalarType.Float64).item<double>();

    protected override Checks Values() => new()
    {
        { "empty_mean", () => Item(L.generalized_box_iou_loss(zeros(0, 4, float64), zeros(0, 4, float64), R.Mean)) },
        { "focal_positive", () => Item(L.sigmoid_focal_loss(tensor(2.0), tensor(1.0))) },
        { "focal_negative", () => Item(L.sigmoid_focal_loss(tensor(2.0), tensor(0.0))) },
        { "softmax_focal_example", () => Item(L.softmax_focal_loss(tensor(new[] { 2.0, 1.0, 0.0 }), tensor(0L))) },
        { "giou_quarter", () => Item(L.generalized_box_iou_loss(B(Box[0]), B(Box[1]))) },
        { "giou_adjacent", () => Item(L.generalized_box_iou_loss(B(Box[1]), B(Box[2]))) },
        { "giou_corner", () => Item(L.generalized_box_iou_loss(B(Box[1]), B(Box[3]))) },
        { "diou_quarter", () => Item(L.distance_box_iou_loss(B(Box[0]), B(Box[1]))) },
        { "diou_box3", () => Item(L.distance_box_iou_loss(B(Box[0]), B(Box[2]))) },
        { "ciou_rectangle", () => Item(L.complete_box_iou_loss(B(new[] { 0.0, 0, 2, 1 }), B(Box[1]))) },
        { "balanced_b", () => Math.Exp(1.5 / 0.5) - 1 },
        { "balanced_c", () => Item(L.balanced_l1_loss(tensor(new[] { 2.0 }), zeros(1, float64))) - 3.0 },
        { "balanced_slope_half", BalancedSlopeAtHalf },
        { "balanced_half", () => Item(L.balanced_l1_loss(tensor(new[] { 0.5 }), zeros(1, float64))) },
        { "balanced_two", () => Item(L.balanced_l1_loss(tensor(new[] { 2.0 }), zeros(1, float64))) },
    };

    private static double BalancedSlopeAtHalf()
    {
        var x = tensor(new[] { 0.5 }).requires_grad_(true);
        L.balanced_l1_loss(x, zeros(1, float64)).backward();
        return x.grad!.item<double>();
    }

    [TestMethod, DocIdentity("sigmoid_focal_gamma0_is_bce")]
    public void SigmoidFocalAtGammaZeroIsBce()
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.sigmoid_focal_loss(a[0], a[1], alpha: -1, gamma: 0, reduction),
                    a => N.binary_cross_entropy_with_logits(a[0], a[1], reduction: reduction),
                    Normal(21, dtype, true, 6, 3) * 4, T(Enumerable.Range(0, 18).Select(i => i % 3 == 0 ? 1.0 : 0.0).ToArray(), dtype, false, 6, 3));
    }

    [TestMethod, DocIdentity("softmax_focal_gamma0_is_cross_entropy")]
    public void SoftmaxFocalAtGammaZeroIsCrossEntropy()
    {
        using var scope = NewDisposeScope();
        var target = tensor(new long[] { 0, 2, 1, 3, 3 });
        var weight = tensor(new[] { 1.0, 0.5, 2.0, 1.5 });
        foreach (var reduction in AllReductions)
        {
            AssertSame(a => L.softmax_focal_loss(a[0], target, weight, 0, 3, reduction), a => N.cross_entropy(a[0], target, weight, 3, reduction),
                Normal(22, ScalarType.Float64, true, 5, 4));
            using (TorchLosses.LossGradients.Use(TorchLosses.GradientMode.Autograd))
            {
                var x = Normal(23, ScalarType.Float64, false, 5, 4);
                CollectionAssert.AreEqual(L.cross_entropy(x, target, weight, 3, reduction).flatten().data<double>().ToArray(),
                    L.softmax_focal_loss(x, target, weight, 0, 3, reduction).flatten().data<double>().ToArray(), $"{reduction}");
            }
        }
    }

    [TestMethod, DocIdentity("ciou_is_diou_for_equal_aspect")]
    public void CiouIsDiouWhenTheAspectRatiosAgree()
    {
        using var scope = NewDisposeScope();
        var random = new Random(7);
        var p = new List<double>();
        var g = new List<double>();
        for (int i = 0; i < 50; i++)
        {
            double w = random.NextDouble() * 3 + 0.1, h = w * (random.NextDouble() < 0.5 ? 1 : 0.5), s = random.NextDouble() * 2 + 0.2;
            double x = random.NextDouble() * 4 - 2, y = random.NextDouble() * 4 - 2, xg = random.NextDouble() * 4 - 2, yg = random.NextDouble() * 4 - 2;
            p.AddRange(new[] { x, y, x + w, y + h });
            g.AddRange(new[] { xg, yg, xg + s * w, yg + s * h });   // the same aspect ratio w/h, another size
        }
        var pt = tensor(p.ToArray(), new long[] { 50, 4 }).requires_grad_(true);
        var gt = tensor(g.ToArray(), new long[] { 50, 4 });
        var pd = tensor(p.ToArray(), new long[] { 50, 4 }).requires_grad_(true);
        var ciou = L.complete_box_iou_loss(pt, gt);
        var diou = L.distance_box_iou_loss(pd, gt);
        AssertClose(diou.detach(), ciou.detach(), "values");
        ciou.sum().backward();
        diou.sum().backward();
        AssertClose(pd.grad!, pt.grad!, "gradients");
    }

    [TestMethod, DocIdentity("iou_is_flat_for_disjoint_boxes")]
    public void IouIsFlatForDisjointBoxes()
    {
        using var scope = NewDisposeScope();
        // Disjoint along x, along y and diagonally, touching at an edge and at a corner.
        var p = tensor(new[] { 0.0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1 }, new long[] { 5, 4 }).requires_grad_(true);
        var g = tensor(new[] { 2.0, 0, 3, 1, 0, 3, 1, 4, 2, 2, 3, 5, 1, 0, 2, 1, 1, 1, 2, 2 }, new long[] { 5, 4 }).requires_grad_(true);
        var loss = L.box_iou_loss(p, g);
        CollectionAssert.AreEqual(new[] { 1.0, 1, 1, 1, 1 }, loss.detach().data<double>().ToArray());
        loss.sum().backward();
        Assert.IsTrue(p.grad!.flatten().data<double>().ToArray().All(v => v == 0) && g.grad!.flatten().data<double>().ToArray().All(v => v == 0));
        var giou = tensor(new[] { 0.0, 0, 1, 1 }).requires_grad_(true);
        L.generalized_box_iou_loss(giou, tensor(new[] { 2.0, 0, 3, 1 })).backward();
        Assert.IsTrue(giou.grad!.data<double>().ToArray().Any(v => v != 0), "GIoU is not flat there");
    }

    [TestMethod, DocIdentity("balanced_l1_is_continuous_at_beta")]
    public void BalancedL1IsContinuousAtBeta()
    {
        using var scope = NewDisposeScope();
        foreach (var (alpha, gamma, beta) in new[] { (0.5, 1.5, 1.0), (0.5, 1.5, 0.5), (1.0, 2.0, 2.0), (0.25, 1.0, 3.0) })
        {
            var x = tensor(new[] { Math.BitDecrement(beta), beta }).requires_grad_(true);
            var loss = L.balanced_l1_loss(x, zeros(2, float64), alpha, gamma, beta, R.None);
            var v = loss.detach().data<double>().ToArray();
            Assert.AreEqual(v[1], v[0], 1e-12 * Math.Max(1, v[1]), $"value at β = {beta}");
            loss.sum().backward();
            var slopes = x.grad!.data<double>().ToArray();
            Assert.AreEqual(gamma, slopes[1], 1e-15);
            if (beta == 1.0) Assert.AreEqual(gamma, slopes[0], 1e-12, "β = 1: the slope is continuous too");
        }
    }
}
