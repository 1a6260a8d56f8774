namespace TorchLossesTests.Binding;

[TestClass]
public sealed class IndexingOpTests
{
    // x[i, j, k] = 12 i + 4 j + k
    private static Tensor Cube() => arange(0, 24, dtype: ScalarType.Float64).reshape(2, 3, 4);

    [TestMethod]
    public void IntegerIndexersSelectAlongTheLeadingDimensions()
    {
        using var scope = NewDisposeScope();
        var x = Cube();
        OpAssert.Shape(new long[] { 3, 4 }, x[1]);
        OpAssert.Exact(new double[] { 20, 21, 22, 23 }, x[1, 2]);
        Assert.AreEqual(23.0, x[1, 2, 3].item<double>());
        Assert.AreEqual(0.0 + 4 * 1 + 2, x[0, 1, 2].item<double>());
        OpAssert.Exact(new double[] { 20, 21, 22, 23 }, x[-1, -1]);
        Assert.AreEqual(23.0, Cube().reshape(1, 1, 2, 3, 4, 1)[0, 0, 1, 2, 3, 0].item<double>());
        Assert.AreEqual(6.0, Cube().reshape(1, 2, 3, 4)[0, 0, 1, 2].item<double>());
        Assert.AreEqual(6.0, Cube().reshape(1, 1, 2, 3, 4)[0, 0, 0, 1, 2].item<double>());
    }

    [TestMethod]
    public void SlicesEllipsisAndNewAxesFollowPythonsRules()
    {
        using var scope = NewDisposeScope();
        var x = Cube();
        // x[..., 1::2]
        var odd = x[TensorIndex.Ellipsis, TensorIndex.Slice(1, null, 2)];
        OpAssert.Shape(new long[] { 2, 3, 2 }, odd);
        OpAssert.Exact(new double[] { 1, 3, 5, 7 }, odd[0, TensorIndex.Slice(0, 2)].flatten());
        // x[None, 0] and x[0, :, None]
        OpAssert.Shape(new long[] { 1, 3, 4 }, x[TensorIndex.None, 0]);
        OpAssert.Shape(new long[] { 3, 1, 4 }, x[0, TensorIndex.Colon, TensorIndex.Null]);
        // x[1, 1:, :-2] with C# ranges
        var part = x[1, 1.., ..^2];
        OpAssert.Shape(new long[] { 2, 2 }, part);
        OpAssert.Exact(new double[] { 16, 17, 20, 21 }, part.contiguous());
        OpAssert.Exact(new double[] { 16, 17, 20, 21 }, x[1, TensorIndex.Slice(1..), TensorIndex.Slice((0, 2))].contiguous());
        OpAssert.Exact(new double[] { 16, 17, 20, 21 }, x[1, (1, null), (null, -2)].contiguous());
        // x[:, -1] and x[0, 1, 2:100]
        OpAssert.Exact(new double[] { 8, 9, 10, 11, 20, 21, 22, 23 }, x[TensorIndex.Colon, -1].contiguous());
        OpAssert.Exact(new double[] { 6, 7 }, x.index(0, 1, TensorIndex.Slice(2, 100)));
    }

    [TestMethod]
    public void BooleanIndexesAddADimensionOfSizeOneOrZero()
    {
        using var scope = NewDisposeScope();
        var x = Cube();
        OpAssert.Shape(new long[] { 1, 2, 3, 4 }, x[TensorIndex.Bool(true)]);
        OpAssert.Shape(new long[] { 0, 2, 3, 4 }, x[TensorIndex.Bool(false)]);
    }

    [TestMethod]
    public void TensorIndexesGatherRowsAndMasksSelectEntries()
    {
        using var scope = NewDisposeScope();
        var m = arange(0, 6, dtype: ScalarType.Float64).reshape(3, 2);
        // m[[2, 0]]
        OpAssert.Exact(new double[] { 4, 5, 0, 1 }, m[tensor(new long[] { 2, 0 })].flatten());
        // m[[2, 0], [1, 0]] picks (2, 1) and (0, 0)
        OpAssert.Exact(new double[] { 5, 0 }, m[tensor(new long[] { 2, 0 }), tensor(new long[] { 1, 0 })]);
        OpAssert.Exact(new double[] { 5, 0 }, m.index(tensor(new long[] { 2, 0 }), tensor(new long[] { 1, 0 })));
        // m[m > 2] with the mask built by hand
        var mask = tensor(new bool[] { false, false, false, true, true, true }).reshape(3, 2);
        OpAssert.Exact(new double[] { 3, 4, 5 }, m[mask]);
        // m[:, [1]]
        OpAssert.Exact(new double[] { 1, 3, 5 }, m[TensorIndex.Colon, TensorIndex.Tensor(tensor(new long[] { 1 }))].flatten());
    }

    [TestMethod]
    public void OutOfRangeIndexesFailWithLibtorchsMessage()
    {
        using var scope = NewDisposeScope();
        // torch.zeros(3)[5]: IndexError: index 5 is out of bounds for dimension 0 with size 3
        OpAssert.Fails("index 5 is out of bounds for dimension 0 with size 3", () => _ = zeros(3)[5]);
        OpAssert.Fails("index 3 is out of bounds for dimension 1 with size 3", () => _ = zeros(2, 3)[0, 3]);
        OpAssert.Fails("The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3] at index 0",
            () => _ = zeros(2, 3)[tensor(new bool[] { true, false, true })]);
        OpAssert.Fails("too many indices for tensor of dimension 1", () => _ = zeros(3)[0, 0]);
    }

    [TestMethod]
    public void SettersWriteIntoTheTensor()
    {
        using var scope = NewDisposeScope();
        var x = zeros(new long[] { 2, 3 }, ScalarType.Float64);
        x[1] = tensor(new double[] { 1, 2, 3 });
        x[0, 2] = tensor(9.0);
        OpAssert.Exact(new double[] { 0, 0, 9, 1, 2, 3 }, x);
        x[TensorIndex.Colon, 0] = tensor(-1.0);
        OpAssert.Exact(new double[] { -1, 0, 9, -1, 2, 3 }, x);
        Scalar seven = 7.0, four = 4.0; // typed, so the Scalar overloads are chosen
        x.index_put_(seven, TensorIndex.Ellipsis, TensorIndex.Single(1));
        OpAssert.Exact(new double[] { -1, 7, 9, -1, 7, 3 }, x);
        x[tensor(new long[] { 0 }), tensor(new long[] { 1 })] = tensor(5.0);
        x.index_put_(four, tensor(new long[] { 1 }), tensor(new long[] { 2 }));
        x.index_put_(tensor(8.0), tensor(new long[] { 1 }), tensor(new long[] { 0 }));
        OpAssert.Exact(new double[] { -1, 5, 9, 8, 7, 4 }, x);
        var c = zeros(new long[] { 2, 1, 1, 1, 1, 2 }, ScalarType.Float64);
        c[1, 0, 0, 0, 0, 1] = tensor(3.0);
        c[0, 0, 0] = tensor(2.0);
        OpAssert.Exact(new double[] { 2, 2, 0, 3 }, c);
    }

    [TestMethod]
    public void GradientsFlowThroughIndexing()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 1, 2, 3, 4 }, requires_grad: true);
        // (x[1:] * [1, 2, 3]).sum() + 10 * x[[0, 0]].sum() -> grad = [20, 1, 2, 3]
        var y = x[1..].mul(tensor(new double[] { 1, 2, 3 })).sum().add(x[tensor(new long[] { 0, 0 })].sum().mul(10.0));
        y.backward();
        OpAssert.Exact(new double[] { 20, 1, 2, 3 }, x.grad!);
    }
}
