using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>NLL and cross entropy: shapes, weights, ignore_index, label smoothing, probability targets, errors.</summary>
[TestClass]
public sealed class ClassificationLossTests
{

    private static Tensor Logits(ScalarType dtype, params long[] shape) => Normal(7, dtype, true, shape);

    private static Tensor Classes(long[] values, long[]? shape = null) => tensor(values, shape ?? new[] { (long)values.Length });

    [TestMethod]
    public void NllPicksMinusTheTargetEntryAndWeightedMeanDividesByTargetWeights()
    {
        // input rows [-1, -2, -3], [-0.5, -1.5, -2.5]; targets 2 and 0; weights [1, 2, 3]:
        // losses 3·3 = 9 and 1·0.5 = 0.5; mean = 9.5 / (3 + 1).
        using var scope = NewDisposeScope();
        var input = tensor(new[] { -1.0, -2, -3, -0.5, -1.5, -2.5 }, new long[] { 2, 3 });
        var target = Classes(new long[] { 2, 0 });
        var weight = tensor(new[] { 1.0, 2, 3 });
        Assert.AreEqual(9.5 / 4, L.nll_loss(input, target, weight).item<double>(), 1e-15);
        CollectionAssert.AreEqual(new[] { 9.0, 0.5 }, L.nll_loss(input, target, weight, reduction: R.None).data<double>().ToArray());
    }

    [TestMethod]
    public void NllAndCrossEntropyMatchLibtorch() => InBothGradientModes(() =>
    {
        var cases = new (long[] inputShape, long[] target, long[] targetShape)[]
        {
            (new long[] { 5 }, new long[] { 3 }, Array.Empty<long>()),
            (new long[] { 4, 5 }, new long[] { 0, 4, -100, 2 }, new long[] { 4 }),
            (new long[] { 2, 3, 4 }, new long[] { 0, 1, 2, -100, 2, 2, 1, 0 }, new long[] { 2, 4 }),
            (new long[] { 2, 3, 2, 2 }, new long[] { 0, 1, 2, 1, 2, -100, 1, 0 }, new long[] { 2, 2, 2 }),
            (new long[] { 2, 3, 1, 2, 2 }, new long[] { 0, 1, 2, 1, 2, -100, 1, 0 }, new long[] { 2, 1, 2, 2 }),
        };
        foreach (var dtype in Dtypes)
            foreach (var (inputShape, target, targetShape) in cases)
                foreach (var reduction in AllReductions)
                    foreach (var weighted in new[] { false, true })
                    {
                        long classes = inputShape.Length == 1 ? inputShape[0] : inputShape[1];
                        Tensor? weight = weighted ? arange(1, classes + 1, dtype: dtype) : null;
                        var y = Classes(target, targetShape);
                        AssertSame(a => L.nll_loss(a[0], y, weight, -100, reduction), a => N.nll_loss(a[0], y, weight, reduction, -100),
                            Logits(dtype, inputShape));
                        AssertSame(a => L.cross_entropy(a[0], y, weight, -100, reduction), a => N.cross_entropy(a[0], y, weight, -100, reduction),
                            Logits(dtype, inputShape));
                        foreach (var smoothing in new[] { 0.1, 1.0 })
                            AssertSame(a => L.cross_entropy(a[0], y, weight, -100, reduction, smoothing),
                                a => N.cross_entropy(a[0], y, weight, -100, reduction, smoothing), Logits(dtype, inputShape));
                    }
    });

    [TestMethod]
    public void CrossEntropyWithProbabilityTargetsMatchesLibtorch()
    {
        foreach (var dtype in Dtypes)
            foreach (var shape in new[] { new long[] { 5 }, new long[] { 3, 5 }, new long[] { 2, 5, 3 } })
                foreach (var reduction in AllReductions)
                    foreach (var smoothing in new[] { 0.0, 0.2 })
                        foreach (var weighted in new[] { false, true })
                        {
                            Tensor? weight = weighted ? arange(1, 6, dtype: dtype) : null;
                            var target = Normal(3, dtype, false, shape).softmax(shape.Length == 1 ? 0 : 1);
                            target.requires_grad = true;
                            AssertSame(a => L.cross_entropy(a[0], a[1], weight, -100, reduction, smoothing),
                                a => N.cross_entropy(a[0], a[1], weight, -100, reduction, smoothing), Logits(dtype, shape), target);
                        }
    }

    [TestMethod]
    public void EveryTargetIgnoredGivesNanMeanAndZeroGradients() => InBothGradientModes(() =>
    {
        var y = Classes(new long[] { -100, -100 });
        AssertSame(a => L.nll_loss(a[0], y), a => N.nll_loss(a[0], y), Logits(ScalarType.Float64, 2, 3));
        AssertSame(a => L.cross_entropy(a[0], y), a => N.cross_entropy(a[0], y), Logits(ScalarType.Float64, 2, 3));
        using var scope = NewDisposeScope();
        var x = Logits(ScalarType.Float64, 2, 3);
        var loss = L.cross_entropy(x, y);
        Assert.IsTrue(double.IsNaN(loss.item<double>()));
        loss.backward();
        Assert.AreEqual(0.0, x.grad!.abs().sum().item<double>());
    });

    [TestMethod]
    public void ZeroWeightTotalGivesInfiniteAndNanGradientsLikeLibtorch() => InBothGradientModes(() =>
    {
        var y = Classes(new long[] { 0, 1, 2 });
        var weight = tensor(new[] { 1.0, -1, 0, 0 });
        AssertSame(a => L.nll_loss(a[0], y, weight), a => N.nll_loss(a[0], y, weight), Logits(ScalarType.Float64, 3, 4));
    });

    [TestMethod]
    public void CrossEntropyIsNllOfLogSoftmax()
    {
        using var scope = NewDisposeScope();
        var x = Logits(ScalarType.Float64, 4, 5);
        var y = Classes(new long[] { 1, 0, 4, 2 });
        var weight = tensor(new[] { 0.5, 1, 2, 1, 3 });
        AssertClose(L.nll_loss(x.log_softmax(1), y, weight).detach(), L.cross_entropy(x, y, weight).detach(), "ce vs nll(log_softmax)");
    }

    [TestMethod]
    public void LargeLogitsAreStable() => InBothGradientModes(() =>
    {
        var big = new[] { 1e4, -1e4, 0, 5e3, -5e3, 1e4 };
        var y = Classes(new long[] { 1, 0 });
        AssertSame(a => L.cross_entropy(a[0], y), a => N.cross_entropy(a[0], y), T(big, shape: new long[] { 2, 3 }));
    });

    [TestMethod]
    public void ErrorsCarryPyTorchsMessages()
    {
        using var scope = NewDisposeScope();
        var x = zeros(3, 4);
        void Throws<TException>(Action call, string message) where TException : Exception =>
            StringAssert.StartsWith(Assert.ThrowsExactly<TException>(call).Message, message);

        Throws<ArgumentOutOfRangeException>(() => L.nll_loss(x, Classes(new long[] { 0, 1, 4 })), "Target 4 is out of bounds.");
        Throws<ArgumentOutOfRangeException>(() => L.cross_entropy(x, Classes(new long[] { 0, -1, 2 })), "Target -1 is out of bounds.");
        Throws<ArgumentOutOfRangeException>(() => L.cross_entropy(x, Classes(new long[] { 0, 5, 2 }), label_smoothing: 0.1), "Target 5 is out of bounds.");
        Throws<ArgumentException>(() => L.nll_loss(x, tensor(new[] { 0, 1, 2 })), "expected scalar type Long but found Int");
        Throws<ArgumentException>(() => L.nll_loss(x, Classes(new long[] { 0, 1 })), "Expected input batch_size (3) to match target batch_size (2).");
        Throws<ArgumentException>(() => L.nll_loss(zeros(4), Classes(new long[] { 1, 2 })), "For 1D input, 1D target must have size 1, but got target size: 2");
        Throws<ArgumentException>(() => L.cross_entropy(zeros(4), Classes(new long[] { 1 }), label_smoothing: 0.1),
            "output with shape [] doesn't match the broadcast shape [1]");
        Throws<ArgumentException>(() => L.cross_entropy(x, tensor(new byte[] { 0, 1, 2 }), ones(4), label_smoothing: 0.1),
            "gather(): Expected dtype int32/int64 for index");
        Throws<ArgumentException>(() => L.nll_loss(x, Classes(new long[] { 0, 1, 2 }), ones(3)),
            "weight tensor should be defined either for all 4 classes or no classes but got weight tensor of shape: [3]");
        Throws<ArgumentException>(() => L.nll_loss(zeros(2, 3, 4), Classes(new long[10], new long[] { 2, 5 })), "Expected target size [2, 4], got [2, 5]");
        Throws<ArgumentException>(() => L.nll_loss(zeros(new long[] { 2, 3, 4, 5 }), Classes(new long[48], new long[] { 2, 4, 6 })),
            "size mismatch (got input: [2, 3, 4, 5] , target: [2, 4, 6]");
        Throws<ArgumentException>(() => L.nll_loss(x, Classes(new long[] { 0, 1, 2 }), ones(4, ScalarType.Float64)),
            "expected scalar type Float but found Double");
        Throws<ArgumentException>(() => L.nll_loss(zeros(Array.Empty<long>()), Classes(new long[] { 0 }, Array.Empty<long>())), "Expected 1 or more dimensions (got 0)");
        Throws<ArgumentOutOfRangeException>(() => L.cross_entropy(x, Classes(new long[] { 0, 1, 2 }), label_smoothing: 1.5),
            "label_smoothing must be between 0.0 and 1.0. Got: 1.5");
        Throws<ArgumentException>(() => L.cross_entropy(x, rand(3, 4), ignore_index: 2), "ignore_index is not supported for floating point target");
        Throws<ArgumentException>(() => L.cross_entropy(x, zeros(new long[] { 3, 4 }, ScalarType.Int64)),
            "Expected floating point type for target with class probabilities, got Long");
        Throws<ArgumentException>(() => L.cross_entropy(x, rand(3, 4), ones(3)),
            "cross_entropy: weight tensor should be defined either for all 4 classes or no classes but got weight tensor of shape: [3]");
        Throws<ArgumentException>(() => L.cross_entropy(x, rand(3, 5)), "0D or 1D target tensor expected, multi-target not supported");
    }

    [TestMethod]
    public void UnbatchedTargetOfShapeOneIsTheZeroDimTarget() => InBothGradientModes(() =>
    {
        // libtorch 2.10 accepts a 1-D input with a target of shape (1) and returns the 0-d target's loss (a 0-d result for
        // every reduction). Its backward then fails ("size mismatch (got input: [5], target: [1])"), and a native error inside
        // autograd ends a TorchSharp process: values are compared with libtorch, the gradient with the 0-d target's.
        var weight = tensor(new[] { 0.5, 1, 2, 1, 3 });
        foreach (var reduction in AllReductions)
            foreach (var w in new[] { null, weight })
                foreach (var (label, ignoreIndex) in new[] { (3L, -100L), (3L, 3L) })
                {
                    using var scope = NewDisposeScope();
                    var one = Classes(new[] { label });
                    var zeroDim = Classes(new[] { label }, Array.Empty<long>());
                    var values = Logits(ScalarType.Float64, 5).detach();
                    AssertSame(a => L.nll_loss(a[0], one, w, ignoreIndex, reduction), a => N.nll_loss(a[0], one, w, reduction, ignoreIndex), values);
                    AssertSame(a => L.cross_entropy(a[0], one, w, ignoreIndex, reduction), a => N.cross_entropy(a[0], one, w, ignoreIndex, reduction), values);
                    AssertSame(a => L.nll_loss(a[0], one, w, ignoreIndex, reduction), a => L.nll_loss(a[0], zeroDim, w, ignoreIndex, reduction),
                        values.requires_grad_());
                    AssertSame(a => L.cross_entropy(a[0], one, w, ignoreIndex, reduction), a => L.cross_entropy(a[0], zeroDim, w, ignoreIndex, reduction),
                        values);
                }
    });

    [TestMethod]
    public void Float16MatchesLibtorch() => InBothGradientModes(() =>
    {
        // libtorch 2.10 has float16 CPU kernels for NLL, log_softmax and their backward (1.13 had none).
        var weight = tensor(new[] { 0.5, 1, 2, 1 }).to(ScalarType.Float16);
        foreach (var reduction in AllReductions)
            foreach (var (shape, target) in new[] { (new long[] { 3, 4 }, Classes(new long[] { 0, 3, -100 })),
                                                    (new long[] { 2, 4, 3 }, Classes(new long[] { 1, 2, 0, 3, 3, -100 }, new long[] { 2, 3 })) })
            {
                AssertSame(a => L.nll_loss(a[0], target, weight, -100, reduction), a => N.nll_loss(a[0], target, weight, reduction, -100),
                    Logits(ScalarType.Float16, shape));
                foreach (var smoothing in new[] { 0.0, 0.2 })
                    AssertSame(a => L.cross_entropy(a[0], target, weight, -100, reduction, smoothing),
                        a => N.cross_entropy(a[0], target, weight, -100, reduction, smoothing), Logits(ScalarType.Float16, shape));
            }
        var probabilities = Normal(3, ScalarType.Float16, true, 3, 4).softmax(1).detach().requires_grad_();
        AssertSame(a => L.cross_entropy(a[0], a[1], weight), a => N.cross_entropy(a[0], a[1], weight), Logits(ScalarType.Float16, 3, 4), probabilities);
    });

    [TestMethod]
    public void ADisposedWeightIsRefusedNamingTheArgument()
    {
        // Refused before its handle is read (TorchSharp's own refusal, "Tensor invalid -- empty handle.", names nothing).
        using var scope = NewDisposeScope();
        var weight = tensor(new[] { 1.0, 2, 3 });
        weight.Dispose();
        var x = Logits(ScalarType.Float64, 2, 3);
        var y = Classes(new long[] { 0, 2 });
        foreach (var call in new Action[]
                 {
                     () => L.nll_loss(x, y, weight), () => L.cross_entropy(x, y, weight), () => L.cross_entropy(x, y, weight, label_smoothing: 0.1),
                     () => L.binary_cross_entropy(x.sigmoid(), x.sigmoid().detach(), weight),
                     () => L.binary_cross_entropy_with_logits(x, x.sigmoid().detach(), weight),
                     () => L.binary_cross_entropy_with_logits(x, x.sigmoid().detach(), pos_weight: weight),
                 })
        {
            var e = Assert.ThrowsExactly<ObjectDisposedException>(call);
            Assert.IsTrue(e.ObjectName is "weight" or "pos_weight", e.ObjectName);
            StringAssert.Contains(e.Message, "has been disposed");
        }
    }

    [TestMethod]
    public void Uint8TargetsAreAccepted()
    {
        using var scope = NewDisposeScope();
        var x = Logits(ScalarType.Float32, 3, 4).detach();
        var asLong = L.cross_entropy(x, Classes(new long[] { 0, 3, 1 }));
        var asByte = L.cross_entropy(x, tensor(new byte[] { 0, 3, 1 }));
        AssertClose(asLong, asByte, "uint8 vs int64 targets");
    }

    [TestMethod]
    public void ModulesEqualFunctionals()
    {
        using var scope = NewDisposeScope();
        var x = Logits(ScalarType.Float64, 3, 4);
        var y = Classes(new long[] { 0, 3, 1 });
        var weight = tensor(new[] { 1.0, 2, 3, 4 });
        var ce = TorchLosses.nn.CrossEntropyLoss(weight, ignore_index: 3, reduction: R.Sum, label_smoothing: 0.25);
        AssertClose(L.cross_entropy(x, y, weight, 3, R.Sum, 0.25), ce.call(x, y), "cross entropy module");
        var nll = TorchLosses.nn.NLLLoss(weight, ignore_index: 0);
        AssertClose(L.nll_loss(x, y, weight, 0), nll.call(x, y), "nll module");
    }
}
