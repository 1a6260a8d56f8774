using System.Runtime.InteropServices;
using TorchSharp.Utils;

namespace TorchLossesTests.Binding;

/// <summary>
/// Bad input never crashes the process: each case throws a specific .NET exception whose message
/// says what went wrong (libtorch's own words where libtorch detects it, PyTorch 1.13's text as
/// printed by Debian's python3-torch), and afterwards a valid computation still works.
/// </summary>
[TestClass]
public sealed class BindingBadInputTests
{
    /// <summary>Asserts the exact exception type and a key phrase of its message, then that the binding still works.</summary>
    private static TException Fails<TException>(Action action, string phrase) where TException : Exception
    {
        var error = Assert.ThrowsExactly<TException>(action);
        StringAssert.Contains(error.Message, phrase);
        StillWorks();
        return error;
    }

    /// <summary>A valid computation after the failure: smooth_l1 of [0.5, 1.5, 2.5] vs [1, 2, 5] is 0.75, with its gradient.</summary>
    private static void StillWorks()
    {
        using var scope = NewDisposeScope();
        var input = tensor(new[] { 0.5f, 1.5f, 2.5f }, requires_grad: true);
        var loss = nn.functional.smooth_l1_loss(input, tensor(new[] { 1f, 2f, 5f }));
        Assert.AreEqual(0.75f, loss.item<float>(), 1e-7f);
        loss.backward();
        CollectionAssert.AreEqual(new[] { -0.5f / 3, -0.5f / 3, -1f / 3 }, input.grad!.data<float>().ToArray());
    }

    // ---- ops and losses that libtorch rejects ------------------------------------------------

    [TestMethod]
    public void ShapeMismatchInAnOpIsLibtorchsBroadcastError()
    {
        using var scope = NewDisposeScope();
        // torch.ones(3) + torch.ones(4)
        Fails<ExternalException>(() => _ = ones(3) + ones(4),
            "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0");
    }

    [TestMethod]
    public void NativeLossOnInt64SaysTheKernelIsNotImplementedForLong()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new long[] { 1, 2, 3 });
        // F.mse_loss(torch.ones(3, dtype=torch.long), torch.ones(3, dtype=torch.long))
        Fails<ExternalException>(() => nn.functional.mse_loss(x, x), "\"mse_cpu\" not implemented for 'Long'");
    }

    [TestMethod]
    public void NllLossTargetEqualToTheClassCountIsOutOfBounds()
    {
        using var scope = NewDisposeScope();
        // F.nll_loss(torch.zeros(2, 4), torch.tensor([0, 4]))
        Fails<ExternalException>(() => nn.functional.nll_loss(zeros(2, 4), tensor(new long[] { 0, 4 })), "Target 4 is out of bounds.");
    }

    [TestMethod]
    public void CrossEntropyNegativeTargetIsOutOfBounds()
    {
        using var scope = NewDisposeScope();
        // F.cross_entropy(torch.zeros(2, 4), torch.tensor([0, -1]))
        Fails<ExternalException>(() => nn.functional.cross_entropy(zeros(2, 4), tensor(new long[] { 0, -1 })), "Target -1 is out of bounds.");
    }

    [TestMethod]
    public void CtcBlankOutsideTheLabelRangeIsRejected()
    {
        using var scope = NewDisposeScope();
        var logProbs = zeros(5, 1, 4);
        var targets = tensor(new long[] { 1, 2 }, new long[] { 1, 2 });
        // F.ctc_loss(log_probs (5, 1, 4), [[1, 2]], [5], [2], blank=4)
        Fails<ExternalException>(
            () => nn.functional.ctc_loss(logProbs, targets, tensor(new long[] { 5 }), tensor(new long[] { 2 }), blank: 4),
            "blank must be in label range");
    }

    [TestMethod]
    public void BinaryCrossEntropyInputOutsideTheUnitIntervalIsRejected()
    {
        using var scope = NewDisposeScope();
        // F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))
        Fails<ExternalException>(() => nn.functional.binary_cross_entropy(tensor(new[] { 1.5f }), tensor(new[] { 1f })),
            "all elements of input should be between 0 and 1");
    }

    [TestMethod]
    public void SmoothL1NegativeBetaIsRejected()
    {
        using var scope = NewDisposeScope();
        // torch._C._nn.smooth_l1_loss(torch.ones(3), torch.ones(3), 1, -1.0)
        Fails<ExternalException>(() => nn.functional.smooth_l1_loss(ones(3), ones(3), beta: -1.0),
            "smooth_l1_loss does not support negative values for beta.");
    }

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(-2.0)]
    public void HuberNonPositiveDeltaIsRejected(double delta)
    {
        using var scope = NewDisposeScope();
        // torch._C._nn.huber_loss(torch.ones(3), torch.ones(3), 1, 0.0)
        Fails<ExternalException>(() => nn.functional.huber_loss(ones(3), ones(3), delta),
            "huber_loss does not support non-positive values for delta.");
    }

    [TestMethod]
    public void SizeOfADimensionOutOfRangeIsRejected()
    {
        using var scope = NewDisposeScope();
        var x = ones(3);
        // torch.ones(3).size(5)
        Fails<ExternalException>(() => x.size(5), "Dimension out of range (expected to be in range of [-1, 0], but got 5)");
    }

    // ---- factories -------------------------------------------------------------------------------

    [TestMethod]
    public void NegativeDimensionInAFactoryIsRejected()
    {
        // torch.zeros([-1])
        Fails<ExternalException>(() => zeros(new long[] { -1 }), "Trying to create tensor with negative dimension -1: [-1]");
    }

    [TestMethod]
    public void ShapeThatDoesNotMatchTheArrayLengthNamesTheArgument()
    {
        var error = Fails<ArgumentException>(() => tensor(new[] { 1f, 2f, 3f }, new long[] { 2, 2 }),
            "shape [2, 2] holds 4 elements, but the array has 3");
        Assert.AreEqual("dimensions", error.ParamName);
    }

    [TestMethod]
    public void NegativeDimensionForAnArrayNamesTheArgument()
    {
        var error = Fails<ArgumentException>(() => tensor(new[] { 1.0, 2.0 }, new long[] { -2 }), "negative dimension -2");
        Assert.AreEqual("dimensions", error.ParamName);
    }

    [TestMethod]
    public void LinspaceWithNegativeStepsIsRejected()
    {
        // torch.linspace(0, 1, -1)
        Fails<ExternalException>(() => linspace(0, 1, -1), "number of steps must be non-negative");
    }

    [TestMethod]
    public void RandintWithLowNotBelowHighIsRejected()
    {
        // torch.randint(5, 5, (3,))
        Fails<ExternalException>(() => randint(5, 5, new long[] { 3 }), "random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
    }

    [TestMethod]
    public void ArangeWithAZeroStepIsRejected()
    {
        Scalar step = 0.0; // a literal zero would also convert to ScalarType and make the call ambiguous
        // torch.arange(0., 3., 0.)
        Fails<ExternalException>(() => arange(0.0, 3.0, step), "step must be nonzero");
    }

    [TestMethod]
    public void AnAllocationThatCannotFitIsAnErrorNotACrash()
    {
        // 2^50 float32 elements (4 PiB): the allocator refuses and libtorch reports it.
        Fails<ExternalException>(() => empty(1L << 50), "can't allocate memory");
    }

    [TestMethod]
    public void AnUndefinedDtypeValueIsRejectedBeforeItReachesLibtorch()
    {
        using var scope = NewDisposeScope();
        Fails<ExternalException>(() => zeros(3, dtype: (ScalarType)100), "invalid dtype 100: not one of libtorch's scalar types");
        Fails<ExternalException>(() => ones(3).to((ScalarType)(-1)), "invalid dtype -1");
        Fails<ExternalException>(() => ones(3).sum((ScalarType)100), "invalid dtype 100: not one of libtorch's scalar types");
        Fails<ExternalException>(() => ones(2, 3).log_softmax(1, (ScalarType)100), "invalid dtype 100: not one of libtorch's scalar types");
    }

    [TestMethod]
    public void AnUndefinedDeviceTypeValueIsRejectedBeforeItReachesLibtorch()
    {
        Fails<ExternalException>(() => zeros(3, device: new Device((DeviceType)50)), "invalid device type 50: not one of libtorch's device types");
    }

    [TestMethod]
    public void AnUnknownDeviceStringIsAnArgumentError()
    {
        using var scope = NewDisposeScope();
        var x = ones(2);
        var error = Fails<ArgumentException>(() => x.to("nonsense"), "nonsense");
        Assert.AreEqual("description", error.ParamName);
    }

    [TestMethod]
    public void ADeviceThisLibtorchWasNotBuiltForIsLibtorchsError()
    {
        using var scope = NewDisposeScope();
        var x = ones(2);
        // CPU-only libtorch: there is no CUDA backend to run the copy on.
        Fails<ExternalException>(() => x.to(DeviceType.CUDA, 0), "CUDA");
    }

    // ---- disposed tensors ------------------------------------------------------------------------

    private static Tensor Disposed()
    {
        var x = ones(3);
        x.Dispose();
        return x;
    }

    private const string DisposedMessage = "This tensor has been disposed (directly or by its dispose scope) and can no longer be used.";

    [TestMethod]
    public void DisposedTensorInAnOp()
    {
        var x = Disposed();
        var error = Fails<ObjectDisposedException>(() => x.exp(), DisposedMessage);
        Assert.AreEqual("Tensor", error.ObjectName);
    }

    [TestMethod]
    public void DisposedTensorInItem()
    {
        var x = Disposed();
        Fails<ObjectDisposedException>(() => x.item<float>(), DisposedMessage);
    }

    [TestMethod]
    public void DisposedTensorInShape()
    {
        var x = Disposed();
        Fails<ObjectDisposedException>(() => _ = x.shape, DisposedMessage);
    }

    [TestMethod]
    public void DisposedTensorAsTheArgumentOfAnotherTensorsOp()
    {
        using var scope = NewDisposeScope();
        var x = Disposed();
        var y = ones(3);
        Fails<ObjectDisposedException>(() => _ = y + x, DisposedMessage);
        Fails<ObjectDisposedException>(() => nn.functional.mse_loss(y, x), DisposedMessage);
        Fails<ObjectDisposedException>(() => autograd.backward(new[] { x }), DisposedMessage);
    }

    [TestMethod]
    public void DisposedTensorAssignedAsAGradient()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, requires_grad: true);
        var g = Disposed();
        Fails<ObjectDisposedException>(() => x.grad = g, DisposedMessage);
        Assert.IsNull(x.grad);
    }

    // ---- reading data --------------------------------------------------------------------------

    [TestMethod]
    public void ItemOfAThreeElementTensor()
    {
        using var scope = NewDisposeScope();
        var x = ones(3);
        Fails<ArgumentException>(() => x.item<float>(), "item<Single>() needs a tensor with exactly one element, but this one has 3 (shape [3])");
    }

    [TestMethod]
    public void ItemOfAnEmptyTensor()
    {
        using var scope = NewDisposeScope();
        var x = zeros(new long[] { 0, 2 });
        Fails<ArgumentException>(() => x.item<float>(), "this one has 0 (shape [0, 2])");
    }

    [TestMethod]
    public void ItemOfTheWrongElementType()
    {
        using var scope = NewDisposeScope();
        var x = tensor(1.5f);
        Fails<ArgumentException>(() => x.item<double>(), "item<Double>() reads Float64 elements, but the tensor's dtype is Float32");
    }

    [TestMethod]
    public void DataOfTheWrongElementType()
    {
        using var scope = NewDisposeScope();
        var x = ones(3);
        Fails<ArgumentException>(() => x.data<int>(), "data<Int32>() reads Int32 elements, but the tensor's dtype is Float32");
        Fails<ArgumentException>(() => x.data<bool>(), "data<Boolean>() reads Bool elements, but the tensor's dtype is Float32");
    }

    [TestMethod]
    public void DataOfAnElementTypeNoTensorHolds()
    {
        using var scope = NewDisposeScope();
        var x = ones(3);
        Fails<ArgumentException>(() => x.data<char>(), "Char is not an element type a tensor can hold");
    }

    [TestMethod]
    public void DataOfAMetaTensor()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, device: META);
        Fails<ExternalException>(() => x.data<float>(), "cannot read the data of a tensor on the meta device");
        Fails<ExternalException>(() => x.sum().item<float>(), "meta device");
    }

    [TestMethod]
    public void AccessorIndexOutOfRange()
    {
        using var scope = NewDisposeScope();
        TensorAccessor<float> values = ones(2, 3).data<float>();
        Fails<IndexOutOfRangeException>(() => _ = values[1, 3], "index 3 is out of range for dimension 1 of size 3");
        Fails<ArgumentException>(() => _ = values[0, 0, 0], "expected 2 indices, got 3");
    }

    // ---- autograd ----------------------------------------------------------------------------------

    [TestMethod]
    public void BackwardOnANonScalarWithoutAGradient()
    {
        using var scope = NewDisposeScope();
        var y = ones(3, requires_grad: true) * 2;
        // (torch.ones(3, requires_grad=True) * 2).backward()
        Fails<ExternalException>(() => y.backward(), "grad can be implicitly created only for scalar outputs");
    }

    [TestMethod]
    public void BackwardOnATensorThatDoesNotRequireGrad()
    {
        using var scope = NewDisposeScope();
        var y = ones(3).sum();
        // torch.ones(3).sum().backward()
        Fails<ExternalException>(() => y.backward(), "element 0 of tensors does not require grad and does not have a grad_fn");
    }

    [TestMethod]
    public void BackwardTwiceThroughAFreedGraph()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        Fails<ExternalException>(() => y.backward(), "Trying to backward through the graph a second time");
    }

    [TestMethod]
    public void BackwardWithAGradientOfTheWrongShape()
    {
        using var scope = NewDisposeScope();
        var y = ones(3, requires_grad: true) * 2;
        // libtorch's C++ check (Python's y.backward(torch.ones(4)) words it "Mismatch in shape: ...").
        Fails<ExternalException>(() => y.backward(new[] { ones(4) }),
            "invalid gradient at index 0 - got [4] but expected shape compatible with [3]");
    }

    [TestMethod]
    public void GradOfAnUnusedInputWithoutAllowUnused()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, requires_grad: true);
        var z = ones(3, requires_grad: true);
        var y = (x * x).sum();
        Fails<ExternalException>(() => autograd.grad(new[] { y }, new[] { x, z }),
            "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.");
    }

    [TestMethod]
    public void GradWithRespectToATensorThatDoesNotRequireGrad()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, requires_grad: true);
        var c = ones(3);
        var y = (x * c).sum();
        Fails<ExternalException>(() => autograd.grad(new[] { y }, new[] { c }), "One of the differentiated Tensors does not require grad");
    }

    [TestMethod]
    public void RequiresGradOnAnIntegerTensor()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new long[] { 1, 2, 3 });
        // libtorch's C++ text; Python's setter says the same with a lower-case "only".
        const string message = "Only Tensors of floating point and complex dtype can require gradients";
        Fails<ExternalException>(() => x.requires_grad = true, message);
        Assert.IsFalse(x.requires_grad);
        Fails<ExternalException>(() => tensor(new long[] { 1, 2 }, requires_grad: true), message);
        Fails<ExternalException>(() => zeros(2, dtype: ScalarType.Int64, requires_grad: true), message);
    }

    [TestMethod]
    public void TurningOffRequiresGradOfANonLeaf()
    {
        using var scope = NewDisposeScope();
        var y = ones(3, requires_grad: true) * 2;
        // (torch.ones(3, requires_grad=True) * 2).requires_grad_(False)
        Fails<ExternalException>(() => y.requires_grad = false, "you can only change requires_grad flags of leaf variables.");
        Assert.IsTrue(y.requires_grad);
    }

    [TestMethod]
    public void AssigningAGradientOfAnotherSizeOrTypeOrItself()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, requires_grad: true);
        // x.grad = torch.ones(4) / torch.ones(3, dtype=torch.float64) / x
        Fails<ExternalException>(() => x.grad = ones(4), "assigned grad has data of a different size");
        Fails<ExternalException>(() => x.grad = ones(3, dtype: ScalarType.Float64), "assigned grad has data of a different type");
        Fails<ExternalException>(() => x.grad = x, "can't assign Variable as its own grad");
        Assert.IsNull(x.grad);
        x.grad = full(3, 2f);
        CollectionAssert.AreEqual(new[] { 2f, 2f, 2f }, x.grad!.data<float>().ToArray());
    }
}
