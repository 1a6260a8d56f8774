namespace TorchLossesTests.Binding;

/// <summary>Arguments the binding checks itself before libtorch sees them.</summary>
[TestClass]
public sealed class ArgumentValidationTests
{
    [TestMethod]
    public void UndefinedReductionIsRejectedBeforeReachingLibtorch()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => nn.functional.mse_loss(ones(2), zeros(2), (nn.Reduction)9));
        Assert.AreEqual("reduction", e.ParamName);
        StringAssert.StartsWith(e.Message, "9 is not a valid value for reduction");
    }

    [TestMethod]
    [DataRow("cuda:x"), DataRow("cpu:-1"), DataRow("cpu:1:2"), DataRow("gpu")]
    public void MalformedDeviceStringsAreArgumentErrors(string description)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new Device(description));
        StringAssert.Contains(e.Message, description);
    }
}
