using static TorchLossesTests.Binding.ValueAssert;

namespace TorchLossesTests.Binding;

[TestClass]
public sealed class ComparisonOpTests
{
    [TestMethod]
    public void ComparisonMethodsGiveBoolTensors()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0, 2.0, 3.0 });
        var b = tensor(new[] { 3.0, 2.0, 1.0 });
        var results = new[] { a.eq(b), a.ne(b), a.lt(b), a.le(b), a.gt(b), a.ge(b) };
        foreach (var r in results) Assert.AreEqual(ScalarType.Bool, r.dtype);
        Exactly(new[] { 0.0, 1, 0 }, results[0]);
        Exactly(new[] { 1.0, 0, 1 }, results[1]);
        Exactly(new[] { 1.0, 0, 0 }, results[2]);
        Exactly(new[] { 1.0, 1, 0 }, results[3]);
        Exactly(new[] { 0.0, 0, 1 }, results[4]);
        Exactly(new[] { 0.0, 1, 1 }, results[5]);
        Exactly(new[] { 0.0, 1, 0 }, a.eq(2));
        Exactly(new[] { 1.0, 0, 1 }, a.ne(2));
        Exactly(new[] { 1.0, 0, 0 }, a.lt(2));
        Exactly(new[] { 1.0, 1, 0 }, a.le(2));
        Exactly(new[] { 0.0, 0, 1 }, a.gt(2));
        Exactly(new[] { 0.0, 0, 1 }, a.ge(2.5));
        Exactly(new[] { 1.0, 0, 0 }, torch.lt(a, b));
        Exactly(new[] { 0.0, 0, 1 }, torch.gt(a, b));
        Exactly(new[] { 1.0, 1, 0 }, torch.le(a, b));
        Exactly(new[] { 0.0, 1, 1 }, torch.ge(a, b));
        Exactly(new[] { 0.0, 1, 0 }, torch.eq(a, b));
        Exactly(new[] { 1.0, 0, 1 }, torch.ne(a, b));
        Exactly(new[] { 1.0, 0, 0 }, a.less(b));
        Exactly(new[] { 0.0, 1, 1 }, a.greater_equal(b));
    }

    [TestMethod]
    public void ComparisonOperatorsWithScalarsOnEitherSide()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new long[] { 1, 2, 3 });
        Exactly(new[] { 0.0, 1, 0 }, a == 2);
        Exactly(new[] { 0.0, 1, 0 }, 2 == a);
        Exactly(new[] { 1.0, 0, 1 }, a != 2);
        Exactly(new[] { 1.0, 0, 1 }, 2 != a);
        Exactly(new[] { 1.0, 0, 0 }, a < 2);
        Exactly(new[] { 0.0, 0, 1 }, 2 < a);
        Exactly(new[] { 1.0, 1, 0 }, a <= 2);
        Exactly(new[] { 0.0, 1, 1 }, 2 <= a);
        Exactly(new[] { 0.0, 0, 1 }, a > 2);
        Exactly(new[] { 1.0, 0, 0 }, 2 > a);
        Exactly(new[] { 0.0, 1, 1 }, a >= 2);
        Exactly(new[] { 1.0, 1, 0 }, 2 >= a);
        Exactly(new[] { 0.0, 0, 1 }, a > 2.5);
        var b = tensor(new long[] { 3, 2, 1 });
        Exactly(new[] { 0.0, 1, 0 }, a == b);
        Exactly(new[] { 1.0, 0, 1 }, a != b);
        Exactly(new[] { 1.0, 0, 0 }, a < b);
        Exactly(new[] { 1.0, 1, 0 }, a <= b);
        Exactly(new[] { 0.0, 0, 1 }, a > b);
        Exactly(new[] { 0.0, 1, 1 }, a >= b);
    }

    [TestMethod]
    public void ComparisonsBroadcastAndReportShapeErrors()
    {
        using var scope = NewDisposeScope();
        var column = tensor(new[] { 1.0, 2.0 }, new long[] { 2, 1 });
        var row = tensor(new[] { 1.0, 2.0, 3.0 });
        var le = column <= row;
        Shape(new long[] { 2, 3 }, le);
        Exactly(new[] { 1.0, 1, 1, 0, 1, 1 }, le);
        // torch.tensor([1,2]) == torch.tensor([1,2,3]) in PyTorch 1.13:
        Fails(() => _ = tensor(new long[] { 1, 2 }) == tensor(new long[] { 1, 2, 3 }),
            "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
    }

    [TestMethod]
    public void EqualsIsWholeTensorEqualityAcrossDtypes()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new long[] { 1, 2 });
        Assert.IsTrue(a.Equals(tensor(new[] { 1f, 2f })), "torch.equal(tensor([1,2]), tensor([1.,2.])) is True in PyTorch 1.13");
        Assert.IsFalse(a.Equals(tensor(new long[] { 1, 3 })));
        Assert.IsFalse(a.Equals(tensor(new long[] { 1, 2, 3 })), "different shapes are unequal, not an error");
        Assert.IsFalse(a.Equals(tensor(new long[] { 1, 2 }, new long[] { 2, 1 })));
        Assert.IsFalse(tensor(new[] { double.NaN }).Equals(tensor(new[] { double.NaN })));
        object boxed = tensor(new long[] { 1, 2 });
        Assert.IsTrue(a.Equals(boxed));
        Assert.IsFalse(a.Equals("not a tensor"));
        Assert.IsFalse(a.Equals((object?)null));
        Assert.AreEqual(a.GetHashCode(), boxed.GetHashCode(), "equal tensors hash equally");
        Assert.AreEqual(a.GetHashCode(), tensor(new[] { 1.0, 2.0 }).GetHashCode());
        Assert.AreEqual(tensor(new[] { 1.0, 2.0 }), tensor(new long[] { 1, 2 }));
    }

    [TestMethod]
    public void AllcloseAndIscloseUseRelativeAndAbsoluteTolerance()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0, 100.0, double.NaN });
        var b = tensor(new[] { 1.0 + 1e-6, 100.0 + 2e-3, double.NaN });
        // |a - b| <= atol + rtol |b|: 1e-6 <= 1e-8 + 1e-5 · 1.000001 holds; 2e-3 <= 1e-8 + 1e-5 · 100.002 fails,
        // but holds with atol = 1e-3 (bound 2.00002e-3).
        Exactly(new[] { 1.0, 0, 0 }, a.isclose(b));
        Exactly(new[] { 1.0, 1, 1 }, torch.isclose(a, b, rtol: 1e-5, atol: 1e-3, nanEqual: true));
        Assert.IsFalse(a.allclose(b, atol: 1e-3));
        Assert.IsTrue(a.allclose(b, atol: 1e-3, equal_nan: true));
        Assert.IsTrue(torch.allclose(tensor(new[] { 1.0 }), tensor(new[] { 1.0 + 1e-9 })));
        Fails(() => tensor(new[] { 1.0, 2.0 }).allclose(tensor(new[] { 1.0, 2.0, 3.0 })),
            "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
    }

    [TestMethod]
    public void FloatingClassification()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity });
        Exactly(new[] { 0.0, 1, 0, 0 }, x.isnan());
        Exactly(new[] { 0.0, 1, 0, 0 }, torch.isnan(x));
        Exactly(new[] { 0.0, 0, 1, 1 }, x.isinf());
        Exactly(new[] { 1.0, 0, 0, 0 }, x.isfinite());
        Exactly(new[] { 0.0, 0, 1, 0 }, x.isposinf());
        Exactly(new[] { 0.0, 0, 0, 1 }, torch.isneginf(x));
        Assert.AreEqual(ScalarType.Bool, x.isnan().dtype);
    }

    [TestMethod]
    public void LogicalAndBitwiseOps()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new[] { true, true, false, false });
        var q = tensor(new[] { true, false, true, false });
        Exactly(new[] { 1.0, 0, 0, 0 }, p & q);
        Exactly(new[] { 1.0, 1, 1, 0 }, p | q);
        Exactly(new[] { 0.0, 1, 1, 0 }, p ^ q);
        Exactly(new[] { 0.0, 0, 1, 1 }, ~p);
        Assert.AreEqual(ScalarType.Bool, (p & q).dtype);
        Exactly(new[] { 1.0, 0, 0, 0 }, p.logical_and(q));
        Exactly(new[] { 1.0, 1, 1, 0 }, torch.logical_or(p, q));
        Exactly(new[] { 0.0, 1, 1, 0 }, p.logical_xor(q));
        Exactly(new[] { 0.0, 0, 1, 1 }, p.logical_not());
        // logical ops accept any dtype (non-zero is true) and give bool.
        Exactly(new[] { 1.0, 0 }, tensor(new[] { 2.5, 0.0 }).logical_and(tensor(new long[] { -1, 7 })));
        var five = tensor(new long[] { 5 });
        var three = tensor(new long[] { 3 });
        Exactly(new[] { 1.0 }, five & three);
        Exactly(new[] { 7.0 }, five | three);
        Exactly(new[] { 6.0 }, five ^ three);
        Exactly(new[] { -6.0 }, ~five);
        Exactly(new[] { -6.0 }, torch.bitwise_not(five));
        Fails(() => _ = tensor(new[] { 1.0 }) & tensor(new[] { 1.0 }), "bitwise_and");
    }
}
