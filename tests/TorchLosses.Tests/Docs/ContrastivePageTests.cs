using TorchLosses;
using TorchLossesTests.Losses;

namespace TorchLossesTests.Docs;

/// <summary>Every number and identity of docs/losses/contrastive.md, computed by TorchLosses.</summary>
[TestClass]
public sealed class ContrastivePageTests : DocPageTests
{
    protected override string PagePath => "docs/losses/contrastive.md";

    protected override Checks Values() => new()
    {
        { "max_logit", () => InfoNceLogits(0.07) },
        { "contrastive_similar", () => Pair(1) },
        { "contrastive_dissimilar", () => Pair(0) },
        { "info_nce_tau_1", () => OneNegative(1.0) },
        { "info_nce_tau_half", () => OneNegative(0.5) },
        { "info_nce_tau_007", () => OneNegative(0.07) },
        { "nt_xent_example", () => L.nt_xent_loss(Z1(), Z2(), 0.5).item<double>() },
        { "supcon_example", () => L.supcon_loss(cat(new[] { Z1(), Z2() }, 0), tensor(new long[] { 0, 1, 0, 1 }), 0.5).item<double>() },
        { "arcface_target_08", () => Math.Cos(Math.Acos(0.8) + 0.5) },
        { "arcface_threshold", () => Math.Cos(Math.PI - 0.5) },
        { "arcface_fallback_penalty", () => 0.5 * Math.Sin(0.5) },
        { "cosface_target_08", () => 0.8 - 0.35 },
    };

    /// <summary>The largest logit at τ: a positive at cosine 1, computed by the loss's own scaling.</summary>
    private static double InfoNceLogits(double tau)
    {
        var q = tensor(new[,] { { 1.0, 0.0 } });
        return (EmbeddingGeometry.UnitRows(q).matmul(EmbeddingGeometry.UnitRows(q).t()) / tensor(tau)).item<double>();
    }

    private static double Pair(long similar) =>
        L.contrastive_loss(tensor(new[,] { { 0.5, 0.0 } }), tensor(new[,] { { 0.0, 0.0 } }), tensor(new[] { similar }), 1.0).item<double>();

    private static double OneNegative(double tau) =>
        L.info_nce_loss(tensor(new[,] { { 1.0, 0.0 } }), tensor(new[,] { { 1.0, 0.0 } }), tensor(new[,] { { 0.0, 1.0 } }), tau).item<double>();

    private static Tensor Z1() => tensor(new[,] { { 1.0, 0.0 }, { 0.0, 1.0 } });

    private static Tensor Z2() => tensor(new[,] { { 1.0, 0.1 }, { 0.1, 1.0 } });

    [TestMethod, DocIdentity("info_nce_one_negative_is_softplus")]
    public void InfoNceOneNegative() => new ContrastiveLossTests().InfoNCEWithOneNegativeIsTheSoftplusOfTheLogitDifference();

    [TestMethod, DocIdentity("supcon_two_views_is_nt_xent")]
    public void SupConTwoViews() => new ContrastiveLossTests().NTXentAndSupConMatchTheScalarLoopAndEachOther();

    [TestMethod, DocIdentity("arcface_zero_margin")]
    public void ArcFaceZeroMargin() => new ContrastiveLossTests().ArcFaceMatchesTheScalarLoopWithItsFallbackAndIsScaledCosineSoftmaxAtZeroMargin();
}
