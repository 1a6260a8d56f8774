using TorchLossesDocs;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Docs;

/// <summary>Every number and identity of docs/losses/classification.md, computed by TorchLosses (and, where the page says so, by libtorch).</summary>
[TestClass]
public sealed partial class ClassificationPageTests : DocPageTests
{
    protected override string PagePath => "docs/losses/classification.md";

    private static Tensor Weight() => tensor(new[] { 1.0, 2.0, 0.5 });

    /// <summary>The numbers of the NLL and cross-entropy sections (the binary and margin sections add theirs in ClassificationPageTests.BinaryMargin.cs).</summary>
    private static Checks MulticlassValues() => new()
    {
        { "nll_all_ignored_loss", () => AllIgnored().loss },
        { "nll_all_ignored_gradient", () => AllIgnored().gradient },

        { "nll_none", () => Nll(R.None) },
        { "nll_sum", () => Nll(R.Sum)[0] },
        { "nll_weight_total", () => Nll(R.Sum)[0] / Nll(R.Mean)[0] },
        { "nll_mean", () => ClassificationSnippets.NllWeightedMean().loss },
        { "nll_mean_over_rows", () => Nll(R.Sum)[0] / 4 },
        { "nll_mean_over_counted_rows", () => Nll(R.Sum)[0] / 3 },
        { "nll_gradient_at_targets", () => NllGradient().atTargets },
        { "nll_gradient_elsewhere", () => NllGradient().elsewhere },

        { "ce_log_sum_exp_row0", () => ClassificationSnippets.CrossEntropy(R.None)[0] + 2.0 },
        { "ce_log_softmax_row0", () => LogSoftmaxRow0() },
        { "ce_softmax_row0", () => LogSoftmaxRow0().Select(Math.Exp).ToArray() },
        { "ce_none", () => ClassificationSnippets.CrossEntropy(R.None) },
        { "ce_mean", () => ClassificationSnippets.CrossEntropy(R.Mean) },
        { "ce_weighted_none", () => ClassificationSnippets.CrossEntropy(R.None, Weight()) },
        { "ce_weighted_mean", () => ClassificationSnippets.CrossEntropy(R.Mean, Weight()) },
        { "float32_exp_overflow", () => Math.Log(float.MaxValue) },
        { "large_logits_stable", () => ClassificationSnippets.LargeLogits().stable },
        { "large_logits_naive", () => ClassificationSnippets.LargeLogits().naive },
        { "ce_gradient_row0", () => CrossEntropyGradient()[0] },

        { "smoothing_weighted_nll_part", () => ClassificationSnippets.CrossEntropy(R.Mean, Weight()) },
        { "smoothing_weighted_uniform_part", () => UniformPart(Weight()) },
        { "smoothing_weighted_mean", () => ClassificationSnippets.CrossEntropy(R.Mean, Weight(), 0.1) },
        { "smoothing_mean", () => ClassificationSnippets.CrossEntropy(R.Mean, null, 0.1) },
        { "smoothing_optimal_gap", () => OptimalGap(0.1) },

        { "soft_target_mean", () => ClassificationSnippets.SoftTargets().loss },
        { "soft_logit_gradient_row0", () => ClassificationSnippets.SoftTargets().logitGradient[..3] },
        { "soft_target_gradient_row0", () => ClassificationSnippets.SoftTargets().targetGradient[..3] },
        { "one_hot_mean", () => ProbabilityTargetMean(OneHot(), null) },
        { "index_weighted_mean", () => ClassificationSnippets.CrossEntropy(R.Mean, Weight()) },
        { "one_hot_weighted_mean", () => ProbabilityTargetMean(OneHot(), Weight()) },
        { "smoothed_probability_weighted_mean", () => ProbabilityTargetMean(OneHot() * 0.9 + 0.1 / 3, Weight()) },
        { "index_smoothed_weighted_mean", () => ClassificationSnippets.CrossEntropy(R.Mean, Weight(), 0.1) },
    };

    private static double[] Nll(R reduction)
    {
        var (input, target, weight) = ClassificationSnippets.NllExample();
        return L.nll_loss(input, target, weight, reduction: reduction).reshape(-1).data<double>().ToArray();
    }

    private static (double loss, double[] gradient) AllIgnored()
    {
        var (input, _, weight) = ClassificationSnippets.NllExample();
        input.requires_grad_();
        var target = full(4, -100L, ScalarType.Int64);
        var loss = L.nll_loss(input, target, weight);
        loss.backward();
        var native = input.detach().clone().requires_grad_();
        var nativeLoss = N.nll_loss(native, target, weight);
        nativeLoss.backward();
        Assert.IsTrue(double.IsNaN(nativeLoss.item<double>()), "libtorch: NaN");
        AssertClose(native.grad!, input.grad!, "gradient vs libtorch");
        return (loss.item<double>(), input.grad!.data<double>().ToArray().Select(g => g == 0 ? 0 : g).Distinct().ToArray());
    }

    private static (double[] atTargets, double[] elsewhere) NllGradient()
    {
        var gradient = ClassificationSnippets.NllWeightedMean().gradient;   // 4 × 3, row-major
        int[] targets = { 0, 1, 2 };
        var atTargets = targets.Select((c, i) => gradient[i * 3 + c]).ToArray();
        var elsewhere = gradient.Where((_, k) => k / 3 == 3 || k % 3 != targets[k / 3]).Select(g => g == 0 ? 0 : g).Distinct().ToArray();
        return (atTargets, elsewhere);
    }

    /// <summary>log p of the first example row, read off our cross entropy: −CE(row, c) for each class c.</summary>
    private static double[] LogSoftmaxRow0()
    {
        var (logits, _) = ClassificationSnippets.CrossEntropyExample();
        return Enumerable.Range(0, 3).Select(c => -L.cross_entropy(logits[0], tensor((long)c)).item<double>()).ToArray();
    }

    /// <summary>Rows of the gradient of the mean cross entropy of the example (no weights) with respect to the logits.</summary>
    private static double[][] CrossEntropyGradient(Tensor? weight = null)
    {
        var (logits, target) = ClassificationSnippets.CrossEntropyExample();
        logits.requires_grad_();
        L.cross_entropy(logits, target, weight).backward();
        return logits.grad!.data<double>().ToArray().Chunk(3).ToArray();
    }

    /// <summary>Σᵢ Σ_c −w_c·log p_ic ÷ Σᵢ w[yᵢ], with −log p_ic read off our cross entropy (class c as the target of row i).</summary>
    private static double UniformPart(Tensor weight)
    {
        var (logits, target) = ClassificationSnippets.CrossEntropyExample();
        var w = weight.data<double>().ToArray();
        double total = 0;
        for (long c = 0; c < 3; c++)
            total += w[c] * L.cross_entropy(logits, full(3, c, ScalarType.Int64), reduction: R.Sum).item<double>();
        double weightOfTargets = target.data<long>().ToArray().Sum(y => w[y]);
        return total / weightOfTargets;
    }

    /// <summary>The logit gap z where ∂CE([z, 0], 0; ε)/∂z = 0, by bisection on the sign of our gradient.</summary>
    private static double OptimalGap(double epsilon)
    {
        double Slope(double z)
        {
            var logits = tensor(new[] { z, 0.0 }).requires_grad_();
            L.cross_entropy(logits, tensor(0L), label_smoothing: epsilon).backward();
            return logits.grad!.data<double>()[0];
        }
        double low = 0, high = 20;
        for (int i = 0; i < 60; i++)
        {
            double middle = (low + high) / 2;
            if (Slope(middle) < 0) low = middle; else high = middle;
        }
        return (low + high) / 2;
    }

    private static Tensor OneHot()
    {
        var (_, target) = ClassificationSnippets.CrossEntropyExample();
        return torch.nn.functional.one_hot(target, 3).to(ScalarType.Float64);
    }

    private static double ProbabilityTargetMean(Tensor probabilities, Tensor? weight)
    {
        var (logits, _) = ClassificationSnippets.CrossEntropyExample();
        return L.cross_entropy(logits, probabilities, weight).item<double>();
    }

    /// <summary>Random logits (N, C, d) with class-index targets, some ignored, and positive weights.</summary>
    private static (Tensor logits, Tensor target, Tensor weight) Batch(int seed, long n = 6, long classes = 4, long extra = 0)
    {
        var shape = extra == 0 ? new[] { n, classes } : new[] { n, classes, extra };
        var logits = Normal(seed, ScalarType.Float64, false, shape) * 3;
        var random = new Random(seed);
        long rows = extra == 0 ? n : n * extra;
        var labels = Enumerable.Range(0, (int)rows).Select(i => i % 5 == 4 ? -100L : random.NextInt64(classes)).ToArray();
        var target = extra == 0 ? tensor(labels) : tensor(labels).reshape(n, extra);
        var weight = tensor(Enumerable.Range(0, (int)classes).Select(c => 0.5 + c * 0.75).ToArray());
        return (logits, target, weight);
    }

    private static void AssertEqual(Tensor expected, Tensor actual, string what) => AssertClose(expected, actual, what);

    [TestMethod, DocIdentity("weighted_mean_is_scale_free")]
    public void WeightedMeanIsScaleFree()
    {
        using var scope = NewDisposeScope();
        var (logits, target, weight) = Batch(31);
        AssertEqual(L.cross_entropy(logits, target, weight), L.cross_entropy(logits, target, weight * 7.5), "cross entropy");
        AssertEqual(L.nll_loss(logits, target, weight), L.nll_loss(logits, target, weight * 0.01), "nll");
        AssertEqual(L.cross_entropy(logits, target, weight, label_smoothing: 0.2), L.cross_entropy(logits, target, weight * 3, label_smoothing: 0.2), "with smoothing");
        var ones = ones_like(weight);
        var counted = (target != -100).sum().item<long>();
        AssertEqual(L.cross_entropy(logits, target, reduction: R.Sum) / counted, L.cross_entropy(logits, target, ones * 4), "equal weights: the mean over the rows that count");
    }

    [TestMethod, DocIdentity("nll_gradient_is_minus_weight_over_total")]
    public void NllGradientIsMinusWeightOverTotal()
    {
        using var scope = NewDisposeScope();
        var (scores, target, weight) = Batch(32);
        var input = scores.requires_grad_();
        L.nll_loss(input, target, weight).backward();
        var labels = target.data<long>().ToArray();
        var w = weight.data<double>().ToArray();
        double total = labels.Where(y => y != -100).Sum(y => w[y]);
        var expected = new double[labels.Length * 4];
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] != -100) expected[i * 4 + labels[i]] = -w[labels[i]] / total;
        AssertEqual(tensor(expected).reshape(labels.Length, 4), input.grad!, "gradient");
        var native = scores.detach().clone().requires_grad_();
        N.nll_loss(native, target, weight).backward();
        AssertEqual(native.grad!, input.grad!, "vs libtorch");
    }

    [TestMethod, DocIdentity("cross_entropy_is_nll_of_log_softmax")]
    public void CrossEntropyIsNllOfLogSoftmax()
    {
        using var scope = NewDisposeScope();
        foreach (var extra in new[] { 0L, 5L })
        {
            var (logits, target, weight) = Batch(33, extra: extra);
            foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
            {
                var composed = L.nll_loss(logits.log_softmax(1), target, weight, reduction: reduction);
                AssertEqual(composed, L.cross_entropy(logits, target, weight, reduction: reduction), $"{reduction}, extra dims {extra}");
                AssertEqual(N.cross_entropy(logits, target, weight, reduction: reduction), L.cross_entropy(logits, target, weight, reduction: reduction), "vs libtorch");
            }
        }
    }

    [TestMethod, DocIdentity("log_softmax_is_shift_invariant")]
    public void LogSoftmaxIsShiftInvariant()
    {
        using var scope = NewDisposeScope();
        var (logits, target, weight) = Batch(34);
        foreach (var shift in new[] { 1000.0, -1000.0, 1e6 })
        {
            var shifted = L.cross_entropy(logits + shift, target, weight, reduction: R.None);
            var plain = L.cross_entropy(logits, target, weight, reduction: R.None);
            Assert.IsTrue(torch.allclose(plain, shifted, rtol: 1e-9, atol: 1e-9), $"shift {shift}");
        }
        var huge = tensor(new[,] { { 1000.0, 0.0 } });
        Assert.AreEqual(1000.0, L.cross_entropy(huge, tensor(new[] { 1L })).item<double>());
        Assert.AreEqual(0.0, L.cross_entropy(huge, tensor(new[] { 0L })).item<double>());
    }

    [TestMethod, DocIdentity("cross_entropy_gradient_is_softmax_minus_one_hot")]
    public void CrossEntropyGradientIsSoftmaxMinusOneHot()
    {
        using var scope = NewDisposeScope();
        var (logits, target, weight) = Batch(35);
        var input = logits.detach().clone().requires_grad_();
        L.cross_entropy(input, target, weight).backward();
        var labels = target.data<long>().ToArray();
        var w = weight.data<double>().ToArray();
        double total = labels.Where(y => y != -100).Sum(y => w[y]);
        var p = logits.softmax(1).data<double>().ToArray();
        var expected = new double[p.Length];
        for (int i = 0; i < labels.Length; i++)
            for (int c = 0; c < 4; c++)
                if (labels[i] != -100) expected[i * 4 + c] = w[labels[i]] / total * (p[i * 4 + c] - (c == labels[i] ? 1 : 0));
        AssertEqual(tensor(expected).reshape(labels.Length, 4), input.grad!, "gradient");
        var rowSums = input.grad!.sum(1).abs().max().item<double>();
        Assert.IsTrue(rowSums < 1e-15, $"rows sum to zero: {rowSums}");
    }

    [TestMethod, DocIdentity("label_smoothing_is_a_mixture_with_one_denominator")]
    public void LabelSmoothingIsAMixtureWithOneDenominator()
    {
        using var scope = NewDisposeScope();
        var (logits, target, weight) = Batch(36);
        const double epsilon = 0.3;
        var logp = logits.log_softmax(1);
        var valid = target != -100;
        var total = (weight.index_select(0, target.masked_fill(valid.logical_not(), 0)) * valid.to(ScalarType.Float64)).sum();
        var uniform = ((-(logp * weight)).sum(1) * valid.to(ScalarType.Float64)).sum() / total;
        var expected = (1 - epsilon) * L.cross_entropy(logits, target, weight) + epsilon / 4 * uniform;
        AssertEqual(expected, L.cross_entropy(logits, target, weight, label_smoothing: epsilon), "mean");
        AssertEqual(N.cross_entropy(logits, target, weight, label_smoothing: epsilon), L.cross_entropy(logits, target, weight, label_smoothing: epsilon), "vs libtorch");
    }

    [TestMethod, DocIdentity("label_smoothing_range")]
    public void LabelSmoothingRange()
    {
        using var scope = NewDisposeScope();
        var (logits, target, _) = Batch(37);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.cross_entropy(logits, target, label_smoothing: 1.5));
        StringAssert.StartsWith(error.Message, "label_smoothing must be between 0.0 and 1.0. Got: 1.5");
        var plain = L.cross_entropy(logits, target);
        AssertEqual(plain, L.cross_entropy(logits, target, label_smoothing: -0.3), "negative ε is 0");
        AssertEqual(plain, L.cross_entropy(logits, target, label_smoothing: double.NaN), "NaN ε is 0");
        var uniform = -logits.log_softmax(1).mean(new long[] { 1 });
        var counted = target != -100;
        AssertEqual(uniform.masked_select(counted).mean(), L.cross_entropy(logits, target, label_smoothing: 1.0), "ε = 1: the uniform target");
    }

    [TestMethod, DocIdentity("probability_target_mean_divides_by_rows")]
    public void ProbabilityTargetMeanDividesByRows()
    {
        using var scope = NewDisposeScope();
        foreach (var extra in new[] { 0L, 5L })
        {
            var (logits, _, weight) = Batch(38, extra: extra);
            var probabilities = Normal(39, ScalarType.Float64, false, logits.shape).softmax(1).requires_grad_();
            long rows = logits.numel() / 4;
            var sum = L.cross_entropy(logits, probabilities, weight, reduction: R.Sum);
            var mean = L.cross_entropy(logits, probabilities, weight, label_smoothing: 0.2);
            AssertEqual(sum / rows, L.cross_entropy(logits, probabilities, weight), $"mean = sum / {rows}");
            mean.backward();
            var view = extra == 0 ? weight.reshape(1, 4) : weight.reshape(1, 4, 1);
            AssertEqual(-(1 - 0.2) * view * logits.log_softmax(1) / rows, probabilities.grad!, "target gradient");
            var native = probabilities.detach().clone().requires_grad_();
            N.cross_entropy(logits, native, weight, label_smoothing: 0.2).backward();
            AssertEqual(native.grad!, probabilities.grad!, "target gradient vs libtorch");

            // The logits' gradient: (p_c·Σ_k w_k t'_k − w_c t'_c) / N'.
            var input = logits.detach().clone().requires_grad_();
            L.cross_entropy(input, probabilities.detach(), weight, label_smoothing: 0.2).backward();
            var smoothed = probabilities.detach() * 0.8 + 0.2 / 4;
            var expected = (logits.softmax(1) * (view * smoothed).sum(1, keepdim: true) - view * smoothed) / rows;
            AssertEqual(expected, input.grad!, "logit gradient");
        }
        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            L.cross_entropy(tensor(new[,] { { 1.0, 2.0 } }), tensor(new[,] { { 0.5, 0.5 } }), ignore_index: 0));
        StringAssert.StartsWith(error.Message, "ignore_index is not supported for floating point target");
    }

    [TestMethod, DocIdentity("one_hot_targets_match_indices_without_weights")]
    public void OneHotTargetsMatchIndicesWithoutWeights()
    {
        using var scope = NewDisposeScope();
        var logits = Normal(40, ScalarType.Float64, false, 7, 4) * 2;
        var target = tensor(new long[] { 0, 3, 1, 1, 2, 0, 3 });
        var oneHot = torch.nn.functional.one_hot(target, 4).to(ScalarType.Float64);
        foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
            AssertEqual(L.cross_entropy(logits, target, reduction: reduction), L.cross_entropy(logits, oneHot, reduction: reduction), $"{reduction}");
        var weight = tensor(new[] { 1.0, 2.0, 0.5, 3.0 });
        var index = L.cross_entropy(logits, target, weight).item<double>();
        var probability = L.cross_entropy(logits, oneHot, weight).item<double>();
        Assert.AreNotEqual(index, probability, 1e-6, "with weights the denominators differ");
        var weightOfTargets = weight.index_select(0, target).sum().item<double>();
        Assert.AreEqual(index * weightOfTargets / 7, probability, 1e-12, "index·W = probability·N");
    }

    [TestMethod, DocIdentity("label_smoothing_matches_smoothed_targets_without_weights")]
    public void LabelSmoothingMatchesSmoothedTargetsWithoutWeights()
    {
        using var scope = NewDisposeScope();
        var logits = Normal(41, ScalarType.Float64, false, 7, 4) * 2;
        var target = tensor(new long[] { 0, 3, 1, 1, 2, 0, 3 });
        var smoothed = torch.nn.functional.one_hot(target, 4).to(ScalarType.Float64) * 0.75 + 0.25 / 4;
        foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
            AssertEqual(L.cross_entropy(logits, smoothed, reduction: reduction), L.cross_entropy(logits, target, reduction: reduction, label_smoothing: 0.25), $"{reduction}");
    }
}
