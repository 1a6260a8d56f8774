using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// CTC loss: values and log_probs gradients against libtorch's native ctc_loss (which takes
/// (blank, zero_infinity, reduction)), a hand-enumerated case, impossible alignments, empty targets,
/// unbatched input, input length 0, errors (libtorch 2.10's) and the labels libtorch leaves unchecked, and the meta device.
/// </summary>
[TestClass]
public sealed class CtcLossTests
{

    /// <summary>Log-probabilities (T, N, C) (or any shape), normalised over the last dimension.</summary>
    private static Tensor LogProbs(int seed, ScalarType dtype, params long[] shape)
    {
        var lp = Normal(seed, dtype, false, shape).log_softmax(shape.Length - 1);
        lp.requires_grad = true;
        return lp;
    }

    private static Tensor Longs(params long[] values) => tensor(values);

    private static Tensor Longs(long[] values, params long[] shape) => tensor(values, shape);

    /// <summary>Asserts composed == native (value and gradient) for one configuration.</summary>
    private static void Same(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths, long blank, R reduction,
        bool zeroInfinity) =>
        AssertSame(a => L.ctc_loss(a[0], targets, inputLengths, targetLengths, blank, reduction, zeroInfinity),
            a => N.ctc_loss(a[0], targets, inputLengths, targetLengths, blank, zeroInfinity, reduction), logProbs);

    [TestMethod]
    public void TinyCaseEqualsTheEnumeratedAlignments()
    {
        // T = 2, C = 2, blank 0, target [1]: the alignments are (1,1), (0,1) and (1,0), so with yₜ(c) = exp(lp[t, c])
        // p = y₀(1)y₁(1) + y₀(0)y₁(1) + y₀(1)y₁(0). libtorch's gradient is yₜ(c) − γₜ(c), γ the posterior of c at t.
        using var scope = NewDisposeScope();
        double[,] y = { { 0.3, 0.7 }, { 0.6, 0.4 } };
        var lp = tensor(new[] { Math.Log(y[0, 0]), Math.Log(y[0, 1]), Math.Log(y[1, 0]), Math.Log(y[1, 1]) }, new long[] { 2, 1, 2 });
        lp.requires_grad = true;
        double p11 = y[0, 1] * y[1, 1], p01 = y[0, 0] * y[1, 1], p10 = y[0, 1] * y[1, 0], p = p11 + p01 + p10;

        var loss = L.ctc_loss(lp, Longs(new long[] { 1 }, 1, 1), Longs(2), Longs(1), reduction: R.Sum);
        Assert.AreEqual(-Math.Log(p), loss.item<double>(), 1e-15);
        loss.backward();
        var expected = new[]
        {
            y[0, 0] - p01 / p, y[0, 1] - (p11 + p10) / p,
            y[1, 0] - p10 / p, y[1, 1] - (p11 + p01) / p,
        };
        var grad = lp.grad!.data<double>().ToArray();
        for (int i = 0; i < 4; i++) Assert.AreEqual(expected[i], grad[i], 1e-15, $"gradient[{i}]");
    }

    [TestMethod]
    public void PaddedAndConcatenatedTargetsMatchLibtorch()
    {
        // Varying input and target lengths in one batch, a repeated label (needs a blank between), padding
        // with junk past each target length, and an empty target.
        var padded = Longs(new long[] { 1, 2, 2, 3, 4, 1, 0, 9, 2, 2, -5, 7 }, 3, 4);
        var concatenated = Longs(1, 2, 2, 3, 4, 1, 2);
        var targetLengths = Longs(4, 2, 1);
        var inputLengths = Longs(7, 5, 3);
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var zeroInfinity in new[] { false, true })
                {
                    Same(LogProbs(1, dtype, 7, 3, 5), padded, inputLengths, targetLengths, 0, reduction, zeroInfinity);
                    Same(LogProbs(2, dtype, 7, 3, 5), concatenated, inputLengths, targetLengths, 0, reduction, zeroInfinity);
                }
    }

    [TestMethod]
    public void LongerSequencesStayWithinTolerance()
    {
        // 40 frames, targets of 12 labels with repeats: float32 rounding of the recursion stays within Parity's tolerance.
        var targets = Longs(new long[] { 1, 2, 2, 3, 4, 5, 5, 5, 1, 2, 3, 4, 3, 3, 1, 1, 2, 4, 5, 0, 0, 0, 0, 0 }, 2, 12);
        foreach (var dtype in Dtypes)
            Same(LogProbs(19, dtype, 40, 2, 6), targets, Longs(40, 33), Longs(12, 7), 0, R.Mean, false);
    }

    [TestMethod]
    public void BlankOtherThanZeroAndInt32LengthsMatchLibtorch()
    {
        var targets = Longs(new long[] { 0, 1, 1, 3, 0, 0 }, 2, 3);
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                Same(LogProbs(3, dtype, 6, 2, 5), targets, Longs(6, 4), Longs(3, 1), 4, reduction, false);
                Same(LogProbs(4, dtype, 6, 2, 4), targets.to(ScalarType.Int32), tensor(new[] { 5, 6 }), tensor(new[] { 3, 2 }), 2, reduction, false);
            }
    }

    [TestMethod]
    public void UnbatchedInputMatchesLibtorch()
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                // (T, C) with (S) targets and 0-d lengths, (1, S) padded targets, and (1) lengths.
                Same(LogProbs(5, dtype, 5, 4), Longs(1, 3), tensor(5L), tensor(2L), 0, reduction, false);
                Same(LogProbs(6, dtype, 5, 4), Longs(new long[] { 2, 2, 0 }, 1, 3), Longs(4), Longs(2), 0, reduction, false);
                Same(LogProbs(7, dtype, 3, 4), Longs(2, 2), Longs(3), Longs(2), 0, reduction, true);
            }
        using var scope = NewDisposeScope();
        var none = L.ctc_loss(LogProbs(5, ScalarType.Float64, 5, 4), Longs(1, 3), tensor(5L), tensor(2L), reduction: R.None);
        Assert.AreEqual(0L, none.dim());
    }

    [TestMethod]
    public void RepeatedLabelsWithoutRoomForBlanksAreImpossible()
    {
        // [2, 2, 2] needs 5 frames (2, blank, 2, blank, 2); with 4 the loss is +∞. Without zero_infinity libtorch's
        // gradient is NaN for t < input_length and 0 after; with it, the loss and its gradient are 0.
        var targets = Longs(new long[] { 2, 2, 2, 1, 3, 0 }, 2, 3);
        var inputLengths = Longs(4, 3);
        var targetLengths = Longs(3, 2);
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var zeroInfinity in new[] { false, true })
                    Same(LogProbs(8, dtype, 5, 2, 4), targets, inputLengths, targetLengths, 0, reduction, zeroInfinity);

        using var scope = NewDisposeScope();
        var lp = LogProbs(8, ScalarType.Float64, 5, 2, 4);
        var loss = L.ctc_loss(lp, targets, inputLengths, targetLengths, reduction: R.None);
        Assert.AreEqual(double.PositiveInfinity, loss[0].item<double>());
        Assert.IsTrue(double.IsFinite(loss[1].item<double>()));
        loss.sum().backward();
        var grad = lp.grad!;
        Assert.IsTrue(grad.narrow(0, 0, 4).select(1, 0).isnan().all().item<bool>(), "NaN for t < 4");
        Assert.AreEqual(0.0, grad[4, 0].abs().sum().item<double>(), "0 for t ≥ 4");
        Assert.IsFalse(grad.select(1, 1).isnan().any().item<bool>(), "the finite sample's gradient is finite");

        var zeroed = L.ctc_loss(lp, targets, inputLengths, targetLengths, reduction: R.None, zero_infinity: true);
        Assert.AreEqual(0.0, zeroed[0].item<double>());
        lp.grad = null;
        zeroed.sum().backward();
        Assert.AreEqual(0.0, lp.grad!.select(1, 0).abs().sum().item<double>());
    }

    [TestMethod]
    public void EmptyTargetIsTheAllBlankPath()
    {
        // target_length 0: −Σ_{t<Tₙ} lp[t, n, blank].
        using var scope = NewDisposeScope();
        var lp = LogProbs(9, ScalarType.Float64, 4, 2, 3);
        var loss = L.ctc_loss(lp, Longs(new long[] { 1, 1 }, 2, 1), Longs(4, 2), Longs(0, 0), blank: 2, reduction: R.None);
        Assert.AreEqual(-lp.detach().select(2, 2).select(1, 0).sum().item<double>(), loss[0].item<double>(), 1e-14);
        Assert.AreEqual(-lp.detach().select(2, 2).select(1, 1).narrow(0, 0, 2).sum().item<double>(), loss[1].item<double>(), 1e-14);
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                Same(LogProbs(9, dtype, 4, 2, 3), Longs(new long[] { 1, 1 }, 2, 1), Longs(4, 2), Longs(0, 0), 2, reduction, false);
                Same(LogProbs(10, dtype, 4, 3, 3), Longs(1), Longs(3, 4, 2), Longs(0, 1, 0), 0, reduction, false);
            }
    }

    [TestMethod]
    public void EmptyInputHasLossZeroOrInfinityAsInLibtorch()
    {
        // input_length 0: with target_length 0 the empty alignment, loss −log 1 = 0; with a positive target length no
        // alignment, loss +∞ (0 with zero_infinity); the gradient is 0 either way. libtorch 2.10 defines both (1.13 read α at
        // frame −1, outside its buffer, and returned undefined values).
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var zeroInfinity in new[] { false, true })
                {
                    Same(LogProbs(9, dtype, 4, 3, 3), Longs(new long[] { 1, 1, 2, 2, 1, 2 }, 3, 2), Longs(4, 0, 0), Longs(2, 0, 2), 0, reduction, zeroInfinity);
                    Same(LogProbs(9, dtype, 4, 3, 3), Longs(1, 2, 1, 2), Longs(0, 4, 0), Longs(0, 2, 2), 0, reduction, zeroInfinity);
                }
        using var scope = NewDisposeScope();
        var lp = LogProbs(9, ScalarType.Float64, 4, 2, 3);
        var loss = L.ctc_loss(lp, Longs(new long[] { 1, 1 }, 2, 1), Longs(4, 0), Longs(0, 0), reduction: R.None);
        Assert.AreEqual(0.0, loss[1].item<double>());
        loss[1].backward();
        Assert.AreEqual(0.0, lp.grad!.abs().sum().item<double>());
        Assert.IsTrue(double.IsPositiveInfinity(L.ctc_loss(lp, Longs(new long[] { 1, 1 }, 2, 1), Longs(4, 0), Longs(0, 1), reduction: R.None)[1].item<double>()));
    }

    [TestMethod]
    public void OneFrameOneLabelIsNll()
    {
        using var scope = NewDisposeScope();
        var lp = LogProbs(11, ScalarType.Float64, 1, 3, 5);
        var labels = Longs(4, 1, 2);
        var ctc = L.ctc_loss(lp, labels, Longs(1, 1, 1), Longs(1, 1, 1), reduction: R.None);
        AssertClose(L.nll_loss(lp.select(0, 0), labels, reduction: R.None).detach(), ctc.detach(), "ctc vs nll");
    }

    [TestMethod]
    public void GradientThroughLogSoftmaxMatchesLibtorch()
    {
        var targets = Longs(new long[] { 3, 1, 1, 2, 0, 0 }, 2, 3);
        foreach (var dtype in Dtypes)
            AssertSame(a => L.ctc_loss(a[0].log_softmax(2), targets, Longs(6, 5), Longs(3, 1)),
                a => N.ctc_loss(a[0].log_softmax(2), targets, Longs(6, 5), Longs(3, 1)), Normal(12, dtype, true, 6, 2, 4));
    }

    [TestMethod]
    public void EmptyLogProbsAreRejectedAsInLibtorch()
    {
        // libtorch 2.10 rejects an empty log_probs (a batch of 0, T = 0 or C = 0) right after its dtype check, before the
        // shape checks; 1.13 returned an empty loss for a batch of 0 (NaN for mean).
        using var scope = NewDisposeScope();
        var none = zeros(new long[] { 0 }, ScalarType.Int64);
        var cases = new (Tensor LogProbs, Tensor Targets, Tensor InputLengths, Tensor TargetLengths)[]
        {
            (zeros(4, 0, 3, ScalarType.Float64), zeros(new long[] { 0, 2 }, ScalarType.Int64), none, none),
            (zeros(4, 0, 3, ScalarType.Float64), none, none, none),
            (zeros(0, 2, 3, ScalarType.Float64), zeros(new long[] { 2, 0 }, ScalarType.Int64), Longs(0, 0), Longs(0, 0)),
            (zeros(4, 2, 0, ScalarType.Float64), Longs(new long[] { 1, 2 }, 2, 1), Longs(4, 4), Longs(1, 1)),
            (zeros(0, 3, ScalarType.Float64), none, Longs(0), Longs(0)),
            (zeros(4, 0, 3, 1, ScalarType.Float64), none, none, none),   // before the dimension check
        };
        foreach (var (lp, targets, il, tl) in cases)
            foreach (var reduction in AllReductions)
            {
                var native = Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => N.ctc_loss(lp, targets, il, tl, 0, false, reduction));
                Assert.AreEqual("log_probs tensor must not be empty", native.Message);
                StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentException>(() => L.ctc_loss(lp, targets, il, tl, 0, reduction)).Message, native.Message);
            }
        // The dtype is checked first.
        Assert.ThrowsExactly<ArgumentException>(() => L.ctc_loss(zeros(4, 0, 3, ScalarType.Float16), none, none, none));
    }

    [TestMethod]
    public void NegativeInfinityInLogProbsGivesZeroGradientWhereLibtorchGivesNan()
    {
        // Values match. libtorch's gradient at an lp = −∞ entry (t < input_length) is NaN (exp(−∞ + ∞) in its backward);
        // ours is 0 there (exp(lp) − posterior = 0 − 0) and equal to libtorch's everywhere else.
        using var scope = NewDisposeScope();
        var raw = LogProbs(14, ScalarType.Float64, 4, 2, 4).detach().clone();
        raw[1, 1, 3] = tensor(double.NegativeInfinity);
        raw[0, 0, 2] = tensor(double.NegativeInfinity);
        var targets = Longs(new long[] { 1, 2, 3, 0 }, 2, 2);
        Tensor Grad(Func<Tensor, Tensor> loss, out Tensor value)
        {
            var x = raw.clone();
            x.requires_grad = true;
            value = loss(x);
            value.backward();
            return x.grad!;
        }
        var ours = Grad(x => L.ctc_loss(x, targets, Longs(4, 3), Longs(2, 1)), out var ourValue);
        var theirs = Grad(x => N.ctc_loss(x, targets, Longs(4, 3), Longs(2, 1)), out var theirValue);
        AssertClose(theirValue, ourValue, "value");
        var minusInf = raw.eq(double.NegativeInfinity);
        Assert.IsTrue(theirs.masked_select(minusInf).isnan().all().item<bool>());
        Assert.AreEqual(0.0, ours.masked_select(minusInf).abs().sum().item<double>());
        AssertClose(theirs.masked_fill(minusInf, 0), ours, "gradient elsewhere");
    }

    [TestMethod]
    public void NanInLogProbsPropagatesAsInLibtorch()
    {
        var lp = LogProbs(15, ScalarType.Float64, 3, 2, 3).detach().clone();
        lp[1, 0, 1] = tensor(double.NaN);
        lp.requires_grad = true;
        // The NaN sample's gradient is NaN for t < input_length (also with zero_infinity, which zeroes only +∞).
        foreach (var reduction in AllReductions)
            foreach (var zeroInfinity in new[] { false, true })
                Same(lp, Longs(new long[] { 1, 2 }, 2, 1), Longs(3, 2), Longs(1, 1), 0, reduction, zeroInfinity);
        // A NaN in a class that sample 0's alignments never use: its loss stays finite, the NaN entry's gradient is NaN.
        var unused = LogProbs(16, ScalarType.Float64, 3, 2, 3).detach().clone();
        unused[1, 0, 2] = tensor(double.NaN);
        unused.requires_grad = true;
        foreach (var reduction in AllReductions)
            Same(unused, Longs(new long[] { 1, 2 }, 2, 1), Longs(3, 2), Longs(1, 1), 0, reduction, false);
    }

    [TestMethod]
    public void ArrayLengthsModuleAndFunctionalAgree()
    {
        using var scope = NewDisposeScope();
        var lp = LogProbs(16, ScalarType.Float64, 5, 2, 4);
        var targets = Longs(new long[] { 1, 2, 3, 3 }, 2, 2);
        foreach (var reduction in AllReductions)
        {
            var functional = L.ctc_loss(lp, targets, Longs(5, 4), Longs(2, 2), 0, reduction, true);
            AssertClose(functional.detach(), L.ctc_loss(lp, targets, new long[] { 5, 4 }, new long[] { 2, 2 }, 0, reduction, true).detach(), "long[] lengths");
            var module = TorchLosses.nn.CTCLoss(0, reduction, true);
            Assert.AreEqual(reduction, module.reduction);
            Assert.IsTrue(module.zero_infinity);
            AssertClose(functional.detach(), module.forward(lp, targets, Longs(5, 4), Longs(2, 2)).detach(), "module");
        }
        // Any real target dtype is converted to int64, as in PyTorch.
        AssertClose(L.ctc_loss(lp, targets, Longs(5, 4), Longs(2, 2)).detach(),
            L.ctc_loss(lp, targets.to(ScalarType.Float64) + 0.5, Longs(5, 4), Longs(2, 2)).detach(), "float targets");
        var defaults = new TorchLosses.Modules.CTCLoss();
        Assert.AreEqual((0L, R.Mean, false), (defaults.blank, defaults.reduction, defaults.zero_infinity));
    }

    [TestMethod]
    public void ErrorsCarryPyTorchsMessages()
    {
        using var scope = NewDisposeScope();
        var lp = LogProbs(17, ScalarType.Float32, 4, 2, 5);
        var targets = Longs(new long[] { 1, 2, 2, 3, 1, 0 }, 2, 3);
        var il = Longs(4, 3);
        var tl = Longs(3, 2);
        void Throws<TException>(Action call, string message) where TException : Exception =>
            StringAssert.StartsWith(Assert.ThrowsExactly<TException>(call).Message, message);
        const string Where = " (while checking arguments for ctc_loss_allocate_outputs)";

        Throws<ArgumentOutOfRangeException>(() => L.ctc_loss(lp, targets, il, tl, reduction: (R)5), "5 is not a valid value for reduction");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets, il.to(ScalarType.Float32), tl), "input_lengths must be integral");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets, il.to(ScalarType.Bool), tl), "input_lengths must be integral");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets, il, tl.to(ScalarType.Float64)), "target_lengths must be integral");
        Throws<ArgumentException>(() => L.ctc_loss(tensor(1.0f), targets, il, tl), "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
        Throws<ArgumentException>(() => L.ctc_loss(lp.to(ScalarType.Int64), targets, il, tl), "\"ctc_loss_cpu\" not implemented for 'Long'");
        Throws<ArgumentException>(() => L.ctc_loss(lp.to(ScalarType.Float16), targets, il, tl), "\"ctc_loss_cpu\" not implemented for 'Half'");
        Throws<ArgumentException>(() => L.ctc_loss(lp.to(ScalarType.BFloat16), targets, il, tl), "\"ctc_loss_cpu\" not implemented for 'BFloat16'");
        Throws<ArgumentException>(() => L.ctc_loss(lp.unsqueeze(0), targets, il, tl),
            $"Expected 3-dimensional tensor, but got 5-dimensional tensor for argument #1 'log_probs'{Where}");
        Throws<ArgumentException>(() => L.ctc_loss(lp[0, 0], targets, il, tl),
            $"Expected 3-dimensional tensor, but got 2-dimensional tensor for argument #1 'log_probs'{Where}");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets.unsqueeze(0), il, tl),
            $"Expected 1 to 2 dimensions, but got 3-dimensional tensor for argument #2 'targets'{Where}");
        Throws<ArgumentException>(() => L.ctc_loss(lp, tensor(1L), il, tl),
            $"Expected 1 to 2 dimensions, but got 0-dimensional tensor for argument #2 'targets'{Where}");
        Throws<ArgumentOutOfRangeException>(() => L.ctc_loss(lp, targets, il, tl, blank: 5), "blank must be in label range");
        Throws<ArgumentOutOfRangeException>(() => L.ctc_loss(lp, targets, il, tl, blank: -1), "blank must be in label range");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets, Longs(4, 3, 3), tl), "input_lengths must be of size batch_size");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets, il, Longs(1, 1, 1)), "target_lengths must be of size batch_size");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets.narrow(0, 0, 1), il, tl),
            $"Expected tensor to have size 2 at dimension 0, but got size 1 for argument #2 'targets'{Where}");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets, il, Longs(4, 1)),
            $"Expected tensor to have size at least 4 at dimension 1, but got size 3 for argument #2 'targets'{Where}");
        Throws<ArgumentException>(() => L.ctc_loss(lp, Longs(1, 2, 3), il, tl),
            $"Expected tensor to have size 5 at dimension 0, but got size 3 for argument #2 'targets'{Where}");
        Throws<ArgumentException>(() => L.ctc_loss(lp, Longs(1, 2, 3, 4, 1, 2), il, tl),
            $"Expected tensor to have size 5 at dimension 0, but got size 6 for argument #2 'targets'{Where}");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets, Longs(4, 5), tl),
            $"Expected input_lengths to have value at most 4, but got value 5{Where}");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets, new long[] { 7, 1 }, new long[] { 3, 2 }),
            $"Expected input_lengths to have value at most 4, but got value 7{Where}");
        Throws<ArgumentException>(() => L.ctc_loss(lp.narrow(0, 0, 0), targets, Longs(0, 0), Longs(0, 0)), "log_probs tensor must not be empty");
        Throws<ArgumentOutOfRangeException>(() => L.ctc_loss(lp, targets, Longs(4, -1), Longs(3, 2)),
            $"Expected input_lengths to have value at least 0, but got value -1{Where}");
        Throws<ArgumentOutOfRangeException>(() => L.ctc_loss(lp, targets, Longs(4, 3), Longs(3, -1)),
            $"Expected target_lengths to have value at least 0, but got value -1{Where}");
        // The target lengths are checked before the target sizes; each input length against 0, then T, sample by sample.
        Throws<ArgumentOutOfRangeException>(() => L.ctc_loss(lp, targets, Longs(4, 3), Longs(4, -2)),
            $"Expected target_lengths to have value at least 0, but got value -2{Where}");
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets, Longs(5, -1), tl), $"Expected input_lengths to have value at most 4, but got value 5{Where}");
        // PyTorch's order: the padded-width check comes before the input-length check; blank before the lengths.
        Throws<ArgumentException>(() => L.ctc_loss(lp, targets, Longs(9, 1), Longs(4, 1)), "Expected tensor to have size at least 4");
        Throws<ArgumentOutOfRangeException>(() => L.ctc_loss(lp, targets, Longs(1, 1, 1), tl, blank: 7), "blank must be in label range");
    }

    [TestMethod]
    public void ErrorsMatchLibtorchsMessages()
    {
        // The checks libtorch 2.10 makes, against its own messages (bool lengths: TorchSharp's is_integral counts bool as
        // integral, PyTorch does not).
        using var scope = NewDisposeScope();
        var lp = LogProbs(18, ScalarType.Float64, 4, 2, 5).detach();
        var targets = Longs(new long[] { 1, 2, 2, 3, 1, 0 }, 2, 3);
        var cases = new (Tensor Targets, Tensor InputLengths, Tensor TargetLengths)[]
        {
            (targets, Longs(4, -1), Longs(3, 2)),
            (targets, Longs(4, 3), Longs(3, -1)),
            (targets, Longs(5, -1), Longs(3, 2)),
            (targets, Longs(-1, 5), Longs(3, 2)),
            (Longs(1, 2, 3), Longs(4, 3), Longs(-1, 4)),
            (targets, tensor(new[] { true, true }), Longs(3, 2)),
            (targets, Longs(4, 3), tensor(new[] { true, true })),
            (targets, Longs(4, 3), Longs(4, 2)),
        };
        foreach (var (t, il, tl) in cases)
        {
            var native = Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => N.ctc_loss(lp, t, il, tl)).Message;
            var ours = Assert.Throws<ArgumentException>(() => L.ctc_loss(lp, t, il, tl));
            Assert.AreEqual(native, TorchLosses.Parity.ErrorMessages.Text(ours));
        }
    }

    [TestMethod]
    public void LabelsThatLibtorchDoesNotCheckAreRejected()
    {
        using var scope = NewDisposeScope();
        var lp = LogProbs(18, ScalarType.Float64, 4, 2, 5);
        var targets = Longs(new long[] { 1, 2, 2, 3, 1, 0 }, 2, 3);
        void Throws<TException>(Action call, string message) where TException : Exception
        {
            var e = Assert.ThrowsExactly<TException>(call);
            StringAssert.StartsWith(e.Message, message);
            StringAssert.Contains(e.Message, "libtorch does not check this");
        }

        Throws<ArgumentOutOfRangeException>(() => L.ctc_loss(lp, Longs(new long[] { 1, 2, 2, 3, 5, 0 }, 2, 3), Longs(4, 3), Longs(3, 2)),
            "target label 5 (sample 1, position 1) is out of the label range [0, 5)");
        Throws<ArgumentOutOfRangeException>(() => L.ctc_loss(lp, Longs(1, -2, 3, 1), Longs(4, 3), Longs(2, 2)),
            "target label -2 (sample 0, position 1) is out of the label range [0, 5)");
        Throws<ArgumentException>(() => L.ctc_loss(lp, Longs(1, 2, 3, 4), Longs(4, 3), Longs(2, 2), blank: 4),
            "target label 4 (sample 1, position 1) is the blank label");
        // Past the target length anything goes (padding), as in PyTorch.
        Assert.IsTrue(double.IsFinite(L.ctc_loss(lp, Longs(new long[] { 1, 2, -7, 3, 0, 99 }, 2, 3), Longs(4, 3), Longs(2, 1)).item<double>()));
    }
}
