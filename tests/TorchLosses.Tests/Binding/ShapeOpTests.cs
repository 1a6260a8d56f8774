using System.Runtime.InteropServices;

namespace TorchLossesTests.Binding;

/// <summary>Value and shape checks shared by the shape, indexing and functional op tests.</summary>
internal static class OpAssert
{
    /// <summary>
    /// float64 values equal to within 1e-12 relative (values from PyTorch's own float64 kernels); an
    /// expected 0 allows 1e-15 of rounding.
    /// </summary>
    public static void Near(double[] expected, Tensor actual, double relative = 1e-12)
    {
        Assert.AreEqual(ScalarType.Float64, actual.dtype);
        var values = actual.data<double>().ToArray();
        Assert.HasCount(expected.Length, values);
        for (int k = 0; k < expected.Length; k++)
            Assert.AreEqual(expected[k], values[k], Math.Max(relative * Math.Abs(expected[k]), 1e-15), $"element {k}");
    }

    public static void Exact(long[] expected, Tensor actual) => CollectionAssert.AreEqual(expected, actual.data<long>().ToArray());

    public static void Exact(double[] expected, Tensor actual) => CollectionAssert.AreEqual(expected, actual.data<double>().ToArray());

    public static void Shape(long[] expected, Tensor actual) => CollectionAssert.AreEqual(expected, actual.shape);

    /// <summary>Asserts that <paramref name="action"/> fails with an ExternalException carrying libtorch's <paramref name="message"/>.</summary>
    public static void Fails(string message, Action action)
    {
        var error = Assert.ThrowsExactly<ExternalException>(action);
        Assert.Contains(message, error.Message);
    }
}

[TestClass]
public sealed class ShapeOpTests
{
    private static Tensor Arange(long n) => arange(0, n, dtype: ScalarType.Float64);

    [TestMethod]
    public void ReshapeViewAndFlattenKeepRowMajorOrder()
    {
        using var scope = NewDisposeScope();
        var x = Arange(6);
        var m = x.reshape(2, 3);
        OpAssert.Shape(new long[] { 2, 3 }, m);
        OpAssert.Shape(new long[] { 3, 2 }, x.reshape(-1, 2));
        OpAssert.Shape(new long[] { 3, 2 }, x.view(3, 2));
        OpAssert.Shape(new long[] { 2, 1, 3 }, torch.reshape(x, 2, 1, 3));
        OpAssert.Shape(new long[] { 6 }, m.flatten());
        OpAssert.Shape(new long[] { 2, 3 }, x.reshape(2, 1, 3).flatten(1));
        OpAssert.Shape(new long[] { 2, 3 }, torch.flatten(x.reshape(2, 3, 1), 1, 2));
        OpAssert.Shape(new long[] { 3, 2 }, Arange(6).view_as(zeros(3, 2)));
        OpAssert.Exact(new double[] { 0, 3, 1, 4, 2, 5 }, m.t().reshape(6)); // a copy: the transpose is not contiguous
    }

    [TestMethod]
    public void ViewsShareStorageWithTheirBase()
    {
        using var scope = NewDisposeScope();
        var x = Arange(6).reshape(2, 3);
        var v = x.view(6);
        v.index_put_(tensor(42.0), TensorIndex.Single(4));
        Assert.AreEqual(42.0, x[1, 1].item<double>());
        x.t().index_put_(tensor(-1.0), TensorIndex.Single(2), TensorIndex.Single(0));
        Assert.AreEqual(-1.0, v[2].item<double>());
    }

    [TestMethod]
    public void ReshapeToAnIncompatibleSizeFailsWithLibtorchsMessage()
    {
        using var scope = NewDisposeScope();
        // torch.arange(6.).reshape(4, 4): RuntimeError: shape '[4, 4]' is invalid for input of size 6
        OpAssert.Fails("shape '[4, 4]' is invalid for input of size 6", () => Arange(6).reshape(4, 4));
        OpAssert.Fails("view size is not compatible with input tensor's size and stride", () => Arange(6).reshape(2, 3).t().view(6));
    }

    [TestMethod]
    public void UnsqueezeAndSqueezeAddAndRemoveUnitDimensions()
    {
        using var scope = NewDisposeScope();
        var x = Arange(6).reshape(2, 3);
        OpAssert.Shape(new long[] { 1, 2, 3 }, x.unsqueeze(0));
        OpAssert.Shape(new long[] { 2, 3, 1 }, x.unsqueeze(-1));
        OpAssert.Shape(new long[] { 2, 1, 3 }, torch.unsqueeze(x, 1));
        var y = x.reshape(1, 2, 1, 3);
        OpAssert.Shape(new long[] { 2, 3 }, y.squeeze());
        OpAssert.Shape(new long[] { 2, 1, 3 }, y.squeeze(0));
        OpAssert.Shape(new long[] { 1, 2, 1, 3 }, y.squeeze(1)); // size 2: unchanged
        OpAssert.Shape(new long[] { 1, 2, 3 }, torch.squeeze(y, 2));
        OpAssert.Shape(new long[] { 2, 3 }, torch.squeeze(y));
        // torch.zeros(2, 3).squeeze(5): IndexError: Dimension out of range (expected to be in range of [-2, 1], but got 5)
        OpAssert.Fails("Dimension out of range (expected to be in range of [-2, 1], but got 5)", () => x.squeeze(5));
    }

    [TestMethod]
    public void TransposePermuteAndMovedimReorderDimensions()
    {
        using var scope = NewDisposeScope();
        var x = Arange(6).reshape(2, 3);
        OpAssert.Exact(new double[] { 0, 3, 1, 4, 2, 5 }, x.t().contiguous());
        OpAssert.Exact(new double[] { 0, 3, 1, 4, 2, 5 }, torch.transpose(x, 0, 1).contiguous());
        OpAssert.Exact(new double[] { 0, 3, 1, 4, 2, 5 }, torch.t(x).contiguous());
        OpAssert.Exact(new double[] { 0, 3, 1, 4, 2, 5 }, x.swapdims(1, 0).contiguous());
        var y = Arange(24).reshape(2, 3, 4);
        var p = y.permute(2, 0, 1);
        OpAssert.Shape(new long[] { 4, 2, 3 }, p);
        // p[k, i, j] = y[i, j, k] = 12 i + 4 j + k
        Assert.AreEqual(12.0 * 1 + 4 * 2 + 3, p[3, 1, 2].item<double>());
        OpAssert.Shape(new long[] { 3, 4, 2 }, y.movedim(new long[] { 0 }, new long[] { 2 }));
        OpAssert.Shape(new long[] { 3, 2, 4 }, torch.movedim(y, 0, 1));
        OpAssert.Shape(new long[] { 4, 3, 2 }, torch.permute(y, 2, 1, 0));
    }

    [TestMethod]
    public void ExpandBroadcastsUnitDimensionsAndSumsTheGradient()
    {
        using var scope = NewDisposeScope();
        var e = tensor(new double[,] { { 1 }, { 2 } }, requires_grad: true);
        var y = e.expand(2, 3);
        OpAssert.Exact(new double[] { 1, 1, 1, 2, 2, 2 }, y.contiguous());
        OpAssert.Shape(new long[] { 4, 2, 3 }, e.expand(new long[] { 4, -1, 3 }));
        OpAssert.Shape(new long[] { 2, 3 }, e.expand((ReadOnlySpan<long>)new long[] { 2, 3 }));
        OpAssert.Shape(new long[] { 2, 3 }, e.expand_as(zeros(2, 3)));
        // (e.expand(2, 3) * [[1, 2, 3], [4, 5, 6]]).sum().backward() -> e.grad = [[6], [15]]
        y.mul(tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } })).sum().backward();
        OpAssert.Exact(new double[] { 6, 15 }, e.grad!);
        // torch.zeros(2, 3).expand(2, 4): RuntimeError: The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.
        OpAssert.Fails("The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1",
            () => zeros(2, 3).expand(2, 4));
    }

    [TestMethod]
    public void CatAndStackJoinTensorsAndRouteGradientsBack()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new double[] { 1, 2 }, requires_grad: true);
        var q = tensor(new double[] { 3, 4, 5 }, requires_grad: true);
        var c = cat(new List<Tensor> { p, q });
        OpAssert.Exact(new double[] { 1, 2, 3, 4, 5 }, c);
        OpAssert.Exact(new double[] { 3, 4, 5, 1, 2 }, cat(new[] { q, p }));
        OpAssert.Exact(new double[] { 1, 2, 1, 2 }, cat((ReadOnlySpan<Tensor>)new[] { p, p }));
        OpAssert.Shape(new long[] { 2, 4 }, concatenate(new[] { zeros(2, 1), zeros(2, 3) }, 1));
        // (torch.cat([p, q]) * torch.arange(1, 6)).sum().backward(): p.grad = [1, 2], q.grad = [3, 4, 5]
        c.mul(arange(1, 6, dtype: ScalarType.Float64)).sum().backward();
        OpAssert.Exact(new double[] { 1, 2 }, p.grad!);
        OpAssert.Exact(new double[] { 3, 4, 5 }, q.grad!);

        p.grad = null;
        var r = tensor(new double[] { 6, 7 }, requires_grad: true);
        var s = stack(new[] { p, r }, 1);
        OpAssert.Shape(new long[] { 2, 2 }, s);
        OpAssert.Exact(new double[] { 1, 6, 2, 7 }, s);
        OpAssert.Shape(new long[] { 2, 2 }, stack(new List<Tensor> { p, r }));
        // (torch.stack([p, r], 1) * [[1, 2], [3, 4]]).sum().backward(): p.grad = [1, 3], r.grad = [2, 4]
        s.mul(tensor(new double[,] { { 1, 2 }, { 3, 4 } })).sum().backward();
        OpAssert.Exact(new double[] { 1, 3 }, p.grad!);
        OpAssert.Exact(new double[] { 2, 4 }, r.grad!);
    }

    [TestMethod]
    public void JoiningMismatchedShapesFailsWithLibtorchsMessage()
    {
        using var scope = NewDisposeScope();
        // torch.cat([torch.zeros(2, 3), torch.zeros(2, 4)]): RuntimeError: Sizes of tensors must match except in dimension 0. ...
        OpAssert.Fails("Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the list.",
            () => cat(new[] { zeros(2, 3), zeros(2, 4) }));
        OpAssert.Fails("stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1",
            () => stack(new[] { zeros(2), zeros(3) }));
        OpAssert.Fails("expected a non-empty list of Tensors", () => cat(Array.Empty<Tensor>()));
    }

    [TestMethod]
    public void MatmulAndMmMultiplyAndDifferentiate()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new double[,] { { 1, 2, -1 }, { 0.5, -3, 4 } }, requires_grad: true);
        var b = tensor(new double[,] { { 2, -1 }, { 0, 1.5 }, { 3, 0.25 } }, requires_grad: true);
        var y = a.matmul(b);
        // a.matmul(b) = [[-1, 1.75], [13, -4]]
        OpAssert.Exact(new double[] { -1, 1.75, 13, -4 }, y);
        OpAssert.Exact(new double[] { -1, 1.75, 13, -4 }, a.mm(b));
        OpAssert.Exact(new double[] { -1, 1.75, 13, -4 }, torch.mm(a, b));
        // (a.matmul(b) * [[1, 2], [3, 4]]).sum().backward() (PyTorch 1.13)
        torch.matmul(a, b).mul(tensor(new double[,] { { 1, 2 }, { 3, 4 } })).sum().backward();
        OpAssert.Exact(new double[] { 0, 3, 3.5, 2, 6, 10 }, a.grad!);
        OpAssert.Exact(new double[] { 2.5, 4, -7, -8, 11, 14 }, b.grad!);
        // a batch of matrices times a vector broadcasts
        OpAssert.Shape(new long[] { 4, 2 }, zeros(new long[] { 4, 2, 3 }, ScalarType.Float64).matmul(zeros(3, ScalarType.Float64)));
        OpAssert.Fails("mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)", () => zeros(2, 3).mm(zeros(2, 3)));
    }

    [TestMethod]
    public void NarrowSelectDiagonalAndTrianglesPickParts()
    {
        using var scope = NewDisposeScope();
        var x = Arange(12).reshape(3, 4);
        OpAssert.Exact(new double[] { 1, 2, 5, 6, 9, 10 }, x.narrow(1, 1, 2).contiguous());
        OpAssert.Exact(new double[] { 4, 5, 6, 7 }, torch.narrow(x, 0, 1, 1).flatten());
        OpAssert.Exact(new double[] { 2, 6, 10 }, x.select(1, 2));
        OpAssert.Exact(new double[] { 8, 9, 10, 11 }, torch.select(x, 0, -1));
        OpAssert.Exact(new double[] { 0, 5, 10 }, x.diagonal());
        OpAssert.Exact(new double[] { 1, 6, 11 }, x.diagonal(1));
        OpAssert.Exact(new double[] { 4, 9 }, torch.diagonal(x, -1));
        OpAssert.Exact(new double[] { 0, 0, 0, 0, 4, 5, 0, 0, 8, 9, 10, 0 }, x.tril());
        OpAssert.Exact(new double[] { 0, 1, 2, 3, 0, 5, 6, 7, 0, 0, 10, 11 }, torch.triu(x));
        OpAssert.Exact(new double[] { 0, 1, 0, 0, 4, 5, 6, 0, 8, 9, 10, 11 }, x.tril(1));
        OpAssert.Fails("start (2) + length (2) exceeds dimension size (3).", () => zeros(2, 3).narrow(1, 2, 2));
    }

    [TestMethod]
    public void GatherAndIndexSelectPickEntriesAndScatterTheirGradients()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }, requires_grad: true);
        var g = x.gather(1, tensor(new long[,] { { 2, 0 }, { 1, 1 } }));
        OpAssert.Exact(new double[] { 3, 1, 5, 5 }, g);
        // (x.gather(1, [[2, 0], [1, 1]]) * [[1, 10], [100, 1000]]).sum().backward(): repeated indices accumulate
        g.mul(tensor(new double[,] { { 1, 10 }, { 100, 1000 } })).sum().backward();
        OpAssert.Exact(new double[] { 10, 0, 1, 0, 1100, 0 }, x.grad!);

        x.grad = null;
        var s = x.index_select(1, tensor(new long[] { 2, 0, 2 }));
        OpAssert.Exact(new double[] { 3, 1, 3, 6, 4, 6 }, s);
        // (x.index_select(1, [2, 0, 2]) * [[1, 2, 3], [4, 5, 6]]).sum().backward()
        s.mul(tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } })).sum().backward();
        OpAssert.Exact(new double[] { 2, 0, 4, 5, 0, 10 }, x.grad!);

        OpAssert.Exact(new double[] { 2, 5 }, torch.gather(x, 1, tensor(new long[,] { { 1 }, { 1 } })).flatten());
        OpAssert.Exact(new double[] { 4, 5, 6 }, torch.index_select(x, 0, tensor(new long[] { 1 })).flatten());
        // torch.zeros(2, 3).gather(1, [[5], [0]]): RuntimeError: index 5 is out of bounds for dimension 1 with size 3
        OpAssert.Fails("index 5 is out of bounds for dimension 1 with size 3",
            () => zeros(2, 3).gather(1, tensor(new long[,] { { 5 }, { 0 } })));
    }

    [TestMethod]
    public void ScatterWritesAndScatterAddAccumulates()
    {
        using var scope = NewDisposeScope();
        var target = tensor(new long[,] { { 2 }, { 0 }, { 1 } });
        // one-hot rows: zeros(3, 4).scatter(1, target, 1)
        var hot = zeros(3, 4, ScalarType.Float64).scatter(1, target, ones(3, 1, ScalarType.Float64));
        OpAssert.Exact(new double[] { 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0 }, hot);
        var src = tensor(new double[] { 1, 2, 3, 4 });
        var idx = tensor(new long[] { 0, 2, 0, 1 });
        OpAssert.Exact(new double[] { 4, 4, 2 }, zeros(3, ScalarType.Float64).scatter_add(0, idx, src));
        OpAssert.Exact(new double[] { 14, 14, 12 }, torch.scatter_add(full(3, 10.0, ScalarType.Float64), 0, idx, src));
        OpAssert.Exact(new double[] { 1, 0, 0 }, torch.scatter(zeros(3, ScalarType.Float64), 0, tensor(new long[] { 0 }), src));
    }

    [TestMethod]
    public void MaskedSelectAndNonzeroFindEntries()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[,] { { 1, -2, 3 }, { -4, 5, 0 } });
        var mask = tensor(new bool[] { true, false, true });
        OpAssert.Exact(new double[] { 1, 3, -4, 0 }, x.masked_select(mask));
        OpAssert.Exact(new double[] { 1, 3, -4, 0 }, torch.masked_select(x, mask));
        var nz = x.nonzero();
        OpAssert.Shape(new long[] { 5, 2 }, nz);
        OpAssert.Exact(new long[] { 0, 0, 0, 1, 0, 2, 1, 0, 1, 1 }, nz);
        OpAssert.Shape(new long[] { 2, 1 }, torch.nonzero(tensor(new double[] { 0, 7, 0, 8 })));
    }

    [TestMethod]
    public void RepeatTilesAndFlipReverses()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 1, 2 });
        OpAssert.Exact(new double[] { 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2 }, x.repeat(2, 3));
        OpAssert.Shape(new long[] { 2, 6 }, x.repeat(2, 3));
        var m = Arange(6).reshape(2, 3);
        OpAssert.Exact(new double[] { 2, 1, 0, 5, 4, 3 }, m.flip(1));
        OpAssert.Exact(new double[] { 5, 4, 3, 2, 1, 0 }, torch.flip(m, 0, 1));
    }

    [TestMethod]
    public void ChunkSplitAndUnbindCutAlongADimension()
    {
        using var scope = NewDisposeScope();
        var x = Arange(10).reshape(5, 2);
        var chunks = x.chunk(3);
        Assert.HasCount(3, chunks);
        CollectionAssert.AreEqual(new long[] { 2, 2, 1 }, chunks.Select(c => c.shape[0]).ToArray());
        OpAssert.Exact(new double[] { 8, 9 }, chunks[2].flatten());
        Assert.HasCount(2, torch.chunk(x, 2, 1));
        CollectionAssert.AreEqual(new long[] { 4, 1 }, x.split(4).Select(c => c.shape[0]).ToArray());
        var parts = torch.split(x, new long[] { 1, 4 });
        CollectionAssert.AreEqual(new long[] { 1, 4 }, parts.Select(c => c.shape[0]).ToArray());
        OpAssert.Exact(new double[] { 2, 3, 4, 5, 6, 7, 8, 9 }, parts[1].flatten());
        var columns = x.unbind(1);
        Assert.HasCount(2, columns);
        OpAssert.Exact(new double[] { 1, 3, 5, 7, 9 }, columns[1]);
        Assert.HasCount(5, torch.unbind(x));
        OpAssert.Fails("split_with_sizes expects split_sizes to sum exactly to 5", () => x.split(new long[] { 1, 1 }));
    }

    // x = [[0.5, -1, 2], [3, 0.25, -0.75]] (float64). Expected values from PyTorch 1.13: y = op(x); the
    // gradient is that of (y * w).sum() with w = [[1, 2, 3], [-1, 0.5, 2]] for same-shape results,
    // and of (y * arange(1, n + 1).reshape(y.shape)).sum() for the reductions.
    private static readonly double[,] SoftmaxInput = { { 0.5, -1.0, 2.0 }, { 3.0, 0.25, -0.75 } };
    private static readonly double[,] SoftmaxWeights = { { 1.0, 2.0, 3.0 }, { -1.0, 0.5, 2.0 } };

    [TestMethod]
    public void LogSoftmaxMatchesPyTorchInValueAndGradient()
    {
        using var scope = NewDisposeScope();
        var x = tensor(SoftmaxInput, requires_grad: true);
        var y = x.log_softmax(1);
        OpAssert.Near(new[] { -1.7413112966571571, -3.241311296657157, -0.24131129665715703,
                              -0.083831466235782, -2.833831466235782, -3.833831466235782 }, y);
        y.mul(tensor(SoftmaxWeights)).sum().backward();
        OpAssert.Near(new[] { -0.05174235284022016, 1.7653245603758754, -1.7135822075356553,
                              -2.37937933654597, 0.41181922922188885, 1.9675601073240814 }, x.grad!);

        x.grad = null;
        var y0 = x.log_softmax(0);
        OpAssert.Near(new[] { -2.5788897342925496, -1.501929081345373, -0.061967589003198625,
                              -0.07888973429254957, -0.25192908134537295, -2.8119675890031988 }, y0);
        y0.mul(tensor(SoftmaxWeights)).sum().backward();
        OpAssert.Near(new[] { 1.0, 1.4432496529367278, -1.699566749129962, -1.0, -1.4432496529367276, 1.699566749129962 }, x.grad!);
    }

    [TestMethod]
    public void SoftmaxMatchesPyTorchInValueAndGradient()
    {
        using var scope = NewDisposeScope();
        var x = tensor(SoftmaxInput, requires_grad: true);
        var y = x.softmax(1);
        OpAssert.Near(new[] { 0.1752903921400367, 0.039112573270687456, 0.7855970345892759,
                              0.9195862243639801, 0.05878718051874077, 0.021626595117279053 }, y);
        y.mul(tensor(SoftmaxWeights)).sum().backward();
        OpAssert.Near(new[] { -0.28227128282063296, -0.02387066327038312, 0.30614194609101614,
                              -0.14075237891059028, 0.07918277223460103, 0.0615696066759892 }, x.grad!);
    }

    [TestMethod]
    public void LogsumexpMatchesPyTorchInValueAndGradient()
    {
        using var scope = NewDisposeScope();
        var x = tensor(SoftmaxInput, requires_grad: true);
        var y = x.logsumexp(1);
        OpAssert.Shape(new long[] { 2 }, y);
        OpAssert.Near(new[] { 2.241311296657157, 3.083831466235782 }, y);
        y.mul(tensor(new double[] { 1, 2 })).sum().backward();
        OpAssert.Near(new[] { 0.1752903921400367, 0.03911257327068745, 0.7855970345892758,
                              1.8391724487279602, 0.11757436103748155, 0.04325319023455811 }, x.grad!);

        x.grad = null;
        var k = torch.logsumexp(x, 0, keepdim: true);
        OpAssert.Shape(new long[] { 1, 3 }, k);
        OpAssert.Near(new[] { 3.0788897342925496, 0.501929081345373, 2.0619675890031988 }, k);
        k.mul(tensor(new double[,] { { 1, 2, 3 } })).sum().backward();
        OpAssert.Near(new[] { 0.07585818002124355, 0.4454002776506177, 2.8197400494779767,
                              0.9241418199787564, 1.5545997223493822, 0.18025995052202284 }, x.grad!);
    }

    [TestMethod]
    public void SoftmaxComputesInTheRequestedDtype()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 });
        // torch.tensor([1., 2., 3.]).softmax(0, dtype=torch.float64)
        var y = x.softmax(0, ScalarType.Float64);
        OpAssert.Near(new[] { 0.09003057317038045, 0.2447284710547976, 0.6652409557748218 }, y);
        Assert.AreEqual(ScalarType.Float64, special.log_softmax(x, 0, ScalarType.Float64).dtype);
        // torch.tensor([1., 2., 3.]).log_softmax(0) in float32
        var z = x.log_softmax(0);
        Assert.AreEqual(ScalarType.Float32, z.dtype);
        CollectionAssert.AreEqual(new[] { -2.4076058864593506f, -1.4076058864593506f, -0.40760594606399536f }, z.data<float>().ToArray());
        Assert.AreEqual(ScalarType.Float32, special.softmax(x, 0).dtype);
    }
}
