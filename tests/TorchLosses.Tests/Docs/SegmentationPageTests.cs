using TorchLosses;

namespace TorchLossesTests.Docs;

/// <summary>Every number and identity of docs/losses/segmentation.md, computed by TorchLosses.</summary>
[TestClass]
public sealed class SegmentationPageTests : DocPageTests
{
    protected override string PagePath => "docs/losses/segmentation.md";

    private static Tensor P() => tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 1, 1, 4 });

    private static Tensor T() => tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });

    private const SegmentationMode Binary = SegmentationMode.Binary;

    protected override Checks Values() => new()
    {
        { "all_ignored", () => L.dice_loss(zeros(1, 3, 2, 2, float64), full(new long[] { 1, 2, 2 }, 255L, int64), ignore_index: 255).item<double>() },
        { "dice_example", () => L.dice_loss(P(), T(), Binary, from_logits: false).item<double>() },
        { "dice_smooth_example", () => L.dice_loss(P(), T(), Binary, from_logits: false, smooth: 1).item<double>() },
        { "dice_log_example", () => L.dice_loss(P(), T(), Binary, from_logits: false, log_loss: true).item<double>() },
        { "jaccard_example", () => L.jaccard_loss(P(), T(), Binary, from_logits: false).item<double>() },
        { "tversky_example", () => L.tversky_loss(P(), T(), Binary, from_logits: false, alpha: 0.3, beta: 0.7).item<double>() },
        { "focal_tversky_example", () => L.focal_tversky_loss(P(), T(), Binary, from_logits: false).item<double>() },
    };

    private static (double[] values, double[] grads) Run(Func<Tensor, Tensor> loss, Tensor input)
    {
        var x = input.detach().clone().requires_grad_(true);
        var value = loss(x);
        value.sum().backward();
        return (value.detach().flatten().data<double>().ToArray(), x.grad!.flatten().data<double>().ToArray());
    }

    private static IEnumerable<(Tensor input, Tensor target, SegmentationMode mode)> Grid()
    {
        yield return (torch.randn(new long[] { 2, 4, 3, 3 }, float64, generator: new Generator(1)), torch.randint(0, 4, new long[] { 2, 3, 3 }, generator: new Generator(2)), SegmentationMode.Multiclass);
        yield return (torch.randn(new long[] { 2, 3, 5 }, float64, generator: new Generator(3)), (torch.rand(new long[] { 2, 3, 5 }, float64, generator: new Generator(4)) < 0.4).to(float64), SegmentationMode.Multilabel);
        yield return (torch.randn(new long[] { 3, 1, 6 }, float64, generator: new Generator(5)), (torch.rand(new long[] { 3, 6 }, float64, generator: new Generator(6)) < 0.3).to(float64), SegmentationMode.Binary);
    }

    [TestMethod, DocIdentity("tversky_half_is_dice")]
    public void TverskyAtOneHalfIsDice()
    {
        using var scope = NewDisposeScope();
        foreach (var (input, target, mode) in Grid())
            foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
            {
                var tversky = Run(x => L.tversky_loss(x, target, mode, alpha: 0.5, beta: 0.5, reduction: reduction), input);
                var dice = Run(x => L.dice_loss(x, target, mode, reduction: reduction), input);
                TorchLossesTests.Support.ValueAssert.Close(dice.values, tversky.values, 1e-14, $"{mode} {reduction} values");
                TorchLossesTests.Support.ValueAssert.Close(dice.grads, tversky.grads, 1e-13, $"{mode} {reduction} gradients");
            }
    }

    [TestMethod, DocIdentity("tversky_one_is_jaccard")]
    public void TverskyAtOneIsJaccard()
    {
        using var scope = NewDisposeScope();
        foreach (var (input, target, mode) in Grid())
            foreach (var smooth in new[] { 0.0, 1.0 })
            {
                var tversky = Run(x => L.tversky_loss(x, target, mode, smooth: smooth, alpha: 1, beta: 1, reduction: R.None), input);
                var jaccard = Run(x => L.jaccard_loss(x, target, mode, smooth: smooth, reduction: R.None), input);
                TorchLossesTests.Support.ValueAssert.Close(jaccard.values, tversky.values, 1e-14, $"{mode} smooth {smooth} values");
                TorchLossesTests.Support.ValueAssert.Close(jaccard.grads, tversky.grads, 1e-13, $"{mode} smooth {smooth} gradients");
            }
    }
}
