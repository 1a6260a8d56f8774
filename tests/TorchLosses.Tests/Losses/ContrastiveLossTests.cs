using TorchLosses;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// The contrastive family (pairwise contrastive, InfoNCE, NT-Xent, SupCon, ArcFace, CosFace) against float64 scalar loops,
/// their identities, gradcheck and errors.
/// </summary>
[TestClass]
public sealed class ContrastiveLossTests
{
    private const double Rtol = 1e-12;

    private static double[][] Rows(Tensor t)
    {
        var values = t.detach().to(ScalarType.Float64).contiguous().flatten().data<double>().ToArray();
        long d = t.shape[^1];
        return Enumerable.Range(0, (int)(values.Length / d)).Select(i => values.Skip(i * (int)d).Take((int)d).ToArray()).ToArray();
    }

    private static double[] Unit(double[] v)
    {
        double norm = Math.Max(Math.Sqrt(v.Sum(x => x * x)), 1e-12);
        return v.Select(x => x / norm).ToArray();
    }

    private static double Dot(double[] a, double[] b) => a.Select((x, i) => x * b[i]).Sum();

    /// <summary>−log(e^{logits[k]}/Σ e^{logits}) in float64, by the max-shifted sum.</summary>
    private static double CrossEntropy(IReadOnlyList<double> logits, int k)
    {
        double max = logits.Max();
        return -(logits[k] - max - Math.Log(logits.Sum(l => Math.Exp(l - max))));
    }

    private static void Close(double[] expected, Tensor actual, string what, double rtol = Rtol)
    {
        var a = actual.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();
        Assert.HasCount(expected.Length, a, what);
        for (int i = 0; i < a.Length; i++)
            Assert.IsTrue(Math.Abs(expected[i] - a[i]) <= 1e-14 + rtol * Math.Abs(expected[i]), $"{what}[{i}]: expected {expected[i]:R}, got {a[i]:R}");
    }

    [TestMethod]
    public void InfoNCEMatchesTheScalarLoop()
    {
        using var scope = NewDisposeScope();
        var q = Normal(1, ScalarType.Float64, true, 4, 3);
        var p = Normal(2, ScalarType.Float64, true, 4, 3);
        var n = Normal(3, ScalarType.Float64, true, 5, 3);
        var perQuery = Normal(4, ScalarType.Float64, true, 4, 2, 3);
        foreach (var tau in new[] { 0.07, 0.5 })
        {
            var qs = Rows(q).Select(Unit).ToArray();
            var ps = Rows(p).Select(Unit).ToArray();
            var ns = Rows(n).Select(Unit).ToArray();
            var inBatch = qs.Select((qi, i) => CrossEntropy(ps.Select(pj => Dot(qi, pj) / tau).ToArray(), i)).ToArray();
            Close(inBatch, L.info_nce_loss(q, p, temperature: tau, reduction: R.None), $"in-batch τ={tau}");
            var shared = qs.Select((qi, i) => CrossEntropy(new[] { Dot(qi, ps[i]) / tau }.Concat(ns.Select(nj => Dot(qi, nj) / tau)).ToArray(), 0)).ToArray();
            Close(shared, L.info_nce_loss(q, p, n, tau, R.None), $"shared negatives τ={tau}");
            Close(new[] { shared.Average() }, L.info_nce_loss(q, p, n, tau), "mean");
            Close(new[] { shared.Sum() }, L.info_nce_loss(q, p, n, tau, R.Sum), "sum");
            var own = Rows(perQuery).Select(Unit).ToArray();
            var perQueryLoss = qs.Select((qi, i) => CrossEntropy(new[] { Dot(qi, ps[i]) / tau, Dot(qi, own[2 * i]) / tau, Dot(qi, own[2 * i + 1]) / tau }, 0)).ToArray();
            Close(perQueryLoss, L.info_nce_loss(q, p, perQuery, tau, R.None), $"per-query negatives τ={tau}");
        }
    }

    [TestMethod]
    public void InfoNCEWithOneNegativeIsTheSoftplusOfTheLogitDifference()
    {
        using var scope = NewDisposeScope();
        var q = Normal(5, ScalarType.Float64, false, 6, 4);
        var p = Normal(6, ScalarType.Float64, false, 6, 4);
        var n = Normal(7, ScalarType.Float64, false, 6, 1, 4);
        foreach (var tau in new[] { 0.07, 0.2, 1.0 })
        {
            var qn = EmbeddingGeometry.UnitRows(q);
            var difference = ((qn * EmbeddingGeometry.UnitRows(n.squeeze(1))).sum(1) - (qn * EmbeddingGeometry.UnitRows(p)).sum(1)) / tensor(tau);
            var softplus = Rows(difference.unsqueeze(1)).Select(r => r[0] > 0 ? r[0] + Math.Log(1 + Math.Exp(-r[0])) : Math.Log(1 + Math.Exp(r[0]))).ToArray();
            Close(softplus, L.info_nce_loss(q, p, n, tau, R.None), $"τ = {tau}");
        }
    }

    [TestMethod]
    public void NTXentAndSupConMatchTheScalarLoopAndEachOther()
    {
        using var scope = NewDisposeScope();
        var z1 = Normal(8, ScalarType.Float64, true, 3, 4);
        var z2 = Normal(9, ScalarType.Float64, true, 3, 4);
        const double tau = 0.1;
        var z = Rows(z1).Concat(Rows(z2)).Select(Unit).ToArray();
        double[] Others(int k) => Enumerable.Range(0, 6).Where(j => j != k).Select(j => Dot(z[k], z[j]) / tau).ToArray();
        var ntxent = Enumerable.Range(0, 6).Select(k =>
        {
            int partner = (k + 3) % 6;
            return CrossEntropy(Others(k), partner < k ? partner : partner - 1);
        }).ToArray();
        Close(ntxent, L.nt_xent_loss(z1, z2, tau, R.None), "nt_xent");
        Close(new[] { ntxent.Average() }, L.nt_xent_loss(z1, z2, tau), "nt_xent mean");
        // SupCon with labels [0, 1, 0, 0, 2, 1]: anchor 4 has no positive (0 under none, not counted by mean).
        var labels = new long[] { 0, 1, 0, 0, 2, 1 };
        var features = torch.cat(new[] { z1, z2 }, 0);
        var supcon = Enumerable.Range(0, 6).Select(i =>
        {
            var others = Enumerable.Range(0, 6).Where(a => a != i).ToArray();
            var logits = others.Select(a => Dot(z[i], z[a]) / tau).ToArray();
            var positives = others.Select((a, index) => (a, index)).Where(t => labels[t.a] == labels[i]).ToArray();
            return positives.Length == 0 ? 0 : positives.Average(t => CrossEntropy(logits, t.index));
        }).ToArray();
        Close(supcon, L.supcon_loss(features, tensor(labels), tau, R.None), "supcon");
        Close(new[] { supcon.Sum() / 5 }, L.supcon_loss(features, tensor(labels), tau), "supcon mean over anchors with positives");
        // Two views per label: SupCon is NT-Xent.
        Close(ntxent, L.supcon_loss(features, tensor(new long[] { 0, 1, 2, 0, 1, 2 }), tau, R.None), "supcon = nt_xent");
    }

    [TestMethod]
    public void PairwiseContrastiveMatchesTheScalarLoop()
    {
        using var scope = NewDisposeScope();
        var a = Normal(10, ScalarType.Float64, true, 5, 3);
        var b = Normal(11, ScalarType.Float64, true, 5, 3);
        var y = tensor(new long[] { 1, 0, 0, 1, 0 });
        var ra = Rows(a);
        var rb = Rows(b);
        foreach (var margin in new[] { 0.5, 2.0, 5.0 })
        {
            var expected = ra.Select((ai, i) =>
            {
                double d2 = ai.Select((x, k) => (x - rb[i][k]) * (x - rb[i][k])).Sum();
                double gap = Math.Max(margin - Math.Sqrt(d2), 0);
                return i == 0 || i == 3 ? d2 : gap * gap;
            }).ToArray();
            Close(expected, L.contrastive_loss(a, b, y, margin, R.None), $"m = {margin}");
            Close(new[] { expected.Average() }, TorchLosses.nn.ContrastiveLoss(margin).forward(a, b, y), $"module m = {margin}");
        }
        // Identical dissimilar inputs: d = 0, loss m², gradient 0 (the subgradient), not NaN.
        var same = T(new[] { 1.0, 2.0 }, shape: new long[] { 1, 2 });
        var value = L.contrastive_loss(same, same.detach().clone(), tensor(new long[] { 0 }), 1.5, R.Sum);
        Assert.AreEqual(2.25, value.item<double>(), 1e-15);
        Assert.IsTrue(autograd.grad(new[] { value }, new[] { same })[0].eq(tensor(0.0)).all().item<bool>());
    }

    [TestMethod]
    public void ArcFaceMatchesTheScalarLoopWithItsFallbackAndIsScaledCosineSoftmaxAtZeroMargin()
    {
        using var scope = NewDisposeScope();
        using var head = TorchLosses.nn.ArcFaceLoss(5, 3, margin: 0.5, scale: 8, reduction: R.None, dtype: ScalarType.Float64);
        var weight = Rows(head.weight).Select(Unit).ToArray();
        // Row 0 points away from its class (θ > π − m: the fallback); the others are random.
        var x = Normal(12, ScalarType.Float64, true, 4, 3);
        using (no_grad()) x[0].copy_(-head.weight[2]);
        var labels = tensor(new long[] { 2, 0, 4, 1 });
        var xs = Rows(x).Select(Unit).ToArray();
        var expected = xs.Select((xi, i) =>
        {
            int y = (int)labels[i].item<long>();
            var cos = weight.Select(w => Math.Clamp(Dot(xi, w), -1, 1)).ToArray();
            double theta = Math.Acos(cos[y]);
            double target = theta > Math.PI - 0.5 ? cos[y] - 0.5 * Math.Sin(0.5) : Math.Cos(theta + 0.5);
            var logits = cos.Select((c, j) => 8 * (j == y ? target : c)).ToArray();
            return CrossEntropy(logits, y);
        }).ToArray();
        Close(expected, head.forward(x, labels), "arcface", 1e-10);   // acos/cos round-trip: 1e-10 relative
        using var plain = TorchLosses.nn.ArcFaceLoss(5, 3, margin: 0, scale: 8, reduction: R.None, dtype: ScalarType.Float64);
        var cosines = EmbeddingGeometry.UnitRows(x).matmul(EmbeddingGeometry.UnitRows(plain.weight).t());
        Close(Rows(L.cross_entropy(tensor(8.0) * cosines, labels, reduction: R.None).unsqueeze(1)).Select(r => r[0]).ToArray(), plain.forward(x, labels), "m = 0");
        using var cosface = TorchLosses.nn.CosFaceLoss(5, 3, margin: 0, scale: 8, reduction: R.None, dtype: ScalarType.Float64);
        var cosines2 = EmbeddingGeometry.UnitRows(x).matmul(EmbeddingGeometry.UnitRows(cosface.weight).t());
        Close(Rows(L.cross_entropy(tensor(8.0) * cosines2, labels, reduction: R.None).unsqueeze(1)).Select(r => r[0]).ToArray(), cosface.forward(x, labels), "cosface m = 0");
        Assert.AreEqual(1, head.parameters().Count());
    }

    [TestMethod]
    public void EveryContrastiveLossPassesGradcheck()
    {
        using var scope = NewDisposeScope();
        var a = Normal(20, ScalarType.Float64, true, 4, 3);
        var b = Normal(21, ScalarType.Float64, true, 4, 3);
        var n = Normal(22, ScalarType.Float64, true, 5, 3);
        using var arc = TorchLosses.nn.ArcFaceLoss(5, 3, 0.5, 4, dtype: ScalarType.Float64);
        using var cos = TorchLosses.nn.CosFaceLoss(5, 3, 0.35, 4, dtype: ScalarType.Float64);
        var labels = tensor(new long[] { 0, 3, 1, 1 });
        foreach (var reduction in AllReductions)
        {
            var checks = new (string, Func<Tensor[], Tensor>, Tensor[])[]
            {
                ("info_nce", t => L.info_nce_loss(t[0], t[1], t[2], 0.2, reduction), new[] { a, b, n }),
                ("info_nce in-batch", t => L.info_nce_loss(t[0], t[1], null, 0.2, reduction), new[] { a, b }),
                ("nt_xent", t => L.nt_xent_loss(t[0], t[1], 0.2, reduction), new[] { a, b }),
                ("supcon", t => L.supcon_loss(t[0], labels, 0.2, reduction), new[] { a }),
                ("contrastive", t => L.contrastive_loss(t[0], t[1], tensor(new long[] { 1, 0, 0, 1 }), 3.0, reduction), new[] { a, b }),
            };
            foreach (var (name, f, inputs) in checks)
                Assert.IsTrue(GradCheck.gradcheck(f, inputs).Passed, $"{name} {reduction}");
        }
        Assert.IsTrue(GradCheck.gradcheck(t => arc.forward(t[0], labels), new[] { a }).Passed, "arcface");
        Assert.IsTrue(GradCheck.gradcheck(t => cos.forward(t[0], labels), new[] { a }).Passed, "cosface");
    }

    [TestMethod]
    public void BadInputIsRejectedWithClearErrors()
    {
        using var scope = NewDisposeScope();
        var a = zeros(4, 3);
        Assert.AreEqual("query", Assert.ThrowsExactly<ArgumentNullException>(() => L.info_nce_loss(null!, a)).ParamName);
        Assert.AreEqual("positive_key", Assert.ThrowsExactly<ArgumentException>(() => L.info_nce_loss(a, zeros(3, 3))).ParamName);
        Assert.AreEqual("negative_keys", Assert.ThrowsExactly<ArgumentException>(() => L.info_nce_loss(a, a, zeros(5, 2))).ParamName);
        Assert.AreEqual("temperature", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.nt_xent_loss(a, a, 0)).ParamName);
        Assert.AreEqual("labels", Assert.ThrowsExactly<ArgumentException>(() => L.supcon_loss(a, zeros(4))).ParamName);
        Assert.AreEqual("target", Assert.ThrowsExactly<ArgumentException>(() => L.contrastive_loss(a, a, tensor(new long[] { 0, 1, 2, 1 }))).ParamName);
        Assert.AreEqual("margin", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.contrastive_loss(a, a, zeros(4), 0)).ParamName);
        using var arc = TorchLosses.nn.ArcFaceLoss(5, 3);
        Assert.AreEqual("labels", Assert.ThrowsExactly<ArgumentException>(() => arc.forward(a, tensor(new long[] { 0, 1, 5, 1 }))).ParamName);
        Assert.AreEqual("embeddings", Assert.ThrowsExactly<ArgumentException>(() => arc.forward(zeros(4, 2), tensor(new long[] { 0, 1, 2, 1 }))).ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchLosses.nn.ArcFaceLoss(5, 3, margin: 2));
    }
}
