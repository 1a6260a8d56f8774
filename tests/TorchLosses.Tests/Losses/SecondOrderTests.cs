using System.Runtime.InteropServices;
using TorchLosses;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// Second derivatives of every loss, in both gradient modes and every reduction, against libtorch's own (the ATen ops
/// through the witness, whose double backward is libtorch's; PyTorch's Python compositions — Gaussian NLL, triplet with
/// distance — composed here from the same ATen ops): the first derivative taken with create_graph and a random upstream
/// gradient v, then the derivative of Σₖ⟨∂ℓ/∂xₖ, wₖ⟩ (fixed random wₖ) with respect to every differentiable operand and
/// to v. Where libtorch cannot differentiate a loss twice, its error is measured, and ours must fail as well (CTC) or is a
/// documented superset (MultiMargin, MultiLabelMargin: exact second derivatives, held by gradgradcheck).
/// </summary>
[TestClass]
public sealed class SecondOrderTests
{
    /// <summary>One loss form: float64 operands (those that require grad are differentiated), ours and libtorch's.</summary>
    private sealed record Case(Func<Tensor[]> Operands, Func<Tensor[], R, Tensor> Ours, Func<Tensor[], R, Tensor>? Native);

    private static Tensor P(int seed, params long[] shape) => Normal(seed, ScalarType.Float64, false, shape);

    private static Tensor Grad(Tensor t) => t.detach().requires_grad_(true);

    private static Tensor Signs(int seed, long n) => P(seed, n).sign().masked_fill(P(seed, n).eq(0), 1);

    private static Tensor Classes(long[] values) => tensor(values, ScalarType.Int64);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["l1"] = new(() => new[] { Grad(P(1, 3, 4)), Grad(P(2, 3, 4)) },
            (a, r) => L.l1_loss(a[0], a[1], r), (a, r) => N.l1_loss(a[0], a[1], r)),
        ["mse"] = new(() => new[] { Grad(P(1, 3, 4)), Grad(P(2, 3, 4)) },
            (a, r) => L.mse_loss(a[0], a[1], r), (a, r) => N.mse_loss(a[0], a[1], r)),
        ["smooth_l1"] = new(() => new[] { Grad(P(1, 3, 4)), Grad(P(2, 3, 4)) },
            (a, r) => L.smooth_l1_loss(a[0], a[1], r, 0.8), (a, r) => N.smooth_l1_loss(a[0], a[1], r, 0.8)),
        ["huber"] = new(() => new[] { Grad(P(1, 3, 4)), Grad(P(2, 3, 4)) },
            (a, r) => L.huber_loss(a[0], a[1], r, 0.7), (a, r) => N.huber_loss(a[0], a[1], 0.7, r)),
        ["cross_entropy"] = new(() => new[] { Grad(P(3, 4, 5)), Classes(new long[] { 1, 0, 4, 2 }) },
            (a, r) => L.cross_entropy(a[0], a[1], reduction: r), (a, r) => N.cross_entropy(a[0], a[1], reduction: r)),
        ["cross_entropy_weighted_ignored"] = new(() => new[] { Grad(P(3, 4, 5)), Classes(new long[] { 1, 3, 4, 2 }), P(4, 5).abs() },
            (a, r) => L.cross_entropy(a[0], a[1], a[2], ignore_index: 3, reduction: r),
            (a, r) => N.cross_entropy(a[0], a[1], a[2], ignore_index: 3, reduction: r)),
        ["cross_entropy_smoothing"] = new(() => new[] { Grad(P(3, 4, 5)), Classes(new long[] { 1, 0, 4, 2 }), P(4, 5).abs() },
            (a, r) => L.cross_entropy(a[0], a[1], a[2], reduction: r, label_smoothing: 0.2),
            (a, r) => N.cross_entropy(a[0], a[1], a[2], reduction: r, label_smoothing: 0.2)),
        ["cross_entropy_probabilities"] = new(() => new[] { Grad(P(3, 4, 5)), Grad(P(5, 4, 5).softmax(1)) },
            (a, r) => L.cross_entropy(a[0], a[1], reduction: r), (a, r) => N.cross_entropy(a[0], a[1], reduction: r)),
        ["nll"] = new(() => new[] { Grad(P(3, 4, 5).log_softmax(1)), Classes(new long[] { 1, 0, 4, 2 }), P(4, 5).abs() },
            (a, r) => L.nll_loss(a[0], a[1], a[2], reduction: r), (a, r) => N.nll_loss(a[0], a[1], a[2], r)),
        ["bce"] = new(() => new[] { Grad(P(5, 3, 4).sigmoid() * 0.9 + 0.05), Grad(P(6, 3, 4).sigmoid()), P(7, 4).abs() },
            (a, r) => L.binary_cross_entropy(a[0], a[1], a[2], r), (a, r) => N.binary_cross_entropy(a[0], a[1], a[2], r)),
        ["bce_with_logits"] = new(() => new[] { Grad(P(5, 3, 4) * 3), Grad(P(6, 3, 4).sigmoid()), P(7, 4).abs(), P(8, 4).abs() * 2 },
            (a, r) => L.binary_cross_entropy_with_logits(a[0], a[1], a[2], r, a[3]),
            (a, r) => N.binary_cross_entropy_with_logits(a[0], a[1], a[2], r, a[3])),
        ["kl_div"] = new(() => new[] { Grad(P(9, 3, 4).log_softmax(1)), Grad(P(10, 3, 4).softmax(1)) },
            (a, r) => L.kl_div(a[0], a[1], r), (a, r) => N.kl_div(a[0], a[1], false, r)),
        ["kl_div_log_target"] = new(() => new[] { Grad(P(9, 3, 4).log_softmax(1)), Grad(P(10, 3, 4).log_softmax(1)) },
            (a, r) => L.kl_div(a[0], a[1], r, log_target: true), (a, r) => N.kl_div(a[0], a[1], true, r)),
        ["poisson_nll"] = new(() => new[] { Grad(P(11, 3, 4)), Grad(P(12, 3, 4).abs() * 3) },
            (a, r) => L.poisson_nll_loss(a[0], a[1], reduction: r), (a, r) => N.poisson_nll_loss(a[0], a[1], reduction: r)),
        ["poisson_nll_rate_full"] = new(() => new[] { Grad(P(11, 3, 4).abs() + 0.5), Grad(P(12, 3, 4).abs() * 3) },
            (a, r) => L.poisson_nll_loss(a[0], a[1], log_input: false, full: true, reduction: r),
            (a, r) => N.poisson_nll_loss(a[0], a[1], log_input: false, full: true, reduction: r)),
        ["gaussian_nll"] = new(() => new[] { Grad(P(13, 3, 4)), Grad(P(14, 3, 4)), Grad(P(15, 3, 4).abs() + 0.3) },
            (a, r) => L.gaussian_nll_loss(a[0], a[1], a[2], reduction: r), (a, r) => GaussianNll(a[0], a[1], a[2], r)),
        ["margin_ranking"] = new(() => new[] { Grad(P(16, 6)), Grad(P(17, 6)), Signs(18, 6) },
            (a, r) => L.margin_ranking_loss(a[0], a[1], a[2], 0.3, r), (a, r) => N.margin_ranking_loss(a[0], a[1], a[2], 0.3, r)),
        ["hinge_embedding"] = new(() => new[] { Grad(P(16, 6)), Signs(18, 6) },
            (a, r) => L.hinge_embedding_loss(a[0], a[1], 0.8, r), (a, r) => N.hinge_embedding_loss(a[0], a[1], 0.8, r)),
        ["multilabel_margin"] = new(() => new[] { Grad(P(19, 3, 4)), tensor(new long[] { 3, 0, -1, 1, 1, 2, -1, 0, 0, 1, 2, 3 }, 3, 4) },
            (a, r) => L.multilabel_margin_loss(a[0], a[1], r), (a, r) => N.multilabel_margin_loss(a[0], a[1], r)),
        ["soft_margin"] = new(() => new[] { Grad(P(20, 3, 4)), Signs(21, 12).reshape(3, 4) },
            (a, r) => L.soft_margin_loss(a[0], a[1], r), (a, r) => N.soft_margin_loss(a[0], a[1], r)),
        // A float32 input with a float64 target: libtorch's gradient forms exp(−y·x) in float64 (a custom function in both modes).
        ["soft_margin_widened_target"] = new(() => new[] { Grad(P(20, 3, 4).to(ScalarType.Float32)), Signs(21, 12).reshape(3, 4) },
            (a, r) => L.soft_margin_loss(a[0], a[1], r), (a, r) => N.soft_margin_loss(a[0], a[1], r)),
        ["multilabel_soft_margin"] = new(() => new[] { Grad(P(20, 3, 4)), P(21, 3, 4).gt(0).to(ScalarType.Float64), P(22, 4).abs() },
            (a, r) => L.multilabel_soft_margin_loss(a[0], a[1], a[2], r), (a, r) => N.multilabel_soft_margin_loss(a[0], a[1], a[2], r)),
        ["cosine_embedding"] = new(() => new[] { Grad(P(23, 4, 3)), Grad(P(24, 4, 3)), Signs(25, 4) },
            (a, r) => L.cosine_embedding_loss(a[0], a[1], a[2], 0.1, r), (a, r) => N.cosine_embedding_loss(a[0], a[1], a[2], 0.1, r)),
        ["multi_margin"] = new(() => new[] { Grad(P(26, 4, 5)), Classes(new long[] { 1, 0, 4, 2 }), P(27, 5).abs() },
            (a, r) => L.multi_margin_loss(a[0], a[1], 1, 0.9, a[2], r), (a, r) => N.multi_margin_loss(a[0], a[1], 1, 0.9, a[2], r)),
        ["multi_margin_squared"] = new(() => new[] { Grad(P(26, 4, 5)), Classes(new long[] { 1, 0, 4, 2 }), P(27, 5).abs() },
            (a, r) => L.multi_margin_loss(a[0], a[1], 2, 0.9, a[2], r), (a, r) => N.multi_margin_loss(a[0], a[1], 2, 0.9, a[2], r)),
        ["triplet_margin"] = new(() => new[] { Grad(P(28, 4, 3)), Grad(P(29, 4, 3)), Grad(P(30, 4, 3)) },
            (a, r) => L.triplet_margin_loss(a[0], a[1], a[2], 1.5, 2, 1e-6, true, r),
            (a, r) => N.triplet_margin_loss(a[0], a[1], a[2], 1.5, 2, 1e-6, true, r)),
        ["triplet_margin_with_distance"] = new(() => new[] { Grad(P(28, 4, 3)), Grad(P(29, 4, 3)), Grad(P(30, 4, 3)) },
            (a, r) => L.triplet_margin_with_distance_loss(a[0], a[1], a[2], margin: 1.5, reduction: r),
            (a, r) => TripletWithDistance(a[0], a[1], a[2], 1.5, r)),
        ["ctc"] = new(() => new[] { Grad(P(31, 6, 2, 4).log_softmax(2)), tensor(new long[] { 1, 2, 2, 3, 1, 0 }, 2, 3) },
            (a, r) => L.ctc_loss(a[0], a[1], new long[] { 6, 5 }, new long[] { 3, 2 }, reduction: r),
            (a, r) => N.ctc_loss(a[0], a[1], tensor(new long[] { 6, 5 }), tensor(new long[] { 3, 2 }), reduction: r)),
    };

    /// <summary>Losses whose second derivative libtorch does not implement: the backward op its double backward names.</summary>
    private static readonly Dictionary<string, string> NativeOnceDifferentiable = new()
    {
        ["multilabel_margin"] = "derivative for aten::multilabel_margin_loss_backward is not implemented",
        ["multi_margin"] = "derivative for aten::multi_margin_loss_backward is not implemented",
        ["multi_margin_squared"] = "derivative for aten::multi_margin_loss_backward is not implemented",
        ["ctc"] = "derivative for aten::_ctc_loss_backward is not implemented",
    };

    /// <summary>PyTorch's Python gaussian_nll_loss: var cloned and clamped at eps under no_grad, ½(log var + (x − y)²/var).</summary>
    private static Tensor GaussianNll(Tensor input, Tensor target, Tensor var, R reduction)
    {
        var v = var.clone();
        using (no_grad()) v.clamp_(min: 1e-6);
        var loss = (v.log() + (input - target).pow(2) / v) * 0.5;
        return reduction switch { R.None => loss, R.Sum => loss.sum(), _ => loss.mean() };
    }

    /// <summary>PyTorch's Python triplet_margin_with_distance_loss with its default distance (ATen's pairwise_distance).</summary>
    private static Tensor TripletWithDistance(Tensor anchor, Tensor positive, Tensor negative, double margin, R reduction)
    {
        var loss = (torch.nn.functional.pairwise_distance(anchor, positive) - torch.nn.functional.pairwise_distance(anchor, negative) + margin)
            .clamp_min(0);
        return reduction switch { R.None => loss, R.Sum => loss.sum(), _ => loss.mean() };
    }

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(name => new object[] { name });

    /// <summary>The cases whose differentiable operands are float64, as gradgradcheck requires (all but the widened target).</summary>
    public static IEnumerable<object[]> Float64CaseNames =>
        Cases.Where(c => c.Value.Operands().All(t => !t.requires_grad || t.dtype == ScalarType.Float64)).Select(c => new object[] { c.Key });

    /// <summary>A fixed pseudo-random tensor in [−1, 1) shaped like <paramref name="like"/> (never libtorch's global generator).</summary>
    private static Tensor Fixed(int seed, Tensor like)
    {
        var random = new Random(seed);
        var values = new double[like.numel()];
        for (int i = 0; i < values.Length; i++) values[i] = random.NextDouble() * 2 - 1;
        return tensor(values, like.shape).to(like.dtype);
    }

    /// <summary>
    /// The first derivatives (create_graph, upstream v) and the second: ∂/∂(operands…, v) of Σₖ⟨∂ℓ/∂xₖ, wₖ⟩, undefined
    /// gradients as zeros. The second pass runs through backward, where a libtorch error is an exception (inside
    /// autograd.grad TorchSharp 0.107 would end the process).
    /// </summary>
    internal static (Tensor[] first, Tensor[] second) Derivatives(Func<Tensor[], Tensor> loss, Tensor[] operands)
    {
        var leaves = operands.Select(t => t.requires_grad ? t.detach().clone().requires_grad_(true) : t).ToArray();
        var wrt = leaves.Where(t => t.requires_grad).ToArray();
        var value = loss(leaves);
        var v = Fixed(41, value).requires_grad_(true);
        var first = autograd.grad(new[] { value }, wrt, new[] { v }, retain_graph: true, create_graph: true, allow_unused: true)
            .Select((g, k) => g is null || g.IsInvalid ? zeros_like(wrt[k]) : g).ToArray();
        var s = first.Select((g, k) => (g * Fixed(42 + k, g)).sum()).Aggregate((a, b) => a + b);
        var targets = wrt.Append(v).ToArray();
        if (s.requires_grad) autograd.backward(new[] { s }, inputs: targets);
        var second = targets.Select(t => t.grad is { IsInvalid: false } g ? g.clone() : zeros_like(t)).ToArray();
        return (first.Select(g => g.detach()).ToArray(), second);
    }

    /// <summary>Runs <paramref name="check"/> for every gradient mode and reduction, on fresh operands, in a dispose scope.</summary>
    private static void InEveryModeAndReduction(Case c, Action<Tensor[], R, string> check, string name)
    {
        foreach (var mode in new[] { GradientMode.Analytic, GradientMode.Autograd })
            foreach (var reduction in AllReductions)
            {
                using var scope = NewDisposeScope();
                using var _ = LossGradients.Use(mode);
                check(c.Operands(), reduction, $"{name} [{mode}, {reduction}]");
            }
    }

    [TestMethod]
    [DynamicData(nameof(CaseNames))]
    public void SecondDerivativesAreLibtorchs(string name)
    {
        var c = Cases[name];
        InEveryModeAndReduction(c, (operands, reduction, what) =>
            {
                if (NativeOnceDifferentiable.TryGetValue(name, out var refusal))
                {
                    var error = Assert.Throws<ExternalException>(() => Derivatives(a => c.Native!(a, reduction), operands), what);
                    StringAssert.Contains(error.Message, refusal, $"{what}: {error.Message}");
                    if (name == "ctc")
                        Assert.Throws<ExternalException>(() => Derivatives(a => c.Ours(a, reduction), operands), $"{what}: ours");
                    return;
                }
                var (nativeFirst, nativeSecond) = Derivatives(a => c.Native!(a, reduction), operands);
                var (ourFirst, ourSecond) = Derivatives(a => c.Ours(a, reduction), operands);
                for (int k = 0; k < nativeFirst.Length; k++) AssertClose(nativeFirst[k], ourFirst[k], $"{what}: first derivative {k}");
                for (int k = 0; k < nativeSecond.Length - 1; k++) AssertClose(nativeSecond[k], ourSecond[k], $"{what}: second derivative {k}");
                if (name == "bce") AssertBceUpstreamDerivative(nativeSecond[^1], ourSecond[^1], what);
                else AssertClose(nativeSecond[^1], ourSecond[^1], $"{what}: second derivative v");
            }, name);
    }

    /// <summary>
    /// BCE's derivative with respect to the upstream gradient: libtorch's double backward forms it as
    /// (x − y)/((x + ε′)(1 − x + ε′)) with ε′ = 1e-12, where its first-order kernel has (x − y)/max(x(1 − x), ε); ours is a
    /// gradient linear in the upstream, so its derivative there is the first-order kernel's slope. The two differ by
    /// ε′·(1/x + 1/(1 − x)) relatively, at most 2.2e-11 for this case's x ∈ [0.05, 0.95]: that bound is the tolerance.
    /// </summary>
    private static void AssertBceUpstreamDerivative(Tensor native, Tensor ours, string what)
    {
        var (e, a) = (native.flatten().data<double>().ToArray(), ours.flatten().data<double>().ToArray());
        Assert.HasCount(e.Length, a);
        for (int i = 0; i < e.Length; i++)
            Assert.IsTrue(Math.Abs(e[i] - a[i]) <= 2.2e-11 * Math.Abs(e[i]) + 1e-14, $"{what}: second derivative v[{i}]: {e[i]:R} vs {a[i]:R}");
    }

    /// <summary>
    /// Issue 12's regression: a WGAN-GP style gradient penalty. A linear critic out = x·W scores x, the loss compares the
    /// scores with targets, g = ∂loss/∂x is taken with create_graph, and loss + 10·mean((‖gᵢ‖ − 1)²) is backpropagated. The
    /// penalty's own gradient runs through the loss's second derivative: before the fix, the default (analytic) mode
    /// dropped it silently (x's gradient came out as if the penalty's path through the loss were constant). Both modes now
    /// give libtorch's gradients of x and W, and they differ from the penalty-free gradient.
    /// </summary>
    [TestMethod]
    [DataRow("mse"), DataRow("smooth_l1"), DataRow("huber"), DataRow("cross_entropy"), DataRow("bce_with_logits"), DataRow("kl_div")]
    public void GradientPenaltyMatchesLibtorch(string name)
    {
        using var scope = NewDisposeScope();
        var x0 = P(51, 4, 3);
        var w0 = P(52, 3, 5) * 0.7;
        Func<Tensor, Tensor, Tensor> Loss(bool native) => name switch
        {
            "mse" => (s, t) => native ? N.mse_loss(s, t) : L.mse_loss(s, t),
            "smooth_l1" => (s, t) => native ? N.smooth_l1_loss(s, t, R.Mean, 0.5) : L.smooth_l1_loss(s, t, R.Mean, 0.5),
            "huber" => (s, t) => native ? N.huber_loss(s, t, 0.5) : L.huber_loss(s, t, R.Mean, 0.5),
            "cross_entropy" => (s, _) => native ? N.cross_entropy(s, Classes(new long[] { 1, 0, 4, 2 })) : L.cross_entropy(s, Classes(new long[] { 1, 0, 4, 2 })),
            "bce_with_logits" => (s, t) => native ? N.binary_cross_entropy_with_logits(s, t.sigmoid()) : L.binary_cross_entropy_with_logits(s, t.sigmoid()),
            _ => (s, t) => native ? N.kl_div(s.log_softmax(1), t.softmax(1), false, R.Sum) : L.kl_div(s.log_softmax(1), t.softmax(1), R.Sum),
        };
        var targets = P(53, 4, 5);
        (Tensor x, Tensor w) Gradients(Func<Tensor, Tensor, Tensor> loss, bool penalty)
        {
            var (x, w) = (Grad(x0), Grad(w0));
            var value = loss(x.mm(w), targets);
            var total = value;
            if (penalty)
            {
                var g = autograd.grad(new[] { value }, new[] { x }, retain_graph: true, create_graph: true)[0]!;
                Assert.IsTrue(g.requires_grad, $"{name}: the gradient taken with create_graph is recorded");
                total = value + 10 * (g.norm(1) - 1).square().mean();
            }
            total.backward();
            return (x.grad!.clone(), w.grad!.clone());
        }
        var native = Gradients(Loss(true), penalty: true);
        var firstOrderOnly = Gradients(Loss(true), penalty: false);
        Assert.IsGreaterThan(1e-3, (native.x - firstOrderOnly.x).abs().max().item<double>(), $"{name}: the penalty changes x's gradient");
        foreach (var mode in new[] { GradientMode.Analytic, GradientMode.Autograd })
        {
            using var _ = LossGradients.Use(mode);
            var ours = Gradients(Loss(false), penalty: true);
            AssertClose(native.x, ours.x, $"{name} [{mode}]: x's gradient");
            AssertClose(native.w, ours.w, $"{name} [{mode}]: W's gradient");
        }
    }

    /// <summary>
    /// The analytic backwards keep the operands (for a second derivative), as libtorch's losses do; an operand modified in
    /// place between forward and backward then makes libtorch refuse to unpack it. libtorch's own loss raises that error
    /// from backward; ours must fail at the same step (not end the process from inside the custom backward, not return a
    /// gradient at the old point), and say why in a warning.
    /// </summary>
    [TestMethod]
    public void AnOperandModifiedInPlaceAfterForwardFailsTheBackwardAsInLibtorch()
    {
        using var scope = NewDisposeScope();
        using var _ = LossGradients.Use(GradientMode.Analytic);
        var warnings = new List<string>();
        void Record(object? sender, LossWarningEventArgs e)
        {
            if (e.Loss == "backward") lock (warnings) warnings.Add(e.Message);
        }
        foreach (var native in new[] { true, false })
        {
            var (x, y) = (Grad(P(61, 3, 4)), P(62, 3, 4));
            var loss = native ? N.mse_loss(x, y) : L.mse_loss(x, y);
            y.add_(1);
            LossWarnings.Warned += Record;
            try
            {
                var error = Assert.Throws<ExternalException>(() => loss.backward(), native ? "libtorch's" : "ours");
                if (native) StringAssert.Contains(error.Message, "modified by an inplace operation");
            }
            finally
            {
                LossWarnings.Warned -= Record;
            }
        }
        Assert.HasCount(1, warnings);
        StringAssert.Contains(warnings[0], "modified by an inplace operation");
    }

    [TestMethod]
    [DynamicData(nameof(Float64CaseNames))]
    public void GradGradCheckPasses(string name)
    {
        var c = Cases[name];
        InEveryModeAndReduction(c, (operands, reduction, what) =>
            {
                if (name == "ctc")
                {
                    Assert.Throws<ExternalException>(() => GradCheck.gradgradcheck(a => c.Ours(a, reduction), operands), what);
                    return;
                }
                var result = GradCheck.gradgradcheck(a => c.Ours(a, reduction), operands, raise_exception: false);
                Assert.IsTrue(result.Passed, $"{what}: {result}");
            }, name);
    }
}
