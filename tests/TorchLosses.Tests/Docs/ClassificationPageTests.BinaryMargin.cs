using TorchLossesDocs;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Docs;

/// <summary>
/// The binary and margin sections of docs/losses/classification.md: BCE, BCE with logits, soft margin,
/// multi-label soft margin, multi-margin and multi-label margin, computed by TorchLosses and, where the
/// page quotes libtorch, compared with its native kernels.
/// </summary>
public sealed partial class ClassificationPageTests
{
    protected override Checks Values()
    {
        var checks = MulticlassValues();
        foreach (var (name, compute) in BinaryMarginValues()) checks.Add(name, compute);
        return checks;
    }

    /// <summary>C++'s <c>1e-12f</c> as a double: the floor of x·(1 − x) in libtorch's BCE gradient.</summary>
    private const double BceFloor = (double)1e-12f;

    private static Checks BinaryMarginValues() => new()
    {
        { "bce_none", () => BinaryMarginSnippets.Bce(R.None, false).loss },
        { "bce_mean", () => BinaryMarginSnippets.Bce(R.Mean, false).loss[0] },
        { "bce_weighted_none", () => BinaryMarginSnippets.Bce(R.None, true).loss },
        { "bce_weighted_mean", () => BinaryMarginSnippets.Bce(R.Mean, true).loss[0] },
        { "bce_weighted_over_total_weight", () => BinaryMarginSnippets.Bce(R.Sum, true).loss[0] / 3.5 },
        { "bce_gradient", () => BceGradientVsNative() },
        { "bce_target_gradient", () => BceTargetGradient() },
        { "bce_edges_naive", () => BinaryMarginSnippets.BceEdges().naive },
        { "bce_edges_loss", () => BceEdgesVsNative().loss },
        { "bce_tiny_loss", () => BceTiny().loss },
        { "bce_tiny_unclamped", () => -Math.Log(1e-300) },
        { "bce_epsilon", () => -1.0 / BceEdgesVsNative().inputGradient[0] },
        { "bce_edges_input_gradient", () => BceEdgesVsNative().inputGradient },
        { "bce_tiny_input_gradient", () => BceTiny().inputGradient },
        { "bce_edges_target_gradient", () => BceEdgesVsNative().targetGradient },
        { "bce_tiny_target_gradient", () => BceTiny().targetGradient },

        { "saturation_naive", () => ToDouble(BinaryMarginSnippets.SaturatedLogits().naive) },
        { "saturation_via_probabilities", () => ToDouble(BinaryMarginSnippets.SaturatedLogits().viaProbabilities) },
        { "saturation_stable", () => SaturationStableVsNative() },
        { "saturation_via_probabilities_gradient", () => SaturatedGradients().viaProbabilities },
        { "saturation_stable_gradient", () => SaturatedGradients().stable },
        { "pos_weight_1_optimum", () => ConstantOptimum(1.0) },
        { "pos_weight_1_probability", () => Sigmoid(ConstantOptimum(1.0)) },
        { "pos_weight_3_optimum", () => ConstantOptimum(3.0) },
        { "pos_weight_3_probability", () => Sigmoid(ConstantOptimum(3.0)) },
        { "logits_edge_pos_0", () => LogitEdge(double.PositiveInfinity, 0).loss },
        { "logits_edge_pos_0_gradient", () => LogitEdge(double.PositiveInfinity, 0).gradient },
        { "logits_edge_pos_1", () => LogitEdge(double.PositiveInfinity, 1).loss },
        { "logits_edge_pos_1_gradient", () => LogitEdge(double.PositiveInfinity, 1).gradient },
        { "logits_edge_neg_0", () => LogitEdge(double.NegativeInfinity, 0).loss },
        { "logits_edge_neg_0_gradient", () => LogitEdge(double.NegativeInfinity, 0).gradient },
        { "logits_edge_neg_1", () => LogitEdge(double.NegativeInfinity, 1).loss },
        { "logits_edge_neg_1_gradient", () => LogitEdge(double.NegativeInfinity, 1).gradient },
        { "logits_edge_neg_2", () => LogitEdge(double.NegativeInfinity, 2).loss },
        { "logits_edge_neg_2_gradient", () => LogitEdge(double.NegativeInfinity, 2).gradient },

        { "soft_margin_none", () => BinaryMarginSnippets.SoftMargin().loss },
        { "soft_margin_mean", () => BinaryMarginSnippets.SoftMargin().loss.Average() },
        { "soft_margin_gradient", () => BinaryMarginSnippets.SoftMargin().gradient },
        { "soft_margin_float32_loss", () => SoftMarginFloat32EdgesVsNative().loss },
        { "soft_margin_float32_gradient", () => SoftMarginFloat32EdgesVsNative().gradient },
        { "soft_margin_log1p_17", () => (double)tensor(-17f).exp().log1p().item<float>() },
        { "soft_margin_rounding_threshold", () => SoftMarginRoundingThreshold() },
        { "soft_margin_underflow_float32", () => SoftMarginUnderflowThreshold() },
        { "soft_margin_float64_at_89", () => L.soft_margin_loss(tensor(-89.0), tensor(1.0)).item<double>() },
        { "soft_margin_overflow_float32", () => SoftMarginOverflowThreshold(ScalarType.Float32) },
        { "soft_margin_overflow_float64", () => SoftMarginOverflowThreshold(ScalarType.Float64) },
        { "soft_margin_at_zero", () => L.soft_margin_loss(tensor(0.0), tensor(1.0)).item<double>() },

        { "mlsm_none_shape", () => L.multilabel_soft_margin_loss(zeros(2, 4, 3), zeros(2, 4, 3), reduction: R.None).shape.Select(d => (double)d).ToArray() },
        { "mlsm_row0_elements", () => MultiLabelSoftMarginRow0Elements() },
        { "mlsm_none", () => BinaryMarginSnippets.MultiLabelSoftMarginExample().perSample },
        { "mlsm_mean", () => MultiLabelSoftMargin(null).loss },
        { "mlsm_gradient_row0", () => MultiLabelSoftMargin(null).inputGradient[..3] },
        { "mlsm_weight_gradient", () => MultiLabelSoftMargin(Weight()).weightGradient! },
        { "mlsm_inf_loss", () => L.multilabel_soft_margin_loss(tensor(new[] { double.PositiveInfinity }), tensor(new[] { 1.0 })).item<double>() },

        { "margin_empty_mean", () => MarginOfEmptyBatch(R.Mean) },
        { "margin_empty_sum", () => MarginOfEmptyBatch(R.Sum) },
        { "mm_none", () => BinaryMarginSnippets.MultiMargin(1, R.None).loss },
        { "mm_mean", () => BinaryMarginSnippets.MultiMargin(1, R.Mean).loss[0] },
        { "mm_weighted_none", () => BinaryMarginSnippets.MultiMargin(1, R.None, Weight()).loss },
        { "mm_weighted_mean", () => BinaryMarginSnippets.MultiMargin(1, R.Mean, Weight()).loss[0] },
        { "mm_weighted_over_total_weight", () => BinaryMarginSnippets.MultiMargin(1, R.Sum, Weight()).loss[0] / 3.5 },
        { "mm_p2_none", () => BinaryMarginSnippets.MultiMargin(2, R.None).loss },
        { "mm_p2_mean", () => BinaryMarginSnippets.MultiMargin(2, R.Mean).loss[0] },
        { "mm_gradient_row0", () => MultiMarginGradientVsNative()[..3] },
        { "mm_clamp_min_gradient_row0", () => ClampMinMultiMarginGradient()[..3] },

        { "mlm_loss", () => MultiLabelMarginVsNative().loss },
        { "mlm_listed_once", () => MultiLabelMarginOf(new long[] { 0, -1, 1, 2 }) },
        { "mlm_past_the_minus_one", () => MultiLabelMarginOf(new long[] { 0, 1, -1, -1 }) },
        { "mlm_pair_sum", () => 4 * MultiLabelMarginOf(new long[] { 0, -1, 1, 2 }) },
        { "mlm_gradient", () => MultiLabelMarginVsNative().gradient },
        { "mlm_kink_gradient", () => MultiLabelMarginKinkGradient() },
    };

    private static double[] ToDouble(float[] values) => values.Select(v => (double)v).ToArray();

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    // ---- BCE ------------------------------------------------------------------------------------

    private static double[] BceGradientVsNative()
    {
        var gradient = BinaryMarginSnippets.Bce(R.Mean, false).gradient;
        var (probabilities, target, _) = BinaryMarginSnippets.BceExample();
        var native = probabilities.requires_grad_();
        N.binary_cross_entropy(native, target).backward();
        AssertClose(native.grad!, tensor(gradient), "gradient vs libtorch");
        return gradient;
    }

    private static double[] BceTargetGradient()
    {
        var (probabilities, exampleTarget, _) = BinaryMarginSnippets.BceExample();
        var target = exampleTarget.requires_grad_();
        L.binary_cross_entropy(probabilities, target, reduction: R.Sum).backward();
        var native = exampleTarget.detach().clone().requires_grad_();
        N.binary_cross_entropy(probabilities, native, reduction: R.Sum).backward();
        AssertClose(native.grad!, target.grad!, "target gradient vs libtorch");
        return target.grad!.data<double>().ToArray();
    }

    private static (double[] loss, double[] inputGradient, double[] targetGradient) BceEdgesVsNative()
    {
        var (loss, _, inputGradient, targetGradient) = BinaryMarginSnippets.BceEdges();
        var x = tensor(new[] { 0.0, 0.0, 1.0, 1.0 }).requires_grad_();
        var y = tensor(new[] { 1.0, 0.0, 0.0, 1.0 }).requires_grad_();
        var native = N.binary_cross_entropy(x, y, reduction: R.None);
        native.sum().backward();
        AssertClose(native.detach(), tensor(loss), "loss vs libtorch");
        AssertClose(x.grad!, tensor(inputGradient), "input gradient vs libtorch");
        AssertClose(y.grad!, tensor(targetGradient), "target gradient vs libtorch");
        return (loss.Select(v => v == 0 ? 0 : v).ToArray(), inputGradient.Select(v => v == 0 ? 0 : v).ToArray(), targetGradient);
    }

    /// <summary>BCE at x = 1e-300 (float64) with y = 1: loss, input gradient and target gradient, checked against libtorch.</summary>
    private static (double loss, double inputGradient, double targetGradient) BceTiny()
    {
        double[] Run(Func<Tensor, Tensor, Tensor> bce)
        {
            var x = tensor(new[] { 1e-300 }).requires_grad_();
            var y = tensor(new[] { 1.0 }).requires_grad_();
            var loss = bce(x, y);
            loss.backward();
            return new[] { loss.item<double>(), x.grad!.item<double>(), y.grad!.item<double>() };
        }
        var ours = Run((x, y) => L.binary_cross_entropy(x, y));
        var native = Run((x, y) => N.binary_cross_entropy(x, y));
        AssertClose(tensor(native), tensor(ours), "vs libtorch");
        return (ours[0], ours[1], ours[2]);
    }

    // ---- BCE with logits ------------------------------------------------------------------------

    private static double[] SaturationStableVsNative()
    {
        var stable = BinaryMarginSnippets.SaturatedLogits().stable;
        var native = N.binary_cross_entropy_with_logits(tensor(new[] { -200f, 20f }), tensor(new[] { 1f, 0f }), reduction: R.None);
        AssertClose(native, tensor(stable), "vs libtorch");
        return ToDouble(stable);
    }

    /// <summary>∂ℓ/∂z at z = 20, y = 0 in float32: through sigmoid and BCE, and through BCE with logits (ours and libtorch's agree).</summary>
    private static (double viaProbabilities, double stable) SaturatedGradients()
    {
        double Slope(Func<Tensor, Tensor, Tensor> loss)
        {
            var z = tensor(new[] { 20f }).requires_grad_();
            loss(z, tensor(new[] { 0f })).backward();
            return z.grad!.item<float>();
        }
        double via = Slope((z, y) => L.binary_cross_entropy(z.sigmoid(), y));
        double stable = Slope((z, y) => L.binary_cross_entropy_with_logits(z, y));
        Assert.AreEqual(Slope((z, y) => N.binary_cross_entropy(z.sigmoid(), y)), via, "via probabilities vs libtorch");
        Assert.AreEqual(Slope((z, y) => N.binary_cross_entropy_with_logits(z, y)), stable, "logits vs libtorch");
        return (via, stable);
    }

    /// <summary>The constant logit that minimises the snippet's loss, by bisection on the sign of its gradient.</summary>
    private static double ConstantOptimum(double positiveWeight)
    {
        double low = -10, high = 10;
        for (int i = 0; i < 80; i++)
        {
            double middle = (low + high) / 2;
            if (BinaryMarginSnippets.ConstantPredictorSlope(middle, positiveWeight) < 0) low = middle; else high = middle;
        }
        return (low + high) / 2;
    }

    private static (double loss, double gradient) LogitEdge(double x, double y)
    {
        double[] Run(Func<Tensor, Tensor, Tensor> loss)
        {
            var input = tensor(new[] { x }).requires_grad_();
            var value = loss(input, tensor(new[] { y }));
            value.backward();
            return new[] { value.item<double>(), input.grad!.item<double>() };
        }
        var ours = Run((a, b) => L.binary_cross_entropy_with_logits(a, b));
        AssertClose(tensor(Run((a, b) => N.binary_cross_entropy_with_logits(a, b))), tensor(ours), $"x = {x}, y = {y} vs libtorch");
        return (ours[0], ours[1] == 0 ? 0 : ours[1]);
    }

    // ---- Soft margin ----------------------------------------------------------------------------

    private static (double[] loss, double[] gradient) SoftMarginFloat32EdgesVsNative()
    {
        var (loss, gradient) = BinaryMarginSnippets.SoftMarginFloat32Edges();
        var x = tensor(new[] { 17f, -89f }).requires_grad_();
        var native = N.soft_margin_loss(x, tensor(new[] { 1f, 1f }), R.None);
        native.sum().backward();
        AssertClose(native.detach(), tensor(loss), "loss vs libtorch");
        AssertClose(x.grad!, tensor(gradient), "gradient vs libtorch");
        return (ToDouble(loss), ToDouble(gradient));
    }

    /// <summary>The margin above which PyTorch 1.13's float32 form, log(1 + exp(−y·x)), is exactly 0, by bisection.</summary>
    private static double SoftMarginRoundingThreshold() =>
        ZeroFrom(10, 30, margin => (tensor(-margin).exp() + 1).log().item<float>() == 0);

    /// <summary>
    /// The margin above which our float32 soft margin loss, log1p(exp(−y·x)), is exactly 0 (exp underflows), by bisection;
    /// libtorch's kernel agrees on both sides of it.
    /// </summary>
    private static double SoftMarginUnderflowThreshold()
    {
        double threshold = ZeroFrom(90, 120, margin => L.soft_margin_loss(tensor(margin), tensor(1f)).item<float>() == 0);
        foreach (var margin in new[] { (float)threshold, (float)threshold - 0.01f })
            Assert.AreEqual(N.soft_margin_loss(tensor(margin), tensor(1f)).item<float>(), L.soft_margin_loss(tensor(margin), tensor(1f)).item<float>(),
                $"vs libtorch at y·x = {margin}");
        return threshold;
    }

    /// <summary>The float32 margin in [<paramref name="low"/>, <paramref name="high"/>] from which <paramref name="zero"/> holds, by bisection.</summary>
    private static double ZeroFrom(double low, double high, Func<float, bool> zero)
    {
        for (int i = 0; i < 60; i++)
        {
            double middle = (low + high) / 2;
            if (zero((float)middle)) high = middle; else low = middle;
        }
        return high;
    }

    /// <summary>The negative margin −y·x beyond which our soft margin loss is +∞ in <paramref name="dtype"/>, by bisection.</summary>
    private static double SoftMarginOverflowThreshold(ScalarType dtype)
    {
        double low = 10, high = 1000;
        for (int i = 0; i < 80; i++)
        {
            double middle = (low + high) / 2;
            double loss = L.soft_margin_loss(tensor(-middle).to(dtype), tensor(1.0).to(dtype)).to(ScalarType.Float64).item<double>();
            if (double.IsPositiveInfinity(loss)) high = middle; else low = middle;
        }
        return high;
    }

    // ---- Multi-label soft margin ----------------------------------------------------------------

    private static double[] MultiLabelSoftMarginRow0Elements()
    {
        var (logits, labels, _) = BinaryMarginSnippets.MultiLabelSoftMarginExample();
        return L.binary_cross_entropy_with_logits(logits[0], labels[0], reduction: R.None).data<double>().ToArray();
    }

    /// <summary>The mean multi-label soft margin loss of the example and its gradients, checked against libtorch's C++ frontend.</summary>
    private static (double loss, double[] inputGradient, double[]? weightGradient) MultiLabelSoftMargin(Tensor? weight)
    {
        var (logits, labels, _) = BinaryMarginSnippets.MultiLabelSoftMarginExample();
        Tensor?[] Run(Func<Tensor, Tensor, Tensor?, R, Tensor> loss)
        {
            var x = logits.detach().clone().requires_grad_();
            var w = weight?.detach().clone().requires_grad_();
            var value = loss(x, labels, w, R.Mean);
            value.backward();
            return new[] { value.detach(), x.grad, w?.grad };
        }
        var ours = Run((x, y, w, r) => L.multilabel_soft_margin_loss(x, y, w, r));
        var native = Run((x, y, w, r) => N.multilabel_soft_margin_loss(x, y, w, r));
        AssertClose(native[0]!, ours[0]!, "loss vs libtorch");
        AssertClose(native[1]!, ours[1]!, "input gradient vs libtorch");
        if (weight is not null) AssertClose(native[2]!, ours[2]!, "weight gradient vs libtorch");
        return (ours[0]!.item<double>(), ours[1]!.data<double>().ToArray(), ours[2]?.data<double>().ToArray());
    }

    // ---- Margins --------------------------------------------------------------------------------

    private static double MarginOfEmptyBatch(R reduction)
    {
        double multi = L.multi_margin_loss(empty(0, 3, dtype: ScalarType.Float64), empty(0, dtype: ScalarType.Int64), reduction: reduction).item<double>();
        double multilabel = L.multilabel_margin_loss(empty(0, 3, dtype: ScalarType.Float64), empty(0, 3, dtype: ScalarType.Int64), reduction).item<double>();
        Assert.AreEqual(multi, multilabel, "both margin losses");
        return multi;
    }

    private static double[] MultiMarginGradientVsNative()
    {
        var gradient = BinaryMarginSnippets.MultiMargin(1, R.Mean).gradient;
        var (scores, target) = BinaryMarginSnippets.MultiMarginExample();
        var native = scores.requires_grad_();
        N.multi_margin_loss(native, target).backward();
        AssertClose(native.grad!, tensor(gradient).reshape(3, 3), "gradient vs libtorch");
        return gradient.Select(g => g == 0 ? 0 : g).ToArray();
    }

    /// <summary>The example's mean multi-margin loss (p = 1, Δ = 1) with the hinge written as clamp_min, which passes the gradient at z = 0.</summary>
    private static double[] ClampMinMultiMarginGradient()
    {
        var (scores, target) = BinaryMarginSnippets.MultiMarginExample();
        var x = scores.requires_grad_();
        var z = (1 - x.gather(1, target.unsqueeze(1))) + x;
        var wrong = torch.nn.functional.one_hot(target, 3).eq(0).to(ScalarType.Float64);
        var clamped = (z.clamp_min(0) * wrong).sum(1L) / 3;
        Assert.AreEqual(L.multi_margin_loss(scores.detach(), target).item<double>(), clamped.mean().item<double>(), 1e-15, "same value");
        clamped.mean().backward();
        return x.grad!.data<double>().ToArray();
    }

    private static (double loss, double[] gradient) MultiLabelMarginVsNative()
    {
        var (loss, gradient) = BinaryMarginSnippets.MultiLabelMargin();
        var scores = tensor(new[,] { { 0.1, 0.2, 0.4, 0.8 } }).requires_grad_();
        var native = N.multilabel_margin_loss(scores, tensor(new long[,] { { 0, 0, -1, 1 } }));
        native.backward();
        AssertClose(native.detach(), tensor(loss), "loss vs libtorch");
        AssertClose(scores.grad!.reshape(-1), tensor(gradient), "gradient vs libtorch");
        return (loss, gradient);
    }

    private static double MultiLabelMarginOf(long[] target)
    {
        var scores = tensor(new[,] { { 0.1, 0.2, 0.4, 0.8 } });
        var labels = tensor(target).reshape(1, 4);
        double ours = L.multilabel_margin_loss(scores, labels).item<double>();
        Assert.AreEqual(N.multilabel_margin_loss(scores, labels).item<double>(), ours, 1e-15, "vs libtorch");
        return ours;
    }

    private static double[] MultiLabelMarginKinkGradient()
    {
        var target = tensor(new long[] { 0, -1, -1 });
        var x = tensor(new[] { 1.0, 0.0, 0.5 }).requires_grad_();
        L.multilabel_margin_loss(x, target).backward();
        var native = tensor(new[] { 1.0, 0.0, 0.5 }).requires_grad_();
        N.multilabel_margin_loss(native, target).backward();
        AssertClose(native.grad!, x.grad!, "gradient vs libtorch");
        return x.grad!.data<double>().Select(g => g == 0 ? 0 : g).ToArray();
    }

    // ---- Identities -----------------------------------------------------------------------------

    /// <summary>Probabilities that visit both edges, the floor of the BCE gradient, and the interior.</summary>
    private static readonly double[] Probabilities = { 0, 1e-300, 1e-13, 1e-6, 0.1, 0.5, 0.9, 1 - 1e-6, 1 };

    /// <summary>Logits from far negative to far positive, with 0.</summary>
    private static readonly double[] Logits = { -800, -50, -15, -3, -0.5, 0, 0.5, 3, 15, 50, 800 };

    private static readonly double[] Labels = { 0, 0.25, 1 };

    /// <summary>Every (grid value, label) pair as two flat tensors.</summary>
    private static (Tensor x, Tensor y) Pairs(double[] grid, double[] labels, ScalarType dtype = ScalarType.Float64)
    {
        var x = grid.SelectMany(v => labels.Select(_ => v)).ToArray();
        var y = grid.SelectMany(_ => labels).ToArray();
        return (tensor(x).to(dtype), tensor(y).to(dtype));
    }

    /// <summary>Values and the gradients of every argument marked as requiring grad, of the summed per-element loss.</summary>
    private static (double[] values, double[][] gradients) Evaluate(Func<Tensor[], Tensor> loss, params Tensor[] inputs)
    {
        var leaves = inputs.Select(t => t.requires_grad ? t.detach().clone().requires_grad_() : t.detach().clone()).ToArray();
        var value = loss(leaves);
        var differentiable = leaves.Where(l => l.requires_grad).ToArray();
        var gradients = differentiable.Length == 0 ? Array.Empty<Tensor>() : autograd.grad(new[] { value.sum() }, differentiable).Select(g => g!).ToArray();
        return (value.detach().to(ScalarType.Float64).reshape(-1).data<double>().ToArray(),
            gradients.Select(g => g.to(ScalarType.Float64).reshape(-1).data<double>().ToArray()).ToArray());
    }

    private static void AssertValues(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]) || double.IsInfinity(expected[i]) || double.IsNaN(actual[i]) || double.IsInfinity(actual[i]))
                Assert.AreEqual(expected[i], actual[i], $"{what} at {i}");
            else
                Assert.AreEqual(expected[i], actual[i], tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what} at {i}");
        }
    }

    [TestMethod, DocIdentity("binary_mean_divides_by_elements")]
    public void BinaryMeanDividesByElements()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Pairs(Logits[2..^2], Labels);
        var n = x.numel();
        var p = x.sigmoid();
        var weight = tensor(Enumerable.Range(0, (int)n).Select(i => 0.5 + i % 4).ToArray());
        void Check(Func<Tensor?, R, Tensor> loss, long count, string what)
        {
            AssertClose(loss(weight, R.Sum) / count, loss(weight, R.Mean), $"{what}: mean = sum / {count}");
            AssertClose(2 * loss(weight, R.Mean), loss(weight * 2, R.Mean), $"{what}: doubling the weights doubles the mean");
        }
        Check((w, r) => L.binary_cross_entropy(p, y, w, r), n, "BCE");
        Check((w, r) => L.binary_cross_entropy_with_logits(x, y, w, r), n, "BCE with logits");
        var x2 = x.reshape(-1, 3);
        Check((w, r) => L.multilabel_soft_margin_loss(x2, y.reshape(-1, 3), w?.narrow(0, 0, 3), r), x2.shape[0], "multi-label soft margin");
        var labels = y.ge(0.5).to(ScalarType.Float64) * 2 - 1;
        AssertClose(L.soft_margin_loss(x, labels, R.Sum) / n, L.soft_margin_loss(x, labels), "soft margin: mean = sum / n");
    }

    [TestMethod, DocIdentity("bce_target_gradient_is_minus_the_logit")]
    public void BceTargetGradientIsMinusTheLogit()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Pairs(Probabilities, Labels);
        var weight = tensor(Enumerable.Range(0, (int)x.numel()).Select(i => 0.5 + i % 3).ToArray());
        y.requires_grad_();
        var ours = Evaluate(a => L.binary_cross_entropy(a[0], a[1], a[2], R.None), x, y, weight);
        var native = Evaluate(a => N.binary_cross_entropy(a[0], a[1], a[2], R.None), x, y, weight);
        var xs = x.data<double>().ToArray();
        var w = weight.data<double>().ToArray();
        var expected = xs.Select((v, i) => -w[i] * (Math.Log(v) - Math.Log(1 - v))).ToArray();
        AssertValues(expected, ours.gradients[0], 1e-14, "−w·logit(x)");
        AssertValues(native.gradients[0], ours.gradients[0], 1e-14, "vs libtorch");
        Assert.IsTrue(double.IsPositiveInfinity(ours.gradients[0][0]) && double.IsNegativeInfinity(ours.gradients[0][^1]), "unclamped at the edges");
    }

    [TestMethod, DocIdentity("bce_gradient_is_the_kernel_formula")]
    public void BceGradientIsTheKernelFormula()
    {
        using var scope = NewDisposeScope();
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            var (x, y) = Pairs(Probabilities, Labels, dtype);
            var weight = tensor(Enumerable.Range(0, (int)x.numel()).Select(i => 0.5 + i % 3).ToArray()).to(dtype);
            x.requires_grad_();
            var ours = Evaluate(a => L.binary_cross_entropy(a[0], a[1], a[2], R.None), x, y, weight);
            var native = Evaluate(a => N.binary_cross_entropy(a[0], a[1], a[2], R.None), x, y, weight);
            var xs = x.detach().to(ScalarType.Float64).data<double>().ToArray();
            var ys = y.to(ScalarType.Float64).data<double>().ToArray();
            var w = weight.to(ScalarType.Float64).data<double>().ToArray();
            var expected = xs.Select((v, i) => w[i] * (v - ys[i]) / Math.Max(v * (1 - v), BceFloor)).ToArray();
            double tolerance = dtype == ScalarType.Float64 ? 1e-14 : 1e-6;
            AssertValues(expected, ours.gradients[0], tolerance, $"{dtype}: w·(x − y)/max(x(1 − x), ε)");
            AssertValues(native.gradients[0], ours.gradients[0], tolerance, $"{dtype}: vs libtorch");
            AssertValues(native.values, ours.values, tolerance, $"{dtype}: values vs libtorch");
            Assert.IsTrue(ours.values.All(v => v <= 100 * w.Max()), $"{dtype}: the clamp bounds every element by 100·w");
        }
    }

    [TestMethod, DocIdentity("bce_with_logits_stable_identity")]
    public void BceWithLogitsStableIdentity()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Pairs(Logits, Labels);
        foreach (var positiveWeight in new[] { 1.0, 0.5, 3.0 })
        {
            var pw = tensor(new[] { positiveWeight });
            var ours = L.binary_cross_entropy_with_logits(x, y, reduction: R.None, pos_weight: pw).data<double>().ToArray();
            var native = N.binary_cross_entropy_with_logits(x, y, reduction: R.None, pos_weight: pw).data<double>().ToArray();
            var xs = x.data<double>().ToArray();
            var ys = y.data<double>().ToArray();
            double MinusLogSigmoid(double v) => Math.Max(-v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v)));
            var stable = xs.Select((v, i) => (1 - ys[i]) * v + (1 + (positiveWeight - 1) * ys[i]) * MinusLogSigmoid(v)).ToArray();
            AssertValues(stable, ours, 1e-14, $"p = {positiveWeight}: (1 − y)x − (1 + (p − 1)y)·log σ(x)");
            AssertValues(native, ours, 1e-14, $"p = {positiveWeight}: vs libtorch");
            for (int i = 0; i < xs.Length; i++)
                if (Math.Abs(xs[i]) <= 15)
                {
                    double s = 1 / (1 + Math.Exp(-xs[i]));
                    double textbook = -(positiveWeight * ys[i] * Math.Log(s) + (1 - ys[i]) * Math.Log(1 - s));
                    Assert.AreEqual(textbook, ours[i], 1e-9 * Math.Max(1, textbook), $"textbook form at x = {xs[i]}, y = {ys[i]}");
                }
            Assert.IsTrue(ours.All(double.IsFinite), "finite for every finite logit");
        }
    }

    [TestMethod, DocIdentity("bce_with_logits_gradients")]
    public void BceWithLogitsGradients()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Pairs(Logits, Labels);
        x.requires_grad_();
        y.requires_grad_();
        var weight = tensor(Enumerable.Range(0, (int)x.numel()).Select(i => 0.5 + i % 3).ToArray());
        var xs = x.detach().data<double>().ToArray();
        var ys = y.detach().data<double>().ToArray();
        var w = weight.data<double>().ToArray();
        double LogSigmoid(double v) => -(Math.Max(-v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v))));
        foreach (var positiveWeight in new[] { 1.0, 3.0 })
        {
            var pw = tensor(new[] { positiveWeight });
            var ours = Evaluate(a => L.binary_cross_entropy_with_logits(a[0], a[1], a[2], R.None, pw), x, y, weight);
            var native = Evaluate(a => N.binary_cross_entropy_with_logits(a[0], a[1], a[2], R.None, pw), x, y, weight);
            var input = xs.Select((v, i) => w[i] * ((1 + (positiveWeight - 1) * ys[i]) / (1 + Math.Exp(-v)) - positiveWeight * ys[i])).ToArray();
            var target = xs.Select((v, i) => w[i] * (LogSigmoid(-v) - positiveWeight * LogSigmoid(v))).ToArray();
            AssertValues(input, ours.gradients[0], 1e-14, $"p = {positiveWeight}: ∂ℓ/∂x");
            AssertValues(target, ours.gradients[1], 1e-14, $"p = {positiveWeight}: ∂ℓ/∂y");
            if (positiveWeight == 1) AssertValues(xs.Select((v, i) => -w[i] * v).ToArray(), ours.gradients[1], 1e-14, "∂ℓ/∂y = −w·x");
            AssertValues(native.gradients[0], ours.gradients[0], 1e-14, $"p = {positiveWeight}: ∂ℓ/∂x vs libtorch");
            AssertValues(native.gradients[1], ours.gradients[1], 1e-14, $"p = {positiveWeight}: ∂ℓ/∂y vs libtorch");
            if (positiveWeight == 1) Assert.IsTrue(ours.gradients[0].Select((g, i) => Math.Abs(g) <= w[i]).All(b => b), "bounded by w");
        }
    }

    [TestMethod, DocIdentity("pos_weight_counts_positives_p_times")]
    public void PosWeightCountsPositivesPTimes()
    {
        using var scope = NewDisposeScope();
        var logits = Normal(51, ScalarType.Float64, false, 12) * 3;
        var labels = tensor(Enumerable.Range(0, 12).Select(i => i % 3 == 0 ? 1.0 : 0.0).ToArray());
        foreach (var p in new[] { 2, 3, 5 })
        {
            var weighted = L.binary_cross_entropy_with_logits(logits, labels, reduction: R.Sum, pos_weight: tensor(new[] { (double)p }));
            var positives = labels.eq(1);
            var repeated = cat(new[] { logits.masked_select(positives.logical_not()) }.Concat(Enumerable.Repeat(logits.masked_select(positives), p)).ToList(), 0);
            var repeatedLabels = cat(new[] { zeros(12 - 4, ScalarType.Float64) }.Concat(Enumerable.Repeat(ones(4, ScalarType.Float64), p)).ToList(), 0);
            AssertClose(L.binary_cross_entropy_with_logits(repeated, repeatedLabels, reduction: R.Sum), weighted, $"p = {p}");
        }
    }

    [TestMethod, DocIdentity("bce_with_logits_edges_match_libtorch")]
    public void BceWithLogitsEdgesMatchLibtorch()
    {
        using var scope = NewDisposeScope();
        var edges = new[] { double.NegativeInfinity, double.PositiveInfinity, double.NaN };
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            // Targets outside [0, 1] too: libtorch 2.10's value at x = −∞ is ±∞ there (1.13: NaN).
            var (x, y) = Pairs(edges, new[] { 0.0, 0.5, 1.0, 2.0, -0.5 }, dtype);
            x.requires_grad_();
            y.requires_grad_();
            foreach (var pw in new[] { null, tensor(new[] { 3.0 }).to(dtype), tensor(new[] { -2.0 }).to(dtype) })
                AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1], reduction: R.None, pos_weight: pw),
                    a => N.binary_cross_entropy_with_logits(a[0], a[1], reduction: R.None, pos_weight: pw), x, y);
            var input = Evaluate(a => L.binary_cross_entropy_with_logits(a[0], a[1], reduction: R.None), x, y).gradients[0];
            Assert.IsTrue(input.Take(10).All(double.IsFinite), $"{dtype}: the input gradient is finite at ±∞");
        }
    }

    [TestMethod, DocIdentity("bce_with_logits_is_bce_of_sigmoid_away_from_saturation")]
    public void BceWithLogitsIsBceOfSigmoidAwayFromSaturation()
    {
        using var scope = NewDisposeScope();
        var grid = Enumerable.Range(-30, 61).Select(k => k / 2.0).ToArray();   // |x| ≤ 15
        var (x, y) = Pairs(grid, Labels);
        x.requires_grad_();
        y.requires_grad_();
        var weight = tensor(Enumerable.Range(0, (int)x.numel()).Select(i => 0.5 + i % 3).ToArray());
        var viaProbabilities = Evaluate(a => L.binary_cross_entropy(a[0].sigmoid(), a[1], a[2], R.None), x, y, weight);
        var logits = Evaluate(a => L.binary_cross_entropy_with_logits(a[0], a[1], a[2], R.None), x, y, weight);
        AssertValues(logits.values, viaProbabilities.values, 1e-8, "values");
        AssertValues(logits.gradients[0], viaProbabilities.gradients[0], 1e-8, "input gradients");
        AssertValues(logits.gradients[1], viaProbabilities.gradients[1], 1e-8, "target gradients");
    }

    [TestMethod, DocIdentity("soft_margin_is_bce_with_logits_of_mapped_labels")]
    public void SoftMarginIsBceWithLogitsOfMappedLabels()
    {
        using var scope = NewDisposeScope();
        var grid = Enumerable.Range(-60, 121).Select(k => k / 2.0).ToArray();   // |x| ≤ 30
        var (x, y) = Pairs(grid, new[] { -1.0, 1.0 });
        x.requires_grad_();
        var soft = Evaluate(a => L.soft_margin_loss(a[0], a[1], R.None), x, y);
        var bce = Evaluate(a => L.binary_cross_entropy_with_logits(a[0], (1 + a[1]) / 2, reduction: R.None), x, y);
        var inputs = x.detach().data<double>().ToArray();
        for (int i = 0; i < soft.values.Length; i++)
        {
            // BCE with logits gives libtorch's value, (1 − t)·x − log σ(x) as written: for t = 0 and x ≪ 0 its two terms are
            // both about x and cancel, leaving an absolute error up to an ulp of |x| (2^-52·|x| in float64; 1.2e-15 at x = −30).
            Assert.AreEqual(bce.values[i], soft.values[i], 1e-15 + 1e-12 * bce.values[i] + Math.ScaleB(Math.Abs(inputs[i]), -52), $"value {i}");
            Assert.AreEqual(bce.gradients[0][i], soft.gradients[0][i], 1e-15 + 1e-12 * Math.Abs(bce.gradients[0][i]), $"gradient {i}");
        }
    }

    [TestMethod, DocIdentity("soft_margin_target_is_not_differentiable")]
    public void SoftMarginTargetIsNotDifferentiable()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.5, -1.0 }).requires_grad_();
        var y = tensor(new[] { 1.0, -1.0 }).requires_grad_();
        var error = Assert.ThrowsExactly<ArgumentException>(() => L.soft_margin_loss(x, y));
        StringAssert.StartsWith(error.Message,
            "The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. This input cannot have requires_grad True.");
        Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => N.soft_margin_loss(x, y), "libtorch refuses it too");
        using (no_grad()) AssertClose(N.soft_margin_loss(x, y), L.soft_margin_loss(x, y), "accepted without grad mode");
    }

    [TestMethod, DocIdentity("soft_margin_matches_libtorch_at_the_edges")]
    public void SoftMarginMatchesLibtorchAtTheEdges()
    {
        using var scope = NewDisposeScope();
        var margins = new[] { -1000, -710, -709, -89, -88, -20, -1, 0, 1, 16, 16.5, 17, 20, 40, 89, 800.0 };
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            var (x, y) = Pairs(margins, new[] { -1.0, 1.0 }, dtype);
            x.requires_grad_();
            AssertSame(a => L.soft_margin_loss(a[0], a[1], R.None), a => N.soft_margin_loss(a[0], a[1], R.None), x, y);
            var ours = Evaluate(a => L.soft_margin_loss(a[0], a[1], R.None), x, y);
            double overflow = dtype == ScalarType.Float32 ? Math.Log(float.MaxValue) : Math.Log(double.MaxValue);
            var products = margins.SelectMany(m => new[] { -m, m }).ToArray();   // y·x for y = −1, 1
            for (int i = 0; i < products.Length; i++)
            {
                if (-products[i] > overflow)
                {
                    Assert.IsTrue(double.IsPositiveInfinity(ours.values[i]), $"{dtype}: ∞ at y·x = {products[i]}");
                    Assert.IsTrue(double.IsNaN(ours.gradients[0][i]), $"{dtype}: NaN gradient at y·x = {products[i]}");
                }
                // log1p keeps the loss at e = exp(−y·x) where PyTorch 1.13's log(1 + e) rounded it to 0 (float32, y·x ≥ 17).
                if (products[i] >= 17 && products[i] <= 80)
                    Assert.AreEqual(Math.Exp(-products[i]), ours.values[i], 1e-6 * Math.Exp(-products[i]), $"{dtype}: e^−y·x at y·x = {products[i]}");
            }
        }
    }

    [TestMethod, DocIdentity("soft_margin_is_within_log_2_of_the_hinge")]
    public void SoftMarginIsWithinLog2OfTheHinge()
    {
        using var scope = NewDisposeScope();
        var margins = Enumerable.Range(-80, 161).Select(k => k / 4.0).ToArray();
        var loss = L.soft_margin_loss(tensor(margins), ones(margins.Length, ScalarType.Float64), R.None).data<double>().ToArray();
        for (int i = 0; i < margins.Length; i++)
        {
            double hinge = Math.Max(0, -margins[i]);
            Assert.IsTrue(loss[i] >= hinge - 1e-15 && loss[i] <= hinge + Math.Log(2) + 1e-15, $"m = {margins[i]}: {loss[i]}");
        }
        Assert.AreEqual(Math.Log(2), loss[80], 1e-16, "the gap is log 2 at m = 0");
    }

    [TestMethod, DocIdentity("multilabel_soft_margin_is_class_mean_of_bce_with_logits")]
    public void MultiLabelSoftMarginIsClassMeanOfBceWithLogits()
    {
        using var scope = NewDisposeScope();
        foreach (var shape in new[] { new long[] { 5 }, new long[] { 4, 5 }, new long[] { 2, 3, 5 } })
        {
            var x = Normal(61, ScalarType.Float64, true, shape) * 4;
            var y = tensor(Enumerable.Range(0, (int)x.numel()).Select(i => (i * 7 % 3) / 2.0).ToArray()).reshape(shape).requires_grad_();
            var weight = tensor(new[] { 1.0, 2.0, 0.5, 3.0, 0.25 });
            foreach (var w in new[] { null, weight })
            {
                var expected = (L.binary_cross_entropy_with_logits(x, y, reduction: R.None) * (w ?? ones(5, ScalarType.Float64))).mean(new long[] { -1 });
                AssertClose(expected, L.multilabel_soft_margin_loss(x, y, w, R.None), $"{string.Join("×", shape)}, weighted {w is not null}");
                foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
                    AssertSame(a => L.multilabel_soft_margin_loss(a[0], a[1], w, reduction), a => N.multilabel_soft_margin_loss(a[0], a[1], w, reduction), x, y);
            }
            var unweightedMean = L.binary_cross_entropy_with_logits(x, y);
            AssertClose(unweightedMean, L.multilabel_soft_margin_loss(x, y), "without weights the mean is BCE with logits' mean over all elements");
        }
    }

    /// <summary>Scores on a grid of halves, so that many pairs sit exactly at z = 0, with their class-index targets.</summary>
    private static (Tensor scores, Tensor target) MarginBatch(int seed, long n = 8, long classes = 4)
    {
        var random = new Random(seed);
        var scores = tensor(Enumerable.Range(0, (int)(n * classes)).Select(_ => random.Next(-4, 5) / 2.0).ToArray()).reshape(n, classes);
        var target = tensor(Enumerable.Range(0, (int)n).Select(_ => random.NextInt64(classes)).ToArray());
        return (scores, target);
    }

    [TestMethod, DocIdentity("multi_margin_mean_divides_by_samples")]
    public void MultiMarginMeanDividesBySamples()
    {
        using var scope = NewDisposeScope();
        var (scores, target) = MarginBatch(71);
        var weight = tensor(new[] { 1.0, 2.0, 0.5, 3.0 });
        foreach (var p in new[] { 1, 2 })
        {
            AssertClose(L.multi_margin_loss(scores, target, p, 1.0, weight, R.Sum) / 8, L.multi_margin_loss(scores, target, p, 1.0, weight), $"p = {p}: mean = sum / N");
            AssertClose(2 * L.multi_margin_loss(scores, target, p, 1.0, weight), L.multi_margin_loss(scores, target, p, 1.0, weight * 2), $"p = {p}: weights are not normalised");
            AssertClose(N.multi_margin_loss(scores, target, p, 1.0, weight), L.multi_margin_loss(scores, target, p, 1.0, weight), $"p = {p}: vs libtorch");
        }
    }

    [TestMethod, DocIdentity("multi_margin_gradient")]
    public void MultiMarginGradient()
    {
        using var scope = NewDisposeScope();
        var (scores, target) = MarginBatch(72);
        var weight = tensor(new[] { 1.0, 2.0, 0.5, 3.0 });
        var x = scores.data<double>().ToArray();
        var labels = target.data<long>().ToArray();
        var w = weight.data<double>().ToArray();
        foreach (var p in new[] { 1, 2 })
            foreach (var margin in new[] { 1.0, 0.5 })
            {
                var input = scores.detach().clone().requires_grad_();
                L.multi_margin_loss(input, target, p, margin, weight).backward();
                var expected = new double[x.Length];
                for (int i = 0; i < 8; i++)
                {
                    long c = labels[i];
                    for (int j = 0; j < 4; j++)
                    {
                        double z = margin - x[i * 4 + c] + x[i * 4 + j];
                        if (j == c || !(z > 0)) continue;
                        double g = (p == 1 ? w[c] : 2 * w[c] * z) / 4 / 8;
                        expected[i * 4 + j] += g;
                        expected[i * 4 + c] -= g;
                    }
                }
                AssertClose(tensor(expected).reshape(8, 4), input.grad!, $"p = {p}, Δ = {margin}");
                var rowSums = input.grad!.sum(1L).abs().max().item<double>();
                Assert.IsTrue(rowSums < 1e-15, $"rows sum to zero: {rowSums}");
                AssertSame(a => L.multi_margin_loss(a[0], target, p, margin, weight), a => N.multi_margin_loss(a[0], target, p, margin, weight), input);
            }
    }

    [TestMethod, DocIdentity("multi_margin_kink_is_strict")]
    public void MultiMarginKinkIsStrict()
    {
        using var scope = NewDisposeScope();
        var (scores, target) = MarginBatch(73);
        var input = scores.requires_grad_();
        AssertSame(a => L.multi_margin_loss(a[0], target), a => N.multi_margin_loss(a[0], target), input);
        var z = (1 - scores.detach().gather(1, target.unsqueeze(1))) + scores.detach();
        var atKink = z.eq(0).logical_and(torch.nn.functional.one_hot(target, 4).eq(0)).sum().item<long>();
        Assert.IsGreaterThan(0L, atKink, "the batch has pairs at z = 0");
        var strict = MultiMarginGradientVsNative();
        var clamped = ClampMinMultiMarginGradient();
        Assert.AreNotEqual(clamped[1], strict[1], "clamp_min passes the gradient at z = 0, the kernel does not");
        Assert.AreEqual(0.0, strict[1], "no gradient at z = 0");
    }

    [TestMethod, DocIdentity("multi_margin_with_two_classes_is_half_the_hinge")]
    public void MultiMarginWithTwoClassesIsHalfTheHinge()
    {
        using var scope = NewDisposeScope();
        var (scores, target) = MarginBatch(74, 10, 2);
        var gap = scores.gather(1, target.unsqueeze(1)).squeeze(1) - scores.gather(1, (1 - target).unsqueeze(1)).squeeze(1);
        var hinge = (1 - gap).clamp_min(0) / 2;
        AssertClose(hinge, L.multi_margin_loss(scores, target, reduction: R.None), "values");
        AssertSame(a => L.multi_margin_loss(a[0], target, reduction: R.None), a => N.multi_margin_loss(a[0], target, reduction: R.None), scores.requires_grad_());
    }

    /// <summary>Random −1-padded class lists with repetitions and entries after the first −1.</summary>
    private static Tensor ClassLists(int seed, long n, long classes)
    {
        var random = new Random(seed);
        return tensor(Enumerable.Range(0, (int)(n * classes)).Select(_ => random.NextInt64(-1, classes)).ToArray()).reshape(n, classes);
    }

    [TestMethod, DocIdentity("multilabel_margin_reads_the_list_up_to_the_first_minus_one")]
    public void MultiLabelMarginReadsTheListUpToTheFirstMinusOne()
    {
        using var scope = NewDisposeScope();
        var (scores, _) = MarginBatch(75, 8, 5);
        var target = ClassLists(76, 8, 5);
        var x = scores.data<double>().ToArray();
        var t = target.data<long>().ToArray();
        var expected = new double[8];
        for (int i = 0; i < 8; i++)
        {
            var list = t.Skip(i * 5).Take(5).TakeWhile(c => c != -1).ToList();
            foreach (var j in list)
                for (int k = 0; k < 5; k++)
                    if (!list.Contains(k)) expected[i] += Math.Max(0, 1 - (x[i * 5 + j] - x[i * 5 + k])) / 5;
        }
        AssertClose(tensor(expected), L.multilabel_margin_loss(scores, target, R.None), "per sample");
        Assert.IsTrue(t.Chunk(5).Any(row => row.TakeWhile(c => c != -1).GroupBy(c => c).Any(g => g.Count() > 1)), "the batch has a repetition");
        foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
            AssertSame(a => L.multilabel_margin_loss(a[0], target, reduction), a => N.multilabel_margin_loss(a[0], target, reduction), scores.requires_grad_());
    }

    [TestMethod, DocIdentity("multilabel_margin_kink_is_strict")]
    public void MultiLabelMarginKinkIsStrict()
    {
        using var scope = NewDisposeScope();
        var (scores, _) = MarginBatch(77, 8, 5);
        var target = ClassLists(78, 8, 5);
        AssertSame(a => L.multilabel_margin_loss(a[0], target), a => N.multilabel_margin_loss(a[0], target), scores.requires_grad_());
        Assert.AreEqual(0.0, MultiLabelMarginKinkGradient()[1], "no gradient at z = 0");
    }

    [TestMethod, DocIdentity("multilabel_margin_with_one_class_is_multi_margin")]
    public void MultiLabelMarginWithOneClassIsMultiMargin()
    {
        using var scope = NewDisposeScope();
        var (scores, target) = MarginBatch(79, 8, 5);
        var tails = ClassLists(80, 8, 5);
        var lists = cat(new[] { target.unsqueeze(1), full(8, 1, -1L, ScalarType.Int64), tails.narrow(1, 2, 3) }, 1);
        foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
        {
            AssertClose(L.multi_margin_loss(scores, target, reduction: reduction), L.multilabel_margin_loss(scores, lists, reduction), $"{reduction}");
            AssertSame(a => L.multilabel_margin_loss(a[0], lists, reduction), a => L.multi_margin_loss(a[0], target, reduction: reduction), scores.requires_grad_());
        }
    }
}
