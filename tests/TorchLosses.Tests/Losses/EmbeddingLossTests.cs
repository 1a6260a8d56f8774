using System.Runtime.InteropServices;
using TorchLosses;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>Margin ranking and cosine embedding: values, kinks, gradients, identities, errors.</summary>
[TestClass]
public sealed class EmbeddingLossTests
{

    // Scores with ties (x1 == x2, so z == margin) and a ranking target that includes 0 and 2.
    private static readonly double[] X1 = { 1.0, 2.0, 3.0, 0.5, -1.25, 0.0, 4.0, -2.0 };
    private static readonly double[] X2 = { 2.0, 1.0, 3.0, 0.5, 0.75, 0.0, -1.0, -2.5 };
    private static readonly double[] Y = { 1, 1, -1, -1, 1, -1, 2, 0 };

    /// <summary>A 0-d tensor, optionally requiring grad.</summary>
    internal static Tensor Scalar0(double value, ScalarType dtype = ScalarType.Float64, bool grad = true)
    {
        var t = tensor(value).to(dtype);
        if (grad) t.requires_grad = true;
        return t;
    }

    // ----- margin_ranking_loss -----

    [TestMethod]
    public void MarginRankingByHand()
    {
        // margin 0.5: z = −y·(x1 − x2) + 0.5 = [1.5, −0.5, 0.5, 0.5] → ℓ = [1.5, 0, 0.5, 0.5].
        using var scope = NewDisposeScope();
        var x1 = T(new[] { 1.0, 2, 3, 0.5 });
        var x2 = T(new[] { 2.0, 1, 3, 0.5 });
        var y = T(new[] { 1.0, 1, -1, -1 });
        var none = L.margin_ranking_loss(x1, x2, y, 0.5, R.None);
        CollectionAssert.AreEqual(new[] { 1.5, 0, 0.5, 0.5 }, none.detach().data<double>().ToArray());
        Assert.AreEqual(0.625, L.margin_ranking_loss(x1, x2, y, 0.5).item<double>());
        var sum = L.margin_ranking_loss(x1, x2, y, 0.5, R.Sum);
        Assert.AreEqual(2.5, sum.item<double>());
        sum.backward();
        // Active where z ≥ 0: ∂/∂x1 = −y, ∂/∂x2 = y, ∂/∂y = −(x1 − x2).
        CollectionAssert.AreEqual(new[] { -1.0, 0, 1, 1 }, x1.grad!.data<double>().ToArray());
        CollectionAssert.AreEqual(new[] { 1.0, 0, -1, -1 }, x2.grad!.data<double>().ToArray());
        CollectionAssert.AreEqual(new[] { 1.0, 0, 0, 0 }, y.grad!.data<double>().ToArray());
    }

    [TestMethod]
    public void MarginRankingPassesTheGradientAtTheKink()
    {
        // x1 − x2 = 1, y = 1, margin 1: z = 0 exactly, and clamp_min passes the gradient there.
        using var scope = NewDisposeScope();
        var (x1, x2, y) = (T(new[] { 1.0 }), T(new[] { 0.0 }), T(new[] { 1.0 }));
        var loss = L.margin_ranking_loss(x1, x2, y, 1.0, R.Sum);
        Assert.AreEqual(0.0, loss.item<double>());
        loss.backward();
        Assert.AreEqual(-1.0, x1.grad!.item<double>());
        Assert.AreEqual(1.0, x2.grad!.item<double>());
        Assert.AreEqual(-1.0, y.grad!.item<double>());
        AssertSame(a => L.margin_ranking_loss(a[0], a[1], a[2], 1.0, R.Sum), a => N.margin_ranking_loss(a[0], a[1], a[2], 1.0, R.Sum),
            T(new[] { 1.0 }), T(new[] { 0.0 }), T(new[] { 1.0 }));
    }

    [TestMethod]
    [DataRow(0.0), DataRow(0.5), DataRow(-0.3), DataRow(2.0)]
    public void MarginRankingMatchesLibtorch(double margin)
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.margin_ranking_loss(a[0], a[1], a[2], margin, reduction),
                    a => N.margin_ranking_loss(a[0], a[1], a[2], margin, reduction), T(X1, dtype), T(X2, dtype), T(Y, dtype));
                AssertSame(a => L.margin_ranking_loss(a[0], a[1], a[2], margin, reduction),
                    a => N.margin_ranking_loss(a[0], a[1], a[2], margin, reduction),
                    Normal(1, dtype, true, 3, 5), Normal(2, dtype, true, 3, 5), Normal(3, dtype, true, 3, 5).sign().detach().requires_grad_());
            }
    }

    [TestMethod]
    public void MarginRankingShapesSpecialValuesAndDtypesMatchLibtorch()
    {
        double nan = double.NaN, inf = double.PositiveInfinity;
        var x1 = new[] { nan, inf, -inf, 1.0, inf, 0.0, 1.0 };
        var x2 = new[] { 0.0, 0.0, 0.0, nan, inf, 0.0, 1.0 };
        var y = new[] { 1.0, 1, 1, -1, 1, nan, inf };
        foreach (var reduction in AllReductions)
        {
            Func<Tensor[], Tensor> ours = a => L.margin_ranking_loss(a[0], a[1], a[2], 0.25, reduction);
            Func<Tensor[], Tensor> native = a => N.margin_ranking_loss(a[0], a[1], a[2], 0.25, reduction);
            AssertSame(ours, native, T(x1), T(x2), T(y));
            // Equal-rank broadcasting: a target of shape (1).
            AssertSame(ours, native, T(X1), T(X2), T(new[] { -1.0 }));
            // Empty: mean is NaN, sum is 0.
            AssertSame(ours, native, T(Array.Empty<double>()), T(Array.Empty<double>()), T(Array.Empty<double>()));
            // 0-d inputs.
            AssertSame(ours, native, Scalar0(0.5), Scalar0(1.5), Scalar0(1.0));
            AssertSame(ours, native, T(X1, ScalarType.BFloat16), T(X2, ScalarType.BFloat16), T(Y, ScalarType.BFloat16));
        }
        // Integer scores and targets promote through the margin to the default floating type, as in libtorch.
        using var scope = NewDisposeScope();
        var i1 = tensor(new long[] { 3, 1 });
        var i2 = tensor(new long[] { 1, 1 });
        var iy = tensor(new long[] { -1, 1 });
        AssertClose(N.margin_ranking_loss(i1, i2, iy, 0.5, R.None), L.margin_ranking_loss(i1, i2, iy, 0.5, R.None), "int64");
    }

    [TestMethod]
    public void MarginRankingInFloat16MatchesLibtorch()
    {
        // libtorch 2.10 has a float16 CPU clamp_min (1.13 had none): values and all three gradients in float16.
        foreach (var reduction in AllReductions)
            AssertSame(a => L.margin_ranking_loss(a[0], a[1], a[2], 0.25, reduction), a => N.margin_ranking_loss(a[0], a[1], a[2], 0.25, reduction),
                T(X1, ScalarType.Float16), T(X2, ScalarType.Float16), T(Y, ScalarType.Float16));
    }

    [TestMethod]
    public void MarginRankingIsSymmetricUnderSwapAndNegation()
    {
        // With y = ±1: ℓ(x1, x2, y) = ℓ(x2, x1, −y), values and (swapped) gradients.
        using var scope = NewDisposeScope();
        var y = new[] { 1.0, -1, -1, 1, 1, -1, 1, -1 };
        var minusY = y.Select(v => -v).ToArray();
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.margin_ranking_loss(a[0], a[1], a[2], 0.5, reduction),
                    a => L.margin_ranking_loss(a[1], a[0], -a[2], 0.5, reduction), T(X1, dtype), T(X2, dtype), T(y, dtype));
        var direct = L.margin_ranking_loss(T(X1), T(X2), T(y), 0.5, R.None);
        var swapped = L.margin_ranking_loss(T(X2), T(X1), T(minusY), 0.5, R.None);
        CollectionAssert.AreEqual(direct.detach().data<double>().ToArray(), swapped.detach().data<double>().ToArray());
    }

    [TestMethod]
    public void MarginRankingChecksTheNumberOfDimensionsAfterTheReduction()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => L.margin_ranking_loss(ones(5), ones(5), ones(1, 5)));
        StringAssert.StartsWith(e.Message,
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: torch.Size([5]), " +
            "input2: torch.Size([5]), target: torch.Size([1, 5]) ");
        Assert.AreEqual("target", e.ParamName);
        var r = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.margin_ranking_loss(ones(5), ones(5), ones(1, 5), 0, (R)5));
        StringAssert.StartsWith(r.Message, "5 is not a valid value for reduction");
        // Same rank, incompatible sizes: libtorch's broadcasting error from the subtraction, as in PyTorch, naming the odd tensor.
        var b = Assert.ThrowsExactly<ArgumentException>(() => L.margin_ranking_loss(ones(5), ones(4), ones(5)));
        Assert.AreEqual("input2", b.ParamName);
        StringAssert.StartsWith(b.Message, "The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 0");
    }

    [TestMethod]
    public void MarginRankingLegacyArgumentsAndModule()
    {
        using var scope = NewDisposeScope();
        var (x1, x2, y) = (T(X1), T(X2), T(Y, grad: false));
        AssertClose(L.margin_ranking_loss(x1, x2, y, 0.5, R.Sum), L.margin_ranking_loss(x1, x2, y, 0.5, size_average: false), "legacy sum");
        AssertClose(L.margin_ranking_loss(x1, x2, y, 0.5, R.None), L.margin_ranking_loss(x1, x2, y, 0.5, null, reduce: false), "legacy none");
        Assert.AreEqual(R.Sum, TorchLosses.nn.MarginRankingLoss(0.5, size_average: false, reduction: R.None).reduction);
        var module = TorchLosses.nn.MarginRankingLoss(0.5, R.Sum);
        Assert.AreEqual(0.5, module.margin);
        AssertClose(L.margin_ranking_loss(x1, x2, y, 0.5, R.Sum), module.call(x1, x2, y), "module");
        AssertClose(L.margin_ranking_loss(x1, x2, y), TorchLosses.nn.MarginRankingLoss().call(x1, x2, y), "defaults");
    }

    // ----- cosine_embedding_loss -----

    private const double Eps = 1e-12f;

    [TestMethod]
    public void CosineByHand()
    {
        // Rows: parallel (y = 1), orthogonal (y = −1), zero vector (y = 1), orthogonal (y = −1), anything with y = 0.
        // margin −0.5: ℓ = [1 − 1/(1 + ε), max(0, 0 + 0.5), 1 − 0, 0.5, 0].
        using var scope = NewDisposeScope();
        var x1 = T(new[] { 1.0, 0, 1, 1, 0, 0, 1, 0, 2, 2 }, shape: new long[] { 5, 2 });
        var x2 = T(new[] { 1.0, 0, -1, 1, 3, 4, 0, 1, 1, 1 }, shape: new long[] { 5, 2 });
        var y = T(new[] { 1.0, -1, 1, -1, 0 }, grad: false);
        var loss = L.cosine_embedding_loss(x1, x2, y, -0.5, R.None);
        var expected = new[] { 1 - 1 / (1 + Eps), 0.5, 1, 0.5, 0 };
        var actual = loss.detach().data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], actual[i], 1e-15, $"row {i}");
        Assert.AreEqual(expected.Sum() / 5, L.cosine_embedding_loss(x1, x2, y, -0.5).item<double>(), 1e-15);
        L.cosine_embedding_loss(x1, x2, y, -0.5, R.Sum).backward();
        // The zero vector (row 2) gets −x2/sqrt(ε·(|x2|² + ε)), about −6e5 and −8e5; row 4 (y = 0) gets nothing.
        var g = x1.grad!.data<double>().ToArray();
        Assert.AreEqual(-3 / Math.Sqrt(Eps * (25 + Eps)), g[4], 1e-6);
        Assert.AreEqual(-4 / Math.Sqrt(Eps * (25 + Eps)), g[5], 1e-6);
        Assert.AreEqual(-600000.00119873, g[4], 1e-6); // PyTorch 1.13 prints -600000.00119873
        Assert.AreEqual(0.0, g[8]);
        Assert.AreEqual(0.0, g[9]);
    }

    [TestMethod]
    [DataRow(0.0), DataRow(0.3), DataRow(-0.2), DataRow(1.0)]
    public void CosineMatchesLibtorch(double margin)
    {
        var y = new[] { 1.0, -1, 1, -1, -1, 0, 2 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                Func<Tensor[], Tensor> ours = a => L.cosine_embedding_loss(a[0], a[1], a[2], margin, reduction);
                Func<Tensor[], Tensor> native = a => N.cosine_embedding_loss(a[0], a[1], a[2], margin, reduction);
                // The target requires grad too: neither gives it a gradient.
                AssertSame(ours, native, Normal(4, dtype, true, 7, 3), Normal(5, dtype, true, 7, 3), T(y, dtype));
                // A single pair: 1-D inputs with a 0-d target.
                AssertSame(ours, native, Normal(6, dtype, true, 4), Normal(7, dtype, true, 4), Scalar0(-1, dtype));
                // Equal-rank broadcasting: input2 (1, D).
                AssertSame(ours, native, Normal(8, dtype, true, 7, 3), Normal(9, dtype, true, 1, 3), T(y, dtype, false));
            }
    }

    [TestMethod]
    public void CosinePassesTheGradientAtTheKinkAndHandlesZeroVectorsLikeLibtorch()
    {
        // Orthogonal pair with y = −1 and margin 0: cos − margin = 0 exactly; zero vectors on either side.
        var x1 = new[] { 1.0, 0, 0, 0, 0, 0, 2, -1 };
        var x2 = new[] { 0.0, 3, 3, 4, 0, 0, 1, 2 };
        var y = new[] { -1.0, 1, -1, -1 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.cosine_embedding_loss(a[0], a[1], a[2], 0.0, reduction),
                    a => N.cosine_embedding_loss(a[0], a[1], a[2], 0.0, reduction),
                    T(x1, dtype, shape: new long[] { 4, 2 }), T(x2, dtype, shape: new long[] { 4, 2 }), T(y, dtype, false));
    }

    [TestMethod]
    public void CosineSpecialValuesEmptyAndBFloat16MatchLibtorch()
    {
        double nan = double.NaN, inf = double.PositiveInfinity;
        var x1 = new[] { nan, 1, inf, 1, 1e20, 1e20, 1, 1, 1, 1 };
        var x2 = new[] { 1.0, 1, 1, 1, 1e20, 1e20, -inf, 0, 1, 1 };
        var y = new[] { 1.0, -1, 1, 1, nan };
        foreach (var reduction in AllReductions)
        {
            Func<Tensor[], Tensor> ours = a => L.cosine_embedding_loss(a[0], a[1], a[2], 0.1, reduction);
            Func<Tensor[], Tensor> native = a => N.cosine_embedding_loss(a[0], a[1], a[2], 0.1, reduction);
            foreach (var dtype in Dtypes) // float32 squares of 1e20 overflow to ∞ and give NaN, as in libtorch
                AssertSame(ours, native, T(x1, dtype, shape: new long[] { 5, 2 }), T(x2, dtype, shape: new long[] { 5, 2 }), T(y, dtype, false));
            AssertSame(ours, native, T(Array.Empty<double>(), shape: new long[] { 0, 3 }), T(Array.Empty<double>(), shape: new long[] { 0, 3 }),
                T(Array.Empty<double>(), grad: false));
            foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 })   // float16: libtorch 2.10's CPU kernels
                AssertSame(ours, native, Normal(10, dtype, true, 4, 3), Normal(11, dtype, true, 4, 3), T(new[] { 1.0, -1, -1, 1 }, dtype, false));
        }
        using var scope = NewDisposeScope();
        var it = tensor(new long[] { 1, -1 });
        var i1 = tensor(new long[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        var i2 = tensor(new long[] { 2, 1, -3, 4 }, new long[] { 2, 2 });
        AssertClose(N.cosine_embedding_loss(i1, i2, it, 0, R.None), L.cosine_embedding_loss(i1, i2, it, 0, R.None), "int64");
    }

    [TestMethod]
    public void CosineChecksShapesWithPyTorchsMessages()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => L.cosine_embedding_loss(ones(3, 4), ones(3, 4), ones(3, 1)));
        StringAssert.StartsWith(e.Message, "0D or 1D target tensor expected, multi-target not supported");
        Assert.AreEqual("target", e.ParamName);
        e = Assert.ThrowsExactly<ArgumentException>(() => L.cosine_embedding_loss(ones(4), ones(4), ones(3)));
        StringAssert.StartsWith(e.Message, "1D target tensor expects 2D input tensors, but found inputs with sizes [4] and [4].");
        e = Assert.ThrowsExactly<ArgumentException>(() => L.cosine_embedding_loss(ones(3, 4), ones(3, 4), tensor(1.0)));
        StringAssert.StartsWith(e.Message, "0D target tensor expects 1D input tensors, but found inputs with sizes [3, 4] and [3, 4].");
        // libtorch 2.10 also checks input2 (1.13 accepted this and reduced over the wrong dimension).
        e = Assert.ThrowsExactly<ArgumentException>(() => L.cosine_embedding_loss(ones(4), ones(3, 4), tensor(1.0)));
        StringAssert.StartsWith(e.Message, "0D target tensor expects 1D input tensors, but found inputs with sizes [4] and [3, 4].");
        Assert.AreEqual("input2", e.ParamName);
        StringAssert.StartsWith(Assert.ThrowsExactly<ExternalException>(() => N.cosine_embedding_loss(ones(4), ones(3, 4), tensor(1.0))).Message,
            "0D target tensor expects 1D input tensors, but found inputs with sizes [4] and [3, 4].");
        e = Assert.ThrowsExactly<ArgumentException>(() => L.cosine_embedding_loss(ones(3, 4), ones(4), ones(3)));
        StringAssert.StartsWith(e.Message, "1D target tensor expects 2D input tensors, but found inputs with sizes [3, 4] and [4].");
        StringAssert.StartsWith(Assert.ThrowsExactly<ExternalException>(() => N.cosine_embedding_loss(ones(3, 4), ones(4), ones(3))).Message,
            "1D target tensor expects 2D input tensors, but found inputs with sizes [3, 4] and [4].");
        // The reduction is checked first (in Python, before the ATen checks).
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.cosine_embedding_loss(ones(4), ones(4), ones(3), 0, (R)9));
        // Broadcasting errors: libtorch's messages from its primitives, in libtorch's order, naming the argument.
        var b = Assert.ThrowsExactly<ArgumentException>(() => L.cosine_embedding_loss(ones(3, 4), ones(2, 4), ones(3)));
        Assert.AreEqual("input2", b.ParamName);
        StringAssert.StartsWith(b.Message, "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0");
        b = Assert.ThrowsExactly<ArgumentException>(() => L.cosine_embedding_loss(ones(3, 4), ones(3, 4), ones(2)));
        Assert.AreEqual("target", b.ParamName);
        StringAssert.StartsWith(b.Message, "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
    }

    [TestMethod]
    public void CosineLegacyArgumentsAndModule()
    {
        using var scope = NewDisposeScope();
        var (x1, x2, y) = (Normal(12, ScalarType.Float64, true, 4, 3), Normal(13, ScalarType.Float64, true, 4, 3), T(new[] { 1.0, -1, -1, 1 }, grad: false));
        AssertClose(L.cosine_embedding_loss(x1, x2, y, 0.2, R.Sum), L.cosine_embedding_loss(x1, x2, y, 0.2, size_average: false), "legacy sum");
        Assert.AreEqual(R.None, TorchLosses.nn.CosineEmbeddingLoss(0.2, size_average: true, reduce: false).reduction);
        var module = TorchLosses.nn.CosineEmbeddingLoss(0.2, R.None);
        Assert.AreEqual(0.2, module.margin);
        AssertClose(L.cosine_embedding_loss(x1, x2, y, 0.2, R.None), module.call(x1, x2, y), "module");
        AssertClose(L.cosine_embedding_loss(x1, x2, y), TorchLosses.nn.CosineEmbeddingLoss().call(x1, x2, y), "defaults");
    }
}
