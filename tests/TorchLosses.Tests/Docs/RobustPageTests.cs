using TorchLosses;
using TorchLossesTests.Losses;
using Ref = TorchLosses.Parity.Suites.RobustReference;

namespace TorchLossesTests.Docs;

/// <summary>Every number and identity of docs/losses/robust.md, computed by TorchLosses.</summary>
[TestClass]
public sealed class RobustPageTests : DocPageTests
{
    protected override string PagePath => "docs/losses/robust.md";

    protected override Checks Values() => new()
    {
        { "barron_rho_2", () => Barron(2, 2).value },
        { "barron_psi_2", () => Barron(2, 2).slope },
        { "barron_rho_1", () => Barron(2, 1).value },
        { "barron_psi_1", () => Barron(2, 1).slope },
        { "barron_rho_0", () => Barron(2, 0).value },
        { "barron_psi_0", () => Barron(2, 0).slope },
        { "barron_rho_m2", () => Barron(2, -2).value },
        { "barron_psi_m2", () => Barron(2, -2).slope },
        { "barron_rho_minf", () => Barron(2, double.NegativeInfinity).value },
        { "barron_psi_minf", () => Barron(2, double.NegativeInfinity).slope },
        { "barron_naive_near_zero", NaiveBarronNearZero },
        { "barron_stable_near_zero", () => L.barron_loss(tensor(new[] { 2f }), tensor(new[] { 0f }), 1e-9).item<float>() },
        { "partition_2", () => Math.Exp(LogZ(2)) },
        { "partition_0", () => Math.Exp(LogZ(0)) },
        { "partition_1", () => Math.Exp(LogZ(1)) },
        { "nll_example", () => L.barron_nll_loss(tensor(new[] { 2.0 }), tensor(new[] { 0.0 }), tensor(new[] { 1.0 }), tensor(new[] { 1.0 })).item<double>() },
        { "log_cosh_naive", () => tensor(new[] { 1e4f }).cosh().log().item<float>() },
        { "log_cosh_stable", () => L.log_cosh_loss(tensor(new[] { 1e4f }), tensor(new[] { 0f })).item<float>() },
        { "pseudo_huber_naive", () => Math.Sqrt(1 + 1e-8 * 1e-8) - 1 },
        { "pseudo_huber_stable", () => L.pseudo_huber_loss(tensor(new[] { 1e-8 }), tensor(new[] { 0.0 })).item<double>() },
        { "charbonnier_zero", () => L.charbonnier_loss(tensor(new[] { 0.0 }), tensor(new[] { 0.0 })).item<double>() },
        { "wing_constant", () => 10 - L.wing_loss(tensor(new[] { 10.0 }), tensor(new[] { 0.0 })).item<double>() },
        { "wing_slope_inside", () => Slope(t => L.wing_loss(t, zeros_like(t)), 10 - 1e-12) },
        { "awing_peak", () => L.adaptive_wing_loss(tensor(new[] { 0.9 }), tensor(new[] { 1.0 })).item<double>() },
        { "awing_background", () => L.adaptive_wing_loss(tensor(new[] { 0.1 }), tensor(new[] { 0.0 })).item<double>() },
        { "quantile_example", () => L.quantile_loss(tensor(new[] { 1.0, 2.0, 3.0 }), tensor(2.0), tensor(new[] { 0.1, 0.5, 0.9 })).item<double>() },
    };

    private static (double value, double slope) Barron(double x, double alpha)
    {
        var input = tensor(new[] { x }, requires_grad: true);
        var value = L.barron_loss(input, zeros_like(input), alpha);
        var slope = autograd.grad(new[] { value }, new[] { input })[0].item<double>();
        Assert.AreEqual(Ref.BarronDx(x, alpha, 1), slope, 1e-15, "the slope is the reference's");
        return (value.item<double>(), slope);
    }

    private static double Slope(Func<Tensor, Tensor> loss, double at)
    {
        var input = tensor(new[] { at }, requires_grad: true);
        return autograd.grad(new[] { loss(input) }, new[] { input })[0].item<double>();
    }

    /// <summary>The textbook formula in float32 at α = 1e-9, x = 2: |α − 2|/α·((x²/|α − 2| + 1)^(α/2) − 1).</summary>
    private static double NaiveBarronNearZero()
    {
        float alpha = 1e-9f, b = Math.Abs(alpha - 2);
        var z = tensor(new[] { 4f });
        var one = tensor(1f);
        return ((z / tensor(b) + one).pow(tensor(alpha / 2)) - one).mul(tensor(b / alpha)).item<float>();
    }

    private static double LogZ(double alpha) => BarronPartition.LogZ(tensor(new[] { alpha })).item<double>();

    [TestMethod, DocIdentity("barron_special_cases")]
    public void BarronSpecialCases()
    {
        new RobustLossTests().BarronSpecialCasesAreTheNamedLosses();
        new RobustLossTests().BarronMatchesTheScalarReference();
    }

    [TestMethod, DocIdentity("partition_closed_forms")]
    public void PartitionClosedForms() => new AdaptiveRobustLossTests().PartitionFunctionMatchesItsClosedForms();

    [TestMethod, DocIdentity("density_integrates_to_one")]
    public void DensityIntegratesToOne() => new AdaptiveRobustLossTests().DensityIntegratesToOne();

    [TestMethod, DocIdentity("log_cosh_asymptotes")]
    public void LogCoshAsymptotes() => new RobustLossTests().LogCoshMatchesTheScalarReferenceAndItsAsymptotes();

    [TestMethod, DocIdentity("pseudo_huber_is_barron_alpha_one"), DocIdentity("charbonnier_from_pseudo_huber")]
    public void PseudoHuberCharbonnierAndBarron()
    {
        new RobustLossTests().PseudoHuberAndCharbonnierMatchTheReferenceAndEachOther();
        new RobustLossTests().BarronSpecialCasesAreTheNamedLosses();
    }

    [TestMethod, DocIdentity("quantile_median_is_half_l1")]
    public void QuantileMedianIsHalfL1() => new RobustLossTests().QuantileMatchesTheReferenceAndHalfOfL1AtTheMedian();
}
