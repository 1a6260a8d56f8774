using System.Runtime.InteropServices;

namespace TorchLossesTests.Binding;

[TestClass]
public sealed class InPlaceOpTests
{
    private static Tensor F32(params float[] values) => tensor(values);

    private static void AssertValues(float[] expected, Tensor actual, float tolerance = 0f) =>
        CollectionAssert.AreEqual(expected, actual.data<float>().ToArray(), new FloatComparer(tolerance));

    private sealed class FloatComparer(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= tolerance ? 0 : 1;
    }

    [TestMethod]
    public void EveryInPlaceOpReturnsTheSameObject()
    {
        using var scope = NewDisposeScope();
        var x = F32(1, 2, 3);
        var other = F32(1, 1, 1);
        var mask = tensor(new[] { true, false, true });
        Tensor[] results =
        {
            x.add_(other), x.add_(other, 2), x.add_(1), x.add_(1, 2), x.sub_(other), x.sub_(1), x.mul_(other), x.mul_(2),
            x.div_(other), x.div_(2), x.addcmul_(other, other, 1), x.addcdiv_(other, other, 1), x.addcdiv_(other, other),
            x.zero_(), x.fill_(1), x.copy_(other), x.uniform_(), x.normal_(), x.sqrt_(), x.clamp_(0, 1), x.masked_fill_(mask, 0),
        };
        foreach (var result in results) Assert.AreSame(x, result);
    }

    [TestMethod]
    public void ArithmeticMutatesTheReceiver()
    {
        using var scope = NewDisposeScope();
        var x = F32(1, 2, 3);
        x.add_(F32(10, 20, 30));
        AssertValues(new[] { 11f, 22, 33 }, x);
        x.add_(F32(1, 1, 1), alpha: -2);          // 11 - 2, ...
        AssertValues(new[] { 9f, 20, 31 }, x);
        x.add_(1);
        AssertValues(new[] { 10f, 21, 32 }, x);
        x.add_(2, alpha: 3);                     // + 6
        AssertValues(new[] { 16f, 27, 38 }, x);
        x.sub_(F32(6, 7, 8));
        AssertValues(new[] { 10f, 20, 30 }, x);
        x.sub_(10);
        AssertValues(new[] { 0f, 10, 20 }, x);
        x.mul_(F32(5, 2, 0.5f));
        AssertValues(new[] { 0f, 20, 10 }, x);
        x.mul_(-1);
        AssertValues(new[] { 0f, -20, -10 }, x);
        x.div_(F32(1, 4, 5));
        AssertValues(new[] { 0f, -5, -2 }, x);
        x.div_(2);
        AssertValues(new[] { 0f, -2.5f, -1 }, x);
    }

    [TestMethod]
    public void IntegerDivisionInPlaceIsRejectedByLibtorch()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new long[] { 4, 6 });
        // true division yields float, which cannot be stored back into an int64 tensor.
        var error = Assert.ThrowsExactly<ExternalException>(() => x.div_(4));
        StringAssert.Contains(error.Message, "can't be cast to the desired output type Long");
    }

    [TestMethod]
    public void AddcmulAndAddcdivMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        var x = F32(1, 2, 3);
        x.addcmul_(F32(2, 3, 4), F32(5, 6, 7), 0.5);   // 1 + 0.5*10, 2 + 0.5*18, 3 + 0.5*28
        AssertValues(new[] { 6f, 11, 17 }, x);
        // torch.tensor([1.,2,3,4]).addcdiv_(torch.tensor([1.,2,3,4]), torch.tensor([3.,3,3,3]), value=0.5) in PyTorch 1.13
        var y = F32(1, 2, 3, 4);
        y.addcdiv_(F32(1, 2, 3, 4), F32(3, 3, 3, 3), 0.5);
        AssertValues(new[] { 1.1666666269302368f, 2.3333332538604736f, 3.5f, 4.666666507720947f }, y);
        var z = F32(1, 1);
        z.addcdiv_(F32(1, 3), F32(2, 4));
        AssertValues(new[] { 1.5f, 1.75f }, z);
    }

    [TestMethod]
    public void FillZeroCopySqrtClampMaskedFill()
    {
        using var scope = NewDisposeScope();
        var x = F32(4, 9, 16);
        x.sqrt_();
        AssertValues(new[] { 2f, 3, 4 }, x);
        x.clamp_(min: 2.5);
        AssertValues(new[] { 2.5f, 3, 4 }, x);
        x.clamp_(max: 3.5);
        AssertValues(new[] { 2.5f, 3, 3.5f }, x);
        x.clamp_(2.75, 3.25);
        AssertValues(new[] { 2.75f, 3, 3.25f }, x);
        x.masked_fill_(tensor(new[] { false, true, false }), -1);
        AssertValues(new[] { 2.75f, -1, 3.25f }, x);
        x.fill_(7);
        AssertValues(new[] { 7f, 7, 7 }, x);
        x.zero_();
        AssertValues(new[] { 0f, 0, 0 }, x);
        // copy_ converts dtype and broadcasts.
        x.copy_(tensor(new[] { 1.25 }));
        Assert.AreEqual(ScalarType.Float32, x.dtype);
        AssertValues(new[] { 1.25f, 1.25f, 1.25f }, x);
    }

    [TestMethod]
    public void ShapeMismatchIsAnExternalException()
    {
        using var scope = NewDisposeScope();
        var x = F32(1, 2, 3);
        Assert.ThrowsExactly<ExternalException>(() => x.add_(F32(1, 2)));
        Assert.ThrowsExactly<ExternalException>(() => x.copy_(F32(1, 2)));
        AssertValues(new[] { 1f, 2, 3 }, x);
    }

    [TestMethod]
    public void InPlaceOnALeafThatRequiresGradNeedsNoGrad()
    {
        using var scope = NewDisposeScope();
        var w = F32(1, 2).requires_grad_();
        var error = Assert.ThrowsExactly<ExternalException>(() => w.add_(1));
        StringAssert.Contains(error.Message, "a leaf Variable that requires grad is being used in an in-place operation");
        using (no_grad()) w.add_(1);
        AssertValues(new[] { 2f, 3 }, w);
        Assert.IsTrue(w.requires_grad);
        Assert.IsTrue(w.is_leaf);
    }

    [TestMethod]
    public void InPlaceOpsAreRecordedByAutograd()
    {
        using var scope = NewDisposeScope();
        var w = F32(1, 2, 3).requires_grad_();
        var y = w.mul(1);             // a non-leaf copy, so in-place is allowed
        y.mul_(F32(2, 3, 4)).add_(1);
        y.sum().backward();
        AssertValues(new[] { 2f, 3, 4 }, w.grad!);
    }

    [TestMethod]
    [DoNotParallelize]
    public void UniformAndNormalFollowManualSeedLikePyTorch()
    {
        using var scope = NewDisposeScope();
        // torch.manual_seed(1); torch.empty(4).uniform_(-2, 3)   (PyTorch 1.13)
        manual_seed(1);
        var u = empty(4).uniform_(-2, 3);
        AssertValues(new[] { 1.78815794f, -0.60344559f, 0.0153462887f, 1.67342234f }, u, 1e-6f);
        // torch.manual_seed(1); torch.empty(4).normal_(1, 2)
        manual_seed(1);
        var n = empty(4).normal_(1, 2);
        AssertValues(new[] { 2.32270432f, 1.53384817f, 1.12335455f, 2.24263477f }, n, 1e-6f);
        // Default range is [0, 1).
        var d = empty(1000).uniform_();
        var values = d.data<float>().ToArray();
        Assert.IsTrue(values.All(v => v >= 0 && v < 1));
    }
}
