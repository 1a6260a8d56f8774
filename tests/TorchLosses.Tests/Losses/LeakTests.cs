using TorchLosses;

namespace TorchLossesTests.Losses;

/// <summary>
/// No loss leaves tensors behind on the calling thread. TorchSharp counts, per thread, every tensor wrapper made and
/// every one disposed (<c>DisposeScopeManager.Statistics.ThreadTotalLiveCount</c>); a wrapper that nobody disposes keeps its
/// native tensor until the garbage collector finalizes it (on the finalizer thread, so this thread's count never drops).
/// For each of the 21 losses, on representative operands and on the shapes with special paths, in both gradient modes:
/// <list type="bullet">
/// <item>a forward, with and without a graph, leaves exactly its result;</item>
/// <item>a forward and a backward leave the result, the upstream gradient the caller made (for an unreduced loss) and the
/// gradients the caller reads, plus, where a custom autograd function computed a gradient, one wrapper per gradient it
/// returned: TorchSharp 0.107's node (AutogradFunction.cs, ApplyFunc) hands the handles of a backward's results to
/// libtorch, which copies them, and never disposes those wrappers; no code of the function runs after that. Everything
/// else the function's backward makes, TorchSharp's wrapper of the upstream gradient included, is released;</item>
/// <item>a call that throws, also after it has made tensors (reading targets or ranges), leaves nothing.</item>
/// </list>
/// The counts are exact: a single wrapper left behind fails the case.
/// </summary>
[TestClass]
public sealed class LeakTests
{
    private static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    /// <summary>When a case's gradient comes from a custom autograd function.</summary>
    public enum Custom
    {
        /// <summary>Autograd through the composition, in both modes.</summary>
        Never,

        /// <summary>A custom function in <see cref="GradientMode.Analytic"/>, the composition in <see cref="GradientMode.Autograd"/>.</summary>
        Analytic,

        /// <summary>A custom function in both modes (soft margin with a target wider than the input; CTC's once-differentiable
        /// mark on log_probs, whose backward returns the upstream gradient).</summary>
        Always,
    }

    /// <summary>A loss on operands that it accepts.</summary>
    /// <param name="Operands">Makes fresh operands; those that require grad are differentiated.</param>
    private sealed record Case(string Name, Func<Tensor[]> Operands, Func<Tensor[], Tensor> Loss, Custom Custom = Custom.Never);

    /// <summary>A call that the loss rejects with <paramref name="Exception"/>.</summary>
    private sealed record Failing(string Name, Func<Tensor[]> Operands, Func<Tensor[], Tensor> Loss, Type Exception);

    private const ScalarType F32 = ScalarType.Float32;
    private const ScalarType F64 = ScalarType.Float64;

    // ---- operands: each case draws from its own generator, so the global RNG (shared by parallel tests) is not touched.

    private static Tensor[] Draw(ulong seed, Func<Generator, Tensor[]> make)
    {
        using var generator = new Generator(seed);
        return make(generator);
    }

    private static Tensor Normal(Generator g, long[] shape, bool grad = false, ScalarType type = F32) =>
        randn(shape, type, generator: g).requires_grad_(grad);

    /// <summary>Values in (0.05, 0.95): probabilities inside BCE's range.</summary>
    private static Tensor Probability(Generator g, long[] shape, bool grad = false, ScalarType type = F32)
    {
        using var u = rand(shape, type, generator: g);
        return (u * 0.9 + 0.05).requires_grad_(grad);
    }

    private static Tensor Positive(Generator g, long[] shape, bool grad = false, ScalarType type = F32)
    {
        using var u = rand(shape, type, generator: g);
        return (u + 0.5).requires_grad_(grad);
    }

    private static Tensor Signs(params float[] values) => tensor(values);

    private static Tensor Index(params long[] values) => tensor(values);

    private static Tensor LogProbabilities(Generator g, long[] shape, long dim, bool grad = true)
    {
        using var logits = randn(shape, F32, generator: g);
        return logits.log_softmax(dim).requires_grad_(grad);
    }

    private static long[] S(params long[] shape) => shape;

    // ---- the 21 losses

    private static IEnumerable<Case> Cases()
    {
        // Regression: element-wise, broadcasting; the analytic path needs one shape and one float32/float64 dtype.
        // L1 (libtorch's own composition) is recorded as the composition below 4096 elements, as the custom function from there.
        yield return new("l1/mean", () => Draw(1, g => new[] { Normal(g, S(3, 4), grad: true), Normal(g, S(3, 4), grad: true) }),
            t => L.l1_loss(t[0], t[1]));
        yield return new("l1/mean, 4096 elements", () => Draw(1, g => new[] { Normal(g, S(64, 64), grad: true), Normal(g, S(64, 64), grad: true) }),
            t => L.l1_loss(t[0], t[1]), Custom.Analytic);
        yield return new("l1/broadcast target", () => Draw(2, g => new[] { Normal(g, S(3, 4), grad: true), Normal(g, S(4)) }),
            t => L.l1_loss(t[0], t[1]));
        yield return new("mse/none", () => Draw(3, g => new[] { Normal(g, S(3, 4), grad: true), Normal(g, S(3, 4)) }),
            t => L.mse_loss(t[0], t[1], R.None), Custom.Analytic);
        yield return new("mse/float16", () => Draw(4, g => new[] { Normal(g, S(3, 4), grad: true, ScalarType.Float16), Normal(g, S(3, 4), type: ScalarType.Float16) }),
            t => L.mse_loss(t[0], t[1]));
        yield return new("smooth_l1/beta=0.5", () => Draw(5, g => new[] { Normal(g, S(3, 4), grad: true), Normal(g, S(3, 4), grad: true) }),
            t => L.smooth_l1_loss(t[0], t[1], R.Sum, beta: 0.5), Custom.Analytic);
        yield return new("smooth_l1/beta=0", () => Draw(6, g => new[] { Normal(g, S(3, 4), grad: true), Normal(g, S(3, 4)) }),
            t => L.smooth_l1_loss(t[0], t[1], R.Mean, beta: 0));   // β = 0 is L1 (the composition on 12 elements)
        yield return new("smooth_l1/beta=0, 4096 elements", () => Draw(6, g => new[] { Normal(g, S(64, 64), grad: true), Normal(g, S(64, 64)) }),
            t => L.smooth_l1_loss(t[0], t[1], R.Mean, beta: 0), Custom.Analytic);   // and L1's custom function from 4096
        yield return new("huber/delta=2", () => Draw(7, g => new[] { Normal(g, S(3, 4), grad: true, F64), Normal(g, S(3, 4), type: F64) }),
            t => L.huber_loss(t[0], t[1], R.Mean, delta: 2), Custom.Analytic);

        // NLL: batched, unbatched (0-d target and target of shape (1)), K-dimensional, weights with ignore_index, float16.
        // Without a weight or an ignored target the analytic mode records libtorch's own nodes (no custom function).
        yield return new("nll/batch", () => Draw(10, g => new[] { LogProbabilities(g, S(4, 5), 1), Index(0, 4, 2, 1) }),
            t => L.nll_loss(t[0], t[1]));
        yield return new("nll/unbatched", () => Draw(11, g => new[] { LogProbabilities(g, S(5), 0), tensor(3L) }),
            t => L.nll_loss(t[0], t[1]));
        yield return new("nll/target of shape (1)", () => Draw(12, g => new[] { LogProbabilities(g, S(5), 0), Index(3) }),
            t => L.nll_loss(t[0], t[1]));
        yield return new("nll/k-dim, weight, ignore_index", () => Draw(14, g => new[] { LogProbabilities(g, S(2, 5, 3), 1), tensor(new long[] { 0, 1, 9, 4, 9, 2 }, new long[] { 2, 3 }), Positive(g, S(5)) }),
            t => L.nll_loss(t[0], t[1], t[2], ignore_index: 9, R.None), Custom.Analytic);
        yield return new("nll/float16", () => Draw(15, g => new[] { LogProbabilities(g, S(4, 5), 1).detach().to(ScalarType.Float16).requires_grad_(), Index(0, 4, 2, 1) }),
            t => L.nll_loss(t[0], t[1]));

        // Cross entropy: the class-index paths of NLL, label smoothing (the composition), probability targets.
        yield return new("cross_entropy/batch", () => Draw(20, g => new[] { Normal(g, S(4, 5), grad: true), Index(0, 4, 2, 1) }),
            t => L.cross_entropy(t[0], t[1]));
        yield return new("cross_entropy/unbatched", () => Draw(21, g => new[] { Normal(g, S(5), grad: true), tensor(2L) }),
            t => L.cross_entropy(t[0], t[1]));
        yield return new("cross_entropy/target of shape (1)", () => Draw(22, g => new[] { Normal(g, S(5), grad: true), Index(2) }),
            t => L.cross_entropy(t[0], t[1], reduction: R.Sum));
        yield return new("cross_entropy/weight, ignore_index", () => Draw(23, g => new[] { Normal(g, S(4, 5), grad: true), Index(0, -100, 2, 1), Positive(g, S(5)) }),
            t => L.cross_entropy(t[0], t[1], t[2]), Custom.Analytic);
        yield return new("cross_entropy/label smoothing", () => Draw(24, g => new[] { Normal(g, S(4, 5), grad: true), Index(0, 3, 2, 1), Positive(g, S(5)) }),
            t => L.cross_entropy(t[0], t[1], t[2], ignore_index: 3, R.Mean, label_smoothing: 0.1));
        yield return new("cross_entropy/label smoothing, uint8 target", () => Draw(25, g => new[] { Normal(g, S(3, 5), grad: true), Index(0, 4, 2).to(ScalarType.Byte) }),
            t => L.cross_entropy(t[0], t[1], label_smoothing: 0.2));
        yield return new("cross_entropy/probabilities", () => Draw(26, g => new[] { Normal(g, S(3, 5, 2), grad: true), LogProbabilities(g, S(3, 5, 2), 1, grad: false).exp().requires_grad_() }),
            t => L.cross_entropy(t[0], t[1], label_smoothing: 0.1));

        // Binary cross entropy: with and without weight, the target differentiated too; float16 takes the composition.
        yield return new("binary_cross_entropy/mean", () => Draw(30, g => new[] { Probability(g, S(3, 4), grad: true), Probability(g, S(3, 4)) }),
            t => L.binary_cross_entropy(t[0], t[1]), Custom.Analytic);
        yield return new("binary_cross_entropy/weight, target grad", () => Draw(31, g => new[] { Probability(g, S(3, 4), grad: true), Probability(g, S(3, 4), grad: true), Positive(g, S(4)) }),
            t => L.binary_cross_entropy(t[0], t[1], t[2], R.None), Custom.Analytic);
        yield return new("binary_cross_entropy/float16", () => Draw(32, g => new[] { Probability(g, S(3, 4), grad: true, ScalarType.Float16), Probability(g, S(3, 4), type: ScalarType.Float16) }),
            t => L.binary_cross_entropy(t[0], t[1]));

        // Binary cross entropy with logits: plain, pos_weight and weight, an input holding −∞ (libtorch's value there), mixed dtypes.
        yield return new("binary_cross_entropy_with_logits/mean", () => Draw(40, g => new[] { Normal(g, S(3, 4), grad: true), Probability(g, S(3, 4), grad: true) }),
            t => L.binary_cross_entropy_with_logits(t[0], t[1]), Custom.Analytic);
        yield return new("binary_cross_entropy_with_logits/pos_weight, weight", () => Draw(41, g => new[] { Normal(g, S(3, 4), grad: true), Probability(g, S(3, 4), grad: true), Positive(g, S(4)), Positive(g, S(3, 1)) }),
            t => L.binary_cross_entropy_with_logits(t[0], t[1], t[3], R.None, pos_weight: t[2]), Custom.Analytic);
        yield return new("binary_cross_entropy_with_logits/-inf", () => Draw(42, g => new[] { tensor(new[] { float.NegativeInfinity, -1f, 0f, 2f }).requires_grad_(), tensor(new[] { 2f, 0.5f, 1f, 0f }) }),
            t => L.binary_cross_entropy_with_logits(t[0], t[1], reduction: R.Sum), Custom.Analytic);
        yield return new("binary_cross_entropy_with_logits/-inf, pos_weight", () => Draw(43, g => new[] { tensor(new[] { float.NegativeInfinity, -1f, float.NegativeInfinity, 2f }).requires_grad_(), tensor(new[] { 2f, 0.5f, 0.5f, 0f }), tensor(new[] { 3f, 1f, -1f, 2f }) }),
            t => L.binary_cross_entropy_with_logits(t[0], t[1], reduction: R.None, pos_weight: t[2]), Custom.Analytic);
        yield return new("binary_cross_entropy_with_logits/mixed dtypes, -inf", () => Draw(44, g => new[] { tensor(new[] { float.NegativeInfinity, -1f, 0f }).requires_grad_(), tensor(new[] { 2.0, 0.5, 1.0 }) }),
            t => L.binary_cross_entropy_with_logits(t[0], t[1]));

        // CTC: batched with padded and with concatenated targets, unbatched, lengths as arrays, zero_infinity.
        yield return new("ctc/padded", () => Draw(50, g => new[] { LogProbabilities(g, S(6, 2, 4), 2), tensor(new long[] { 1, 2, 2, 3, 1, 0 }, new long[] { 2, 3 }), Index(6, 5), Index(3, 2) }),
            t => L.ctc_loss(t[0], t[1], t[2], t[3]), Custom.Always);
        yield return new("ctc/concatenated, none", () => Draw(51, g => new[] { LogProbabilities(g, S(6, 2, 4), 2), Index(1, 2, 2, 3, 1), Index(6, 6), Index(3, 2) }),
            t => L.ctc_loss(t[0], t[1], t[2], t[3], reduction: R.None), Custom.Always);
        yield return new("ctc/unbatched", () => Draw(52, g => new[] { LogProbabilities(g, S(5, 4), 1), Index(1, 3), Index(5), Index(2) }),
            t => L.ctc_loss(t[0], t[1], t[2], t[3], reduction: R.Sum), Custom.Always);
        yield return new("ctc/array lengths, zero_infinity", () => Draw(53, g => new[] { LogProbabilities(g, S(4, 2, 4), 2), tensor(new long[] { 1, 1, 1, 2, 3, 0 }, new long[] { 2, 3 }) }),
            t => L.ctc_loss(t[0], t[1], new long[] { 2, 4 }, new long[] { 3, 2 }, zero_infinity: true), Custom.Always);

        // The probabilistic losses.
        yield return new("kl_div/batchmean", () => Draw(60, g => new[] { LogProbabilities(g, S(3, 4), 1), LogProbabilities(g, S(3, 4), 1, grad: false).exp().requires_grad_() }),
            t => L.kl_div(t[0], t[1], "batchmean"), Custom.Analytic);
        yield return new("kl_div/log_target, none", () => Draw(61, g => new[] { LogProbabilities(g, S(3, 4), 1), LogProbabilities(g, S(3, 4), 1) }),
            t => L.kl_div(t[0], t[1], R.None, log_target: true), Custom.Analytic);
        yield return new("poisson_nll/log_input", () => Draw(62, g => new[] { Normal(g, S(3, 4), grad: true), Positive(g, S(3, 4), grad: true) }),
            t => L.poisson_nll_loss(t[0], t[1]), Custom.Analytic);
        yield return new("poisson_nll/rate, full", () => Draw(63, g => new[] { Positive(g, S(3, 4), grad: true), Positive(g, S(3, 4)) * 3 }),
            t => L.poisson_nll_loss(t[0], t[1], log_input: false, full: true, reduction: R.None), Custom.Analytic);
        yield return new("gaussian_nll/heteroscedastic", () => Draw(64, g => new[] { Normal(g, S(3, 4), grad: true), Normal(g, S(3, 4), grad: true), Positive(g, S(3, 4), grad: true) }),
            t => L.gaussian_nll_loss(t[0], t[1], t[2]), Custom.Analytic);
        yield return new("gaussian_nll/var without the last dimension", () => Draw(65, g => new[] { Normal(g, S(3, 4), grad: true), Normal(g, S(3, 4)), Positive(g, S(3), grad: true) }),
            t => L.gaussian_nll_loss(t[0], t[1], t[2], full: true, reduction: R.None), Custom.Analytic);

        // The margin losses.
        yield return new("hinge_embedding", () => Draw(70, g => new[] { Positive(g, S(4), grad: true), Signs(1, -1, -1, 1) }),
            t => L.hinge_embedding_loss(t[0], t[1]));
        yield return new("soft_margin", () => Draw(71, g => new[] { Normal(g, S(4), grad: true), Signs(1, -1, -1, 1) }),
            t => L.soft_margin_loss(t[0], t[1]));
        yield return new("soft_margin/float64 target", () => Draw(72, g => new[] { Normal(g, S(4), grad: true), Signs(1, -1, -1, 1).to(F64) }),
            t => L.soft_margin_loss(t[0], t[1], R.None), Custom.Always);
        yield return new("multilabel_soft_margin/weight", () => Draw(73, g => new[] { Normal(g, S(3, 4), grad: true), Probability(g, S(3, 4)).round(), Positive(g, S(4)) }),
            t => L.multilabel_soft_margin_loss(t[0], t[1], t[2]));
        yield return new("multi_margin/p=2, weight", () => Draw(74, g => new[] { Normal(g, S(4, 5), grad: true), Index(0, 4, 2, 1), Positive(g, S(5)) }),
            t => L.multi_margin_loss(t[0], t[1], p: 2, margin: 0.5, weight: t[2]));
        yield return new("multi_margin/unbatched", () => Draw(75, g => new[] { Normal(g, S(5), grad: true), Index(3) }),
            t => L.multi_margin_loss(t[0], t[1], reduction: R.None));
        yield return new("multilabel_margin", () => Draw(76, g => new[] { Normal(g, S(2, 4), grad: true), tensor(new long[] { 3, 0, -1, 1, 1, 2, 0, -1 }, new long[] { 2, 4 }) }),
            t => L.multilabel_margin_loss(t[0], t[1]));
        yield return new("multilabel_margin/unbatched", () => Draw(77, g => new[] { Normal(g, S(4), grad: true), Index(2, -1, 0, 0) }),
            t => L.multilabel_margin_loss(t[0], t[1], R.None));

        // The embedding losses.
        yield return new("margin_ranking", () => Draw(80, g => new[] { Normal(g, S(4), grad: true), Normal(g, S(4), grad: true), Signs(1, -1, 1, -1) }),
            t => L.margin_ranking_loss(t[0], t[1], t[2], margin: 0.1));
        yield return new("cosine_embedding", () => Draw(81, g => new[] { Normal(g, S(3, 5), grad: true), Normal(g, S(3, 5), grad: true), Signs(1, -1, 1) }),
            t => L.cosine_embedding_loss(t[0], t[1], t[2], margin: 0.2, R.None));
        yield return new("cosine_embedding/unbatched", () => Draw(82, g => new[] { Normal(g, S(5), grad: true), Normal(g, S(5), grad: true), tensor(-1f) }),
            t => L.cosine_embedding_loss(t[0], t[1], t[2]));
        yield return new("triplet_margin/swap", () => Draw(83, g => new[] { Normal(g, S(3, 5), grad: true), Normal(g, S(3, 5), grad: true), Normal(g, S(3, 5), grad: true) }),
            t => L.triplet_margin_loss(t[0], t[1], t[2], margin: 1, p: 1.5, swap: true));
        yield return new("triplet_margin_with_distance/default", () => Draw(84, g => new[] { Normal(g, S(3, 5), grad: true), Normal(g, S(3, 5), grad: true), Normal(g, S(3, 5), grad: true) }),
            t => L.triplet_margin_with_distance_loss(t[0], t[1], t[2]));
        yield return new("triplet_margin_with_distance/custom distance", () => Draw(85, g => new[] { Normal(g, S(3, 5), grad: true), Normal(g, S(3, 5), grad: true), Normal(g, S(3, 5), grad: true) }),
            t =>
            {
                // The distances the caller's function returns are the caller's (the loss never disposes them): it disposes them.
                var returned = new List<Tensor>();
                var loss = L.triplet_margin_with_distance_loss(t[0], t[1], t[2], (a, b) =>
                {
                    var d = (a - b).abs().sum(1);
                    returned.Add(d);
                    return d;
                }, swap: true, reduction: R.None);
                returned.ForEach(d => d.Dispose());
                return loss;
            });
    }

    /// <summary>Calls that fail, most of them after the loss has made tensors (reading targets, ranges or lengths).</summary>
    private static IEnumerable<Failing> FailingCases()
    {
        var argument = typeof(ArgumentException);
        var range = typeof(ArgumentOutOfRangeException);
        yield return new("l1/shapes that do not broadcast", () => Draw(101, g => new[] { Normal(g, S(3, 4), grad: true), Normal(g, S(3)) }),
            t => L.l1_loss(t[0], t[1]), argument);
        yield return new("nll/target out of range", () => Draw(102, g => new[] { LogProbabilities(g, S(3, 5), 1), Index(0, 5, 1) }),
            t => L.nll_loss(t[0], t[1]), range);
        yield return new("nll/target of shape (1) out of range", () => Draw(103, g => new[] { LogProbabilities(g, S(5), 0), Index(7) }),
            t => L.nll_loss(t[0], t[1]), range);
        yield return new("cross_entropy/target of shape (1) out of range", () => Draw(104, g => new[] { Normal(g, S(5), grad: true), Index(-1) }),
            t => L.cross_entropy(t[0], t[1]), range);
        yield return new("cross_entropy/target of shape (1) with label smoothing", () => Draw(105, g => new[] { Normal(g, S(5), grad: true), Index(1) }),
            t => L.cross_entropy(t[0], t[1], label_smoothing: 0.1), argument);
        yield return new("cross_entropy/uint8 target, label smoothing, weight", () => Draw(106, g => new[] { Normal(g, S(3, 5), grad: true), Index(0, 1, 2).to(ScalarType.Byte), Positive(g, S(5)) }),
            t => L.cross_entropy(t[0], t[1], t[2], label_smoothing: 0.1), argument);
        yield return new("binary_cross_entropy/input outside [0, 1]", () => Draw(107, g => new[] { tensor(new[] { 0.5f, 1.5f }).requires_grad_(), tensor(new[] { 0.5f, 0.5f }) }),
            t => L.binary_cross_entropy(t[0], t[1]), range);
        yield return new("binary_cross_entropy/target outside [0, 1]", () => Draw(108, g => new[] { tensor(new[] { 0.5f, 0.5f }).requires_grad_(), tensor(new[] { 0.5f, float.NaN }) }),
            t => L.binary_cross_entropy(t[0], t[1]), range);
        yield return new("binary_cross_entropy_with_logits/bool target", () => Draw(109, g => new[] { Normal(g, S(2), grad: true), tensor(new[] { true, false }) }),
            t => L.binary_cross_entropy_with_logits(t[0], t[1]), argument);
        yield return new("ctc/blank in the targets", () => Draw(110, g => new[] { LogProbabilities(g, S(6, 2, 4), 2), tensor(new long[] { 1, 0, 2, 3, 1, 0 }, new long[] { 2, 3 }), Index(6, 5), Index(3, 2) }),
            t => L.ctc_loss(t[0], t[1], t[2], t[3]), argument);
        yield return new("ctc/label out of range, array lengths", () => Draw(111, g => new[] { LogProbabilities(g, S(6, 2, 4), 2), tensor(new long[] { 1, 4, 2, 3, 1, 0 }, new long[] { 2, 3 }) }),
            t => L.ctc_loss(t[0], t[1], new long[] { 6, 5 }, new long[] { 3, 2 }), range);
        yield return new("ctc/input length beyond T", () => Draw(112, g => new[] { LogProbabilities(g, S(6, 2, 4), 2), tensor(new long[] { 1, 2, 2, 3, 1, 0 }, new long[] { 2, 3 }), Index(7, 5), Index(3, 2) }),
            t => L.ctc_loss(t[0], t[1], t[2], t[3]), argument);
        yield return new("gaussian_nll/negative var", () => Draw(113, g => new[] { Normal(g, S(3, 4), grad: true), Normal(g, S(3, 4)), Normal(g, S(3, 4), grad: true) }),
            t => L.gaussian_nll_loss(t[0], t[1], t[2]), argument);
        yield return new("multi_margin/target out of range", () => Draw(114, g => new[] { Normal(g, S(4, 5), grad: true), Index(0, 5, 2, 1) }),
            t => L.multi_margin_loss(t[0], t[1]), range);
        yield return new("multilabel_margin/target out of range", () => Draw(115, g => new[] { Normal(g, S(2, 4), grad: true), tensor(new long[] { 3, 0, -1, 1, 4, 2, 0, -1 }, new long[] { 2, 4 }) }),
            t => L.multilabel_margin_loss(t[0], t[1]), range);
    }

    private static readonly Dictionary<string, Case> ByName = Cases().ToDictionary(c => c.Name);
    private static readonly Dictionary<string, Failing> FailingByName = FailingCases().ToDictionary(c => c.Name);

    /// <summary>The case names, one test each.</summary>
    public static IEnumerable<object[]> CaseNames => ByName.Keys.Select(name => new object[] { name });

    /// <summary>The failing case names, one test each.</summary>
    public static IEnumerable<object[]> FailingNames => FailingByName.Keys.Select(name => new object[] { name });

    [TestMethod]
    public void EveryLossIsCovered()
    {
        var losses = Cases().Select(c => c.Name.Split('/')[0]).Distinct().ToArray();
        Assert.HasCount(21, losses, string.Join(", ", losses));
    }

    [TestMethod]
    [DynamicData(nameof(CaseNames))]
    public void AForwardLeavesOnlyItsResult(string name)
    {
        var c = ByName[name];
        InEachMode(c.Operands, (mode, operands, report) =>
        {
            foreach (bool recorded in new[] { false, true })
            {
                long before = Live;
                Tensor result;
                using (enable_grad(recorded)) result = c.Loss(operands);
                long growth = Live - before;
                result.Dispose();
                report($"{name}, {mode}, forward{(recorded ? " with a graph" : "")}: +{growth} live (expected +1), " +
                       $"+{Live - before} once the result is disposed (expected +0)", growth == 1 && Live == before);
            }
        });
    }

    [TestMethod]
    [DynamicData(nameof(CaseNames))]
    public void AForwardAndBackwardLeaveTheResultAndTheGradients(string name)
    {
        var c = ByName[name];
        InEachMode(c.Operands, (mode, operands, report) =>
        {
            var differentiable = operands.Where(o => o.requires_grad).ToArray();
            Assert.IsNotEmpty(differentiable, "the case differentiates nothing");

            long before = Live;
            var result = c.Loss(operands);
            var upstream = result.dim() == 0 ? null : ones_like(result);
            result.backward(upstream is null ? null : new[] { upstream });
            var owned = new List<Tensor> { result };
            if (upstream is not null) owned.Add(upstream);
            owned.AddRange(differentiable.Select(o => o.grad ?? throw new AssertFailedException("an operand that requires grad got no gradient")));
            bool custom = c.Custom == Custom.Always || (c.Custom == Custom.Analytic && mode == GradientMode.Analytic);
            long handedToLibtorch = custom ? differentiable.Length : 0;   // TorchSharp's wrappers of the custom function's results
            long growth = Live - before;
            foreach (var t in owned) t.Dispose();
            long left = Live - before;
            report($"{name}, {mode}, forward and backward: +{growth} live (expected {owned.Count} owned + {handedToLibtorch} handed to " +
                   $"libtorch), +{left} once the caller's tensors are disposed (expected +{handedToLibtorch})",
                growth == owned.Count + handedToLibtorch && left == handedToLibtorch);
        });
    }

    [TestMethod]
    [DynamicData(nameof(FailingNames))]
    public void ACallThatThrowsLeavesNothing(string name)
    {
        var c = FailingByName[name];
        InEachMode(c.Operands, (mode, operands, report) =>
        {
            long before = Live;
            var thrown = Assert.Throws<Exception>(() => c.Loss(operands));
            long growth = Live - before;
            Assert.AreEqual(c.Exception, thrown.GetType(), thrown.Message);
            report($"{name}, {mode}: {thrown.GetType().Name}, +{growth} live (expected +0)", growth == 0);
        });
    }

    /// <summary>
    /// Runs <paramref name="measure"/> in each gradient mode on fresh operands. It reports each measurement with whether it is
    /// the expected one; all are printed (the report of a change quotes them), then the test fails with those that are not.
    /// </summary>
    private static void InEachMode(Func<Tensor[]> makeOperands, Action<GradientMode, Tensor[], Action<string, bool>> measure)
    {
        var failures = new List<string>();
        foreach (var mode in new[] { GradientMode.Analytic, GradientMode.Autograd })
        {
            using var _ = LossGradients.Use(mode);
            var operands = makeOperands();
            measure(mode, operands, (measurement, expected) =>
            {
                Console.WriteLine(measurement);
                if (!expected) failures.Add(measurement);
            });
            foreach (var operand in operands) operand.Dispose();
        }
        Assert.IsEmpty(failures, string.Join("\n", failures));
    }
}
