using TorchLosses;
using TorchLossesDocs;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Docs;

/// <summary>Every number and identity of docs/losses/regression.md, computed by TorchLosses (and, where the page says so, by libtorch).</summary>
// snippet:page_test_class
[TestClass]
public sealed class RegressionPageTests : DocPageTests
{
    protected override string PagePath => "docs/losses/regression.md";
// end-snippet

    // The running example: d = (−0.5, −0.5, −2.5).
    private static readonly double[] X = { 0.5, 1.5, 2.5 };
    private static readonly double[] Y = { 1.0, 2.0, 5.0 };

    // Differences that visit every regime and kink of the four losses for β, δ ∈ {0.5, 1, 2}, and ±∞.
    private static readonly double[] Grid = { -5, -2.5, -2, -1.5, -1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 5 };
    private static readonly double[] Parameters = { 0.5, 1.0, 2.0 };

    // snippet:page_test_values
    protected override Checks Values() => new()
    {
        { "broadcast_3x3_mean", () => L.smooth_l1_loss(WorkedInput(), tensor(new[] { 1.0, 2.0, 3.0 })).item<double>() },
        { "broadcast_same_shape_mean", () => L.smooth_l1_loss(WorkedInput(), WorkedTarget()).item<double>() },
        // end-snippet
        { "mean_denominator_8x4", () => MeanDenominator(Normal(7, ScalarType.Float64, false, 8, 4), Normal(8, ScalarType.Float64, false, 8, 4)) },
        { "empty_mean", () => OfEmpty(R.Mean) },
        { "empty_sum", () => OfEmpty(R.Sum) },

        { "example_l1_values", () => Example("l1").perElement },
        { "example_l1_mean", () => Reduced("l1", double.NaN, R.Mean) },
        { "example_l1_sum", () => Reduced("l1", double.NaN, R.Sum) },
        { "example_l1_gradient", () => Example("l1").gradient },
        { "example_mse_values", () => Example("mse").perElement },
        { "example_mse_mean", () => Reduced("mse", double.NaN, R.Mean) },
        { "example_mse_sum", () => Reduced("mse", double.NaN, R.Sum) },
        { "example_mse_gradient", () => Example("mse").gradient },
        { "example_smooth_l1_b1_values", () => Example("smooth_l1", 1).perElement },
        { "example_smooth_l1_b1_mean", () => Reduced("smooth_l1", 1, R.Mean) },
        { "example_smooth_l1_b1_sum", () => Reduced("smooth_l1", 1, R.Sum) },
        { "example_smooth_l1_b1_gradient", () => Example("smooth_l1", 1).gradient },
        { "example_smooth_l1_b2_values", () => Example("smooth_l1", 2).perElement },
        { "example_smooth_l1_b2_mean", () => Reduced("smooth_l1", 2, R.Mean) },
        { "example_smooth_l1_b2_sum", () => Reduced("smooth_l1", 2, R.Sum) },
        { "example_smooth_l1_b2_gradient", () => Example("smooth_l1", 2).gradient },
        { "example_huber_d1_values", () => Example("huber", 1).perElement },
        { "example_huber_d1_mean", () => Reduced("huber", 1, R.Mean) },
        { "example_huber_d1_sum", () => Reduced("huber", 1, R.Sum) },
        { "example_huber_d1_gradient", () => Example("huber", 1).gradient },
        { "example_huber_d2_values", () => Example("huber", 2).perElement },
        { "example_huber_d2_mean", () => Reduced("huber", 2, R.Mean) },
        { "example_huber_d2_sum", () => Reduced("huber", 2, R.Sum) },
        { "example_huber_d2_gradient", () => Example("huber", 2).gradient },

        { "l1_kink_input_gradient", () => KinkGradients("l1", double.NaN, 0).input },
        { "l1_kink_target_gradient", () => KinkGradients("l1", double.NaN, 0).target },
        { "l1_nan_gradient", () => KinkGradients("l1", double.NaN, double.NaN).input },
        { "l1_worked_mean", () => Reduced("l1", double.NaN, R.Mean) },
        { "l1_worked_mean_gradient", () => MeanGradient("l1", double.NaN).Distinct().ToArray() },

        { "outlier_mse_value", () => KinkValue("mse", double.NaN, 100) },
        { "outlier_mse_gradient", () => KinkGradients("mse", double.NaN, 100).input },
        { "outlier_smooth_l1_value", () => KinkValue("smooth_l1", 1, 100) },
        { "outlier_smooth_l1_gradient", () => KinkGradients("smooth_l1", 1, 100).input },

        { "smooth_l1_join_quadratic", () => KinkValue("smooth_l1", 2, Math.BitDecrement(2.0)) },   // the quadratic branch, just inside
        { "smooth_l1_join_linear", () => KinkValue("smooth_l1", 2, 2) },
        { "smooth_l1_kink_plus_input", () => KinkGradients("smooth_l1", 1, 1).input },
        { "smooth_l1_kink_minus_input", () => KinkGradients("smooth_l1", 1, -1).input },
        { "smooth_l1_kink_plus_target", () => KinkGradients("smooth_l1", 1, 1).target },
        { "smooth_l1_kink_minus_target", () => KinkGradients("smooth_l1", 1, -1).target },
        { "aka_huber_smooth_l1", () => KinkValue("smooth_l1", 2, 3) },
        { "aka_huber_huber", () => KinkValue("huber", 2, 3) },

        { "smooth_l1_worked_example", () => RegressionSnippets.WorkedExample() },
        { "worked_example_l1_bound", () => L.l1_loss(WorkedInput(), WorkedTarget()).item<double>() },
        { "misreading_correct", () => L.smooth_l1_loss(WorkedInput(), WorkedTarget()).item<double>() },
        { "misreading_beta_half", () => L.smooth_l1_loss(WorkedInput(), WorkedTarget(), R.Mean, beta: 0.5).item<double>() },
        { "misreading_linear_branch", () => ((WorkedInput() - WorkedTarget()).abs() - 0.5).mean().item<double>() },
        { "misreading_sum", () => L.smooth_l1_loss(WorkedInput(), WorkedTarget(), R.Sum).item<double>() },
        { "misreading_broadcast", () => L.smooth_l1_loss(WorkedInput(), tensor(new[] { 1.0, 2.0, 3.0 })).item<double>() },
        { "misreading_l1", () => L.l1_loss(WorkedInput(), WorkedTarget()).item<double>() },
        { "misreading_mse", () => L.mse_loss(WorkedInput(), WorkedTarget()).item<double>() },
        { "misreading_difference_of_squares", () => (0.5 * (WorkedTarget().square() - WorkedInput().square()).mean()).item<double>() },
        { "worked_example_x_plus_y", () => (WorkedInput() + WorkedTarget()).flatten().data<double>().ToArray() },

        { "beta0_tie_input", () => KinkGradients("smooth_l1", 0, 0).input },
        { "beta0_tie_target", () => KinkGradients("smooth_l1", 0, 0).target },
        { "beta0_positive_input", () => KinkGradients("smooth_l1", 0, 2).input },
        { "beta0_positive_target", () => KinkGradients("smooth_l1", 0, 2).target },
        { "beta0_negative_input", () => KinkGradients("smooth_l1", 0, -2).input },
        { "beta0_negative_target", () => KinkGradients("smooth_l1", 0, -2).target },
        { "beta0_kernel_tie_input", () => Gradients(SmoothL1Kernel, 0).input },
        { "beta0_kernel_tie_target", () => Gradients(SmoothL1Kernel, 0).target },

        { "limit_smooth_l1_b0", () => KinkValue("smooth_l1", 0, 3) },
        { "limit_smooth_l1_b0001", () => KinkValue("smooth_l1", 0.001, 3) },
        { "limit_smooth_l1_b1", () => KinkValue("smooth_l1", 1, 3) },
        { "limit_smooth_l1_b1000", () => KinkValue("smooth_l1", 1000, 3) },
        { "slope_smooth_l1", () => new[] { 0.5, 1, 2 }.Select(beta => KinkGradients("smooth_l1", beta, 3).input).ToArray() },

        { "huber_join", () => KinkValue("huber", 2, 2) },
        { "huber_kink_plus_input", () => KinkGradients("huber", 2, 2).input },
        { "huber_kink_minus_input", () => KinkGradients("huber", 2, -2).input },
        { "huber_kink_plus_target", () => KinkGradients("huber", 2, 2).target },
        { "huber_kink_minus_target", () => KinkGradients("huber", 2, -2).target },
        { "slope_huber", () => new[] { 0.5, 1, 2 }.Select(delta => KinkGradients("huber", delta, 3).input).ToArray() },
        { "limit_huber_d0001", () => KinkValue("huber", 0.001, 3) },
        { "limit_huber_d1", () => KinkValue("huber", 1, 3) },
        { "limit_huber_d2", () => KinkValue("huber", 2, 3) },
        { "limit_huber_d1000", () => KinkValue("huber", 1000, 3) },

        { "naive_where_inf_gradient", () => GradientOf(x => RegressionSnippets.NaiveHuber(x, zeros_like(x), 2.0), double.PositiveInfinity) },
        { "native_huber_inf_gradient", () => GradientOf(x => N.huber_loss(x, zeros_like(x), 2.0, R.Sum), double.PositiveInfinity) },
        { "naive_beta0_gradient", () => GradientOf(x => RegressionSnippets.NaiveSmoothL1(x, zeros_like(x), 0.0), 1.0) },
        { "clamp_form_example", () => RegressionSnippets.ClampForm(tensor(new[] { 3.0 }), zeros(1, ScalarType.Float64), 2.0).item<double>() },
        { "clamp_form_inf_gradient", () => GradientOf(x => RegressionSnippets.ClampForm(x, zeros_like(x), 2.0), double.PositiveInfinity) },
        { "no_detach_inf_gradient", () => GradientOf(x => { var m = x.clamp(-2.0, 2.0); return m * (x - m) + 0.5 * m.square(); }, double.PositiveInfinity) },
        { "huber_second_derivative", () => RegressionSnippets.SecondDerivative(new[] { 0.5, 3, -1, -5, 2 }, 2.0) },

        { "float32_tiny_beta_value", () => Float32Value((x, y) => L.smooth_l1_loss(x, y, R.Sum, 1e-46), (x, y) => N.smooth_l1_loss(x, y, R.Sum, 1e-46)) },
        { "float32_huge_beta_value", () => Float32Value((x, y) => L.smooth_l1_loss(x, y, R.Sum, 1e39), (x, y) => N.smooth_l1_loss(x, y, R.Sum, 1e39)) },
        { "float32_huge_delta_value", () => Float32Value((x, y) => L.huber_loss(x, y, R.Sum, 1e39), (x, y) => N.huber_loss(x, y, 1e39, R.Sum)) },
    };

    private static Tensor WorkedInput() => tensor(new[] { 0.5, 1.5, 2.5 }, new long[] { 3, 1 });

    private static Tensor WorkedTarget() => tensor(new[] { 1.0, 2.0, 3.0 }, new long[] { 3, 1 });

    private static (double[] perElement, double[] gradient) Example(string loss, double parameter = double.NaN) =>
        RegressionSnippets.PerElementAndGradient(RegressionSnippets.Functional(loss, parameter), X, Y);

    private static double Reduced(string loss, double parameter, R reduction) =>
        RegressionSnippets.Functional(loss, parameter)(tensor(X), tensor(Y), reduction).item<double>();

    private static double[] MeanGradient(string loss, double parameter)
    {
        var input = tensor(X).requires_grad_();
        RegressionSnippets.Functional(loss, parameter)(input, tensor(Y), R.Mean).backward();
        return input.grad!.data<double>().ToArray();
    }

    /// <summary>The loss of an empty input, the same for all four losses (asserted).</summary>
    private static double OfEmpty(R reduction)
    {
        var empty = zeros(0, ScalarType.Float64);
        var values = new[] { "l1", "mse", "smooth_l1", "huber" }
            .Select(loss => RegressionSnippets.Functional(loss, 1.0)(empty, empty, reduction).item<double>()).ToArray();
        Assert.IsTrue(values.All(v => v.Equals(values[0])), string.Join(", ", values));
        return values[0];
    }

    /// <summary>The denominator of the mean reduction: sum ÷ mean.</summary>
    private static double MeanDenominator(Tensor input, Tensor target) =>
        L.l1_loss(input, target, R.Sum).item<double>() / L.l1_loss(input, target, R.Mean).item<double>();

    /// <summary>The loss of a single difference d (input d, target 0).</summary>
    private static double KinkValue(string loss, double parameter, double d) =>
        RegressionSnippets.Functional(loss, parameter)(tensor(new[] { d }), zeros(1, ScalarType.Float64), R.Sum).item<double>();

    /// <summary>
    /// The input and target gradients of a single difference d (sum reduction), asserted equal to
    /// libtorch's native kernel's before they are returned.
    /// </summary>
    private static (double input, double target) KinkGradients(string loss, double parameter, double d)
    {
        var ours = Gradients(RegressionSnippets.Functional(loss, parameter), d);
        var native = Gradients(Native(loss, parameter), d);
        Assert.AreEqual(native.input, ours.input, $"{loss}({parameter}) input gradient at d = {d} differs from libtorch's");
        Assert.AreEqual(native.target, ours.target, $"{loss}({parameter}) target gradient at d = {d} differs from libtorch's");
        return ours;
    }

    private static (double input, double target) Gradients(Func<Tensor, Tensor, R, Tensor> loss, double d)
    {
        var input = tensor(new[] { d }).requires_grad_();
        var target = zeros(1, ScalarType.Float64).requires_grad_();
        var grads = autograd.grad(new[] { loss(input, target, R.Sum) }, new[] { input, target });
        return (grads[0]!.item<double>(), grads[1]!.item<double>());
    }

    /// <summary>The loss of d = 3 in float32, asserted equal to libtorch's before it is returned.</summary>
    private static double Float32Value(Func<Tensor, Tensor, Tensor> ours, Func<Tensor, Tensor, Tensor> native)
    {
        var (x, y) = (tensor(new[] { 3f }), tensor(new[] { 0f }));
        double value = ours(x, y).item<float>();
        Assert.AreEqual(native(x, y).item<float>(), value, "libtorch");
        return value;
    }

    /// <summary>libtorch's smooth-L1 kernel at β = 0, as TorchSharp's own smooth_l1_loss calls it.</summary>
    private static Tensor SmoothL1Kernel(Tensor input, Tensor target, R reduction) =>
        torch.nn.functional.smooth_l1_loss(input, target, reduction, beta: 0.0);

    private static Func<Tensor, Tensor, R, Tensor> Native(string loss, double parameter) => loss switch
    {
        "l1" => (x, y, r) => N.l1_loss(x, y, r),
        "mse" => (x, y, r) => N.mse_loss(x, y, r),
        "smooth_l1" => (x, y, r) => N.smooth_l1_loss(x, y, r, parameter),
        "huber" => (x, y, r) => N.huber_loss(x, y, parameter, r),
        _ => throw new ArgumentException(loss, nameof(loss)),
    };

    /// <summary>The gradient of the summed loss at a single input value (target 0).</summary>
    private static double GradientOf(Func<Tensor, Tensor> loss, double x)
    {
        var input = tensor(new[] { x }).requires_grad_();
        return autograd.grad(new[] { loss(input).sum() }, new[] { input })[0]!.item<double>();
    }

    /// <summary>Per-element values and (input, target) gradients of a loss over <see cref="Grid"/> (sum reduction).</summary>
    private static (double[] values, double[] input, double[] target) OverGrid(Func<Tensor, Tensor, R, Tensor> loss, double[]? grid = null)
    {
        var d = grid ?? Grid;
        var input = tensor(d).requires_grad_();
        var target = zeros(d.Length, ScalarType.Float64).requires_grad_();
        var perElement = loss(input, target, R.None);
        var grads = autograd.grad(new[] { perElement.sum() }, new[] { input, target });
        return (perElement.detach().data<double>().ToArray(), grads[0]!.data<double>().ToArray(), grads[1]!.data<double>().ToArray());
    }

    private static void AssertAll(double[] expected, double[] actual, double tolerance, string what) =>
        TorchLossesTests.Support.ValueAssert.Close(expected, actual, tolerance, what);

    [TestMethod, DocIdentity("broadcast_raises_the_warning")]
    public void BroadcastingRaisesTheWarning()
    {
        using var scope = NewDisposeScope();
        var messages = new List<string>();
        EventHandler<LossWarningEventArgs> handler = (_, e) => { if (e.Loss == "smooth_l1_loss") messages.Add(e.Message); };
        LossWarnings.Warned += handler;
        try
        {
            L.smooth_l1_loss(WorkedInput(), tensor(new[] { 1.0, 2.0, 3.0 }));
        }
        finally
        {
            LossWarnings.Warned -= handler;
        }
        Assert.IsTrue(messages.Any(m => m.StartsWith("Using a target size", StringComparison.Ordinal)
            && m.Contains("that is different to the input size", StringComparison.Ordinal)), string.Join("; ", messages));
    }

    [TestMethod, DocIdentity("legacy_reduction_arguments")]
    public void LegacyReductionArguments()
    {
        using var scope = NewDisposeScope();
        var (x, y) = (tensor(X), tensor(Y));
        foreach (var (name, legacy) in new (string, Func<bool?, bool?, Tensor>)[]
        {
            ("l1_loss", (a, r) => L.l1_loss(x, y, a, r)),
            ("mse_loss", (a, r) => L.mse_loss(x, y, a, r)),
            ("smooth_l1_loss", (a, r) => L.smooth_l1_loss(x, y, a, r)),
        })
        {
            var plain = RegressionSnippets.Functional(name.Replace("_loss", "", StringComparison.Ordinal), 1.0);
            AssertClose(plain(x, y, R.Sum), legacy(false, null), $"{name}: size_average=false sums");
            AssertClose(plain(x, y, R.None), legacy(null, false), $"{name}: reduce=false keeps the elements");
            AssertClose(plain(x, y, R.Mean), legacy(true, true), $"{name}: both true average");
        }
        bool HasLegacy(string name) => typeof(TorchLosses.nn.functional).GetMethods()
            .Any(m => m.Name == name && m.GetParameters().Any(p => p.Name == "size_average"));
        Assert.IsTrue(HasLegacy("l1_loss") && HasLegacy("mse_loss") && HasLegacy("smooth_l1_loss"));
        Assert.IsFalse(HasLegacy("huber_loss"), "Huber has no legacy arguments, as in PyTorch");
    }

    [TestMethod, DocIdentity("huber_at_most_delta_times_l1")]
    public void HuberIsAtMostDeltaTimesL1()
    {
        using var scope = NewDisposeScope();
        foreach (var delta in new[] { 1e-3, 0.5, 1.0, 2.0 })
        {
            var huber = OverGrid((x, y, r) => L.huber_loss(x, y, r, delta)).values;
            for (int i = 0; i < Grid.Length; i++)
                Assert.IsTrue(huber[i] >= 0 && huber[i] <= delta * Math.Abs(Grid[i]), $"δ = {delta}, d = {Grid[i]}");
        }
    }

    [TestMethod, DocIdentity("huber_rejects_zero_delta")]
    public void HuberRejectsZeroDeltaWhileSmoothL1AcceptsZeroBeta()
    {
        using var scope = NewDisposeScope();
        foreach (var delta in new[] { 0.0, -0.0, -1.0, double.NaN })
        {
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.huber_loss(tensor(X), tensor(Y), R.Mean, delta));
            StringAssert.StartsWith(error.Message, "huber_loss does not support non-positive values for delta.");
        }
        Assert.AreEqual(L.l1_loss(tensor(X), tensor(Y)).item<double>(), L.smooth_l1_loss(tensor(X), tensor(Y), R.Mean, 0.0).item<double>());
    }

    [TestMethod, DocIdentity("smooth_l1_decreases_with_beta"), DocIdentity("huber_increases_with_delta")]
    public void SmoothL1DecreasesAndHuberIncreasesWithTheParameter()
    {
        using var scope = NewDisposeScope();
        var parameters = new[] { 0.25, 0.5, 1.0, 2.0, 4.0 };
        for (int k = 1; k < parameters.Length; k++)
        {
            double smaller = parameters[k - 1], larger = parameters[k];
            var smoothSmall = OverGrid((x, y, r) => L.smooth_l1_loss(x, y, r, smaller)).values;
            var smoothLarge = OverGrid((x, y, r) => L.smooth_l1_loss(x, y, r, larger)).values;
            var huberSmall = OverGrid((x, y, r) => L.huber_loss(x, y, r, smaller)).values;
            var huberLarge = OverGrid((x, y, r) => L.huber_loss(x, y, r, larger)).values;
            for (int i = 0; i < Grid.Length; i++)
            {
                Assert.IsTrue(smoothLarge[i] <= smoothSmall[i], $"SmoothL1 at d = {Grid[i]}: β = {larger} vs {smaller}");
                Assert.IsTrue(huberLarge[i] >= huberSmall[i], $"Huber at d = {Grid[i]}: δ = {larger} vs {smaller}");
                if (Grid[i] != 0) Assert.IsTrue(smoothLarge[i] < smoothSmall[i], $"strictly, away from d = 0 (d = {Grid[i]})");
            }
        }
    }

    [TestMethod, DocIdentity("mse_is_twice_huber_with_large_delta")]
    public void MseIsTwiceHuberWithALargeDelta()
    {
        using var scope = NewDisposeScope();
        var x = Normal(11, ScalarType.Float64, false, 64);
        var y = Normal(12, ScalarType.Float64, false, 64);
        double largest = (x - y).abs().max().item<double>();
        foreach (var delta in new[] { largest * 1.01, 1e3, double.PositiveInfinity })
        {
            var (mse, huber) = (OverGrid2(L.mse_loss, x, y), OverGrid2((a, b, r) => L.huber_loss(a, b, r, delta), x, y));
            AssertAll(mse.values, huber.values.Select(v => 2 * v).ToArray(), 1e-15, $"values, δ = {delta}");
            AssertAll(mse.input, huber.input.Select(v => 2 * v).ToArray(), 1e-15, $"gradients, δ = {delta}");
        }
    }

    private static (double[] values, double[] input) OverGrid2(Func<Tensor, Tensor, R, Tensor> loss, Tensor x, Tensor y)
    {
        var input = x.detach().clone().requires_grad_();
        var perElement = loss(input, y, R.None);
        var grad = autograd.grad(new[] { perElement.sum() }, new[] { input })[0]!;
        return (perElement.detach().data<double>().ToArray(), grad.data<double>().ToArray());
    }

    [TestMethod, DocIdentity("smooth_l1_branches_meet")]
    public void SmoothL1BranchesMeetAtBeta()
    {
        using var scope = NewDisposeScope();
        foreach (var beta in Parameters)
        {
            double below = KinkValue("smooth_l1", beta, Math.BitDecrement(beta));
            double at = KinkValue("smooth_l1", beta, beta);
            Assert.AreEqual(beta / 2, at, 1e-15, $"β = {beta}: value at the boundary");
            Assert.AreEqual(at, below, 1e-14, $"β = {beta}: the quadratic branch just below the boundary");
            Assert.AreEqual(1.0, KinkGradients("smooth_l1", beta, Math.BitDecrement(beta)).input, 1e-14, $"β = {beta}: slope just inside");
        }
    }

    [TestMethod, DocIdentity("smooth_l1_gradient_is_clamp_over_beta")]
    public void SmoothL1GradientIsClampOverBeta() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        foreach (var beta in Parameters)
        {
            var (_, input, target) = OverGrid((x, y, r) => L.smooth_l1_loss(x, y, r, beta));
            var expected = Grid.Select(d => Math.Clamp(d, -beta, beta) / beta).ToArray();
            AssertAll(expected, input, 1e-15, $"input gradient, β = {beta}");
            AssertAll(expected.Select(g => -g).ToArray(), target, 1e-15, $"target gradient, β = {beta}");
            Assert.IsTrue(input.All(g => Math.Abs(g) <= 1), "bounded by 1");
            var (_, nativeInput, nativeTarget) = OverGrid((x, y, r) => N.smooth_l1_loss(x, y, r, beta));
            AssertAll(nativeInput, input, 1e-15, "input gradient vs libtorch");
            AssertAll(nativeTarget, target, 1e-15, "target gradient vs libtorch");
        }
    });

    // snippet:page_test_identity
    [TestMethod, DocIdentity("huber_is_delta_times_smooth_l1")]
    public void HuberIsDeltaTimesSmoothL1() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        foreach (var delta in new[] { 0.1, 0.5, 1.0, 2.0, 7.0 })
        {
            var huber = OverGrid((x, y, r) => L.huber_loss(x, y, r, delta));
            var smooth = OverGrid((x, y, r) => L.smooth_l1_loss(x, y, r, delta));
            AssertAll(huber.values, smooth.values.Select(v => delta * v).ToArray(), 1e-14, $"values, δ = {delta}");
            AssertAll(huber.input, smooth.input.Select(v => delta * v).ToArray(), 1e-14, $"input gradients, δ = {delta}");
            AssertAll(huber.target, smooth.target.Select(v => delta * v).ToArray(), 1e-14, $"target gradients, δ = {delta}");
        }
    });
    // end-snippet

    [TestMethod, DocIdentity("smooth_l1_never_exceeds_l1")]
    public void SmoothL1NeverExceedsL1()
    {
        using var scope = NewDisposeScope();
        var l1 = OverGrid((x, y, r) => L.l1_loss(x, y, r)).values;
        foreach (var beta in new[] { 0.0, 0.25, 0.5, 1.0, 2.0, 100.0 })
        {
            var smooth = OverGrid((x, y, r) => L.smooth_l1_loss(x, y, r, beta)).values;
            for (int i = 0; i < Grid.Length; i++)
                Assert.IsTrue(smooth[i] >= 0 && smooth[i] <= l1[i], $"β = {beta}, d = {Grid[i]}: {smooth[i]} vs |d| = {l1[i]}");
        }
    }

    [TestMethod, DocIdentity("smooth_l1_beta_zero_is_l1")]
    public void SmoothL1WithBetaZeroIsL1() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var grid = Grid.Concat(new[] { double.PositiveInfinity, double.NaN }).ToArray();
        var (smooth, l1) = (OverGrid((a, b, r) => L.smooth_l1_loss(a, b, r, 0.0), grid), OverGrid(L.l1_loss, grid));
        CollectionAssert.AreEqual(l1.values, smooth.values, "values, including d = 0, ∞ and NaN");
        CollectionAssert.AreEqual(l1.input, smooth.input, "input gradients");
        CollectionAssert.AreEqual(l1.target, smooth.target, "target gradients");
        var x = Normal(21, ScalarType.Float64, false, 50);
        var y = Normal(22, ScalarType.Float64, false, 50);
        foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
            AssertClose(L.l1_loss(x, y, reduction), L.smooth_l1_loss(x, y, reduction, 0.0), $"reduction {reduction}");
        var (integers, targets) = (tensor(new long[] { 3, -1, 4 }), tensor(new long[] { 1, 1, 4 }));
        Assert.AreEqual(L.l1_loss(integers, targets, R.Sum).item<long>(), L.smooth_l1_loss(integers, targets, R.Sum, 0.0).item<long>(),
            "integer inputs, which l1_loss accepts and the smooth-L1 kernel does not");
    });

    [TestMethod, DocIdentity("smooth_l1_within_half_beta_of_l1")]
    public void SmoothL1IsWithinHalfBetaOfL1()
    {
        using var scope = NewDisposeScope();
        var l1 = OverGrid((x, y, r) => L.l1_loss(x, y, r)).values;
        foreach (var beta in new[] { 1e-6, 1e-3, 0.5, 1.0, 2.0 })
        {
            var smooth = OverGrid((x, y, r) => L.smooth_l1_loss(x, y, r, beta)).values;
            for (int i = 0; i < Grid.Length; i++)
                Assert.IsTrue(Math.Abs(l1[i] - smooth[i]) <= beta / 2 + 1e-15 * Math.Abs(Grid[i]), $"β = {beta}, d = {Grid[i]}");
            // In the linear zone the gap is exactly β/2.
            for (int i = 0; i < Grid.Length; i++)
                if (Math.Abs(Grid[i]) >= beta) Assert.AreEqual(beta / 2, l1[i] - smooth[i], 1e-12, $"linear zone, β = {beta}, d = {Grid[i]}");
        }
    }

    [TestMethod, DocIdentity("smooth_l1_linear_slope_is_one")]
    public void SmoothL1LinearSlopeIsOneForEveryBeta()
    {
        using var scope = NewDisposeScope();
        foreach (var beta in new[] { 0.0, 0.1, 0.5, 1.0, 2.0 })
        {
            var (_, input, _) = OverGrid((x, y, r) => L.smooth_l1_loss(x, y, r, beta));
            for (int i = 0; i < Grid.Length; i++)
                if (Math.Abs(Grid[i]) > beta) Assert.AreEqual(Math.Sign(Grid[i]), input[i], $"β = {beta}, d = {Grid[i]}");
        }
    }

    [TestMethod, DocIdentity("huber_gradient_is_clamp")]
    public void HuberGradientIsClamp() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        foreach (var delta in Parameters)
        {
            var (_, input, target) = OverGrid((x, y, r) => L.huber_loss(x, y, r, delta));
            var expected = Grid.Select(d => Math.Clamp(d, -delta, delta)).ToArray();
            AssertAll(expected, input, 0, $"input gradient, δ = {delta}");
            AssertAll(expected.Select(g => -g).ToArray(), target, 0, $"target gradient, δ = {delta}");
            var (_, nativeInput, nativeTarget) = OverGrid((x, y, r) => N.huber_loss(x, y, delta, r));
            AssertAll(nativeInput, input, 0, "input gradient vs libtorch");
            AssertAll(nativeTarget, target, 0, "target gradient vs libtorch");
        }
    });

    [TestMethod, DocIdentity("huber_result_has_the_input_dtype")]
    public void HuberResultHasTheInputDtype()
    {
        using var scope = NewDisposeScope();
        var x32 = tensor(new[] { 0.5f, 3f });
        var y64 = tensor(new[] { 0.0, 0.0 });
        Assert.AreEqual(ScalarType.Float32, L.huber_loss(x32, y64).dtype);
        Assert.AreEqual(N.huber_loss(x32, y64).dtype, L.huber_loss(x32, y64).dtype, "as libtorch");
        Assert.AreEqual(ScalarType.Float64, L.smooth_l1_loss(x32, y64).dtype, "SmoothL1 promotes");
        Assert.AreEqual(ScalarType.Float64, L.mse_loss(x32, y64).dtype, "MSE promotes");
        Assert.AreEqual(ScalarType.Float64, L.l1_loss(x32, y64).dtype, "L1 promotes");
    }

    [TestMethod, DocIdentity("clamp_form_equals_huber")]
    public void ClampFormEqualsHuber()
    {
        using var scope = NewDisposeScope();
        foreach (var delta in Parameters)
        {
            var clamp = OverGrid((x, y, _) => RegressionSnippets.ClampForm(x, y, delta));
            var huber = OverGrid((x, y, r) => L.huber_loss(x, y, r, delta));
            var piecewise = Grid.Select(d => Math.Abs(d) < delta ? 0.5 * d * d : delta * (Math.Abs(d) - 0.5 * delta)).ToArray();
            AssertAll(piecewise, clamp.values, 1e-15, $"clamp form vs the definition, δ = {delta}");
            AssertAll(huber.values, clamp.values, 1e-15, $"clamp form vs huber_loss, δ = {delta}");
            AssertAll(huber.input, clamp.input, 0, $"gradients, δ = {delta}");
        }
    }

    [TestMethod, DocIdentity("clamp_form_gradient_is_safe")]
    public void ClampFormGradientIsFiniteWhereTheNaiveFormIsNot() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var extremes = new[] { double.NegativeInfinity, -2, 2, double.PositiveInfinity, 1e308 };
        var native = OverGrid((x, y, r) => N.huber_loss(x, y, 2.0, r), extremes);
        var ours = OverGrid((x, y, r) => L.huber_loss(x, y, r, 2.0), extremes);
        var clamp = OverGrid((x, y, _) => RegressionSnippets.ClampForm(x, y, 2.0), extremes);
        var naive = OverGrid((x, y, _) => RegressionSnippets.NaiveHuber(x, y, 2.0), extremes);
        CollectionAssert.AreEqual(new[] { -2.0, -2, 2, 2, 2 }, native.input, "libtorch");
        CollectionAssert.AreEqual(native.input, ours.input, "huber_loss");
        CollectionAssert.AreEqual(native.input, clamp.input, "the clamp form");
        CollectionAssert.AreEqual(native.values, ours.values, "values");
        Assert.IsTrue(double.IsNaN(naive.input[0]) && double.IsNaN(naive.input[3]), "the where form gives NaN at ±∞");
        foreach (var beta in Parameters)
        {
            var smooth = OverGrid((x, y, r) => L.smooth_l1_loss(x, y, r, beta), extremes);
            var nativeSmooth = OverGrid((x, y, r) => N.smooth_l1_loss(x, y, r, beta), extremes);
            CollectionAssert.AreEqual(nativeSmooth.input, smooth.input, $"smooth_l1 β = {beta}");
        }
    });

    [TestMethod, DocIdentity("parameters_beyond_the_element_type")]
    public void ParametersBeyondTheElementTypeAreLibtorchs() => InBothGradientModes(() =>
    {
        // Eleven elements: libtorch runs its kernels' scalar code on them, which TorchLosses follows.
        var x = new[] { 0, 1, -1, 3, -2.5, 1e-30, 1e30, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 0.5 };
        var y = new[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5 };
        foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
        {
            foreach (var beta in new[] { 1e-300, 1e-46, 1e39 })
                AssertSame(a => L.smooth_l1_loss(a[0], a[1], reduction, beta), a => N.smooth_l1_loss(a[0], a[1], reduction, beta),
                    T(x, ScalarType.Float32), T(y, ScalarType.Float32));
            foreach (var delta in new[] { 1e-300, 1e-46, 1e39 })
                AssertSame(a => L.huber_loss(a[0], a[1], reduction, delta), a => N.huber_loss(a[0], a[1], delta, reduction),
                    T(x, ScalarType.Float32), T(y, ScalarType.Float32));
        }
    });

    [TestMethod, DocIdentity("half_types_follow_their_kernels")]
    public void HalfTypesFollowTheirKernels()
    {
        // 256 pairs: whole blocks of the kernels' vectorised body. Values and gradients, bit for bit.
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
            foreach (var reduction in new[] { R.None, R.Sum })
                foreach (var (ours, native) in new (Func<Tensor, Tensor, Tensor>, Func<Tensor, Tensor, Tensor>)[]
                {
                    ((x, y) => L.smooth_l1_loss(x, y, reduction, 0.5), (x, y) => N.smooth_l1_loss(x, y, reduction, 0.5)),
                    ((x, y) => L.huber_loss(x, y, reduction, 0.5), (x, y) => N.huber_loss(x, y, 0.5, reduction)),
                    ((x, y) => L.mse_loss(x, y, reduction), (x, y) => N.mse_loss(x, y, reduction)),
                })
                {
                    using var scope = NewDisposeScope();
                    var input = Normal(41, ScalarType.Float64, false, 256).to(dtype);
                    var target = Normal(42, ScalarType.Float64, false, 256).to(dtype);
                    double[][] Run(Func<Tensor, Tensor, Tensor> loss)
                    {
                        var (x, y) = (input.clone().requires_grad_(), target.clone().requires_grad_());
                        var value = loss(x, y);
                        value.backward(new[] { reduction == R.None ? (input * 0.3 + 1).detach() : tensor(0.7).to(dtype) });
                        return new[] { value, x.grad!, y.grad! }.Select(t => t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray()).ToArray();
                    }
                    var (a, b) = (Run(ours), Run(native));
                    for (int k = 0; k < 3; k++) CollectionAssert.AreEqual(b[k], a[k], $"{dtype} {reduction}: {(k == 0 ? "values" : "gradients")}");
                }
    }

    [TestMethod, DocIdentity("analytic_and_autograd_gradients_agree")]
    public void AnalyticAndAutogradGradientsAgree()
    {
        using var scope = NewDisposeScope();
        foreach (var (loss, parameter) in new[] { ("l1", double.NaN), ("mse", double.NaN), ("smooth_l1", 0.5), ("smooth_l1", 1.0), ("huber", 0.5), ("huber", 2.0) })
        {
            (double[] values, double[] input, double[] target) Run(GradientMode mode)
            {
                using var _ = LossGradients.Use(mode);
                return OverGrid(RegressionSnippets.Functional(loss, parameter));
            }
            var analytic = Run(GradientMode.Analytic);
            var viaAutograd = Run(GradientMode.Autograd);
            AssertAll(viaAutograd.input, analytic.input, 1e-15, $"{loss}({parameter}) input");
            AssertAll(viaAutograd.target, analytic.target, 1e-15, $"{loss}({parameter}) target");
            AssertAll(viaAutograd.values, analytic.values, 1e-15, $"{loss}({parameter}) values");
        }
    }
}
