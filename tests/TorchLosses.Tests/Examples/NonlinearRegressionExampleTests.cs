using Examples.NonlinearRegression;

namespace TorchLossesTests.Examples;

/// <summary>
/// The MLP example's claim at a reduced size (16-wide MLP, 400 epochs): with Student-t (ν = 2) noise,
/// Huber and SmoothL1 fit the clean function better than MSE does. Checked with seeds 1–8; at 128
/// samples and 300 epochs one seed in eight came out a tie, hence this size.
/// </summary>
// Runs apart from the other test classes: the example trains with TorchSharp's optimizers, whose step() makes temporary
// Scalars that a garbage collection started by another thread can free mid-call (TorchSharp 0.107: the README's Scalar trap).
[TestClass]
[DoNotParallelize]
public sealed class NonlinearRegressionExampleTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void HuberAndSmoothL1BeatMseOnTheCleanTestGrid(int seed)
    {
        var result = Experiment.Run(new Options(TrainPoints: 256, TestPoints: 100, Hidden: 16, Epochs: 400, Seed: seed, EvalEvery: 50));

        var mse = result.Get("MSE").TestRmse;
        var huber = result.Get("Huber").TestRmse;
        var smoothL1 = result.Get("SmoothL1").TestRmse;
        Assert.IsLessThan(mse, huber, $"Huber {huber} vs MSE {mse}");
        Assert.IsLessThan(mse, smoothL1, $"SmoothL1 {smoothL1} vs MSE {mse}");
        Assert.IsLessThan(0.25, Math.Min(huber, smoothL1), "the robust fits follow the curve");
        // The curves record the test error every 50 epochs; the robust fits keep improving, while MSE
        // may already be chasing the outliers by then (the example's figure shows it).
        foreach (var fit in result.Fits) Assert.HasCount(8, fit.Curve);
        foreach (var fit in result.Fits.Where(f => f.Loss != "MSE"))
            Assert.IsLessThan(fit.Curve[0].TestRmse, fit.TestRmse, fit.Loss);
    }
}
