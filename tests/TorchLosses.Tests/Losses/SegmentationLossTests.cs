using TorchLosses;
using TorchLossesTests.Support;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// The soft-overlap segmentation losses (Dice, Jaccard, Tversky, focal Tversky) against an independent float64 scalar loop
/// written here from segmentation_models.pytorch's definitions, the Tversky identities, gradcheck, reductions, non-finite
/// inputs and bad input.
/// </summary>
[TestClass]
public sealed class SegmentationLossTests
{
    private static double[] Values(Tensor t) => t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();

    /// <summary>
    /// The per-class losses by loops: probabilities p[n, c, i] and one-hot/0-1 truth t[n, c, i] (NaN marks an ignored position),
    /// summed over n and i per class; classes without a true pixel get 0.
    /// </summary>
    private static double[] Reference(double[,,] p, double[,,] t, string kind, double smooth, double eps, double alpha, double beta, bool log)
    {
        int n = p.GetLength(0), c = p.GetLength(1), m = p.GetLength(2);
        var result = new double[c];
        for (int k = 0; k < c; k++)
        {
            double tp = 0, sp = 0, st = 0, fp = 0, fn = 0;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < m; i++)
                {
                    double s = p[b, k, i], y = t[b, k, i];
                    if (double.IsNaN(y)) continue;   // ignored
                    tp += s * y; sp += s; st += y; fp += s * (1 - y); fn += (1 - s) * y;
                }
            double score = kind switch
            {
                "dice" => (2 * tp + smooth) / Math.Max(sp + st + smooth, eps),
                "jaccard" => (tp + smooth) / Math.Max(sp + st - tp + smooth, eps),
                _ => (tp + smooth) / Math.Max(tp + alpha * fp + beta * fn + smooth, eps),
            };
            double loss = log ? -Math.Log(Math.Max(score, eps)) : 1 - score;
            result[k] = st > 0 ? loss : 0;
        }
        return result;
    }

    private static (Tensor logits, Tensor target, double[,,] p, double[,,] t) Multiclass(int seed, long ignore)
    {
        const int n = 2, c = 4, h = 3, w = 5;
        var random = new Random(seed);
        var logits = Normal(seed, ScalarType.Float64, false, n, c, h, w);
        var labels = new long[n * h * w];
        // Class 3 never appears in the target (an absent class); some positions are ignored.
        for (int i = 0; i < labels.Length; i++) labels[i] = random.NextDouble() < 0.15 ? ignore : random.Next(0, 3);
        var target = tensor(labels, new long[] { n, h, w });
        var probabilities = logits.softmax(1);
        var pv = Values(probabilities);
        var p = new double[n, c, h * w];
        var t = new double[n, c, h * w];
        for (int b = 0; b < n; b++)
            for (int k = 0; k < c; k++)
                for (int i = 0; i < h * w; i++)
                {
                    p[b, k, i] = pv[(b * c + k) * h * w + i];
                    long y = labels[b * h * w + i];
                    t[b, k, i] = y == ignore ? double.NaN : y == k ? 1 : 0;
                }
        return (logits, target, p, t);
    }

    private static Tensor Call(string kind, Tensor x, Tensor y, SegmentationMode mode, long? ignore, double smooth, double eps, bool log,
        R reduction, double alpha = 0.5, double beta = 0.5, double gamma = 1, long[]? classes = null, bool fromLogits = true) => kind switch
    {
        "dice" => L.dice_loss(x, y, mode, classes, log, fromLogits, smooth, ignore, eps, reduction),
        "jaccard" => L.jaccard_loss(x, y, mode, classes, log, fromLogits, smooth, ignore, eps, reduction),
        _ => L.tversky_loss(x, y, mode, classes, log, fromLogits, smooth, ignore, eps, alpha, beta, gamma, reduction),
    };

    [TestMethod]
    [DataRow("dice", 0.0, false), DataRow("dice", 1.0, false), DataRow("dice", 0.0, true), DataRow("jaccard", 0.0, false),
     DataRow("jaccard", 0.5, true), DataRow("tversky", 0.0, false), DataRow("tversky", 1.0, true)]
    public void MulticlassMatchesTheScalarLoop(string kind, double smooth, bool log)
    {
        using var scope = NewDisposeScope();
        var (logits, target, p, t) = Multiclass(31, ignore: 255);
        var expected = Reference(p, t, kind, smooth, 1e-7, 0.3, 0.7, log);
        Assert.AreEqual(0.0, expected[3], "class 3 is absent from the target: zero loss");
        var none = Values(Call(kind, logits, target, SegmentationMode.Multiclass, 255, smooth, 1e-7, log, R.None, 0.3, 0.7));
        ValueAssert.Close(expected, none, 1e-12, "none");
        Assert.AreEqual(expected.Average(), Values(Call(kind, logits, target, SegmentationMode.Multiclass, 255, smooth, 1e-7, log, R.Mean, 0.3, 0.7))[0], 1e-12);
        Assert.AreEqual(expected.Sum(), Values(Call(kind, logits, target, SegmentationMode.Multiclass, 255, smooth, 1e-7, log, R.Sum, 0.3, 0.7))[0], 1e-12);
        var subset = Values(Call(kind, logits, target, SegmentationMode.Multiclass, 255, smooth, 1e-7, log, R.None, 0.3, 0.7, classes: new long[] { 2, 0 }));
        CollectionAssert.AreEqual(new[] { none[2], none[0] }, subset);
    }

    [TestMethod]
    [DataRow("dice"), DataRow("jaccard"), DataRow("tversky")]
    public void BinaryAndMultilabelFromProbabilitiesMatchTheScalarLoop(string kind)
    {
        using var scope = NewDisposeScope();
        const int n = 3, c = 2, m = 6;
        var random = new Random(5);
        var pv = Enumerable.Range(0, n * c * m).Select(_ => random.NextDouble()).ToArray();
        var tv = Enumerable.Range(0, n * c * m).Select(i => i % 7 == 0 ? -1.0 : random.NextDouble() < 0.4 ? 1.0 : 0.0).ToArray();
        var p = new double[n, c, m];
        var t = new double[n, c, m];
        for (int i = 0; i < pv.Length; i++)
        {
            p[i / (c * m), i / m % c, i % m] = pv[i];
            t[i / (c * m), i / m % c, i % m] = tv[i] < 0 ? double.NaN : tv[i];
        }
        var probabilities = tensor(pv, new long[] { n, c, 2, 3 });
        var target = tensor(tv, new long[] { n, c, 2, 3 });
        var multilabel = Call(kind, probabilities, target, SegmentationMode.Multilabel, -1, 0.5, 1e-7, false, R.None, 0.4, 0.6, fromLogits: false);
        ValueAssert.Close(Reference(p, t, kind, 0.5, 1e-7, 0.4, 0.6, false), Values(multilabel), 1e-12, "multilabel");

        // Binary: one channel; the logits path equals the probabilities path on σ(logits).
        var logits = Normal(6, ScalarType.Float64, false, n, 1, 2, 3);
        var binaryTarget = tensor(tv.Take(n * m).ToArray(), new long[] { n, 2, 3 });
        var fromLogits = Call(kind, logits, binaryTarget, SegmentationMode.Binary, -1, 0.0, 1e-7, false, R.None, 0.4, 0.6);
        var sigmoid = Values(logits.sigmoid());
        var pb = new double[n, 1, m];
        var tb = new double[n, 1, m];
        for (int i = 0; i < n * m; i++)
        {
            pb[i / m, 0, i % m] = sigmoid[i];
            tb[i / m, 0, i % m] = tv[i] < 0 ? double.NaN : tv[i];
        }
        ValueAssert.Close(Reference(pb, tb, kind, 0.0, 1e-7, 0.4, 0.6, false), Values(fromLogits), 1e-12, "binary");
    }

    [TestMethod]
    public void TverskyAtOneHalfIsDiceAndAtOneIsJaccard()
    {
        using var scope = NewDisposeScope();
        var (logits, target, _, _) = Multiclass(41, ignore: 255);
        foreach (var reduction in AllReductions)
            foreach (var log in new[] { false, true })
            {
                var x1 = logits.detach().clone().requires_grad_(true);
                var x2 = logits.detach().clone().requires_grad_(true);
                var tversky = L.tversky_loss(x1, target, log_loss: log, ignore_index: 255, alpha: 0.5, beta: 0.5, reduction: reduction);
                var dice = L.dice_loss(x2, target, log_loss: log, ignore_index: 255, reduction: reduction);
                ValueAssert.Close(Values(dice), Values(tversky), 1e-14, $"Tversky(½, ½) = Dice, {reduction}, log {log}");
                tversky.sum().backward();
                dice.sum().backward();
                ValueAssert.Close(Values(x2.grad!), Values(x1.grad!), 1e-13, "gradients");

                var x3 = logits.detach().clone().requires_grad_(true);
                var x4 = logits.detach().clone().requires_grad_(true);
                var t1 = L.tversky_loss(x3, target, log_loss: log, smooth: 0.5, ignore_index: 255, alpha: 1, beta: 1, reduction: reduction);
                var jaccard = L.jaccard_loss(x4, target, log_loss: log, smooth: 0.5, ignore_index: 255, reduction: reduction);
                ValueAssert.Close(Values(jaccard), Values(t1), 1e-14, $"Tversky(1, 1) = Jaccard, {reduction}, log {log}");
                t1.sum().backward();
                jaccard.sum().backward();
                ValueAssert.Close(Values(x4.grad!), Values(x3.grad!), 1e-13, "gradients");
            }
    }

    [TestMethod]
    public void FocalTverskyRaisesTheReducedLoss()
    {
        using var scope = NewDisposeScope();
        var (logits, target, p, t) = Multiclass(43, ignore: 255);
        var perClass = Reference(p, t, "tversky", 0, 1e-7, 0.7, 0.3, false);
        Assert.AreEqual(Math.Pow(perClass.Average(), 0.75), L.focal_tversky_loss(logits, target, ignore_index: 255).item<double>(), 1e-12);
        ValueAssert.Close(perClass.Select(v => Math.Pow(v, 0.75)).ToArray(),
            Values(L.focal_tversky_loss(logits, target, ignore_index: 255, reduction: R.None)), 1e-12, "per class");
        using var module = TorchLosses.nn.FocalTverskyLoss(ignore_index: 255);
        Assert.AreEqual(L.focal_tversky_loss(logits, target, ignore_index: 255).item<double>(), module.forward(logits, target).item<double>());
    }

    [TestMethod]
    [DataRow("dice"), DataRow("jaccard"), DataRow("tversky")]
    public void GradientsPassGradcheck(string kind)
    {
        using var scope = NewDisposeScope();
        var (logits, target, _, _) = Multiclass(47, ignore: 255);
        var x = logits.detach().clone().requires_grad_(true);
        GradCheck.gradcheck(a => Call(kind, a[0], target, SegmentationMode.Multiclass, 255, 0.5, 1e-7, false, R.Mean, 0.3, 0.7, gamma: 1.5), new[] { x });
        var probabilities = Normal(48, ScalarType.Float64, false, 2, 3, 4).sigmoid().detach().requires_grad_(true);
        var labels = tensor(Enumerable.Range(0, 24).Select(i => (double)(i % 3 == 0 ? 1 : 0)).ToArray(), new long[] { 2, 3, 4 });
        GradCheck.gradcheck(a => Call(kind, a[0], labels, SegmentationMode.Multilabel, null, 0.0, 1e-7, true, R.Sum, 0.3, 0.7, fromLogits: false),
            new[] { probabilities });
    }

    [TestMethod]
    public void ModulesFloat32NonFiniteAndEmptyClasses()
    {
        using var scope = NewDisposeScope();
        var (logits, target, _, _) = Multiclass(53, ignore: 255);
        using var dice = TorchLosses.nn.DiceLoss(ignore_index: 255);
        using var jaccard = TorchLosses.nn.JaccardLoss(ignore_index: 255);
        using var tversky = TorchLosses.nn.TverskyLoss(ignore_index: 255, alpha: 0.3, beta: 0.7);
        Assert.AreEqual(L.dice_loss(logits, target, ignore_index: 255).item<double>(), dice.forward(logits, target).item<double>());
        Assert.AreEqual(L.jaccard_loss(logits, target, ignore_index: 255).item<double>(), jaccard.forward(logits, target).item<double>());
        Assert.AreEqual(L.tversky_loss(logits, target, ignore_index: 255, alpha: 0.3, beta: 0.7).item<double>(), tversky.forward(logits, target).item<double>());

        var f32 = L.dice_loss(logits.to(ScalarType.Float32), target, ignore_index: 255);
        Assert.AreEqual(ScalarType.Float32, f32.dtype);
        Assert.AreEqual(L.dice_loss(logits, target, ignore_index: 255).item<double>(), f32.item<float>(), 1e-5);

        var nan = logits.clone();
        nan[0, 0, 0, 0] = tensor(double.NaN);
        Assert.IsTrue(double.IsNaN(L.dice_loss(nan, target, ignore_index: 255).item<double>()), "a NaN score propagates");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.dice_loss(logits, target), "255 is a class index out of range unless it is ignore_index");
        var huge = logits * 1e4;   // saturated softmax: finite loss and gradient
        var x = huge.detach().clone().requires_grad_(true);
        var loss = L.dice_loss(x, target, ignore_index: 255);
        loss.backward();
        Assert.IsTrue(double.IsFinite(loss.item<double>()) && Values(x.grad!).All(double.IsFinite));

        // Everything ignored: every class is absent from the target, the loss is 0 with a zero gradient.
        var ignoredAll = torch.full(target.shape, 255L, int64);
        var y = logits.detach().clone().requires_grad_(true);
        var zero = L.dice_loss(y, ignoredAll, ignore_index: 255);
        zero.backward();
        Assert.AreEqual(0.0, zero.item<double>());
        Assert.IsTrue(Values(y.grad!).All(v => v == 0));
    }

    [TestMethod]
    public void BadInputIsRejected()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(2, 3, 4, 4);
        Assert.ThrowsExactly<ArgumentException>(() => L.dice_loss(logits, zeros(new long[] { 2, 4, 5 }, int64)));
        Assert.ThrowsExactly<ArgumentException>(() => L.dice_loss(logits, zeros(new long[] { 2, 4, 4 }, float32)));
        var outOfRange = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.dice_loss(logits, full(new long[] { 2, 4, 4 }, 3L, int64)));
        StringAssert.Contains(outOfRange.Message, "Target 3 is out of bounds.");
        Assert.ThrowsExactly<ArgumentException>(() => L.dice_loss(logits, zeros(new long[] { 2, 3, 4, 3 }), SegmentationMode.Multilabel));
        Assert.ThrowsExactly<ArgumentException>(() => L.dice_loss(zeros(new long[] { 2, 1, 4 }), zeros(new long[] { 2, 5 }), SegmentationMode.Binary));
        Assert.ThrowsExactly<ArgumentException>(() => L.dice_loss(zeros(new long[] { 2, 1, 4 }), zeros(new long[] { 2, 4 }), SegmentationMode.Binary, classes: new long[] { 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.dice_loss(logits, zeros(new long[] { 2, 4, 4 }, int64), classes: new long[] { 3 }));
        Assert.ThrowsExactly<ArgumentException>(() => L.dice_loss(zeros(new long[] { 2, 3, 4 }, int64), zeros(new long[] { 2, 4 }, int64)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.dice_loss(logits, zeros(new long[] { 2, 4, 4 }, int64), smooth: -1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.tversky_loss(logits, zeros(new long[] { 2, 4, 4 }, int64), gamma: 0));
        Assert.ThrowsExactly<ArgumentException>(() => L.jaccard_loss(logits, zeros(new long[] { 3, 4, 4 }, int64)));
    }

    [TestMethod]
    public void AnEmptyBatchHasNoClassPresentSoItsLossIsZeroAndNullOrDisposedTensorsAreNamed()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(new long[] { 0, 4, 3 }, float64, requires_grad: true);
        var target = zeros(new long[] { 0, 3 }, int64);
        var loss = L.dice_loss(logits, target);
        Assert.AreEqual(0.0, loss.item<double>(), "no class occurs in an empty target: every per-class loss is masked to 0");
        Assert.AreEqual(0.0, L.tversky_loss(zeros(new long[] { 0, 1, 3 }, float64), zeros(new long[] { 0, 1, 3 }), mode: TorchLosses.SegmentationMode.Binary).item<double>());
        Assert.AreEqual("input", Assert.ThrowsExactly<ArgumentNullException>(() => L.dice_loss(null!, target)).ParamName);
        var disposed = zeros(new long[] { 2, 3 }, int64);
        disposed.Dispose();
        Assert.AreEqual("target", Assert.ThrowsExactly<ObjectDisposedException>(() => L.jaccard_loss(zeros(2, 4, 3), disposed)).ObjectName);
        Assert.AreEqual("eps", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.dice_loss(zeros(new long[] { 2, 4, 3 }, float16), zeros(new long[] { 2, 3 }, int64), eps: 1e300)).ParamName);
    }
}
