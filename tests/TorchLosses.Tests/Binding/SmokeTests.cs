namespace TorchLossesTests.Binding;

[TestClass]
public sealed class NativeLossSmokeTests
{
    [TestMethod]
    public void SmoothL1OfTheDesignExampleIsThreeQuarters()
    {
        using var scope = NewDisposeScope();
        var input = tensor(new[] { 0.5f, 1.5f, 2.5f }, requires_grad: true);
        var target = tensor(new[] { 1f, 2f, 5f });
        var loss = nn.functional.smooth_l1_loss(input, target);
        Assert.AreEqual(0.75f, loss.item<float>(), 1e-7f);
        loss.backward();
        // d/dx mean(smooth_l1): (x - y)/beta for |d| < 1, sign(d) otherwise; each divided by n = 3.
        CollectionAssert.AreEqual(new[] { -0.5f / 3, -0.5f / 3, -1f / 3 }, input.grad!.data<float>().ToArray());
    }
}
