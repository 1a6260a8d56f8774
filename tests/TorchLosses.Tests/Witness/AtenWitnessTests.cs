using System.Runtime.InteropServices;
using static TorchSharp.torch.nn;

namespace TorchLossesTests.Witness;

/// <summary>
/// The native witness itself (<see cref="TorchLosses.Parity.Aten"/>: libtorch 2.10's ATen loss ops through TorchScript)
/// against values and gradients that real PyTorch 1.13 produced (Debian's <c>/usr/bin/python3</c>,
/// <c>import torch.nn.functional as F</c>; each expectation names the call), so the reference the tests and the parity
/// suite hold the losses to is itself checked, parameter by parameter. Inputs are float64, so values and gradients must
/// agree to ~1e-12 relative; "grad" lists are the leaf's <c>.grad</c> after <c>loss.sum().backward()</c> (for a 0-d loss
/// that is <c>loss.backward()</c>; for 'none' it is backward with a ones gradient). On every case here libtorch 2.10
/// agrees with 1.13.
/// </summary>
[TestClass]
public sealed class AtenWitnessTests
{
    private const double Rtol = 1e-12;

    // ---- helpers ---------------------------------------------------------------------------------

    private static Tensor Vec(params double[] values) => tensor(values, float64, requires_grad: true);

    private static Tensor Mat(double[,] values, bool requiresGrad = true) => tensor(values, float64, requires_grad: requiresGrad);

    private static Tensor Labels(params long[] values) => tensor(values);

    /// <summary>Element-wise |actual − expected| ≤ rtol·|expected| + 1e-14 (NaN matches NaN only).</summary>
    private static void AssertClose(double[] expected, Tensor actual, string what, double rtol = Rtol)
    {
        var got = actual.data<double>().ToArray();
        Assert.AreEqual(expected.Length, got.Length, $"{what}: element count");
        for (int k = 0; k < expected.Length; k++)
        {
            if (double.IsNaN(expected[k]))
                Assert.IsTrue(double.IsNaN(got[k]), $"{what}[{k}]: expected NaN, got {got[k]:R}");
            else if (double.IsInfinity(expected[k]))
                Assert.AreEqual(expected[k], got[k], $"{what}[{k}]");
            else
                Assert.AreEqual(expected[k], got[k], rtol * Math.Abs(expected[k]) + 1e-14, $"{what}[{k}]");
        }
    }

    /// <summary>Checks the loss value (and shape), backpropagates its sum and checks each leaf's gradient.</summary>
    private static void AssertLoss(Tensor loss, long[] shape, double[] value, params (Tensor leaf, double[] grad)[] grads)
    {
        CollectionAssert.AreEqual(shape, loss.shape, "loss shape");
        AssertClose(value, loss, "loss");
        loss.sum().backward();
        for (int k = 0; k < grads.Length; k++)
        {
            var grad = grads[k].leaf.grad;
            Assert.IsNotNull(grad, $"argument {k} has no gradient");
            AssertClose(grads[k].grad, grad, $"grad of argument {k}");
        }
    }

    private static readonly long[] Scalar0D = Array.Empty<long>();

    // ---- the anchors ---------------------------------------------------------------------

    [TestMethod]
    public void SmoothL1AnchorIsThreeQuartersInFloat32()
    {
        using var scope = NewDisposeScope();
        var input = tensor(new[] { 0.5f, 1.5f, 2.5f }, requires_grad: true);
        var target = tensor(new[] { 1f, 2f, 5f });
        var loss = N.smooth_l1_loss(input, target, Reduction.Mean, beta: 1.0);
        // N.smooth_l1_loss([0.5,1.5,2.5], [1,2,5], beta=1.0) = 0.75; grad [-1/6, -1/6, -1/3]
        Assert.AreEqual(0.75f, loss.item<float>(), 1e-7f);
        loss.backward();
        CollectionAssert.AreEqual(new[] { -0.1666666716337204f, -0.1666666716337204f, -0.3333333432674408f },
            input.grad!.data<float>().ToArray());
    }

    [TestMethod]
    public void HuberAnchorWithDeltaHalfIsElevenTwentyFourths()
    {
        using var scope = NewDisposeScope();
        // N.huber_loss([0.5,1.5,2.5], [1,2,5], delta=0.5) = 0.4583333333333333 (float64) = 11/24
        var loss = N.huber_loss(Vec(0.5, 1.5, 2.5), tensor(new[] { 1.0, 2.0, 5.0 }), delta: 0.5);
        Assert.AreEqual(11.0 / 24.0, loss.item<double>(), 1e-15);

        var input = tensor(new[] { 0.5f, 1.5f, 2.5f }, requires_grad: true);
        var loss32 = N.huber_loss(input, tensor(new[] { 1f, 2f, 5f }), delta: 0.5);
        Assert.AreEqual(0.4583333432674408f, loss32.item<float>(), 1e-7f);
        loss32.backward();
        // d/dx = clamp(d, -delta, delta)/3 = [-1/6, -1/6, -1/6]
        CollectionAssert.AreEqual(new[] { -0.1666666716337204f, -0.1666666716337204f, -0.1666666716337204f },
            input.grad!.data<float>().ToArray());
    }

    // ---- regression losses -----------------------------------------------------------------------

    // F.l1_loss / F.mse_loss (x=[0.5,-1.25,3.0], y=[1,2,-0.5], reduction=r), both requiring grad; the
    // target's gradient is the negated input gradient.
    [TestMethod]
    [DataRow("l1", Reduction.None, new[] { 0.5, 3.25, 3.5 }, new[] { -1.0, -1.0, 1.0 })]
    [DataRow("l1", Reduction.Mean, new[] { 2.4166666666666665 }, new[] { -0.3333333333333333, -0.3333333333333333, 0.3333333333333333 })]
    [DataRow("l1", Reduction.Sum, new[] { 7.25 }, new[] { -1.0, -1.0, 1.0 })]
    [DataRow("mse", Reduction.None, new[] { 0.25, 10.5625, 12.25 }, new[] { -1.0, -6.5, 7.0 })]
    [DataRow("mse", Reduction.Mean, new[] { 7.6875 }, new[] { -0.3333333333333333, -2.1666666666666665, 2.333333333333333 })]
    [DataRow("mse", Reduction.Sum, new[] { 23.0625 }, new[] { -1.0, -6.5, 7.0 })]
    public void L1AndMseLossMatchPyTorch(string loss, Reduction reduction, double[] value, double[] inputGrad)
    {
        using var scope = NewDisposeScope();
        var x = Vec(0.5, -1.25, 3.0);
        var y = Vec(1.0, 2.0, -0.5);
        var result = loss == "l1" ? N.l1_loss(x, y, reduction) : N.mse_loss(x, y, reduction);
        var targetGrad = inputGrad.Select(g => -g).ToArray();
        AssertLoss(result, reduction == Reduction.None ? [3] : Scalar0D, value, (x, inputGrad), (y, targetGrad));
    }

    [TestMethod]
    public void MseLossBroadcastsTheTargetAsPyTorchDoes()
    {
        using var scope = NewDisposeScope();
        var x = Mat(new[,] { { 0.5, -1.25, 3.0 }, { 1, 2, 3 } });
        var y = Vec(1.0, 2.0, -0.5);
        // N.mse_loss(x (2,3), y (3)) = 5.885416666666667; the target's gradient sums over the broadcast rows.
        AssertLoss(N.mse_loss(x, y), Scalar0D, [5.885416666666667],
            (x, [-0.16666666666666666, -1.0833333333333333, 1.1666666666666665, 0.0, 0.0, 1.1666666666666665]),
            (y, [0.16666666666666666, 1.0833333333333333, -2.333333333333333]));
    }

    // N.smooth_l1_loss(x, y, reduction=r, beta=0.75) and N.huber_loss(x, y, reduction=r, delta=0.75) with
    // x=[0.5,-1.25,3.0,0.0], y=[1,2,-0.5,0.25] (both requiring grad): |d| < 0.75 for elements 0 and 3,
    // |d| > 0.75 for 1 and 2. Huber = 0.75 · smooth L1, gradients included; the target's is the negation.
    [TestMethod]
    [DataRow("smooth_l1", Reduction.None, new[] { 0.16666666666666666, 2.875, 3.125, 0.041666666666666664 },
        new[] { -0.6666666666666666, -1.0, 1.0, -0.3333333333333333 })]
    [DataRow("smooth_l1", Reduction.Sum, new[] { 6.208333333333333 }, new[] { -0.6666666666666666, -1.0, 1.0, -0.3333333333333333 })]
    [DataRow("huber", Reduction.None, new[] { 0.125, 2.15625, 2.34375, 0.03125 }, new[] { -0.5, -0.75, 0.75, -0.25 })]
    [DataRow("huber", Reduction.Sum, new[] { 4.65625 }, new[] { -0.5, -0.75, 0.75, -0.25 })]
    public void SmoothL1WithBetaAndHuberWithDeltaMatchPyTorch(string loss, Reduction reduction, double[] value, double[] inputGrad)
    {
        using var scope = NewDisposeScope();
        var x = Vec(0.5, -1.25, 3.0, 0.0);
        var y = Vec(1.0, 2.0, -0.5, 0.25);
        var result = loss == "huber" ? N.huber_loss(x, y, delta: 0.75, reduction: reduction) : N.smooth_l1_loss(x, y, reduction, beta: 0.75);
        var targetGrad = inputGrad.Select(g => -g).ToArray();
        AssertLoss(result, reduction == Reduction.None ? [4] : Scalar0D, value, (x, inputGrad), (y, targetGrad));
    }

    [TestMethod]
    public void RegressionLossDefaultsAreMeanBetaOneDeltaOne()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.5, -1.25, 3.0, 0.0 });
        var y = tensor(new[] { 1.0, 2.0, -0.5, 0.25 });
        // N.smooth_l1_loss(x, y) = N.huber_loss(x, y) = (0.125 + 2.75 + 3.0 + 0.03125) / 4
        Assert.AreEqual(1.4765625, N.smooth_l1_loss(x, y).item<double>(), 1e-15);
        Assert.AreEqual(1.4765625, N.huber_loss(x, y).item<double>(), 1e-15);
    }

    // ---- classification losses -------------------------------------------------------------------

    private static readonly double[,] Logits = { { 1.0, 2.0, 0.5, -1.0 }, { 0.0, -0.5, 3.0, 1.5 }, { 2.0, 2.0, -2.0, 0.25 } };
    private static readonly double[] ClassWeight = [1.0, 2.0, 0.5, 1.5];

    [TestMethod]
    public void CrossEntropyWithClassIndicesMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var x = Mat(Logits);
        // N.cross_entropy(x, [1,2,0])
        AssertLoss(N.cross_entropy(x, Labels(1, 2, 0)), Scalar0D, [0.5149314628371516],
            (x, [0.07473593934940037, -0.13017998746704096, 0.045329638597835176, 0.010114409519805408, 0.012735402783386522,
                 0.007724412251913535, -0.07753593049595642, 0.05707611546065633, -0.18127142125689652, 0.1520619120764368,
                 0.0027851110703224634, 0.026424398110137283]));
    }

    [TestMethod]
    public void CrossEntropyWithWeightAndDefaultIgnoreIndexMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var x = Mat(Logits);
        // N.cross_entropy(x, [1,-100,3], weight=w): the middle row is ignored and the mean divides by w[1] + w[3].
        AssertLoss(N.cross_entropy(x, Labels(1, -100, 3), tensor(ClassWeight)), Scalar0D, [1.3693276143802746],
            (x, [0.12811875317040064, -0.22316569280064164, 0.07770795188200315, 0.017338987748237843, 0.0, 0.0, 0.0, 0.0,
                 0.19550817266970444, 0.19550817266970444, 0.0035808570904145957, -0.3945972024298235]));
    }

    [TestMethod]
    public void CrossEntropyWithLabelSmoothingMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var x = Mat(Logits);
        // N.cross_entropy(x, [1,2,3], weight=w, ignore_index=2, reduction='none', label_smoothing=0.2)
        AssertLoss(N.cross_entropy(x, Labels(1, 2, 3), tensor(ClassWeight), ignore_index: 2, Reduction.None, label_smoothing: 0.2),
            [3], [1.2285865114588337, 0.0, 3.469290092353941],
            (x, [0.36478446338917214, -0.5724989304420774, 0.22657949421798523, -0.01886502716507999, 0.0, 0.0, 0.0, 0.0,
                 0.6114693175325002, 0.5614693175325002, -0.012884766844097284, -1.160053868220903]));

        var x2 = Mat(Logits);
        // N.cross_entropy(x, [1,2,3], reduction='sum', label_smoothing=0.1)
        AssertLoss(N.cross_entropy(x2, Labels(1, 2, 3), reduction: Reduction.Sum, label_smoothing: 0.1), Scalar0D, [3.601044388511455],
            (x2, [0.19920781804820115, -0.3155399624011229, 0.11098891579350553, 0.005343228559416224, 0.013206208350159565,
                  -0.001826763244259396, -0.1576077914878693, 0.146228346381969, 0.4311857362293104, 0.4311857362293104,
                  -0.016644666789032612, -0.8457268056695881]));
    }

    private static readonly double[,] Probabilities = { { 0.1, 0.2, 0.3, 0.4 }, { 0.0, 0.0, 1.0, 0.0 }, { 0.25, 0.25, 0.25, 0.25 } };

    [TestMethod]
    public void CrossEntropyWithProbabilityTargetsMatchesPyTorchIncludingTheTargetGradient()
    {
        using var scope = NewDisposeScope();
        var x = Mat(Logits);
        var p = Mat(Probabilities);
        // N.cross_entropy(x, p) with p requiring grad
        AssertLoss(N.cross_entropy(x, p), Scalar0D, [1.5774314628371515],
            (x, [0.04140260601606706, 0.13648667919962573, -0.05467036140216481, -0.12321892381352792, 0.012735402783386522,
                 0.007724412251913535, -0.07753593049595642, 0.05707611546065633, 0.06872857874310347, 0.06872857874310347,
                 -0.08054822226301087, -0.056908935223196046]),
            (p, [0.49839396602861863, 0.16506063269528534, 0.6650606326952853, 1.1650606326952853, 1.0882524181064774,
                 1.2549190847731442, 0.08825241810647758, 0.5882524181064775, 0.26161841203538866, 0.26161841203538866,
                 1.5949517453687219, 0.844951745368722]));

        var x2 = Mat(Logits);
        var p2 = Mat(Probabilities);
        // N.cross_entropy(x, p, weight=w, reduction='sum', label_smoothing=0.3)
        AssertLoss(N.cross_entropy(x2, p2, tensor(ClassWeight), reduction: Reduction.Sum, label_smoothing: 0.3), Scalar0D, [5.823245427121616],
            (x2, [0.13525977256025143, 0.3318250469985965, 0.02748614474188192, -0.49457096430072967, -0.04730049894613432,
                  -0.13319940335208805, 0.16885935117129475, 0.011640551126927504, 0.32023217028663803, 0.07023217028663802,
                  -0.11455583348629077, -0.27590850708698517]),
            (p2, [1.046627328660099, 0.6932546573201984, 0.6983136643300496, 3.6699409929901483, 2.2853300780236028,
                  5.270660156047205, 0.09266503901180145, 1.8529951170354044, 0.5493986652743161, 1.0987973305486323,
                  1.674699332637158, 2.6615979979114743]));
    }

    [TestMethod]
    public void NllLossOfOneDimensionalInputWithZeroDimensionalTarget()
    {
        using var scope = NewDisposeScope();
        var x = Vec(-1.5, -0.25, -2.0, -3.0);
        // N.nll_loss(x (4), tensor(2)) = 2.0
        AssertLoss(N.nll_loss(x, tensor(2L)), Scalar0D, [2.0], (x, [0.0, 0.0, -1.0, 0.0]));
    }

    [TestMethod]
    public void NllLossOfTwoDimensionalInputWithWeightAndIgnoreIndex()
    {
        using var scope = NewDisposeScope();
        var x = Mat(Logits);
        // N.nll_loss(x, [1,-100,3], weight=w) = -(2·2 + 1.5·0.25)/(2 + 1.5)
        AssertLoss(N.nll_loss(x, Labels(1, -100, 3), tensor(ClassWeight)), Scalar0D, [-1.25],
            (x, [0.0, -0.5714285714285714, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.42857142857142855]));

        var x2 = Mat(Logits);
        // N.nll_loss(x, [1,0,3], weight=w, ignore_index=0, reduction='sum')
        AssertLoss(N.nll_loss(x2, Labels(1, 0, 3), tensor(ClassWeight), Reduction.Sum, ignore_index: 0), Scalar0D, [-4.375],
            (x2, [0.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.5]));
    }

    private static readonly double[] KDimInput = [1.0, 2.0, 0.5, -1.0, 0.0, 3.0, -0.5, 1.5, 2.0, 2.0, 0.25, -2.0];

    [TestMethod]
    public void NllLossOfKDimensionalInput()
    {
        using var scope = NewDisposeScope();
        var x = tensor(KDimInput, [2, 3, 2], float64, requires_grad: true);
        var target = tensor(new long[] { 0, 2, 1, 1 }, [2, 2]);
        // N.nll_loss(x (2,3,2), [[0,2],[1,1]], reduction='none')
        AssertLoss(N.nll_loss(x, target, reduction: Reduction.None), [2, 2], [-1.0, -3.0, -2.0, -2.0],
            (x, [-1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, -1.0, -1.0, 0.0, 0.0]));

        var x2 = tensor(KDimInput, [2, 3, 2], float64, requires_grad: true);
        // N.nll_loss(x (2,3,2), [[0,2],[1,1]], weight=[0.5,1,2])
        AssertLoss(N.nll_loss(x2, target, tensor(new[] { 0.5, 1.0, 2.0 })), Scalar0D, [-2.3333333333333335],
            (x2, [-0.1111111111111111, 0.0, 0.0, 0.0, 0.0, -0.4444444444444444, 0.0, 0.0, -0.2222222222222222,
                  -0.2222222222222222, 0.0, 0.0]));
    }

    // N.kl_div(x=[-1,-0.5,-2], y=[0.2,0.5,0.3], reduction=r), both requiring grad (log_target defaults to False).
    [TestMethod]
    [DataRow(Reduction.None, new[] { -0.12188758248682008, -0.09657359027997264, 0.23880815870221916 },
        new[] { -0.2, -0.5, -0.3 }, new[] { 0.3905620875658997, 0.8068528194400547, 1.7960271956740639 })]
    [DataRow(Reduction.Mean, new[] { 0.006782328645142148 },
        new[] { -0.06666666666666667, -0.16666666666666666, -0.09999999999999999 },
        new[] { 0.1301873625219666, 0.26895093981335155, 0.5986757318913546 })]
    [DataRow(Reduction.Sum, new[] { 0.020346985935426443 },
        new[] { -0.2, -0.5, -0.3 }, new[] { 0.3905620875658997, 0.8068528194400547, 1.7960271956740639 })]
    public void KlDivMatchesPyTorch(Reduction reduction, double[] value, double[] inputGrad, double[] targetGrad)
    {
        using var scope = NewDisposeScope();
        var x = Vec(-1.0, -0.5, -2.0);
        var y = Vec(0.2, 0.5, 0.3);
        AssertLoss(N.kl_div(x, y, reduction: reduction), reduction == Reduction.None ? [3] : Scalar0D, value, (x, inputGrad), (y, targetGrad));
    }

    [TestMethod]
    public void KlDivWithLogTarget()
    {
        using var scope = NewDisposeScope();
        var x = Vec(-1.0, -0.5, -2.0);
        var y = Vec(-1.6, -0.7, -1.2);
        // N.kl_div(x, y, reduction='sum', log_target=True)
        AssertLoss(N.kl_div(x, y, log_target: true, reduction: Reduction.Sum), Scalar0D, [0.020500397974686585],
            (x, [-0.20189651799465538, -0.4965853037914095, -0.30119421191220214]),
            (y, [0.08075860719786214, 0.39726824303312763, 0.5421495814419639]));
    }

    // N.binary_cross_entropy(x=[0.2,0.7,0.95], y=[0,1,0.5], weight=[1,2,0.5], reduction=r), both requiring grad.
    [TestMethod]
    [DataRow(Reduction.None, new[] { 0.2231435513142097, 0.7133498878774649, 0.7617563919853851 },
        new[] { 1.2499999999999998, -2.857142857142857, 4.736842105263153 },
        new[] { 1.3862943611198906, -1.694595720774407, -1.4722194895832197 })]
    [DataRow(Reduction.Mean, new[] { 0.56608327705902 },
        new[] { 0.4166666666666666, -0.9523809523809524, 1.578947368421051 },
        new[] { 0.46209812037329684, -0.5648652402581357, -0.49073982986107323 })]
    [DataRow(Reduction.Sum, new[] { 1.6982498311770597 },
        new[] { 1.2499999999999998, -2.857142857142857, 4.736842105263153 },
        new[] { 1.3862943611198906, -1.694595720774407, -1.4722194895832197 })]
    public void BinaryCrossEntropyWithWeightMatchesPyTorch(Reduction reduction, double[] value, double[] inputGrad, double[] targetGrad)
    {
        using var scope = NewDisposeScope();
        var x = Vec(0.2, 0.7, 0.95);
        var y = Vec(0.0, 1.0, 0.5);
        var loss = N.binary_cross_entropy(x, y, tensor(new[] { 1.0, 2.0, 0.5 }), reduction);
        AssertLoss(loss, reduction == Reduction.None ? [3] : Scalar0D, value, (x, inputGrad), (y, targetGrad));
    }

    [TestMethod]
    public void BinaryCrossEntropyDefaultsToUnweightedMean()
    {
        using var scope = NewDisposeScope();
        var x = Vec(0.2, 0.7, 0.95);
        var y = Vec(0.0, 1.0, 0.5);
        // N.binary_cross_entropy(x, y)
        AssertLoss(N.binary_cross_entropy(x, y), Scalar0D, [0.7011104264079041],
            (x, [0.4166666666666666, -0.4761904761904762, 3.157894736842102]),
            (y, [0.46209812037329684, -0.28243262012906784, -0.9814796597221465]));
    }

    private static readonly double[,] LogitGrid = { { 0.5, -1.0, 2.0 }, { -3.0, 0.0, 1.5 } };

    [TestMethod]
    public void BinaryCrossEntropyWithLogitsWithWeightAndPosWeight()
    {
        using var scope = NewDisposeScope();
        var x = Mat(LogitGrid);
        var y = Mat(new[,] { { 1.0, 0.0, 1.0 }, { 0.0, 0.5, 1.0 } });
        // N.binary_cross_entropy_with_logits(x, y, weight=[1,0.5,2], pos_weight=[2,1,3])
        var loss = N.binary_cross_entropy_with_logits(x, y, tensor(new[] { 1.0, 0.5, 2.0 }), pos_weight: tensor(new[] { 2.0, 1.0, 3.0 }));
        AssertLoss(loss, Scalar0D, [0.5783322480212317],
            (x, [-0.1258468895993818, 0.02241178511416626, -0.11920292202211764, 0.00790431219626113, 0.0, -0.18242552380635635]),
            (y, [-0.004320502636648886, 0.08333333333333333, -0.5820479926380183, 1.008097891928957, 0.0, -0.3657244813448317]));
    }

    [TestMethod]
    public void BinaryCrossEntropyWithLogitsUnreduced()
    {
        using var scope = NewDisposeScope();
        var x = Mat(LogitGrid);
        var y = Mat(new[,] { { 1.0, 0.0, 1.0 }, { 0.0, 0.5, 1.0 } });
        // N.binary_cross_entropy_with_logits(x, y, reduction='none'); the target's gradient is -x.
        AssertLoss(N.binary_cross_entropy_with_logits(x, y, reduction: Reduction.None), [2, 3],
            [0.4740769841801067, 0.31326168751822286, 0.1269280110429726, 0.048587351573741965, 0.6931471805599453, 0.20141327798275246],
            (x, [-0.3775406687981454, 0.2689414213699951, -0.11920292202211769, 0.04742587317756678, 0.0, -0.18242552380635635]),
            (y, [-0.5, 1.0, -2.0, 3.0, -0.0, -1.5]));
    }

    // ---- margin and embedding losses -------------------------------------------------------------

    [TestMethod]
    public void MarginRankingLossMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var target = tensor(new[] { 1.0, 1.0, -1.0, -1.0 });
        var x1 = Vec(1.0, 0.5, -1.0, 2.0);
        var x2 = Vec(0.5, 1.0, -0.5, 2.0);
        // N.margin_ranking_loss(x1, x2, y, margin=0.25)
        AssertLoss(N.margin_ranking_loss(x1, x2, target, margin: 0.25), Scalar0D, [0.25],
            (x1, [0.0, -0.25, 0.0, 0.25]), (x2, [0.0, 0.25, 0.0, -0.25]));

        var a = Vec(1.0, 0.5, -1.0, 2.0);
        var b = Vec(0.5, 1.0, -0.5, 2.0);
        // N.margin_ranking_loss(x1, x2, y, reduction='none') (margin 0)
        AssertLoss(N.margin_ranking_loss(a, b, target, reduction: Reduction.None), [4], [0.0, 0.5, 0.0, 0.0],
            (a, [0.0, -1.0, 0.0, 1.0]), (b, [0.0, 1.0, 0.0, -1.0]));
    }

    [TestMethod]
    public void HingeEmbeddingLossDefaultsToPyTorchsMarginOfOne()
    {
        using var scope = NewDisposeScope();
        var target = tensor(new[] { 1.0, -1.0, -1.0, -1.0 });
        var x = Vec(0.3, -0.2, 1.5, 0.4);
        // N.hinge_embedding_loss(x, y) = (0.3 + 1.2 + 0 + 0.6)/4 (margin 1.0; TorchSharp's 0.0 would give 0.075)
        AssertLoss(N.hinge_embedding_loss(x, target), Scalar0D, [0.525], (x, [0.25, -0.25, 0.0, -0.25]));

        var x2 = Vec(0.3, -0.2, 1.5, 0.4);
        // N.hinge_embedding_loss(x, y, margin=0.5, reduction='sum')
        AssertLoss(N.hinge_embedding_loss(x2, target, margin: 0.5, reduction: Reduction.Sum), Scalar0D, [1.1], (x2, [1.0, -1.0, 0.0, -1.0]));
    }

    [TestMethod]
    public void MultilabelMarginLossMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var input = new[,] { { 0.1, 0.2, 0.4, 0.8 }, { 0.5, -0.3, 0.9, 0.0 } };
        var target = tensor(new long[] { 3, 0, -1, 1, 2, -1, 0, 0 }, [2, 4]);
        var x = Mat(input);
        // N.multilabel_margin_loss(x, [[3,0,-1,1],[2,-1,0,0]]): the labels end at the first -1.
        AssertLoss(N.multilabel_margin_loss(x, target), Scalar0D, [0.5125000000000001],
            (x, [-0.25, 0.25, 0.25, -0.25, 0.125, 0.0, -0.25, 0.125]));

        var x2 = Mat(input);
        // N.multilabel_margin_loss(x, target, reduction='none')
        AssertLoss(N.multilabel_margin_loss(x2, target, Reduction.None), [2], [0.8500000000000001, 0.175],
            (x2, [-0.5, 0.5, 0.5, -0.5, 0.25, 0.0, -0.5, 0.25]));
    }

    [TestMethod]
    public void SoftMarginLossMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var target = tensor(new[] { 1.0, 1.0, -1.0, -1.0 });
        var x = Vec(0.5, -1.0, 2.0, 0.0);
        // N.soft_margin_loss(x, y)
        AssertLoss(N.soft_margin_loss(x, target), Scalar0D, [1.151853465825312],
            (x, [-0.09438516719953637, -0.18276464465750122, 0.2201992694944706, 0.125]));

        var x2 = Vec(0.5, -1.0, 2.0, 0.0);
        // N.soft_margin_loss(x, y, reduction='sum')
        AssertLoss(N.soft_margin_loss(x2, target, Reduction.Sum), Scalar0D, [4.607413863301248],
            (x2, [-0.37754066879814546, -0.7310585786300049, 0.8807970779778824, 0.5]));
    }

    [TestMethod]
    public void MultilabelSoftMarginLossMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var target = Mat(new[,] { { 1.0, 0.0, 1.0 }, { 0.0, 1.0, 1.0 } }, requiresGrad: false);
        var x = Mat(LogitGrid);
        // N.multilabel_soft_margin_loss(x, y, weight=[1,0.5,2])
        AssertLoss(N.multilabel_soft_margin_loss(x, target, tensor(new[] { 1.0, 0.5, 2.0 })), Scalar0D, [0.28042522464073044],
            (x, [-0.0629234447996909, 0.022411785114166256, -0.03973430734070585, 0.00790431219626113, -0.041666666666666664,
                 -0.0608085079354521]));

        var x2 = Mat(LogitGrid);
        // N.multilabel_soft_margin_loss(x, y, reduction='none'): one value per sample.
        AssertLoss(N.multilabel_soft_margin_loss(x2, target, reduction: Reduction.None), [2], [0.3047555609137673, 0.3143826033721466],
            (x2, [-0.1258468895993818, 0.08964714045666503, -0.03973430734070585, 0.01580862439252226, -0.16666666666666666,
                  -0.0608085079354521]));
    }

    [TestMethod]
    public void CosineEmbeddingLossMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var first = new[,] { { 1.0, 2.0, 3.0 }, { 0.5, -1.0, 0.0 } };
        var second = new[,] { { 1.0, 0.0, -1.0 }, { 1.0, -1.5, 0.5 } };
        var target = tensor(new[] { 1.0, -1.0 });
        var a = Mat(first);
        var b = Mat(second);
        // N.cosine_embedding_loss(a, b, [1,-1], margin=0.2)
        AssertLoss(N.cosine_embedding_loss(a, b, target, margin: 0.2), Scalar0D, [1.0670736802380576],
            (a, [-0.10798984943117595, -0.026997462357792303, 0.05399492471559135, 0.04780914437350278, 0.023904572186368933,
                 0.11952286093337447]),
            (b, [-0.18898223650451237, -0.18898223650455961, -0.18898223650460688, -0.017074694419014463, -0.03414938883816554,
                 -0.06829877767619447]));

        var a2 = Mat(first);
        var b2 = Mat(second);
        // N.cosine_embedding_loss(a, b, [1,-1], reduction='none')
        AssertLoss(N.cosine_embedding_loss(a2, b2, target, reduction: Reduction.None), [2], [1.3779644730091192, 0.9561828874669958],
            (a2, [-0.2159796988623519, -0.053994924715584605, 0.1079898494311827, 0.09561828874700556, 0.047809144372737866,
                  0.23904572186674894]),
            (b2, [-0.37796447300902475, -0.37796447300911923, -0.37796447300921376, -0.03414938883802893, -0.06829877767633108,
                  -0.13659755535238893]));
    }

    [TestMethod]
    public void MultiMarginLossMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var x = Mat(Logits);
        // N.multi_margin_loss(x, [1,2,0])
        AssertLoss(N.multi_margin_loss(x, Labels(1, 2, 0)), Scalar0D, [0.08333333333333333],
            (x, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.08333333333333333, 0.08333333333333333, 0.0, 0.0]));

        var x2 = Mat(Logits);
        // N.multi_margin_loss(x, [1,2,0], p=2, margin=1.5, weight=w, reduction='sum')
        AssertLoss(N.multi_margin_loss(x2, Labels(1, 2, 0), p: 2, margin: 1.5, weight: tensor(ClassWeight), reduction: Reduction.Sum),
            Scalar0D, [0.6875], (x2, [0.5, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.75, 0.75, 0.0, 0.0]));
    }

    private static readonly double[,] Anchor = { { 1.0, 2.0, 0.0 }, { 0.5, -1.0, 1.0 } };
    private static readonly double[,] Positive = { { 1.5, 1.0, 0.5 }, { 0.0, -1.0, 2.0 } };
    private static readonly double[,] Negative = { { 0.0, 2.5, -0.5 }, { 0.5, -0.5, 1.25 } };

    /// <summary>Runs a triplet loss on fresh anchor/positive/negative leaves and checks all three gradients.</summary>
    private static void AssertTriplet(Func<Tensor, Tensor, Tensor, Tensor> loss, long[] shape, double[] value,
        double[] anchorGrad, double[] positiveGrad, double[] negativeGrad)
    {
        using var scope = NewDisposeScope();
        var (a, p, n) = (Mat(Anchor), Mat(Positive), Mat(Negative));
        AssertLoss(loss(a, p, n), shape, value, (a, anchorGrad), (p, positiveGrad), (n, negativeGrad));
    }

    [TestMethod]
    public void TripletMarginLossWithDefaultsMatchesPyTorch() =>
        // N.triplet_margin_loss(a, p, n)
        AssertTriplet((a, p, n) => N.triplet_margin_loss(a, p, n), Scalar0D, [1.279508536153004],
            [-0.6123721635296552, 0.6123722996128269, -0.40824815438055523, 0.22360643997692017, 0.44721422159874125, -0.22360688719337785],
            [0.20412373698343694, -0.40824869871174524, 0.20412373698343694, -0.2236073344062578, -4.472137743849668e-07, 0.44721332717119244],
            [0.40824842654621823, -0.2041236009010817, 0.20412441739711829, 8.944293376286089e-07, -0.44721377438496684, -0.2236064399778146]);

    [TestMethod]
    public void TripletMarginLossWithSwapAndL1DistanceMatchesPyTorch() =>
        // N.triplet_margin_loss(a, p, n, margin=2.0, p=1.0, eps=1e-3, swap=True, reduction='none'): swap picks d(p, n) for row 1.
        AssertTriplet((a, p, n) => N.triplet_margin_loss(a, p, n, margin: 2.0, p: 1.0, eps: 1e-3, swap: true, reduction: Reduction.None),
            [2], [1.9980000000000002, 2.752],
            [-2.0, 2.0, -2.0, 0.0, 2.0, 0.0], [1.0, -1.0, 1.0, -1.0, -1.0, 1.0], [1.0, -1.0, 1.0, 1.0, -1.0, -1.0]);

    [TestMethod]
    public void TripletMarginLossWithThreeNormMatchesPyTorch() =>
        // N.triplet_margin_loss(a, p, n, p=3.0, reduction='sum')
        AssertTriplet((a, p, n) => N.triplet_margin_loss(a, p, n, p: 3.0, reduction: Reduction.Sum), Scalar0D, [2.520020987118124],
            [-1.0772166555959792, 1.077217172660822, -0.43088642094256824, 0.2311216574241669, 0.9244821100160873, -0.6933614797903389],
            [0.21544243487557135, -0.8617749101388195, 0.21544243487557135, -0.23112165742786484, -9.244829317760342e-13, 0.9244810828110951],
            [0.8617742207204079, -0.21544226252200258, 0.2154439860669969, 3.697943231818786e-12, -0.9244821100151628, -0.23111960302075618]);

    // ---- count and sequence losses ---------------------------------------------------------------

    [TestMethod]
    public void PoissonNllLossWithLogInputDefaults()
    {
        using var scope = NewDisposeScope();
        var x = Vec(0.5, -1.0, 2.0, 0.0);
        var y = Vec(1.0, 0.0, 3.0, 2.0);
        // N.poisson_nll_loss(x, y) = mean(exp(x) - y·x)
        AssertLoss(N.poisson_nll_loss(x, y), Scalar0D, [0.9764142027005552],
            (x, [0.16218031767503205, 0.09196986029286058, 1.0972640247326626, -0.25]), (y, [-0.125, 0.25, -0.5, -0.0]));
    }

    [TestMethod]
    public void PoissonNllLossWithRatesFullAndDoubleEps()
    {
        using var scope = NewDisposeScope();
        var x = Vec(0.5, 1.0, 2.0, 0.0);
        var y = Vec(1.0, 0.0, 3.0, 2.0);
        // N.poisson_nll_loss(x, y, log_input=False, full=True, eps=0.25, reduction='none'); the Stirling term's
        // gradient at target 0 is NaN in PyTorch too.
        AssertLoss(N.poisson_nll_loss(x, y, log_input: false, full: true, eps: 0.25, reduction: Reduction.None), [4],
            [0.7876820724517809, 1.0, 1.3312908948940705, 3.4243952068443173],
            (x, [-0.33333333333333326, 1.0, -0.33333333333333326, -7.0]),
            (y, [0.2876820724517809, double.NaN, 0.45434873911844775, 2.3294415416798357]));
    }

    // torch.manual_seed(0); torch.randn(5, 2, 4, dtype=torch.float64).log_softmax(2), flattened (T=5, N=2, C=4).
    private static readonly double[] CtcLogProbs =
    [
        -3.6587016278296014, -1.7215406888531897, -2.4091065061417116, -0.3487804728142493, -1.3842259048120447, -1.7757478304435845,
        -1.1234254800948584, -1.3666425021413566, -3.917826504740481, -1.0985677413063455, -2.298538797914322, -0.604473332926587,
        -0.6362994706375411, -2.998923149659975, -1.7006533394537748, -1.4340244076081539, -0.7480856920270482, -1.5348791362099983,
        -2.162529183061927, -1.6285555894078996, -1.3664692342218745, -1.1362045932124172, -1.169315131920446, -2.177014534322561,
        -0.9197555835045224, -1.5051014189765488, -1.581194457823878, -1.7506585190849258, -1.4735815395838623, -0.8166074609861677,
        -1.5650058007490766, -2.1212527308506175, -1.515633650804868, -1.7015211769812448, -3.158337643802468, -0.5880146980742061,
        -0.5461346388947576, -1.786906003164602, -3.6620725506205534, -1.4799064947049017,
    ];

    private static Tensor CtcInput() => tensor(CtcLogProbs, [5, 2, 4], float64, requires_grad: true);

    // The gradient for reduction 'none' and 'sum' (both backpropagate a ones upstream gradient per sample).
    private static readonly double[] CtcSumGrad =
    [
        -0.07553311685868451, -0.7199104632266565, 0.0898955798481876, 0.7055480002371525, 0.20835198995321924, 0.1693567519962803,
        0.32516404176681574, -0.7028727837163156, -0.012567269350392585, -0.45560460584410484, -0.07819022661322732, 0.5463621018077233,
        -0.38567340899327907, 0.04984071046643712, 0.1825642086798808, 0.15326848984696145, -0.07015356596916505, 0.010559339116796268,
        -0.13661855451124338, 0.19621278136361175, 0.07463743784057417, 0.32103517153405287, 0.31057957448104634, -0.7062521838556741,
        -0.02770978663003243, 0.1975280180056681, -0.3434777790378952, 0.17365954766225902, 0.14813657647374406, -0.2543694574279385,
        0.20908680030970136, -0.10285391935550732, -0.5244731536431149, 0.18240584133691665, -0.21336157259685798, 0.5554288849030559,
        0.039067234509463256, -0.29240544523722733, 0.0256792360195471, 0.22765897470821708,
    ];

    // N.ctc_loss(lp, [[1,2,0],[3,3,1]], [5,5], [2,3], reduction=r)
    [TestMethod]
    [DataRow(Reduction.None, new[] { 5.14962558809183, 4.92672913092759 })]
    [DataRow(Reduction.Sum, new[] { 10.07635471901942 })]
    public void CtcLossNoneAndSumMatchPyTorch(Reduction reduction, double[] value)
    {
        using var scope = NewDisposeScope();
        var lp = CtcInput();
        var loss = N.ctc_loss(lp, tensor(new long[] { 1, 2, 0, 3, 3, 1 }, [2, 3]), Labels(5, 5), Labels(2, 3), reduction: reduction);
        AssertLoss(loss, reduction == Reduction.None ? [2] : Scalar0D, value, (lp, CtcSumGrad));
    }

    [TestMethod]
    public void CtcLossMeanDividesByTargetLengthsThenAverages()
    {
        using var scope = NewDisposeScope();
        var lp = CtcInput();
        // N.ctc_loss(lp, [[1,2,0],[3,3,1]], [5,5], [2,3]) = (5.1496/2 + 4.9267/3)/2
        AssertLoss(N.ctc_loss(lp, tensor(new long[] { 1, 2, 0, 3, 3, 1 }, [2, 3]), Labels(5, 5), Labels(2, 3)), Scalar0D, [2.1085279188442225],
            (lp, [-0.018883279214671127, -0.17997761580666413, 0.0224738949620469, 0.17638700005928812, 0.034725331658869873,
                  0.028226125332713382, 0.05419400696113595, -0.11714546395271926, -0.0031418173375981464, -0.11390115146102621,
                  -0.01954755665330683, 0.13659052545193082, -0.06427890149887984, 0.00830678507773952, 0.030427368113313466,
                  0.02554474830782691, -0.017538391492291264, 0.002639834779199067, -0.034154638627810846, 0.04905319534090294,
                  0.012439572973429028, 0.05350586192234214, 0.05176326241350772, -0.11770869730927902, -0.006927446657508107,
                  0.049382004501417026, -0.0858694447594738, 0.043414886915564756, 0.024689429412290676, -0.04239490957132308,
                  0.03484780005161689, -0.01714231989258455, -0.13111828841077872, 0.04560146033422916, -0.053340393149214495,
                  0.13885722122576397, 0.006511205751577209, -0.04873424087287122, 0.004279872669924517, 0.037943162451369514]));
    }

    [TestMethod]
    public void CtcLossZeroInfinityZeroesTheImpossibleSample()
    {
        using var scope = NewDisposeScope();
        var lp = CtcInput();
        // N.ctc_loss(lp, [[2,2,2],[3,3,1]], [4,5], [3,3], reduction='none', zero_infinity=True): [2,2,2] needs 5 frames.
        var loss = N.ctc_loss(lp, tensor(new long[] { 2, 2, 2, 3, 3, 1 }, [2, 3]), Labels(4, 5), Labels(3, 3), zero_infinity: true,
            reduction: Reduction.None);
        var grad = (double[])CtcSumGrad.Clone();
        for (int t = 0; t < 5; t++)
            for (int c = 0; c < 4; c++) grad[t * 8 + c] = 0.0;  // sample 0's whole gradient is zeroed
        AssertLoss(loss, [2], [0.0, 4.92672913092759], (lp, grad));
    }

    [TestMethod]
    public void CtcLossWithConcatenatedInt32TargetsAndAnotherBlank()
    {
        using var scope = NewDisposeScope();
        var lp = CtcInput();
        // N.ctc_loss(lp, [0,1,3], int32 [5,4], int32 [1,2], blank=2, reduction='sum'); frame 4 of sample 1 is past its length.
        var loss = N.ctc_loss(lp, Labels(0, 1, 3), tensor(new[] { 5, 4 }), tensor(new[] { 1, 2 }), blank: 2, reduction: Reduction.Sum);
        AssertLoss(loss, Scalar0D, [11.637828242165053],
            (lp, [-0.014079963232133574, 0.17879047511095872, -0.8702585121159777, 0.7055480002371525, 0.2505176492598359,
                  -0.47275266560613693, -0.03272654063076774, 0.2549615569770681, -0.14376115611637807, 0.3333481827846709,
                  -0.7359491284760152, 0.5463621018077233, 0.5292472999478395, -0.19235129089550554, -0.21643271032373093,
                  -0.12046329872860342, -0.3177754753899222, 0.21548173353491204, -0.09391903950860118, 0.19621278136361175,
                  0.25500573746301336, 0.039919417802387, -0.09720692294955957, -0.19771823231584124, -0.4727608368659789,
                  0.22199477820700794, 0.07710651099671303, 0.17365954766225902, 0.2291034708772765, 0.44192837348007574,
                  -0.21655011719707282, -0.4544817271602794, -0.571608462133918, 0.18240584133691665, -0.16622626410605434,
                  0.5554288849030559, 0.0, 0.0, 0.0, 0.0]));
    }

    // ---- errors: ATen's message as an ExternalException, and the process carries on ---------------

    private static void AssertLibTorchError(Func<Tensor> call, string message)
    {
        using (var scope = NewDisposeScope())
        {
            var error = Assert.ThrowsExactly<ExternalException>(() => call());
            Assert.AreEqual(message, error.Message);
        }
        // TorchSharp caught the C++ exception: the next native call works and no message is left behind.
        using (var scope = NewDisposeScope())
        {
            var loss = N.smooth_l1_loss(tensor(new[] { 0.5, 1.5, 2.5 }), tensor(new[] { 1.0, 2.0, 5.0 }));
            Assert.AreEqual(0.75, loss.item<double>(), 1e-15);
        }
    }

    private static Tensor X3 => tensor(new[] { 0.5, 1.5, 2.5 });
    private static Tensor Y3 => tensor(new[] { 1.0, 2.0, 5.0 });

    [TestMethod]
    public void NegativeBetaIsLibTorchsError() =>
        AssertLibTorchError(() => N.smooth_l1_loss(X3, Y3, beta: -1.0), "smooth_l1_loss does not support negative values for beta.");

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(-0.5)]
    public void NonPositiveDeltaIsLibTorchsError(double delta) =>
        AssertLibTorchError(() => N.huber_loss(X3, Y3, delta: delta), "huber_loss does not support non-positive values for delta.");

    [TestMethod]
    public void NllTargetOutOfBoundsIsLibTorchsError() =>
        AssertLibTorchError(() => N.nll_loss(tensor(Logits), Labels(1, 4, 0)), "Target 4 is out of bounds.");

    [TestMethod]
    public void CrossEntropyTargetOutOfBoundsIsLibTorchsError() =>
        AssertLibTorchError(() => N.cross_entropy(tensor(Logits), Labels(1, 4, 0), reduction: Reduction.None), "Target 4 is out of bounds.");

    [TestMethod]
    public void LabelSmoothingAboveOneIsLibTorchsError() =>
        AssertLibTorchError(() => N.cross_entropy(tensor(Logits), Labels(1, 2, 0), label_smoothing: 1.5),
            "label_smoothing must be between 0.0 and 1.0. Got: 1.5");

    [TestMethod]
    public void BinaryCrossEntropyInputOutsideUnitIntervalIsLibTorchsError() =>
        AssertLibTorchError(() => N.binary_cross_entropy(tensor(new[] { 0.5, 1.5 }), tensor(new[] { 0.0, 1.0 })),
            "all elements of input should be between 0 and 1");

    [TestMethod]
    [DataRow(4L)]
    [DataRow(-1L)]
    public void CtcBlankOutsideTheLabelRangeIsLibTorchsError(long blank) =>
        AssertLibTorchError(() => N.ctc_loss(tensor(CtcLogProbs, [5, 2, 4], float64), tensor(new long[] { 1, 2, 0, 3, 3, 1 }, [2, 3]),
            Labels(5, 5), Labels(2, 3), blank: blank), "blank must be in label range");

    [TestMethod]
    public void MultiMarginPOtherThanOneOrTwoIsLibTorchsError() =>
        AssertLibTorchError(() => N.multi_margin_loss(tensor(Logits), Labels(1, 2, 0), p: 3), "only p == 1 and p == 2 supported");

    [TestMethod]
    public void ADisposedOptionalWeightIsRejectedBeforeTheNativeCall()
    {
        // TorchSharp 0.107 refuses a disposed tensor when its handle is read, before any native call.
        using var scope = NewDisposeScope();
        var weight = tensor(ClassWeight);
        weight.Dispose();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => N.cross_entropy(tensor(Logits), Labels(1, 2, 0), weight));
        StringAssert.Contains(error.Message, "Tensor invalid");
    }

    /// <summary>
    /// The tests run in parallel and share one compiled TorchScript unit: the witness, called from eight threads at once
    /// (values, gradients and errors) while garbage is collected, gives exactly what it gives on one thread.
    /// </summary>
    [TestMethod]
    public void TheWitnessOnEightThreadsMatchesItsSingleThreadedResults()
    {
        static double[] Run(int seed)
        {
            using var scope = NewDisposeScope();
            var random = new Random(seed);
            var x = tensor(Enumerable.Range(0, 12).Select(_ => random.NextDouble() * 4 - 2).ToArray(), [3, 4], requires_grad: true);
            var lp = tensor(CtcLogProbs, [5, 2, 4], float64).requires_grad_();
            var loss = N.smooth_l1_loss(x, x.detach() * 0.5, beta: 0.7) + N.cross_entropy(x, Labels(seed % 4, 1, 2))
                       + N.ctc_loss(lp, tensor(new long[] { 1, 2, 0, 3, 3, 1 }, [2, 3]), Labels(5, 5), Labels(2, 3));
            loss.backward();
            var error = Assert.ThrowsExactly<ExternalException>(() => N.nll_loss(x, Labels(1, 4 + seed, 0)));
            Assert.AreEqual($"Target {4 + seed} is out of bounds.", error.Message);
            return [loss.item<double>(), .. x.grad!.data<double>().ToArray(), .. lp.grad!.data<double>().ToArray()];
        }

        // The threads go first, so that they also share TorchScript's first (profiling) runs of each function when this test
        // runs alone; the single-threaded reference comes after. One more thread collects garbage all the while, as the other
        // tests running in parallel do: a call must not depend on an object that only the collector's timing keeps alive.
        const int threads = 8, rounds = 25;
        var results = new double[threads, rounds][];
        int working = threads;
        TorchLossesTests.Support.Threads.OnThreads(threads + 1, t =>
        {
            if (t == threads)
            {
                while (Volatile.Read(ref working) > 0)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
                return;
            }
            try
            {
                for (int round = 0; round < rounds; round++) results[t, round] = Run(t);
            }
            finally
            {
                Interlocked.Decrement(ref working);
            }
        });
        for (int t = 0; t < threads; t++)
        {
            var expected = Run(t);
            for (int round = 0; round < rounds; round++)
                CollectionAssert.AreEqual(expected, results[t, round], $"thread {t}, round {round}");
        }
    }

    [TestMethod]
    public void AnUndefinedReductionIsRejectedBeforeTheOpRuns() =>
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => N.mse_loss(tensor(new[] { 1.0 }), tensor(new[] { 2.0 }), (Reduction)9)).Message, "9 is not a valid value for reduction");

    /// <summary>
    /// ATen's message is what remains of libtorch's error text: without the TorchScript traceback around an op's error
    /// (TorchSharp's text for a failing <c>invoke</c>), and without the C++ backtrace libtorch appends.
    /// </summary>
    [TestMethod]
    public void AtenMessageKeepsOnlyWhatTheOpRaised()
    {
        const string traceback = """
            The following operation failed in the TorchScript interpreter.
            Traceback of TorchScript (most recent call last):
              File "<string>", line 3, in nll
            def nll(x: Tensor, t: Tensor) -> Tensor:
                return torch.nll_loss_nd(x, t, None, 1, -100)
                       ~~~~~~~~~~~~~~~~~ <--- HERE
            RuntimeError: Target 7 is out of bounds.

            """;
        Assert.AreEqual("Target 7 is out of bounds.", TorchLosses.Parity.Aten.AtenMessage(traceback));
        const string backtrace = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0\n" +
                                 "Exception raised from infer_size_impl at /pytorch/aten/src/ATen/ExpandUtils.cpp:31 (most recent call first):\n" +
                                 "frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0xb0";
        Assert.AreEqual("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0",
            TorchLosses.Parity.Aten.AtenMessage(backtrace));
        Assert.AreEqual("beta must be positive", TorchLosses.Parity.Aten.AtenMessage("beta must be positive"));
    }

    [TestMethod]
    public void FrontendLossRejectsAnUnknownReductionCode() =>
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => N.multilabel_soft_margin_loss(tensor(LogitGrid), tensor(LogitGrid), reduction: (Reduction)7)).Message,
            "7 is not a valid value for reduction");
}
