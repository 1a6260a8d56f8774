using Examples.BoxRegression;

namespace TorchLossesTests.Examples;

/// <summary>
/// The box-regression toy at a reduced size (256 proposals, 120 epochs): mean IoU improves with
/// training by more than 0.1 for every loss and ends above the proposals' own IoU. Checked with seeds 1–8.
/// </summary>
[TestClass]
public sealed class BoxRegressionExampleTests
{
    [TestMethod]
    public void EncodeAndDecodeAreInverse()
    {
        var p = new Box(50, 40, 20, 30);
        var g = new Box(53, 37, 26, 24);
        var d = Experiment.Encode(p, g).Select(v => (float)v).ToArray();
        var back = Experiment.Decode(p, d, 0);
        Assert.AreEqual(1.0, back.IoU(g), 1e-5);
        Assert.AreEqual(0.0, new Box(0, 0, 2, 2).IoU(new Box(5, 5, 2, 2)));
        Assert.AreEqual(1.0 / 3, new Box(0, 0, 2, 2).IoU(new Box(1, 0, 2, 2)), 1e-12);   // overlap 2 of union 6
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void MeanIoUImprovesOverTrainingWithEveryLoss(int seed)
    {
        var result = Experiment.Run(new Options(TrainBoxes: 256, TestBoxes: 128, Epochs: 120, Seed: seed, EvalEvery: 40));

        foreach (var fit in result.Fits)
        {
            Assert.IsGreaterThan(fit.IoUBefore + 0.1, fit.IoUAfter, $"{fit.Loss}: {fit.IoUBefore} → {fit.IoUAfter}");
            Assert.IsGreaterThan(result.ProposalIoU, fit.IoUAfter, fit.Loss);
        }
        // With 10% wrongly matched proposals, the L1-like losses end above MSE.
        var mse = result.Get("MSE").IoUAfter;
        Assert.IsGreaterThan(mse, result.Get("SmoothL1 β=1/9").IoUAfter);
        Assert.IsGreaterThan(mse, result.Get("L1").IoUAfter);
    }
}
