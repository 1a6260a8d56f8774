using TorchLossesDocs;
using static TorchLossesTests.Support.Parity;
using Ref = TorchLossesTests.Losses.TripletWithDistanceReference;

namespace TorchLossesTests.Docs;

/// <summary>Every number and identity of docs/losses/ranking-embedding.md, computed by TorchLosses (and, where the page says so, by libtorch).</summary>
[TestClass]
public sealed class RankingEmbeddingPageTests : DocPageTests
{
    protected override string PagePath => "docs/losses/ranking-embedding.md";

    private static readonly R[] Reductions = { R.None, R.Mean, R.Sum };

    protected override Checks Values() => new()
    {
        { "multi_margin_kink_gradient", MultiMarginKinkGradient },
        { "tied_clamp_value", () => RankingEmbeddingSnippets.TiedScores().clampValue },
        { "tied_relu_value", () => RankingEmbeddingSnippets.TiedScores().reluValue },
        { "tied_clamp_gradient", () => TiedClampGradient() },
        { "tied_relu_gradient", () => RankingEmbeddingSnippets.TiedScores().reluGrad },

        { "margin_ranking_zero_target", () => Distinct(L.margin_ranking_loss(tensor(new[] { 3.0, -1.0 }), tensor(new[] { 1.0, 2.0 }), tensor(new[] { 0.0, 0.0 }), 0.5, R.None)) },
        { "margin_ranking_values", () => MarginRanking().perPair },
        { "margin_ranking_mean", () => L.margin_ranking_loss(tensor(new[] { 2.0, 1.0, 0.5, 3.0, 1.5 }), tensor(new[] { 1.0, 1.0, 1.5, 1.0, 1.0 }), tensor(new[] { 1.0, 1.0, -1.0, -1.0, 1.0 }), 0.5).item<double>() },
        { "margin_ranking_grad_input1", () => MarginRanking().input1Grad },
        { "margin_ranking_grad_input2", () => MarginRanking().input2Grad },
        { "margin_ranking_grad_target", () => MarginRanking().targetGrad },

        { "hinge_values", () => RankingEmbeddingSnippets.Hinge().perPair },
        { "hinge_gradient", () => HingeGradient() },
        { "hinge_mean", () => RankingEmbeddingSnippets.Hinge().mean },

        { "cosine_eps", CosineEpsilon },
        { "cosine_naive", RankingEmbeddingSnippets.NaiveCosine },
        { "cosine_tiny_vectors", () => L.cosine_embedding_loss(tensor(new[,] { { 1e-6 } }), tensor(new[,] { { 1e-6 } }), tensor(new[] { 1.0 })).item<double>() },
        { "cosine_zero_vector_gradient", () => CosineGradient()[4] },
        { "cosine_values", () => RankingEmbeddingSnippets.Cosine().perPair },
        { "cosine_mean", () => RankingEmbeddingSnippets.Cosine().mean },

        { "triplet_self_distance", () => new[] { 1.0, 2.0, double.PositiveInfinity }.Select(p => SelfDistance(p, 4, 1e-6)).ToArray() },
        { "triplet_equal_pair_gradient", () => EqualPairPositiveGradient(1e-6) },
        { "triplet_equal_pair_gradient_eps0", () => EqualPairPositiveGradient(0.0) },
        { "triplet_tie_loss", () => SwapTie(true).loss },
        { "triplet_tie_negative_plain", () => SwapTie(false).negativeGrad },
        { "triplet_tie_negative_swap", () => SwapTie(true).negativeGrad },
        { "triplet_tie_positive_swap", () => SwapTie(true).positiveGrad },
        { "triplet_tie_positive_plain", () => SwapTie(false).positiveGrad },
        { "triplet_collapse_loss", () => L.triplet_margin_loss(Vector(), Vector(), Vector(), 1.0).item<double>() },
        { "triplet_plain", () => RankingEmbeddingSnippets.Triplets().plain },
        { "triplet_plain_mean", () => RankingEmbeddingSnippets.Triplets().plain.Average() },
        { "triplet_swapped", () => RankingEmbeddingSnippets.Triplets().swapped },
        { "triplet_swapped_mean", () => RankingEmbeddingSnippets.Triplets().swapped.Average() },

        { "with_distance_cosine", WithDistanceCosine },
    };

    private static double[] Distinct(Tensor t) => t.detach().reshape(-1).data<double>().ToArray().Distinct().ToArray();

    private static double[] Values(Tensor t) => t.detach().reshape(-1).to(ScalarType.Float64).data<double>().ToArray();

    private static Tensor Vector() => tensor(new[,] { { 0.5, -1.0, 2.0 } });

    /// <summary>Two scores (0, 1), target class 1: exactly on multi_margin_loss's margin. Ours equals libtorch's.</summary>
    private static double[] MultiMarginKinkGradient()
    {
        double[] Gradient(Func<Tensor, Tensor, Tensor> loss)
        {
            var x = tensor(new[,] { { 0.0, 1.0 } }).requires_grad_();
            return Values(autograd.grad(new[] { loss(x, tensor(new long[] { 1 })) }, new[] { x })[0]!);
        }
        var ours = Gradient((x, y) => L.multi_margin_loss(x, y, reduction: R.Sum));
        CollectionAssert.AreEqual(Gradient((x, y) => N.multi_margin_loss(x, y, reduction: R.Sum)), ours, "vs libtorch");
        return ours;
    }

    private static double TiedClampGradient()
    {
        var x1 = tensor(0.0).requires_grad_();
        var native = autograd.grad(new[] { N.margin_ranking_loss(x1, tensor(0.0), tensor(1.0)) }, new[] { x1 })[0]!.item<double>();
        var ours = RankingEmbeddingSnippets.TiedScores().clampGrad;
        Assert.AreEqual(native, ours, "vs libtorch");
        return ours;
    }

    /// <summary>The margin ranking example, its gradients asserted equal to libtorch's.</summary>
    private static (double[] perPair, double[] input1Grad, double[] input2Grad, double[] targetGrad) MarginRanking()
    {
        var ours = RankingEmbeddingSnippets.MarginRanking();
        var x1 = tensor(new[] { 2.0, 1.0, 0.5, 3.0, 1.5 }).requires_grad_();
        var x2 = tensor(new[] { 1.0, 1.0, 1.5, 1.0, 1.0 }).requires_grad_();
        var y = tensor(new[] { 1.0, 1.0, -1.0, -1.0, 1.0 }).requires_grad_();
        var native = autograd.grad(new[] { N.margin_ranking_loss(x1, x2, y, 0.5, R.Sum) }, new[] { x1, x2, y });
        CollectionAssert.AreEqual(Values(native[0]!), ours.input1Grad, "input1 vs libtorch");
        CollectionAssert.AreEqual(Values(native[1]!), ours.input2Grad, "input2 vs libtorch");
        CollectionAssert.AreEqual(Values(native[2]!), ours.targetGrad, "target vs libtorch");
        return ours;
    }

    private static double[] HingeGradient()
    {
        var ours = RankingEmbeddingSnippets.Hinge().gradient;
        var x = tensor(new[] { 0.25, 2.0, 0.25, 1.0, 1.5, 0.5 }).requires_grad_();
        var native = autograd.grad(new[] { N.hinge_embedding_loss(x, tensor(new[] { 1.0, 1.0, -1.0, -1.0, 0.0, 0.0 }), 1.0, R.Sum) }, new[] { x })[0]!;
        CollectionAssert.AreEqual(Values(native), ours, "vs libtorch");
        return ours;
    }

    /// <summary>ε read back from the loss: for x₁ = x₂ = (s), cos = s²/(s² + ε), so ε = s²(1 − cos)/cos.</summary>
    private static double CosineEpsilon()
    {
        double s = 1e-6, squared = s * s;
        double cos = 1 - L.cosine_embedding_loss(tensor(new[,] { { s } }), tensor(new[,] { { s } }), tensor(new[] { 1.0 })).item<double>();
        double recovered = squared * (1 - cos) / cos;
        Assert.AreEqual((double)1e-12f, recovered, 1e-26, "the float 1e-12f");
        return recovered;
    }

    /// <summary>The cosine example's input1 gradient, asserted equal to libtorch's.</summary>
    private static double[] CosineGradient()
    {
        var ours = RankingEmbeddingSnippets.Cosine().input1Grad;
        var (x1, x2, y) = RankingEmbeddingSnippets.CosineExample();
        x1.requires_grad_();
        var native = autograd.grad(new[] { N.cosine_embedding_loss(x1, x2, y, 0.5, R.Sum) }, new[] { x1 })[0]!;
        AssertClose(native, tensor(ours, new long[] { 4, 2 }), "vs libtorch");
        return ours;
    }

    /// <summary>d(a, a) read off the loss: a = p = 0 and n = eps·1, so d(a, n) = ‖0‖ = 0 and ℓ = m + d(a, a).</summary>
    private static double SelfDistance(double p, long features, double eps)
    {
        var zero = zeros(1, features, ScalarType.Float64);
        var negative = full(1, features, eps, ScalarType.Float64);
        return L.triplet_margin_loss(zero, zero, negative, 1.0, p, eps).item<double>() - 1.0;
    }

    /// <summary>The positive's gradient where anchor == positive (D = 4, far negative), asserted equal to libtorch's.</summary>
    private static double[] EqualPairPositiveGradient(double eps)
    {
        double[] Gradient(Func<Tensor, Tensor, Tensor, Tensor> loss)
        {
            var positive = zeros(1, 4, ScalarType.Float64).requires_grad_();
            var value = loss(zeros(1, 4, ScalarType.Float64), positive, full(1, 4, 3.0, ScalarType.Float64));
            return Values(autograd.grad(new[] { value }, new[] { positive })[0]!);
        }
        var ours = Gradient((a, p, n) => L.triplet_margin_loss(a, p, n, 10.0, 2.0, eps));
        var native = Gradient((a, p, n) => N.triplet_margin_loss(a, p, n, 10.0, 2.0, eps));
        AssertClose(tensor(native), tensor(ours), "vs libtorch");
        return ours;
    }

    /// <summary>The swap-tie snippet, its gradients asserted equal to libtorch's.</summary>
    private static (double loss, double[] anchorGrad, double[] positiveGrad, double[] negativeGrad) SwapTie(bool swap)
    {
        var ours = RankingEmbeddingSnippets.SwapTie(swap);
        var a = tensor(new[,] { { 0.0, 0.0 } }).requires_grad_();
        var p = tensor(new[,] { { -2.0, 2.0 } }).requires_grad_();
        var n = tensor(new[,] { { 1.0, 3.0 } }).requires_grad_();
        var native = autograd.grad(new[] { N.triplet_margin_loss(a, p, n, swap: swap) }, new[] { a, p, n });
        AssertClose(native[0]!, tensor(ours.anchorGrad, new long[] { 1, 2 }), "anchor vs libtorch");
        AssertClose(native[1]!, tensor(ours.positiveGrad, new long[] { 1, 2 }), "positive vs libtorch");
        AssertClose(native[2]!, tensor(ours.negativeGrad, new long[] { 1, 2 }), "negative vs libtorch");
        return ours;
    }

    private static (Tensor a, Tensor p, Tensor n) ReferenceTriplets() =>
        (T(Ref.A, grad: false, shape: new long[] { 3, 4 }), T(Ref.P, grad: false, shape: new long[] { 3, 4 }), T(Ref.N, grad: false, shape: new long[] { 3, 4 }));

    /// <summary>The cosine-distance example on the reference triplets, asserted equal to PyTorch 1.13's value.</summary>
    private static double WithDistanceCosine()
    {
        var (a, p, n) = ReferenceTriplets();
        double ours = RankingEmbeddingSnippets.WithCosineDistance(a, p, n);
        var reference = Ref.Cases.Single(c => c.Name == "cosine_swap" && c.Dtype == ScalarType.Float64 && c.Reduction == R.Mean);
        Assert.AreEqual(reference.Loss[0], ours, 1e-12, "PyTorch 1.13's value");
        return ours;
    }

    // ----- identities -----

    [TestMethod, DocIdentity("clamp_passes_the_gradient_at_the_kink")]
    public void ClampPassesTheGradientAtTheKink()
    {
        using var scope = NewDisposeScope();
        // Margin ranking, z = 0: x1 − x2 = 0.5 = margin with y = 1.
        var x1 = T(new[] { 1.5 }); var x2 = T(new[] { 1.0 }); var y = T(new[] { 1.0 });
        AssertSame(t => L.margin_ranking_loss(t[0], t[1], t[2], 0.5, R.Sum), t => N.margin_ranking_loss(t[0], t[1], t[2], 0.5, R.Sum), x1, x2, y);
        Assert.AreEqual(-1.0, GradientOf(x => L.margin_ranking_loss(x, tensor(new[] { 1.0 }), tensor(new[] { 1.0 }), 0.5, R.Sum), 1.5));
        Assert.AreEqual(0.0, GradientOf(x => (-(x - 1.0) + 0.5).relu().sum(), 1.5), "relu is strict");
        // Hinge, y = −1 at x = Δ.
        Assert.AreEqual(-1.0, GradientOf(x => L.hinge_embedding_loss(x, tensor(new[] { -1.0 }), 1.0, R.Sum), 1.0));
        AssertSame(t => L.hinge_embedding_loss(t[0], t[1], 1.0, R.Sum), t => N.hinge_embedding_loss(t[0], t[1], 1.0, R.Sum), T(new[] { 1.0 }), T(new[] { -1.0 }, grad: false));
        // Cosine, y = −1 with cos = margin = 0 (a zero vector): the gradient passes, ≈ x2/√(ε·b).
        var zero = T(new[] { 0.0, 0.0 }, shape: new long[] { 1, 2 });
        var other = T(new[] { 1.0, 0.0 }, shape: new long[] { 1, 2 });
        AssertSame(t => L.cosine_embedding_loss(t[0], t[1], t[2], 0.0, R.Sum), t => N.cosine_embedding_loss(t[0], t[1], t[2], 0.0, R.Sum),
            zero, other, T(new[] { -1.0 }, grad: false));
        var g = autograd.grad(new[] { L.cosine_embedding_loss(zero, other, tensor(new[] { -1.0 }), 0.0, R.Sum) }, new[] { zero })[0]!;
        Assert.IsGreaterThan(1e5, g[0, 0].item<double>(), "passes");
        // Triplet, p = 1, eps = 0: 1 + d(a, p) − d(a, n) = 1 + 1 − 2 = 0 exactly.
        var (a, p, n) = (T(new[] { 0.0, 0.0 }, shape: new long[] { 1, 2 }), T(new[] { 1.0, 0.0 }, shape: new long[] { 1, 2 }), T(new[] { 2.0, 0.0 }, shape: new long[] { 1, 2 }));
        AssertSame(t => L.triplet_margin_loss(t[0], t[1], t[2], 1.0, 1.0, 0.0), t => N.triplet_margin_loss(t[0], t[1], t[2], 1.0, 1.0, 0.0), a, p, n);
        var positive = p.detach().clone().requires_grad_();
        var pg = autograd.grad(new[] { L.triplet_margin_loss(a.detach(), positive, n.detach(), 1.0, 1.0, 0.0) }, new[] { positive })[0]!;
        Assert.AreEqual(1.0, pg[0, 0].item<double>(), "passes");
        // With distance (L1 distance), PyTorch 1.13's reference at its kinks.
        var kink = Ref.Cases.Single(c => c.Name == "l1_kink" && c.Dtype == ScalarType.Float64 && c.Reduction == R.Sum);
        var (ka, kp, kn) = (T(Ref.KinkA, shape: new long[] { 2, 2 }), T(Ref.KinkP, shape: new long[] { 2, 2 }), T(Ref.KinkN, shape: new long[] { 2, 2 }));
        var loss = L.triplet_margin_with_distance_loss(ka, kp, kn, (u, v) => (u - v).abs().sum(-1L), 1.0, false, R.Sum);
        Assert.AreEqual(0.0, loss.item<double>());
        var grads = autograd.grad(new[] { loss }, new[] { ka, kp, kn });
        CollectionAssert.AreEqual(kink.PositiveGrad, Values(grads[1]!), "positive vs PyTorch 1.13");
        CollectionAssert.AreEqual(kink.NegativeGrad, Values(grads[2]!), "negative vs PyTorch 1.13");
        // The native margin kernels are strict.
        CollectionAssert.AreEqual(new[] { 0.0, 0.0 }, MultiMarginKinkGradient());
    }

    private static double GradientOf(Func<Tensor, Tensor> loss, double x)
    {
        var input = tensor(new[] { x }).requires_grad_();
        return autograd.grad(new[] { loss(input) }, new[] { input })[0]!.item<double>();
    }

    [TestMethod, DocIdentity("mean_divides_by_the_count")]
    public void MeanDividesByTheCount()
    {
        using var scope = NewDisposeScope();
        var (x1, x2) = (Normal(1, ScalarType.Float64, false, 6, 4), Normal(2, ScalarType.Float64, false, 6, 4));
        var x3 = Normal(3, ScalarType.Float64, false, 6, 4);
        var labels = tensor(new[] { 1.0, -1.0, 1.0, -1.0, -1.0, 1.0 });
        var cases = new (string name, Func<Tensor, Tensor, Tensor, R, Tensor> loss, long count)[]
        {
            ("margin ranking", (a, b, c, r) => L.margin_ranking_loss(a, b, Sign(c), 0.5, r), 24),
            ("hinge", (a, b, c, r) => L.hinge_embedding_loss(a.abs(), Sign(c), 1.0, r), 24),
            ("cosine", (a, b, c, r) => L.cosine_embedding_loss(a, b, labels.narrow(0, 0, a.shape[0]), 0.2, r), 6),
            ("triplet", (a, b, c, r) => L.triplet_margin_loss(a, b, c, reduction: r), 6),
            ("with distance", (a, b, c, r) => L.triplet_margin_with_distance_loss(a, b, c, reduction: r), 6),
        };
        foreach (var (name, loss, count) in cases)
        {
            var none = loss(x1, x2, x3, R.None);
            Assert.AreEqual(count, none.numel(), name);
            Assert.AreEqual(loss(x1, x2, x3, R.Sum).item<double>() / count, loss(x1, x2, x3, R.Mean).item<double>(), 1e-12, name);
            Assert.AreEqual(none.sum().item<double>(), loss(x1, x2, x3, R.Sum).item<double>(), 1e-12, name);
            var empty = zeros(0, 4, ScalarType.Float64);
            Assert.IsTrue(double.IsNaN(loss(empty, empty, empty, R.Mean).item<double>()), $"{name}: empty mean");
            Assert.AreEqual(0.0, loss(empty, empty, empty, R.Sum).item<double>(), $"{name}: empty sum");
        }
    }

    private static Tensor Sign(Tensor t) => torch.where(t >= 0, ones_like(t), -ones_like(t));

    [TestMethod, DocIdentity("margin_ranking_gradients")]
    public void MarginRankingGradients()
    {
        using var scope = NewDisposeScope();
        var differences = new[] { -1.0, -0.5, 0.0, 0.25, 0.5, 1.0 };
        foreach (var margin in new[] { 0.0, 0.5, -0.5 })
            foreach (var target in new[] { 1.0, -1.0, 0.5, 2.0, 0.0 })
            {
                var x1 = tensor(differences.Select(d => d + 1.0).ToArray()).requires_grad_();
                var x2 = ones(differences.Length, ScalarType.Float64).requires_grad_();
                var y = full(differences.Length, target, ScalarType.Float64).requires_grad_();
                var grads = autograd.grad(new[] { L.margin_ranking_loss(x1, x2, y, margin, R.Sum) }, new[] { x1, x2, y });
                var active = differences.Select(d => -target * d + margin >= 0 ? 1.0 : 0.0).ToArray();
                CollectionAssert.AreEqual(active.Select(m => m * -target + 0.0).ToArray(), Values(grads[0]!).Select(v => v + 0.0).ToArray(), $"x1, y = {target}, m = {margin}");
                CollectionAssert.AreEqual(active.Select(m => m * target + 0.0).ToArray(), Values(grads[1]!).Select(v => v + 0.0).ToArray(), $"x2, y = {target}, m = {margin}");
                CollectionAssert.AreEqual(active.Zip(differences, (m, d) => -m * d + 0.0).ToArray(), Values(grads[2]!).Select(v => v + 0.0).ToArray(), $"y, y = {target}, m = {margin}");
                AssertSame(t => L.margin_ranking_loss(t[0], t[1], t[2], margin, R.None), t => N.margin_ranking_loss(t[0], t[1], t[2], margin, R.None),
                    x1.detach().requires_grad_(), x2.detach().requires_grad_(), y.detach().requires_grad_());
            }
    }

    [TestMethod, DocIdentity("margin_ranking_swap_symmetry")]
    public void MarginRankingSwapSymmetry()
    {
        using var scope = NewDisposeScope();
        var x1 = Normal(4, ScalarType.Float64, true, 12);
        var x2 = Normal(5, ScalarType.Float64, true, 12);
        var y = tensor(Enumerable.Range(0, 12).Select(i => i % 3 == 0 ? -1.0 : 1.0).ToArray());
        foreach (var margin in new[] { 0.0, 0.3, 1.0 })
        {
            var straight = L.margin_ranking_loss(x1, x2, y, margin, R.None);
            var swapped = L.margin_ranking_loss(x2, x1, -y, margin, R.None);
            AssertClose(straight, swapped, $"values, m = {margin}");
            var g = autograd.grad(new[] { straight.sum() }, new[] { x1, x2 });
            var h = autograd.grad(new[] { swapped.sum() }, new[] { x1, x2 });
            AssertClose(g[0]!, h[0]!, "x1's gradient");
            AssertClose(g[1]!, h[1]!, "x2's gradient");
        }
    }

    private static readonly double[] Distances = { -0.5, 0.0, 0.25, 0.5, 1.0, 1.5, 3.0, double.PositiveInfinity };

    [TestMethod, DocIdentity("hinge_other_targets_give_the_maximum")]
    public void HingeOtherTargetsGiveTheMaximum()
    {
        using var scope = NewDisposeScope();
        foreach (var margin in new[] { 1.0, 0.5, -0.25 })
            foreach (var target in new[] { 0.0, 2.0, 0.5, double.NaN })
            {
                var x = tensor(Distances).requires_grad_();
                var y = full(Distances.Length, target, ScalarType.Float64);
                var loss = L.hinge_embedding_loss(x, y, margin, R.None);
                var grad = autograd.grad(new[] { loss.sum() }, new[] { x })[0]!;
                CollectionAssert.AreEqual(Distances.Select(d => Math.Max(d, margin)).ToArray(), Values(loss), $"values, y = {target}, Δ = {margin}");
                CollectionAssert.AreEqual(Distances.Select(d => d > margin ? 1.0 : 0.0).ToArray(), Values(grad), $"gradient, y = {target}, Δ = {margin}");
                AssertSame(t => L.hinge_embedding_loss(t[0], t[1], margin, R.None), t => N.hinge_embedding_loss(t[0], t[1], margin, R.None),
                    tensor(Distances).requires_grad_(), y);
            }
    }

    [TestMethod, DocIdentity("hinge_target_gets_no_gradient")]
    public void HingeTargetGetsNoGradient()
    {
        using var scope = NewDisposeScope();
        var x = tensor(Distances.Take(7).ToArray()).requires_grad_();
        var y = tensor(new[] { 1.0, -1.0, 0.0, 1.0, -1.0, 2.0, -1.0 }).requires_grad_();
        L.hinge_embedding_loss(x, y).backward();
        Assert.IsNotNull(x.grad);
        Assert.IsNull(y.grad, "the target only selects terms");
        var x1 = Normal(6, ScalarType.Float64, true, 3, 4);
        var target = tensor(new[] { 1.0, -1.0, 1.0 }).requires_grad_();
        L.cosine_embedding_loss(x1, Normal(7, ScalarType.Float64, false, 3, 4), target).backward();
        Assert.IsNull(target.grad, "nor in the cosine loss");
    }

    [TestMethod, DocIdentity("hinge_negative_branch_is_margin_ranking")]
    public void HingeNegativeBranchIsMarginRanking()
    {
        using var scope = NewDisposeScope();
        foreach (var margin in new[] { 1.0, 0.5, 0.0, -0.25 })
        {
            var finite = Distances.Where(double.IsFinite).ToArray();
            var x = tensor(finite).requires_grad_();
            var hinge = L.hinge_embedding_loss(x, full(finite.Length, -1.0, ScalarType.Float64), margin, R.None);
            var ranking = L.margin_ranking_loss(x, zeros(finite.Length, ScalarType.Float64), ones(finite.Length, ScalarType.Float64), margin, R.None);
            CollectionAssert.AreEqual(Values(ranking), Values(hinge), $"values, Δ = {margin}");
            var gh = autograd.grad(new[] { hinge.sum() }, new[] { x })[0]!;
            var gr = autograd.grad(new[] { ranking.sum() }, new[] { x })[0]!;
            CollectionAssert.AreEqual(Values(gr), Values(gh), $"gradients, Δ = {margin}");
        }
    }

    [TestMethod, DocIdentity("cosine_gradient_formula")]
    public void CosineGradientFormula()
    {
        using var scope = NewDisposeScope();
        const double margin = 0.2;
        var x1 = Normal(8, ScalarType.Float64, false, 6, 3) * tensor(new[] { 1.0, 1.0, 0.0, 1.0, 1.0, 1.0 }).unsqueeze(1);   // row 2: a zero vector
        var x2 = Normal(9, ScalarType.Float64, false, 6, 3);
        var y = tensor(new[] { 1.0, -1.0, 1.0, -1.0, -1.0, 1.0 });
        var input1 = x1.clone().requires_grad_();
        var ours = autograd.grad(new[] { L.cosine_embedding_loss(input1, x2, y, margin, R.Sum) }, new[] { input1 })[0]!;

        double eps = (double)1e-12f;
        var u = (x1 * x2).sum(1, keepdim: true);
        var a = x1.square().sum(1, keepdim: true) + eps;
        var b = x2.square().sum(1, keepdim: true) + eps;
        var cos = u / (a * b).sqrt();
        var dcos = x2 / (a * b).sqrt() - cos * x1 / a;
        var column = y.unsqueeze(1);
        var expected = torch.where(column == 1, -dcos, torch.where(cos >= margin, dcos, zeros_like(dcos)));
        Assert.IsTrue(Values(cos).Zip(Values(y)).Any(p => p.Second == -1 && p.First < margin), "a dissimilar pair below the margin");
        Assert.IsTrue(Values(cos).Zip(Values(y)).Any(p => p.Second == -1 && p.First >= margin), "a dissimilar pair above the margin");
        AssertClose(expected, ours, "the formula");
        AssertSame(t => L.cosine_embedding_loss(t[0], t[1], y, margin, R.None), t => N.cosine_embedding_loss(t[0], t[1], y, margin, R.None),
            x1.clone().requires_grad_(), x2.clone().requires_grad_());
    }

    [TestMethod, DocIdentity("cosine_is_hinge_of_the_cosine_distance")]
    public void CosineIsHingeOfTheCosineDistance()
    {
        using var scope = NewDisposeScope();
        var y = tensor(new[] { 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0, -1.0 });
        foreach (var margin in new[] { -0.5, 0.0, 0.3, 0.9 })
        {
            var x1 = Normal(10, ScalarType.Float64, true, 8, 5);
            var x2 = Normal(11, ScalarType.Float64, true, 8, 5);
            var cosine = L.cosine_embedding_loss(x1, x2, y, margin, R.None);
            var distance = L.cosine_embedding_loss(x1, x2, ones(8, ScalarType.Float64), 0.0, R.None);   // 1 − cos
            var hinge = L.hinge_embedding_loss(distance, y, 1 - margin, R.None);
            AssertClose(cosine, hinge, $"values, m = {margin}");
            var g = autograd.grad(new[] { cosine.sum() }, new[] { x1, x2 });
            var h = autograd.grad(new[] { hinge.sum() }, new[] { x1, x2 });
            AssertClose(g[0]!, h[0]!, "x1's gradient");
            AssertClose(g[1]!, h[1]!, "x2's gradient");
        }
        var zeroTarget = tensor(new[] { 0.0, 0.0 });
        var (p1, p2) = (Normal(12, ScalarType.Float64, false, 2, 3), Normal(13, ScalarType.Float64, false, 2, 3));
        CollectionAssert.AreEqual(new[] { 0.0, 0.0 }, Values(L.cosine_embedding_loss(p1, p2, zeroTarget, 0.0, R.None)), "other targets: 0");
    }

    [TestMethod, DocIdentity("triplet_eps_is_added_to_every_component")]
    public void TripletEpsIsAddedToEveryComponent()
    {
        using var scope = NewDisposeScope();
        foreach (var p in new[] { 1.0, 2.0, 3.0, double.PositiveInfinity })
            foreach (var features in new[] { 1L, 3L, 4L })
                foreach (var eps in new[] { 1e-6, 1e-3 })
                {
                    double expected = eps * Math.Pow(features, 1 / p);
                    Assert.AreEqual(expected, SelfDistance(p, features, eps), 1e-15, $"d(a, a), p = {p}, D = {features}, eps = {eps}");
                    // d(u + eps·1, u) = 2·eps·D^(1/p): a = p = eps·1, n = 0 gives ℓ = 1 + d(a, a) − d(a, n).
                    var shifted = full(1, features, eps, ScalarType.Float64);
                    double loss = L.triplet_margin_loss(shifted, shifted, zeros(1, features, ScalarType.Float64), 1.0, p, eps).item<double>();
                    Assert.AreEqual(1.0 + expected - 2 * expected, loss, 1e-15, $"d(u + eps, u), p = {p}, D = {features}, eps = {eps}");
                }
        var (a, pos, n) = (Normal(14, ScalarType.Float64, true, 5, 3), Normal(15, ScalarType.Float64, true, 5, 3), Normal(16, ScalarType.Float64, true, 5, 3));
        foreach (var eps in new[] { 1e-6, 0.1 })
        {
            Func<Tensor, Tensor, Tensor> d = (u, v) => (u - v + eps).square().sum(-1L).sqrt();
            AssertSame(t => L.triplet_margin_loss(t[0], t[1], t[2], 1.5, 2.0, eps, false, R.None),
                t => (d(t[0], t[1]) - d(t[0], t[2]) + 1.5).clamp_min(0), a, pos, n);
            AssertSame(t => L.triplet_margin_loss(t[0], t[1], t[2], 1.5, 2.0, eps, false, R.None),
                t => N.triplet_margin_loss(t[0], t[1], t[2], 1.5, 2.0, eps, false, R.None), a, pos, n);
        }
    }

    [TestMethod, DocIdentity("triplet_swap_tie_splits_the_gradient")]
    public void TripletSwapTieSplitsTheGradient()
    {
        using var scope = NewDisposeScope();
        var (a, p, n) = (tensor(new[,] { { 0.0, 0.0 } }), tensor(new[,] { { -2.0, 2.0 } }), tensor(new[,] { { 1.0, 3.0 } }));
        Tensor NegativeGradient(Tensor first, Tensor second, bool swap)
        {
            var negative = n.clone().requires_grad_();
            return autograd.grad(new[] { L.triplet_margin_loss(first, second, negative, swap: swap) }, new[] { negative })[0]!;
        }
        var viaAnchor = NegativeGradient(a, p, false);       // from d(a, n) only
        var viaPositive = NegativeGradient(p, a, false);     // from d(p, n) only (the loss is active here too)
        AssertClose(0.5 * viaAnchor + 0.5 * viaPositive, NegativeGradient(a, p, true), "0.5/0.5");
        var ours = RankingEmbeddingSnippets.SwapTie(true);
        var pg = p.clone().requires_grad_();
        var anchorSide = autograd.grad(new[] { L.triplet_margin_loss(a, pg, n) }, new[] { pg })[0]!;
        var pg2 = p.clone().requires_grad_();
        var positiveSide = autograd.grad(new[] { L.triplet_margin_loss(pg2, a, n) }, new[] { pg2 })[0]!;
        // The positive: all of d(a, p)'s gradient plus half of d(p, n)'s. With p as the anchor (second loss),
        // p's gradient is ∂d(p, a)/∂p − ∂d(p, n)/∂p, so removing ∂d(p, a)/∂p leaves −∂d(p, n)/∂p.
        var dpn = positiveSide - UnitFrom(p, a);
        AssertClose(anchorSide + 0.5 * dpn, tensor(ours.positiveGrad, new long[] { 1, 2 }), "positive: d(a, p) + half of d(p, n)");
        SwapTie(true);   // vs libtorch
    }

    /// <summary>∂d(u, v)/∂u for p = 2, eps = 1e-6: (u − v + eps)/d.</summary>
    private static Tensor UnitFrom(Tensor u, Tensor v)
    {
        var delta = u - v + 1e-6;
        return delta / delta.square().sum(-1L, keepdim: true).sqrt();
    }

    [TestMethod, DocIdentity("triplet_margin_must_be_positive")]
    public void TripletMarginMustBePositive()
    {
        using var scope = NewDisposeScope();
        var (a, p, n) = ReferenceTriplets();
        foreach (var (margin, shown) in new[] { (0.0, "0.0"), (-1.0, "-1.0") })
        {
            var e1 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.triplet_margin_loss(a, p, n, margin));
            StringAssert.StartsWith(e1.Message, $"margin must be greater than 0, got {shown}");
            var e2 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.triplet_margin_with_distance_loss(a, p, n, margin: margin));
            StringAssert.StartsWith(e2.Message, $"margin must be greater than 0, got {shown}");
        }
        Assert.IsTrue(double.IsFinite(L.triplet_margin_loss(a, p, n, 1e-9).item<double>()), "any positive margin");
        // The collapse costs exactly the margin.
        foreach (var margin in new[] { 0.25, 1.0, 3.0 })
        {
            Assert.AreEqual(margin, L.triplet_margin_loss(Vector(), Vector(), Vector(), margin).item<double>());
            Assert.AreEqual(margin, L.triplet_margin_with_distance_loss(Vector(), Vector(), Vector(), margin: margin).item<double>());
        }
    }

    [TestMethod, DocIdentity("with_distance_default_is_triplet_margin_loss")]
    public void WithDistanceDefaultIsTripletMarginLoss()
    {
        using var scope = NewDisposeScope();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            foreach (var reduction in Reductions)
                foreach (var swap in new[] { false, true })
                    foreach (var margin in new[] { 1.0, 0.25 })
                    {
                        Func<Tensor[], Tensor> withDistance = t => L.triplet_margin_with_distance_loss(t[0], t[1], t[2], null, margin, swap, reduction);
                        AssertSame(withDistance, t => L.triplet_margin_loss(t[0], t[1], t[2], margin, 2.0, 1e-6, swap, reduction),
                            Normal(20, dtype, true, 6, 4), Normal(21, dtype, true, 6, 4), Normal(22, dtype, true, 6, 4));
                        AssertSame(withDistance, t => N.triplet_margin_loss(t[0], t[1], t[2], margin, 2.0, 1e-6, swap, reduction),
                            Normal(23, dtype, true, 6, 4), Normal(24, dtype, true, 6, 4), Normal(25, dtype, true, 6, 4));
                    }
        var (a, p, n) = (tensor(new[,] { { 0.0, 0.0 } }), tensor(new[,] { { -2.0, 2.0 } }), tensor(new[,] { { 1.0, 3.0 } }));
        AssertSame(t => L.triplet_margin_with_distance_loss(t[0], t[1], t[2], swap: true), t => L.triplet_margin_loss(t[0], t[1], t[2], swap: true),
            a.requires_grad_(), p.requires_grad_(), n.requires_grad_());
    }
    [TestMethod, DocIdentity("double_backward_works")]
    public void DoubleBackwardWorks()
    {
        using var scope = NewDisposeScope();
        var (x1, x2, x3) = (Normal(30, ScalarType.Float64, false, 5, 3), Normal(31, ScalarType.Float64, false, 5, 3), Normal(32, ScalarType.Float64, false, 5, 3));
        var labels = tensor(new[] { 1.0, -1.0, -1.0, 1.0, -1.0 });
        var cases = new (string name, Func<Tensor, Tensor> ours, Func<Tensor, Tensor> native)[]
        {
            ("cosine", x => L.cosine_embedding_loss(x, x2, labels, -0.5, R.Sum), x => N.cosine_embedding_loss(x, x2, labels, -0.5, R.Sum)),
            ("triplet", x => L.triplet_margin_loss(x, x2, x3, 3.0), x => N.triplet_margin_loss(x, x2, x3, 3.0)),
            ("margin ranking", x => L.margin_ranking_loss(x.square(), x2, Sign(x3), 0.5), x => N.margin_ranking_loss(x.square(), x2, Sign(x3), 0.5)),
        };
        foreach (var (name, ours, native) in cases)
        {
            Tensor Second(Func<Tensor, Tensor> loss)
            {
                var x = x1.clone().requires_grad_();
                var g = autograd.grad(new[] { loss(x) }, new[] { x }, retain_graph: true, create_graph: true)[0]!;
                return autograd.grad(new[] { (g * x3).sum() }, new[] { x })[0]!;
            }
            var second = Second(ours);
            Assert.IsGreaterThan(1e-3, second.abs().max().item<double>(), $"{name}: a non-trivial second derivative");
            AssertClose(Second(native), second, $"{name} vs libtorch");
        }
    }

    [TestMethod, DocIdentity("triplet_norm_orders_match_libtorch")]
    public void TripletNormOrdersMatchLibtorch()
    {
        using var scope = NewDisposeScope();
        var (a, p, n) = (Normal(33, ScalarType.Float64, true, 6, 4), Normal(34, ScalarType.Float64, true, 6, 4), Normal(35, ScalarType.Float64, true, 6, 4));
        foreach (var order in new[] { 1.0, 1.5, 3.0, double.PositiveInfinity })
            AssertSame(t => L.triplet_margin_loss(t[0], t[1], t[2], 2.0, order, 1e-6, false, R.None),
                t => N.triplet_margin_loss(t[0], t[1], t[2], 2.0, order, 1e-6, false, R.None), a, p, n);
        var anchor = a.detach().clone().requires_grad_();
        var loss = L.triplet_margin_loss(anchor, p.detach(), n.detach(), 2.0, 0.0);
        if (loss.requires_grad) loss.backward();
        Assert.IsNull(anchor.grad, "p = 0: no gradient at all");
        var nativeAnchor = a.detach().clone().requires_grad_();
        var native = N.triplet_margin_loss(nativeAnchor, p.detach(), n.detach(), 2.0, 0.0);
        if (native.requires_grad) native.backward();
        Assert.IsNull(nativeAnchor.grad, "nor in libtorch");
        Assert.AreEqual(native.item<double>(), loss.item<double>(), "p = 0 value");
    }

    [TestMethod, DocIdentity("with_distance_checks_the_number_of_dimensions")]
    public void WithDistanceChecksTheNumberOfDimensions()
    {
        using var scope = NewDisposeScope();
        var (a, p, n) = ReferenceTriplets();
        var single = p[0];
        const string expected = "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: " +
                                "anchor 2D, positive 1D, and negative 2D inputs";
        int calls = 0;
        Tensor Counting(Tensor x, Tensor y) { calls++; return torch.nn.functional.pairwise_distance(x, y); }
        var error = Assert.ThrowsExactly<ArgumentException>(() => L.triplet_margin_with_distance_loss(a, single, n, Counting));
        StringAssert.StartsWith(error.Message, expected);
        Assert.AreEqual(0, calls, "checked before the distance is called");
        error = Assert.ThrowsExactly<ArgumentException>(() => L.triplet_margin_loss(a, single, n));
        StringAssert.StartsWith(error.Message, expected, "the same check and message as TripletMarginLoss");
        StringAssert.StartsWith(Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => N.triplet_margin_loss(a, single, n)).Message,
            expected, "libtorch's message");
        var loss = L.triplet_margin_with_distance_loss(a, single.unsqueeze(0), n, reduction: R.None);
        AssertClose(L.triplet_margin_loss(a, single.unsqueeze(0), n, reduction: R.None), loss, "(N, D) with (1, D) broadcasts");
    }
}
