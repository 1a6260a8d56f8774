using TorchLosses;

namespace TorchLossesTests.Losses;

/// <summary>PyTorch's legacy_get_string mapping and its deprecation warning.</summary>
[TestClass]
public sealed class LegacyReductionTests
{
    [TestMethod]
    [DataRow(null, null, R.Mean)]
    [DataRow(null, true, R.Mean)]
    [DataRow(null, false, R.None)]
    [DataRow(true, null, R.Mean)]
    [DataRow(true, true, R.Mean)]
    [DataRow(true, false, R.None)]
    [DataRow(false, null, R.Sum)]
    [DataRow(false, true, R.Sum)]
    [DataRow(false, false, R.None)]
    public void LegacyPairMapsLikePyTorch(bool? sizeAverage, bool? reduce, R expected)
    {
        // Both null means "not given": the explicit reduction (None here) stays.
        var explicitReduction = R.None;
        var module = TorchLosses.nn.L1Loss(sizeAverage, reduce, explicitReduction);
        Assert.AreEqual(sizeAverage is null && reduce is null ? explicitReduction : expected, module.reduction);
    }

    [TestMethod]
    public void LegacyArgumentsOverrideReductionAndWarn()
    {
        var messages = new List<string>();
        EventHandler<LossWarningEventArgs> handler = (_, e) => messages.Add(e.Message);
        LossWarnings.Warned += handler;
        try
        {
            using var scope = NewDisposeScope();
            Assert.AreEqual(R.Sum, TorchLosses.nn.L1Loss(size_average: false, reduce: null, reduction: R.None).reduction);
            var value = L.mse_loss(ones(3), zeros(3), size_average: false, reduce: null);
            Assert.AreEqual(3f, value.item<float>());
        }
        finally
        {
            LossWarnings.Warned -= handler;
        }
        CollectionAssert.Contains(messages, "size_average and reduce args will be deprecated, please use reduction='sum' instead.");
    }
}
