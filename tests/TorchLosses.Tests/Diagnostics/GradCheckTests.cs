using TorchLosses;
using TorchLossesTests.Support;

namespace TorchLossesTests.Diagnostics;

[TestClass]
public sealed class GradCheckTests
{
    // Differences d = x − y all at least 0.1 away from ±0.5, ±1 and 0: no finite difference straddles a kink.
    private static readonly double[] X = { 0.3, -1.7, 2.4, 0.05, -0.2, 1.3, -0.65, 3.1 };
    private static readonly double[] Y = { -0.1, 0.2, 0.4, 0.75, 0.6, -0.4, 0.1, 1.0 };

    private static Tensor[] Point() => new[] { Parity.T(X, shape: new long[] { 2, 4 }), Parity.T(Y, shape: new long[] { 2, 4 }) };

    [TestMethod]
    [DataRow("smooth_l1", 0.5)]
    [DataRow("smooth_l1", 1.0)]
    [DataRow("smooth_l1", 0.0)]
    [DataRow("huber", 0.5)]
    [DataRow("huber", 2.5)]
    [DataRow("mse", double.NaN)]
    public void PassesOnRegressionLossesAwayFromKinks(string loss, double parameter)
    {
        using var scope = NewDisposeScope();
        foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
        {
            Func<Tensor[], Tensor> f = loss switch
            {
                "smooth_l1" => t => L.smooth_l1_loss(t[0], t[1], reduction, parameter),
                "huber" => t => L.huber_loss(t[0], t[1], reduction, parameter),
                _ => t => L.mse_loss(t[0], t[1], reduction),
            };
            var result = GradCheck.gradcheck(f, Point());
            Assert.IsTrue(result.Passed, result.ToString());
            // Both inputs are differentiated: 2 inputs × 8 elements per output element.
            Assert.AreEqual((reduction == R.None ? 8 : 1) * 16, result.Entries);
            StringAssert.StartsWith(result.ToString(), "gradcheck passed");
        }
    }

    [TestMethod]
    public void PassesOnCrossEntropyWithWeightsSmoothingAndProbabilityTargets()
    {
        using var scope = NewDisposeScope();
        var logits = Parity.Normal(7, ScalarType.Float64, true, 4, 5);
        var classes = tensor(new long[] { 0, 3, 1, 4 });
        var weight = Parity.T(new[] { 0.5, 1.5, 1.0, 2.0, 0.75 }, grad: false);
        var index = GradCheck.gradcheck(t => L.cross_entropy(t[0], t[1], t[2], ignore_index: 3, label_smoothing: 0.2), new[] { logits, classes, weight });
        Assert.IsTrue(index.Passed, index.ToString());
        Assert.AreEqual(20, index.Entries, "only the logits require grad: 1 output × 20 elements");

        var probabilities = Parity.Normal(8, ScalarType.Float64, false, 4, 5).softmax(1).requires_grad_(true);
        var soft = GradCheck.gradcheck(t => L.cross_entropy(t[0], t[1], reduction: R.None, label_smoothing: 0.1), new[] { logits, probabilities });
        Assert.IsTrue(soft.Passed, soft.ToString());
        Assert.AreEqual(4 * 40, soft.Entries);
    }

    /// <summary>x² summed, with a backward that returns 4x instead of 2x (value kept, gradient replaced).</summary>
    private static Tensor WrongGradient(Tensor[] t)
    {
        var x = t[0];
        var value = x.square().sum();
        return value.detach() + ((x - x.detach()) * (4 * x).detach()).sum();
    }

    [TestMethod]
    public void FailsOnAWrongGradientAndReportsTheWorstElement()
    {
        using var scope = NewDisposeScope();
        var x = Parity.T(new[] { 0.5, -2.0, 1.0, 0.25 }, shape: new long[] { 2, 2 });
        var e = Assert.ThrowsExactly<GradCheckException>(() => GradCheck.gradcheck(WrongGradient, new[] { x }));
        var worst = e.Result.Worst!;
        Assert.IsFalse(e.Result.Passed);
        Assert.AreEqual(4, e.Result.Failures, "every entry is off by a factor of 2");
        // The largest |x| gives the largest error relative to its allowance: element [0, 1] (x = −2).
        Assert.AreEqual(0, worst.Input);
        Assert.AreEqual("[0, 1]", worst.InputIndex);
        Assert.AreEqual("[]", worst.OutputIndex);
        Assert.AreEqual(-8.0, worst.Analytical, 1e-12);
        Assert.AreEqual(-4.0, worst.Numerical, 1e-6);
        Assert.IsFalse(worst.Passed);
        StringAssert.Contains(e.Message, "gradcheck failed: Jacobian mismatch in 4 of 4 entries");
        StringAssert.Contains(e.Message, "output element [] with respect to input 0 element [0, 1]");
        StringAssert.Contains(e.Message, "analytical -8, numerical -4");
        StringAssert.Contains(e.Message, "exceeds atol + rtol·|numerical|");
    }

    [TestMethod]
    public void WithoutRaisingItReturnsTheFailure()
    {
        using var scope = NewDisposeScope();
        var x = Parity.T(new[] { 0.5, -2.0, 1.0 });
        var result = GradCheck.gradcheck(WrongGradient, new[] { x }, raise_exception: false);
        Assert.IsFalse(result.Passed);
        Assert.AreEqual("[1]", result.Worst!.InputIndex);
    }

    [TestMethod]
    public void ASmallWrongFactorPassesOnlyWithinTheTolerance()
    {
        // The analytical gradient scaled by (1 + 5e-4) is within rtol 1e-3; by (1 + 5e-3) it is not.
        using var scope = NewDisposeScope();
        Func<Tensor[], Tensor> Scaled(double factor) => t =>
        {
            var x = t[0];
            return x.square().sum().detach() + ((x - x.detach()) * (2 * factor * x).detach()).sum();
        };
        var x = Parity.T(new[] { 1.5, -0.75 });
        Assert.IsTrue(GradCheck.gradcheck(Scaled(1 + 5e-4), new[] { x }).Passed);
        Assert.IsFalse(GradCheck.gradcheck(Scaled(1 + 5e-3), new[] { x }, raise_exception: false).Passed);
        Assert.IsTrue(GradCheck.gradcheck(Scaled(1 + 5e-3), new[] { x }, rtol: 1e-2).Passed, "a looser rtol accepts it");
    }

    [TestMethod]
    public void NaNGradientsFail()
    {
        using var scope = NewDisposeScope();
        var x = Parity.T(new[] { 1.0, 2.0 });
        var result = GradCheck.gradcheck(t => t[0].sum().detach() + ((t[0] - t[0].detach()) * double.NaN).sum(), new[] { x }, raise_exception: false);
        Assert.IsFalse(result.Passed);
        Assert.IsTrue(double.IsPositiveInfinity(result.Worst!.Score));
    }

    [TestMethod]
    public void InputsThatDoNotRequireGradAreNotDifferentiatedAndNothingIsModified()
    {
        using var scope = NewDisposeScope();
        var inputs = Point();
        inputs[1].requires_grad = false;
        var before = inputs.Select(t => t.detach().clone()).ToArray();
        var result = GradCheck.gradcheck(t => L.smooth_l1_loss(t[0], t[1], R.Sum, 0.5), inputs);
        Assert.IsTrue(result.Passed);
        Assert.AreEqual(8, result.Entries);
        for (int k = 0; k < inputs.Length; k++) Assert.IsTrue(before[k].Equals(inputs[k]), $"input {k} was modified");
        Assert.IsNull(inputs[0].grad, "gradcheck must not accumulate into .grad");
    }

    [TestMethod]
    public void CastsNothing()
    {
        using var scope = NewDisposeScope();
        var single = Parity.T(X, ScalarType.Float32);
        var e = Assert.ThrowsExactly<ArgumentException>(() => GradCheck.gradcheck(t => t[0].sum(), new[] { single }));
        StringAssert.Contains(e.Message, "Input #0 requires gradient and is not a double precision floating point tensor (it is Float)");

        var output = Assert.ThrowsExactly<ArgumentException>(() => GradCheck.gradcheck(t => t[0].sum().to(ScalarType.Float32), new[] { Parity.T(X) }));
        StringAssert.Contains(output.Message, "needs a float64 output");

        var none = Assert.ThrowsExactly<ArgumentException>(() => GradCheck.gradcheck(t => t[0].sum(), new[] { Parity.T(X, grad: false) }));
        StringAssert.Contains(none.Message, "at least one input tensor to require gradient");

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GradCheck.gradcheck(t => t[0].sum(), new[] { Parity.T(X) }, eps: 0));
    }

    [TestMethod]
    public void ANonDifferentiableOutputHasAZeroJacobianAndPassesOnlyIfTheFunctionIsConstant()
    {
        using var scope = NewDisposeScope();
        var x = Parity.T(new[] { 1.0, 2.0 });
        Assert.IsTrue(GradCheck.gradcheck(t => t[0].detach().sum() * 0 + 3, new[] { x }).Passed);
        var result = GradCheck.gradcheck(t => t[0].detach().sum(), new[] { x }, raise_exception: false);
        Assert.IsFalse(result.Passed, "autograd sees no dependence, finite differences do");
        Assert.AreEqual(0.0, result.Worst!.Analytical);
        Assert.AreEqual(1.0, result.Worst.Numerical, 1e-8);
    }
}
