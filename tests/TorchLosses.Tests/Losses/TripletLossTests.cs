using static TorchLossesTests.Losses.EmbeddingLossTests;
using static TorchLossesTests.Support.Parity;
using Ref = TorchLossesTests.Losses.TripletWithDistanceReference;

namespace TorchLossesTests.Losses;

/// <summary>Triplet margin loss and its custom-distance form: values, kinks, swap ties, identities, errors.</summary>
[TestClass]
public sealed class TripletLossTests
{

    private static double[] Grad(Tensor t) => t.grad!.data<double>().ToArray();

    // ----- triplet_margin_loss -----

    [TestMethod]
    public void TripletByHand()
    {
        // a = (0, 0), p = (3, 4), n = (6, 8), eps = 0.
        using var scope = NewDisposeScope();
        Tensor A() => T(new[] { 0.0, 0 });
        Tensor P() => T(new[] { 3.0, 4 });
        Tensor Nn() => T(new[] { 6.0, 8 });
        // p = 2: d_pos = 5, d_neg = 10, margin 6 → 1. The anchor's two pulls cancel.
        var (a, p, n) = (A(), P(), Nn());
        var loss = L.triplet_margin_loss(a, p, n, 6.0, 2.0, 0.0);
        Assert.AreEqual(1.0, loss.item<double>(), 1e-15);
        loss.backward();
        CollectionAssert.AreEqual(new[] { 0.0, 0 }, Grad(a).Select(v => Math.Round(v, 15) + 0.0).ToArray());
        CollectionAssert.AreEqual(new[] { 0.6, 0.8 }, Grad(p).Select(v => Math.Round(v, 15)).ToArray());
        CollectionAssert.AreEqual(new[] { -0.6, -0.8 }, Grad(n).Select(v => Math.Round(v, 15)).ToArray());
        // p = 1: d_pos = 7, d_neg = 14, margin 8 → 1, with sign gradients.
        (a, p, n) = (A(), P(), Nn());
        loss = L.triplet_margin_loss(a, p, n, 8.0, 1.0, 0.0);
        Assert.AreEqual(1.0, loss.item<double>());
        loss.backward();
        CollectionAssert.AreEqual(new[] { 1.0, 1 }, Grad(p));
        CollectionAssert.AreEqual(new[] { -1.0, -1 }, Grad(n));
        // p = ∞: d_pos = 4, d_neg = 8, margin 5 → 1. Swap with p = 2: d(p, n) = 5 < 10, so 6 + 5 − 5 = 6.
        Assert.AreEqual(1.0, L.triplet_margin_loss(A(), P(), Nn(), 5.0, double.PositiveInfinity, 0.0).item<double>());
        Assert.AreEqual(6.0, L.triplet_margin_loss(A(), P(), Nn(), 6.0, 2.0, 0.0, swap: true).item<double>(), 1e-15);
        // eps is added to every component: d(a, a) = 2·eps for D = 4 and p = 2.
        var x = new[] { 1.0, 2, 3, 4 };
        var far = new[] { 4.0, 6, 3, 4 };
        double dNeg = Math.Sqrt(Math.Pow(-3 + 1e-6, 2) + Math.Pow(-4 + 1e-6, 2) + 2e-12);
        Assert.AreEqual(10 + 2e-6 - dNeg, L.triplet_margin_loss(T(x), T(x), T(far), 10.0).item<double>(), 1e-14);
    }

    [TestMethod]
    [DataRow(2.0), DataRow(1.0), DataRow(3.0), DataRow(1.5), DataRow(double.PositiveInfinity), DataRow(0.5)]
    public void TripletMatchesLibtorch(double p)
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var swap in new[] { false, true })
                    foreach (var (margin, eps) in new[] { (1.0, 1e-6), (0.3, 0.0) })
                        AssertSame(a => L.triplet_margin_loss(a[0], a[1], a[2], margin, p, eps, swap, reduction),
                            a => N.triplet_margin_loss(a[0], a[1], a[2], margin, p, eps, swap, reduction),
                            Normal(20, dtype, true, 6, 4), Normal(21, dtype, true, 6, 4), Normal(22, dtype, true, 6, 4));
    }

    [TestMethod]
    public void TripletPassesTheGradientAtTheKink()
    {
        // p = 1, eps = 0: d_pos = 2, d_neg = 3, margin 1 → margin + d_pos − d_neg = 0 exactly; the clamp passes.
        using var scope = NewDisposeScope();
        var (a, p, n) = (T(new[] { 0.0, 0 }), T(new[] { 1.0, 1 }), T(new[] { 1.0, 2 }));
        var loss = L.triplet_margin_loss(a, p, n, 1.0, 1.0, 0.0, reduction: R.Sum);
        Assert.AreEqual(0.0, loss.item<double>());
        loss.backward();
        CollectionAssert.AreEqual(new[] { 0.0, 0 }, Grad(a));
        CollectionAssert.AreEqual(new[] { 1.0, 1 }, Grad(p));
        CollectionAssert.AreEqual(new[] { -1.0, -1 }, Grad(n));
        foreach (var dtype in Dtypes)
            AssertSame(t => L.triplet_margin_loss(t[0], t[1], t[2], 1.0, 1.0, 0.0, reduction: R.Sum),
                t => N.triplet_margin_loss(t[0], t[1], t[2], 1.0, 1.0, 0.0, reduction: R.Sum),
                T(new[] { 0.0, 0 }, dtype), T(new[] { 1.0, 1 }, dtype), T(new[] { 1.0, 2 }, dtype));
    }

    [TestMethod]
    public void TripletSwapTieSplitsTheGradientAndAZeroDistanceHasNone()
    {
        // a = p = (0, 0), n = (3, 4), eps = 0, swap: d(a, n) = d(p, n) = 5 tie; d_pos = 0 (norm gradient 0 there).
        using var scope = NewDisposeScope();
        var (a, p, n) = (T(new[] { 0.0, 0 }), T(new[] { 0.0, 0 }), T(new[] { 3.0, 4 }));
        var loss = L.triplet_margin_loss(a, p, n, 6.0, 2.0, 0.0, swap: true);
        Assert.AreEqual(1.0, loss.item<double>());
        loss.backward();
        CollectionAssert.AreEqual(new[] { 0.3, 0.4 }, Grad(a).Select(v => Math.Round(v, 15)).ToArray());
        CollectionAssert.AreEqual(new[] { 0.3, 0.4 }, Grad(p).Select(v => Math.Round(v, 15)).ToArray());
        CollectionAssert.AreEqual(new[] { -0.6, -0.8 }, Grad(n).Select(v => Math.Round(v, 15)).ToArray());
        var rows = new[] { 0.5, -1, 2, 0.25, 1.5, 0, -0.5, 1 };
        foreach (var dtype in Dtypes)
            foreach (var eps in new[] { 0.0, 1e-6 })
                AssertSame(t => L.triplet_margin_loss(t[0], t[1], t[2], 6.0, 2.0, eps, true, R.None),
                    t => N.triplet_margin_loss(t[0], t[1], t[2], 6.0, 2.0, eps, true, R.None),
                    T(rows, dtype, shape: new long[] { 2, 4 }), T(rows, dtype, shape: new long[] { 2, 4 }), Normal(23, dtype, true, 2, 4));
    }

    [TestMethod]
    public void TripletWithPZeroCountsAndGivesNoGradient()
    {
        using var scope = NewDisposeScope();
        var (a, p, n) = (T(new[] { 0.0, 1, 2 }), T(new[] { 0.0, 1, 5 }), T(new[] { 1.0, 2, 3 }));
        // eps = 0: d_pos counts 1 differing component, d_neg 3; margin 3 → 1.
        var loss = L.triplet_margin_loss(a, p, n, 3.0, 0.0, 0.0);
        Assert.AreEqual(1.0, loss.item<double>());
        loss.backward();
        Assert.IsNull(a.grad);
        Assert.IsNull(p.grad);
        Assert.IsNull(n.grad);
        foreach (var reduction in AllReductions)
            AssertSame(t => L.triplet_margin_loss(t[0], t[1], t[2], 1.0, 0.0, 1e-6, true, reduction),
                t => N.triplet_margin_loss(t[0], t[1], t[2], 1.0, 0.0, 1e-6, true, reduction),
                Normal(24, ScalarType.Float32, true, 3, 4), Normal(25, ScalarType.Float32, true, 3, 4), Normal(26, ScalarType.Float32, true, 3, 4));
    }

    [TestMethod]
    public void TripletShapesSpecialValuesAndBFloat16MatchLibtorch()
    {
        double nan = double.NaN, inf = double.PositiveInfinity;
        var special = new[] { nan, 1, 2, inf, -inf, 0, 1, 1, 0, 0, 0, 0 };
        foreach (var reduction in AllReductions)
            foreach (var swap in new[] { false, true })
            {
                Func<Tensor[], Tensor> ours = t => L.triplet_margin_loss(t[0], t[1], t[2], 0.5, 2.0, 1e-6, swap, reduction);
                Func<Tensor[], Tensor> native = t => N.triplet_margin_loss(t[0], t[1], t[2], 0.5, 2.0, 1e-6, swap, reduction);
                AssertSame(ours, native, T(special, shape: new long[] { 3, 4 }), Normal(27, ScalarType.Float64, true, 3, 4), Normal(28, ScalarType.Float64, true, 3, 4));
                AssertSame(ours, native, Normal(29, ScalarType.Float64, true, 3, 4), Normal(30, ScalarType.Float64, true, 3, 4), T(special, shape: new long[] { 3, 4 }));
                // Empty batch, 1-D and 0-d inputs, equal-rank broadcasting (positive (1, D)).
                AssertSame(ours, native, T(Array.Empty<double>(), shape: new long[] { 0, 4 }),
                    T(Array.Empty<double>(), shape: new long[] { 0, 4 }), T(Array.Empty<double>(), shape: new long[] { 0, 4 }));
                AssertSame(ours, native, Normal(31, ScalarType.Float64, true, 4), Normal(32, ScalarType.Float64, true, 4), Normal(33, ScalarType.Float64, true, 4));
                AssertSame(ours, native, Scalar0(0.5), Scalar0(1.5), Scalar0(-0.25));
                AssertSame(ours, native, Normal(34, ScalarType.Float64, true, 3, 4), Normal(35, ScalarType.Float64, true, 1, 4), Normal(36, ScalarType.Float64, true, 3, 4));
                foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 })   // float16: libtorch 2.10's CPU kernels
                    AssertSame(ours, native, Normal(37, dtype, true, 3, 4), Normal(38, dtype, true, 3, 4), Normal(39, dtype, true, 3, 4));
                // No features (D = 0): every distance is 0 for p ≥ 0.
                foreach (var p in new[] { 0.0, 1.0, 2.0 })
                    AssertSame(t => L.triplet_margin_loss(t[0], t[1], t[2], 0.5, p, 1e-6, swap, reduction),
                        t => N.triplet_margin_loss(t[0], t[1], t[2], 0.5, p, 1e-6, swap, reduction),
                        T(Array.Empty<double>(), shape: new long[] { 3, 0 }), T(Array.Empty<double>(), shape: new long[] { 3, 0 }),
                        T(Array.Empty<double>(), shape: new long[] { 3, 0 }));
            }
    }

    [TestMethod]
    public void TripletWithoutFeaturesRejectsTheNormsThatHaveNoValueThere()
    {
        // Over an empty last dimension the ±∞-norms and the negative ones (a max or min over nothing) have no value:
        // libtorch 2.10's vector_norm raises (PyTorch 1.13's norm gave 0), and so does the composition, with its message.
        using var scope = NewDisposeScope();
        var empty = zeros(3, 0);
        foreach (var (p, shown) in new[] { (double.PositiveInfinity, "inf"), (double.NegativeInfinity, "-inf"), (-1.0, "-1"), (-0.5, "-0.5"), (-1e-7, "-1e-07") })
        {
            var expected = $"linalg.vector_norm cannot compute the {shown} norm on the dimension 1because this dimension is empty and the operation " +
                           "does not have an identity";
            var native = Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => N.triplet_margin_loss(empty, empty, empty, 1.0, p));
            Assert.AreEqual(expected, native.Message, $"libtorch, p = {p}");
            var ours = Assert.ThrowsExactly<ArgumentException>(() => L.triplet_margin_loss(empty, empty, empty, 1.0, p));
            StringAssert.StartsWith(ours.Message, expected, $"p = {p}");
            Assert.AreEqual("p", ours.ParamName);
        }
        // The dimension named is the last one of the broadcast difference.
        var e = Assert.ThrowsExactly<ArgumentException>(() => L.triplet_margin_loss(zeros(2, 3, 0), zeros(2, 3, 0), zeros(1, 3, 0), 1.0, double.PositiveInfinity));
        StringAssert.StartsWith(e.Message, "linalg.vector_norm cannot compute the inf norm on the dimension 2because");
        // An empty batch with features is fine for every p.
        Assert.AreEqual(0L, L.triplet_margin_loss(zeros(0, 4), zeros(0, 4), zeros(0, 4), 1.0, double.PositiveInfinity, reduction: R.None).numel());
    }

    [TestMethod]
    public void TripletChecksReductionThenMarginThenDimensions()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => L.triplet_margin_loss(ones(3, 4), ones(4), ones(3, 4)));
        StringAssert.StartsWith(e.Message,
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor 2D, positive 1D, " +
            "and negative 2D inputs");
        Assert.AreEqual("positive", e.ParamName);
        e = Assert.ThrowsExactly<ArgumentException>(() => L.triplet_margin_loss(ones(3, 4), ones(3, 4), ones(4)));
        StringAssert.StartsWith(e.Message, "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: " +
                                           "anchor 2D, positive 2D, and negative 1D inputs");
        Assert.AreEqual("negative", e.ParamName);
        var m = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.triplet_margin_loss(ones(3, 4), ones(4), ones(3, 4), 0.0));
        StringAssert.StartsWith(m.Message, "margin must be greater than 0, got 0.0");
        Assert.AreEqual("margin", m.ParamName);
        m = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.triplet_margin_loss(ones(3, 4), ones(3, 4), ones(3, 4), -1.0));
        StringAssert.StartsWith(m.Message, "margin must be greater than 0, got -1.0");
        var r = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            L.triplet_margin_loss(ones(3, 4), ones(4), ones(3, 4), -1.0, reduction: (R)3));
        StringAssert.StartsWith(r.Message, "3 is not a valid value for reduction");
        // A NaN margin passes the check (Python's margin <= 0 is false for it) and gives NaN.
        Assert.IsTrue(double.IsNaN(L.triplet_margin_loss(ones(2, 3), ones(2, 3), zeros(2, 3), double.NaN).item<float>()));
        var b = Assert.ThrowsExactly<ArgumentException>(() => L.triplet_margin_loss(ones(3, 4), ones(3, 5), ones(3, 4)));
        Assert.AreEqual("positive", b.ParamName);
        StringAssert.StartsWith(b.Message, "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1");
    }

    [TestMethod]
    public void TripletLegacyArgumentsAndModule()
    {
        using var scope = NewDisposeScope();
        var (a, p, n) = (Normal(40, ScalarType.Float64, true, 3, 4), Normal(41, ScalarType.Float64, true, 3, 4), Normal(42, ScalarType.Float64, true, 3, 4));
        AssertClose(L.triplet_margin_loss(a, p, n, 2.0, 1.0, 1e-6, true, R.Sum),
            L.triplet_margin_loss(a, p, n, 2.0, 1.0, 1e-6, true, size_average: false), "legacy sum");
        Assert.AreEqual(R.None, TorchLosses.nn.TripletMarginLoss(1.0, 2.0, 1e-6, false, null, reduce: false).reduction);
        var module = TorchLosses.nn.TripletMarginLoss(2.0, 1.0, 1e-3, true, R.None);
        (double, double, double, bool) parameters = (module.margin, module.p, module.eps, module.swap);
        Assert.AreEqual((2.0, 1.0, 1e-3, true), parameters);
        AssertClose(L.triplet_margin_loss(a, p, n, 2.0, 1.0, 1e-3, true, R.None), module.call(a, p, n), "module");
        AssertClose(L.triplet_margin_loss(a, p, n), TorchLosses.nn.TripletMarginLoss().call(a, p, n), "defaults");
    }

    // ----- triplet_margin_with_distance_loss -----

    private static Func<Tensor, Tensor, Tensor>? ReferenceDistance(string name) => name switch
    {
        "cosine_swap" => (x, y) => 1.0 - torch.nn.functional.cosine_similarity(x, y),
        "l1_kink" => (x, y) => (x - y).abs().sum(-1L),
        _ => null,
    };

    [TestMethod]
    public void WithDistanceMatchesPyTorchsReferenceVectors()
    {
        foreach (var c in Ref.Cases)
        {
            using var scope = NewDisposeScope();
            bool kink = c.Name == "l1_kink";
            var a = kink ? T(Ref.KinkA, c.Dtype, shape: new long[] { 2, 2 }) : T(Ref.A, c.Dtype, shape: new long[] { 3, 4 });
            // default_broadcast: PyTorch 1.13 broadcast a positive (4) against the (3, 4) anchor; PyTorch 2.x requires equal ranks,
            // so the recorded positive is given as (1, 4), which broadcasts to the same values and gradient.
            var p = kink ? T(Ref.KinkP, c.Dtype, shape: new long[] { 2, 2 })
                : c.Name == "default_broadcast" ? T(Ref.P.Take(4).ToArray(), c.Dtype, shape: new long[] { 1, 4 }) : T(Ref.P, c.Dtype, shape: new long[] { 3, 4 });
            var n = kink ? T(Ref.KinkN, c.Dtype, shape: new long[] { 2, 2 }) : T(Ref.N, c.Dtype, shape: new long[] { 3, 4 });
            double margin = c.Name switch { "cosine_swap" => 0.5, "default_broadcast" => 2.0, _ => 1.0 };
            bool swap = c.Name.EndsWith("swap", StringComparison.Ordinal);
            var loss = L.triplet_margin_with_distance_loss(a, p, n, ReferenceDistance(c.Name), margin, swap, c.Reduction);
            var what = $"{c.Name} {c.Dtype} {c.Reduction}";
            var expected = c.Reduction == R.None ? tensor(c.Loss) : tensor(c.Loss[0]);
            AssertClose(expected.to(c.Dtype), loss.detach(), what + " value");
            var upstream = c.Reduction == R.None ? loss * tensor(Ref.W.Take((int)loss.numel()).ToArray()).to(c.Dtype) : loss;
            upstream.sum().backward();
            AssertClose(tensor(c.AnchorGrad, a.shape).to(c.Dtype), a.grad!, what + " anchor gradient");
            AssertClose(tensor(c.PositiveGrad, p.shape).to(c.Dtype), p.grad!, what + " positive gradient");
            AssertClose(tensor(c.NegativeGrad, n.shape).to(c.Dtype), n.grad!, what + " negative gradient");
        }
    }

    [TestMethod]
    public void WithDefaultDistanceEqualsTripletMarginLoss()
    {
        // Identity: the default distance is pairwise_distance(p = 2, eps = 1e-6), so the loss is
        // triplet_margin_loss(p = 2, eps = 1e-6) — values and gradients (both add the margin first, as PyTorch 2.x).
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var swap in new[] { false, true })
                    foreach (var margin in new[] { 1.0, 0.25 })
                    {
                        Func<Tensor[], Tensor> withDistance = t => L.triplet_margin_with_distance_loss(t[0], t[1], t[2], null, margin, swap, reduction);
                        AssertSame(withDistance, t => N.triplet_margin_loss(t[0], t[1], t[2], margin, 2.0, 1e-6, swap, reduction),
                            Normal(50, dtype, true, 6, 4), Normal(51, dtype, true, 6, 4), Normal(52, dtype, true, 6, 4));
                        AssertSame(withDistance, t => L.triplet_margin_loss(t[0], t[1], t[2], margin, 2.0, 1e-6, swap, reduction),
                            Normal(53, dtype, true, 6, 4), Normal(53, dtype, true, 6, 4), Normal(54, dtype, true, 6, 4));
                    }
        double nan = double.NaN, inf = double.PositiveInfinity;
        var special = new[] { nan, 1, 2, inf, -inf, 0, 1, 1, 0, 0, 0, 0 };
        AssertSame(t => L.triplet_margin_with_distance_loss(t[0], t[1], t[2], swap: true, reduction: R.None),
            t => N.triplet_margin_loss(t[0], t[1], t[2], 1.0, 2.0, 1e-6, true, R.None),
            T(special, shape: new long[] { 3, 4 }), Normal(55, ScalarType.Float64, true, 3, 4), T(Enumerable.Reverse(special).ToArray(), shape: new long[] { 3, 4 }));
    }

    [TestMethod]
    public void WithDistanceChecksTheDimensionsThenCallsTheDistance()
    {
        using var scope = NewDisposeScope();
        var calls = new List<(long[], long[])>();
        Tensor Distance(Tensor x, Tensor y)
        {
            calls.Add((x.shape, y.shape));
            return (x - y).square().sum(-1L);
        }
        // PyTorch 2.x checks the ranks before calling the distance (1.13 let a positive (D) broadcast against (N, D)).
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            L.triplet_margin_with_distance_loss(ones(3, 4), ones(4), ones(3, 4), Distance));
        StringAssert.StartsWith(e.Message, "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: " +
                                           "anchor 2D, positive 1D, and negative 2D inputs");
        Assert.AreEqual(0, calls.Count, "checked before the distance is called");
        var (a, p, n) = (Normal(60, ScalarType.Float64, true, 3, 4), Normal(61, ScalarType.Float64, true, 1, 4), Normal(62, ScalarType.Float64, true, 3, 4));
        var loss = L.triplet_margin_with_distance_loss(a, p, n, Distance, 1.0, swap: false, R.None);
        Assert.AreEqual(2, calls.Count);
        CollectionAssert.AreEqual(new long[] { 3 }, loss.shape);
        calls.Clear();
        L.triplet_margin_with_distance_loss(a, p, n, Distance, 1.0, swap: true);
        Assert.AreEqual(3, calls.Count);
        CollectionAssert.AreEqual(new long[] { 1, 4 }, calls[2].Item1); // the swap distance is f(positive, negative)
        // Squared Euclidean distance, by hand: max(0, |a − p|² − |a − n|² + 1).
        var expected = ((a - p).square().sum(-1L) - (a - n).square().sum(-1L) + 1).clamp_min(0);
        AssertClose(expected.detach(), loss.detach(), "squared euclidean");
    }

    [TestMethod]
    public void WithDistanceRejectsNonPositiveMarginsAndBadReductions()
    {
        using var scope = NewDisposeScope();
        int calls = 0;
        Tensor Counting(Tensor x, Tensor y) { calls++; return (x - y).abs().sum(-1L); }
        var m = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            L.triplet_margin_with_distance_loss(ones(2, 3), ones(2, 3), ones(2, 3), Counting, margin: 0.0));
        StringAssert.StartsWith(m.Message, "margin must be greater than 0, got 0.0");
        m = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            L.triplet_margin_with_distance_loss(ones(2, 3), ones(2, 3), ones(2, 3), margin: -0.5));
        StringAssert.StartsWith(m.Message, "margin must be greater than 0, got -0.5");
        var r = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            L.triplet_margin_with_distance_loss(ones(2, 3), ones(2, 3), ones(2, 3), Counting, reduction: (R)(-1)));
        StringAssert.StartsWith(r.Message, "-1 is not a valid value for reduction");
        Assert.AreEqual(0, calls, "checked before the distance is called");
    }

    [TestMethod]
    public void WithDistanceModuleEqualsFunctional()
    {
        using var scope = NewDisposeScope();
        Func<Tensor, Tensor, Tensor> cosine = (x, y) => 1.0 - torch.nn.functional.cosine_similarity(x, y);
        var (a, p, n) = (Normal(70, ScalarType.Float64, true, 3, 4), Normal(71, ScalarType.Float64, true, 3, 4), Normal(72, ScalarType.Float64, true, 3, 4));
        var module = TorchLosses.nn.TripletMarginWithDistanceLoss(cosine, 0.5, true, R.Sum);
        Assert.AreSame(cosine, module.distance_function);
        Assert.AreEqual((0.5, true), (module.margin, module.swap));
        AssertClose(L.triplet_margin_with_distance_loss(a, p, n, cosine, 0.5, true, R.Sum), module.call(a, p, n), "module");
        var defaults = TorchLosses.nn.TripletMarginWithDistanceLoss();
        Assert.IsNull(defaults.distance_function);
        AssertClose(L.triplet_margin_with_distance_loss(a, p, n), defaults.call(a, p, n), "defaults");
    }

    [TestMethod]
    public void Float16MatchesLibtorch()
    {
        // libtorch 2.10 has float16 CPU kernels for the norm, clamp_min and sqrt (1.13 had none): the triplet losses and
        // the cosine embedding loss run in float16, values and gradients, as the compositions do.
        var y = new[] { 1.0, -1, -1, 1 };
        foreach (var reduction in AllReductions)
            foreach (var swap in new[] { false, true })
            {
                Tensor[] Triplet() => new[] { Normal(80, ScalarType.Float16, true, 4, 3), Normal(81, ScalarType.Float16, true, 4, 3), Normal(82, ScalarType.Float16, true, 4, 3) };
                AssertSame(t => L.triplet_margin_loss(t[0], t[1], t[2], 1.0, 2.0, 1e-6, swap, reduction),
                    t => N.triplet_margin_loss(t[0], t[1], t[2], 1.0, 2.0, 1e-6, swap, reduction), Triplet());
                AssertSame(t => L.triplet_margin_with_distance_loss(t[0], t[1], t[2], null, 1.0, swap, reduction),
                    t => N.triplet_margin_loss(t[0], t[1], t[2], 1.0, 2.0, 1e-6, swap, reduction), Triplet());
            }
        foreach (var reduction in AllReductions)
            AssertSame(a => L.cosine_embedding_loss(a[0], a[1], a[2], 0.25, reduction), a => N.cosine_embedding_loss(a[0], a[1], a[2], 0.25, reduction),
                Normal(83, ScalarType.Float16, true, 4, 3), Normal(84, ScalarType.Float16, true, 4, 3), T(y, ScalarType.Float16, false));
    }

    [TestMethod]
    public void RunOnTheMetaDevice()
    {
        using var scope = NewDisposeScope();
        var x = empty(new long[] { 3, 4 }, device: META);
        foreach (var reduction in AllReductions)
            foreach (var swap in new[] { false, true })
            {
                var triplet = L.triplet_margin_loss(x, x, x, 1.0, 2.0, 1e-6, swap, reduction);
                var oneNorm = L.triplet_margin_loss(x, x, x, 1.0, 1.0, 1e-6, swap, reduction);
                var withDistance = L.triplet_margin_with_distance_loss(x, x, x, null, 1.0, swap, reduction);
                foreach (var loss in new[] { triplet, oneNorm, withDistance })
                {
                    Assert.AreEqual(DeviceType.META, loss.device_type);
                    CollectionAssert.AreEqual(reduction == R.None ? new long[] { 3 } : Array.Empty<long>(), loss.shape);
                }
            }
    }
}
