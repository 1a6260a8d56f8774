using static TorchLossesTests.Binding.ValueAssert;

namespace TorchLossesTests.Binding;

[TestClass]
public sealed class ReductionOpTests
{
    // x = [[1, 5, 3], [7, 2, 7]] (float64) is used throughout; its sums, means and moments are
    // hand-computed, the rest checked against PyTorch 1.13 output noted at each assertion.
    private static torch.Tensor X() => tensor(new[] { 1.0, 5.0, 3.0, 7.0, 2.0, 7.0 }, new long[] { 2, 3 });

    [TestMethod]
    public void SumOverloadsReduceTheRightDimensions()
    {
        using var scope = NewDisposeScope();
        var x = X();
        var all = x.sum();
        Shape(Array.Empty<long>(), all);
        Exactly(new[] { 25.0 }, all);
        Exactly(new[] { 9.0, 16.0 }, x.sum(1));
        Exactly(new[] { 9.0, 16.0 }, x.sum(-1));
        Exactly(new[] { 8.0, 7.0, 10.0 }, x.sum(0L));
        Exactly(new[] { 8.0, 7.0, 10.0 }, x.sum(dim: 0));
        Shape(new long[] { 2, 1 }, x.sum(1, keepdim: true));
        Shape(new long[] { 1, 3 }, x.sum(0, true));
        Exactly(new[] { 8.0, 7.0, 10.0 }, torch.sum(x, 0L));
        Exactly(new[] { 25.0 }, x.sum(0, 1));
        Shape(new long[] { 1, 1 }, x.sum(0, 1, keepdim: true));
        Exactly(new[] { 9.0, 16.0 }, x.sum(new long[] { 1 }));
        Exactly(new[] { 25.0 }, x.sum(new long[] { 0, 1 }));
        Exactly(new[] { 8.0, 7.0, 10.0 }, x.sum(stackalloc long[] { 0 }));
        Exactly(new[] { 25.0 }, tensor(new[] { 1.0, 5.0, 3.0, 7.0, 2.0, 7.0 }, new long[] { 1, 2, 3 }).sum(0, 1, 2));
        Exactly(new[] { 9.0, 16.0 }, torch.sum(x, 1));
        Exactly(new[] { 9.0, 16.0 }, torch.sum(x, stackalloc long[] { 1 }));
        Exactly(new[] { 25.0 }, torch.sum(x));
    }

    [TestMethod]
    public void ALiteralZeroBindsToTheDtypeOverloadAsInTorchSharp()
    {
        using var scope = NewDisposeScope();
        // C# overload resolution: the constant 0 converts to the enum ScalarType?, and sum(ScalarType?)
        // needs no default arguments, so x.sum(0) means x.sum(type: Byte) -- in TorchSharp too, whose
        // overload set this mirrors. Reduce over dim 0 with sum(0L) or sum(dim: 0).
        var x = X();
        var s = x.sum(0);
        Assert.AreEqual(ScalarType.Byte, s.dtype);
        Shape(Array.Empty<long>(), s);
        Assert.AreEqual(ScalarType.Byte, x.prod(0).dtype);
        Shape(new long[] { 3 }, x.sum(0L));
    }

    [TestMethod]
    public void SumPromotesIntegersAndBoolsToInt64AndHonoursDtype()
    {
        using var scope = NewDisposeScope();
        var ints = tensor(new[] { 1, 2, 3 });
        Assert.AreEqual(ScalarType.Int32, ints.dtype);
        Assert.AreEqual(ScalarType.Int64, ints.sum().dtype, "PyTorch: torch.tensor([1,2,3], dtype=int32).sum().dtype is int64");
        var bools = tensor(new[] { true, false, true });
        Assert.AreEqual(ScalarType.Int64, bools.sum().dtype);
        Exactly(new[] { 2.0 }, bools.sum());
        var asDouble = ints.sum(ScalarType.Float64);
        Assert.AreEqual(ScalarType.Float64, asDouble.dtype);
        Exactly(new[] { 6.0 }, asDouble);
        Assert.AreEqual(ScalarType.Float32, tensor(new[] { 1f, 2f }).sum(0, type: ScalarType.Float32).dtype);
        Assert.AreEqual(ScalarType.Float64, X().to(ScalarType.Float32).sum(new long[] { 0 }, type: ScalarType.Float64).dtype);
        Exactly(new[] { 0.0 }, torch.zeros(0).sum());
    }

    [TestMethod]
    public void MeanOverDimensionsAndItsIntegerError()
    {
        using var scope = NewDisposeScope();
        var x = X();
        Close(new[] { 25.0 / 6 }, x.mean());
        Close(new[] { 3.0, 16.0 / 3 }, x.mean(new long[] { 1 }));
        Shape(new long[] { 1, 3 }, x.mean(new long[] { 0 }, keepdim: true));
        Close(new[] { 4.0, 3.5, 5.0 }, torch.mean(x, new long[] { 0 }));
        Close(new[] { 25.0 / 6 }, torch.mean(x));
        var longs = tensor(new long[] { 1, 2 });
        Close(new[] { 1.5 }, longs.mean(new long[] { 0 }, type: ScalarType.Float64));
        // PyTorch 1.13's message for torch.tensor([1, 2]).mean():
        Fails(() => longs.mean(),
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long");
    }

    [TestMethod]
    public void ReductionGradientsSpreadEvenly()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 5.0, 3.0, 7.0, 2.0, 7.0 }, new long[] { 2, 3 }, requires_grad: true);
        (x.mean(new long[] { 1 }) * tensor(new[] { 3.0, 6.0 })).sum().backward();
        // d/dx_ij of Σ_i w_i · mean_j x_ij = w_i / 3.
        Close(new[] { 1.0, 1, 1, 2, 2, 2 }, x.grad!);
        x.grad = null;
        x.sum(0, keepdim: true).mul(tensor(new[] { 1.0, 2.0, 3.0 })).sum().backward();
        Close(new[] { 1.0, 2, 3, 1, 2, 3 }, x.grad!);
    }

    [TestMethod]
    public void ProdAndCumsum()
    {
        using var scope = NewDisposeScope();
        var x = X();
        Exactly(new[] { 1470.0 }, x.prod());
        Exactly(new[] { 15.0, 98.0 }, x.prod(1));
        Shape(new long[] { 1, 3 }, torch.prod(x, 0, keepdim: true));
        Exactly(new[] { 7.0, 10, 21 }, torch.prod(x, 0L));
        Assert.AreEqual(ScalarType.Int64, tensor(new[] { 2, 3 }).prod().dtype);
        Exactly(new[] { 1.0 }, torch.zeros(0).prod());
        Exactly(new[] { 1.0, 6, 9, 7, 9, 16 }, x.cumsum(1));
        Exactly(new[] { 1.0, 5, 3, 8, 7, 10 }, torch.cumsum(x, 0));
        Assert.AreEqual(ScalarType.Float64, tensor(new[] { 1, 2 }).cumsum(0, ScalarType.Float64).dtype);
    }

    [TestMethod]
    public void MaxAndMinReturnValuesAndIndexes()
    {
        using var scope = NewDisposeScope();
        var x = X();
        Exactly(new[] { 7.0 }, x.max());
        Exactly(new[] { 1.0 }, torch.min(x));
        // x.max(1) -> values [5, 7], indices [1, 0] (the first of the tied 7s); x.min(0) -> [1, 2, 3], [0, 1, 0].
        var (values, indexes) = x.max(1);
        Exactly(new[] { 5.0, 7 }, values);
        Exactly(new[] { 1.0, 0 }, indexes);
        Assert.AreEqual(ScalarType.Int64, indexes.dtype);
        var min = torch.min(x, 0, keepdim: true);
        Shape(new long[] { 1, 3 }, min.values);
        Exactly(new[] { 1.0, 2, 3 }, min.values);
        Exactly(new[] { 0.0, 1, 0 }, min.indexes);
        Exactly(new[] { 1.0, 0 }, torch.max(x, -1).indexes);
        Exactly(new[] { 3.0 }, x.argmax());
        Exactly(new[] { 0.0 }, torch.argmin(x));
        Exactly(new[] { 0.0, 1 }, x.argmin(1));
        Shape(new long[] { 2, 1 }, torch.argmax(x, 1, keepdim: true));
        Exactly(new[] { 1.0, 0, 1 }, x.argmax(0));
        Close(new[] { double.NaN }, tensor(new[] { 1.0, double.NaN }).max());
        Fails(() => x.max(2), "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
        Fails(() => torch.zeros(0).max(), "max(): Expected reduction dim to be specified for input.numel() == 0");
    }

    [TestMethod]
    public void MaxAlongADimensionPassesTheGradientToTheWinner()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 5.0, 3.0, 7.0, 2.0, 6.0 }, new long[] { 2, 3 }, requires_grad: true);
        x.max(1).values.sum().backward();
        Exactly(new[] { 0.0, 1, 0, 1, 0, 0 }, x.grad!);
    }

    [TestMethod]
    public void AnyAllAndCountNonzero()
    {
        using var scope = NewDisposeScope();
        var b = tensor(new[] { true, false, true, true }, new long[] { 2, 2 });
        Exactly(new[] { 1.0 }, b.any());
        Exactly(new[] { 0.0 }, b.all());
        Exactly(new[] { 0.0, 1 }, b.all(1));
        Exactly(new[] { 1.0, 1 }, torch.any(b, 0));
        Shape(new long[] { 2, 1 }, b.any(1, keepdim: true));
        Exactly(new[] { 1.0, 0 }, torch.all(b, 0));
        Assert.AreEqual(ScalarType.Bool, b.any().dtype);
        Exactly(new[] { 1.0 }, torch.all(torch.zeros(0)));
        var x = tensor(new[] { 0.0, 1.5, 0.0, -2.0, 3.0, 0.0 }, new long[] { 2, 3 });
        Exactly(new[] { 3.0 }, x.count_nonzero());
        Exactly(new[] { 1.0, 2 }, torch.count_nonzero(x, new long[] { 1 }));
    }

    [TestMethod]
    public void NormsAndVectorNorm()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 3.0, -4.0, 6.0, 8.0 }, new long[] { 2, 2 });
        Close(new[] { Math.Sqrt(125) }, x.norm());
        Close(new[] { 21.0 }, x.norm(1f));
        Close(new[] { 5.0, 10.0 }, x.norm(1));
        Close(new[] { Math.Sqrt(45), Math.Sqrt(80) }, torch.norm(x, 0, p: 2));
        Shape(new long[] { 2, 1 }, x.norm(1, keepdim: true));
        Close(new[] { Math.Sqrt(125) }, torch.linalg.vector_norm(x));
        // torch.linalg.vector_norm(x, ord=inf) -> 8; ord=0 over dim 1 -> [2, 2]
        Close(new[] { 8.0 }, torch.linalg.vector_norm(x, double.PositiveInfinity));
        Close(new[] { 3.0 }, torch.linalg.vector_norm(x, double.NegativeInfinity));
        Close(new[] { 2.0, 2.0 }, torch.linalg.vector_norm(x, 0, new long[] { 1 }));
        Close(new[] { 9.0, 12.0 }, torch.linalg.vector_norm(x, 1, new long[] { 0 }));
        Shape(new long[] { 1, 1 }, torch.linalg.vector_norm(x, 2, new long[] { 0, 1 }, keepdim: true));
    }

    [TestMethod]
    public void StandardDeviationAndVariance()
    {
        using var scope = NewDisposeScope();
        var x = X();
        // Rows [1,5,3] and [7,2,7]: unbiased variances 4 and 75/9; all six elements: 197/30.
        Close(new[] { 197.0 / 30 }, x.var());
        Close(new[] { Math.Sqrt(197.0 / 30) }, torch.std(x));
        Close(new[] { 197.0 / 36 }, x.var(unbiased: false));
        Close(new[] { 2.0, Math.Sqrt(75) / 3 }, x.std(1));
        Close(new[] { 4.0, 75.0 / 9 }, torch.var(x, 1));
        Close(new[] { 9.0, 2.25, 4.0 }, x.var(0, unbiased: false));
        Shape(new long[] { 2, 1 }, x.std(new long[] { 1 }, keepdim: true));
        Assert.AreEqual(ScalarType.Float64, tensor(new[] { 1f, 2f }).var(new long[] { 0 }, type: ScalarType.Float64).dtype);
    }

    [TestMethod]
    public void BroadcastTensorsAndShapes()
    {
        using var scope = NewDisposeScope();
        var column = tensor(new[] { 1.0, 2.0 }, new long[] { 2, 1 });
        var row = tensor(new[] { 10.0, 20.0, 30.0 });
        var outs = torch.broadcast_tensors(column, row);
        Assert.HasCount(2, outs);
        Shape(new long[] { 2, 3 }, outs[0]);
        Shape(new long[] { 2, 3 }, outs[1]);
        Exactly(new[] { 1.0, 1, 1, 2, 2, 2 }, outs[0]);
        Exactly(new[] { 10.0, 20, 30, 10, 20, 30 }, outs[1]);
        Assert.AreSame(column, torch.broadcast_tensors(column)[0]);
        Fails(() => torch.broadcast_tensors(row, tensor(new[] { 1.0, 2.0 })), "must match the size of tensor");
        Assert.ThrowsExactly<ArgumentException>(() => torch.broadcast_tensors());

        CollectionAssert.AreEqual(new long[] { 3, 4 }, torch.broadcast_shapes(new long[] { 3, 1 }, new long[] { 1, 4 }));
        CollectionAssert.AreEqual(new long[] { 2, 3 }, torch.broadcast_shapes(new long[] { 2, 3 }, new long[] { 3 }));
        CollectionAssert.AreEqual(new long[] { 2, 0 }, torch.broadcast_shapes(new long[] { 2, 1 }, new long[] { 0 }));
        CollectionAssert.AreEqual(Array.Empty<long>(), torch.broadcast_shapes());
        // PyTorch 1.13: torch.broadcast_shapes((3,), (4,)) and ((-1,),)
        var e = Assert.ThrowsExactly<ArgumentException>(() => torch.broadcast_shapes(new long[] { 3 }, new long[] { 4 }));
        Assert.AreEqual("Shape mismatch: objects cannot be broadcast to a single shape", e.Message);
        e = Assert.ThrowsExactly<ArgumentException>(() => torch.broadcast_shapes(new long[] { 2, -1 }));
        Assert.AreEqual("Trying to create tensor with negative dimension (-1): (-1)", e.Message);
    }

    [TestMethod]
    public void ScalarReadOutConvertsAnyDtype()
    {
        using var scope = NewDisposeScope();
        Assert.AreEqual(2.5f, tensor(2.5).ToSingle());
        Assert.AreEqual((double)0.1f, tensor(0.1f).ToDouble());
        Assert.AreEqual(7L, tensor(7).ToInt64());
        Assert.AreEqual(-3, tensor(-3.9).ToInt32(), "floating values truncate toward zero");
        Assert.AreEqual((short)12, tensor(12L).ToInt16());
        Assert.AreEqual((byte)200, tensor(200L).ToByte());
        Assert.AreEqual((sbyte)-5, tensor(-5L).ToSByte());
        Assert.IsTrue(tensor(true).ToBoolean());
        Assert.IsFalse(tensor(0.0).ToBoolean());
        Assert.AreEqual(25.0, X().sum().ToDouble());
        Fails(() => tensor(new[] { 1.0, 2.0 }).ToDouble(), "a Tensor with 2 elements cannot be converted to Scalar");
        Fails(() => tensor(300L).ToByte(), "value cannot be converted to type uint8_t without overflow");
    }
}
