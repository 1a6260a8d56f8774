using Examples.Classification;

namespace TorchLossesTests.Examples;

/// <summary>
/// The classification example's claims at a reduced size (150 epochs): class weights raise the rarest
/// class's recall and the balanced accuracy; label smoothing lowers the mean confidence by more than
/// 0.03. Checked with seeds 1–8.
/// </summary>
// Runs apart from the other test classes: the example trains with TorchSharp's optimizers, whose step() makes temporary
// Scalars that a garbage collection started by another thread can free mid-call (TorchSharp 0.107: the README's Scalar trap).
[TestClass]
[DoNotParallelize]
public sealed class ClassificationExampleTests
{
    [TestMethod]
    public void ClassWeightsAreInverseFrequency()
    {
        var weights = Experiment.ClassWeights([400, 150, 50, 20]);
        Assert.AreEqual(620.0 / (4 * 400), weights[0], 1e-12);
        Assert.AreEqual(620.0 / (4 * 20), weights[3], 1e-12);
        CollectionAssert.AreEqual(new[] { 1.0, 1.0 }, Experiment.ClassWeights([7, 7]));
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void WeightsHelpTheRareClassAndSmoothingSoftensConfidence(int seed)
    {
        var result = Experiment.Run(new Options(TestPerClass: 150, Epochs: 150, Seed: seed));

        var plain = result.Get("CE");
        var smoothed = result.Get("CE, smoothing 0.1");
        var weighted = result.Get("CE, class weights");
        Assert.IsGreaterThan(plain.Recall[3], weighted.Recall[3], $"recall of the rarest class: {plain.Recall[3]} → {weighted.Recall[3]}");
        Assert.IsGreaterThan(plain.Accuracy, weighted.Accuracy, "balanced accuracy");
        Assert.IsLessThan(plain.Recall[0], weighted.Recall[0], "the common class pays for it");
        Assert.IsLessThan(plain.Confidence - 0.03, smoothed.Confidence, "mean largest probability");
    }
}
