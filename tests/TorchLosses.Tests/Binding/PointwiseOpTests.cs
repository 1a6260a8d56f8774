using static TorchLossesTests.Binding.ValueAssert;

namespace TorchLossesTests.Binding;

[TestClass]
public sealed class PointwiseOpTests
{
    // x = [-1.5, -0.5, 0, 0.5, 2] (float64); expected values printed by PyTorch 1.13:
    // getattr(x, name)().tolist() for each name.
    private static readonly double[] X = { -1.5, -0.5, 0.0, 0.5, 2.0 };

    private static torch.Tensor Unary(string name, torch.Tensor x) => name switch
    {
        "sigmoid" => x.sigmoid(),
        "tanh" => x.tanh(),
        "expm1" => x.expm1(),
        "log1p" => x.log1p(),
        "exp2" => x.exp2(),
        "erf" => x.erf(),
        "erfc" => x.erfc(),
        "frac" => x.frac(),
        "sgn" => x.sgn(),
        "log_sigmoid" => x.log_sigmoid(),
        "softplus" => x.softplus(),
        "abs" => x.abs(),
        "relu" => x.relu(),
        "floor" => x.floor(),
        "ceil" => x.ceil(),
        "trunc" => x.trunc(),
        "square" => x.square(),
        _ => throw new ArgumentException(name),
    };

    [TestMethod]
    [DataRow("sigmoid", new[] { 0.18242552380635635, 0.3775406687981454, 0.5, 0.6224593312018546, 0.8807970779778823 })]
    [DataRow("tanh", new[] { -0.9051482536448664, -0.46211715726000974, 0.0, 0.46211715726000974, 0.9640275800758169 })]
    [DataRow("expm1", new[] { -0.7768698398515702, -0.3934693402873666, 0.0, 0.6487212707001282, 6.38905609893065 })]
    [DataRow("log1p", new[] { double.NaN, -0.6931471805599453, 0.0, 0.4054651081081644, 1.0986122886681098 })]
    [DataRow("exp2", new[] { 0.3535533905932738, 0.7071067811865476, 1.0, 1.4142135623730951, 4.0 })]
    [DataRow("erf", new[] { -0.9661051464753108, -0.5204998778130465, 0.0, 0.5204998778130465, 0.9953222650189527 })]
    [DataRow("erfc", new[] { 1.9661051464753108, 1.5204998778130465, 1.0, 0.4795001221869535, 0.004677734981047265 })]
    [DataRow("frac", new[] { -0.5, -0.5, 0.0, 0.5, 0.0 })]
    [DataRow("sgn", new[] { -1.0, -1.0, 0.0, 1.0, 1.0 })]
    // torch.nn.functional.logsigmoid(x) / softplus(x)
    [DataRow("log_sigmoid", new[] { -1.7014132779827524, -0.9740769841801067, -0.6931471805599453, -0.4740769841801067, -0.1269280110429725 })]
    [DataRow("softplus", new[] { 0.2014132779827524, 0.4740769841801067, 0.6931471805599453, 0.9740769841801067, 2.1269280110429727 })]
    // hand-computed
    [DataRow("abs", new[] { 1.5, 0.5, 0.0, 0.5, 2.0 })]
    [DataRow("relu", new[] { 0.0, 0.0, 0.0, 0.5, 2.0 })]
    [DataRow("floor", new[] { -2.0, -1.0, 0.0, 0.0, 2.0 })]
    [DataRow("ceil", new[] { -1.0, -0.0, 0.0, 1.0, 2.0 })]
    [DataRow("trunc", new[] { -1.0, -0.0, 0.0, 0.0, 2.0 })]
    [DataRow("square", new[] { 2.25, 0.25, 0.0, 0.25, 4.0 })]
    public void UnaryOpMatchesPyTorch(string name, double[] expected)
    {
        using var scope = NewDisposeScope();
        var result = Unary(name, tensor(X));
        Assert.AreEqual(ScalarType.Float64, result.dtype);
        Close(expected, result);
    }

    [TestMethod]
    public void SoftplusHonoursBetaAndThreshold()
    {
        using var scope = NewDisposeScope();
        // F.softplus(x, beta=2, threshold=1): 2 · 2 = 4 > 1, so the last element is x itself.
        Close(new[] { 0.02429367578687103, 0.15663084375911143, 0.34657359027997264, 0.6566308437591114, 2.0 },
            tensor(X).softplus(beta: 2, threshold: 1));
        Close(new[] { 0.02429367578687103, 2.0 }, torch.softplus(tensor(new[] { -1.5, 2.0 }), 2, 1));
    }

    [TestMethod]
    public void GammaFunctionsMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new[] { 0.5, 1.0, 2.5, 4.0 });
        // p.lgamma().tolist(), p.digamma().tolist(): lgamma(0.5) = log √π, digamma(1) = −γ.
        Close(new[] { 0.5723649429247001, 0.0, 0.2846828704729192, 1.791759469228055 }, p.lgamma());
        Close(new[] { -1.9635100260214229, -0.5772156649015328, 0.7031566406452431, 1.2561176684318003 }, p.digamma());
        Close(new[] { 0.5723649429247001 }, torch.lgamma(tensor(new[] { 0.5 })));
    }

    [TestMethod]
    public void RoundIsHalfToEvenAndTakesDecimals()
    {
        using var scope = NewDisposeScope();
        Close(new[] { 0.0, 2.0, 2.0, -0.0, 1.0 }, tensor(new[] { 0.5, 1.5, 2.5, -0.5, 1.2345 }).round());
        // torch.tensor([1.2345, 123.45], dtype=float64).round(decimals=2) -> [1.23, 123.45]
        Close(new[] { 1.23, 123.45 }, tensor(new[] { 1.2345, 123.45 }).round(2));
        Close(new[] { 1200.0 }, torch.round(tensor(new[] { 1234.5 }), -2));
    }

    [TestMethod]
    public void RemainderFollowsTheDivisorAndFmodTheDividend()
    {
        using var scope = NewDisposeScope();
        var ints = tensor(new long[] { -3, -1, 2, 5 });
        Exactly(new[] { 0.0, 2, 2, 2 }, ints.remainder(3));
        Exactly(new[] { 0.0, 2, 2, 2 }, ints % 3);
        Assert.AreEqual(ScalarType.Int64, (ints % 3).dtype);
        var f = tensor(new[] { -3.5f, 5.5f });
        Exactly(new[] { 0.5, 1.5 }, f % 2.0);
        Exactly(new[] { -1.5, 1.5 }, f.fmod(2));
        Exactly(new[] { -1.5, 1.5 }, torch.fmod(f, tensor(new[] { 2f, 2f })));
        Exactly(new[] { 0.5, 1.5 }, f % tensor(new[] { 2f }));
    }

    [TestMethod]
    public void DivisionRoundingModes()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new long[] { -7, 7 });
        var trueDiv = a.div(2);
        Assert.AreEqual(ScalarType.Float32, trueDiv.dtype, "true division of integers is floating");
        Exactly(new[] { -3.5, 3.5 }, trueDiv);
        var trunc = a.div(2, RoundingMode.trunc);
        Assert.AreEqual(ScalarType.Int64, trunc.dtype);
        Exactly(new[] { -3.0, 3 }, trunc);
        Exactly(new[] { -4.0, 3 }, a.div(tensor(new long[] { 2 }), RoundingMode.floor));
        Exactly(new[] { -4.0, 3 }, torch.div(a, 2, RoundingMode.floor));
        Exactly(new[] { -3.5, 3.5 }, a / 2);
    }

    [TestMethod]
    public void XlogyIsZeroWhereXIsZero()
    {
        using var scope = NewDisposeScope();
        // torch.tensor([0,0,2,3.]).xlogy(torch.tensor([0,nan,3,0.])) -> [0, nan, 2 log 3, -inf]
        var x = tensor(new[] { 0.0, 0.0, 2.0, 3.0 });
        var y = tensor(new[] { 0.0, double.NaN, 3.0, 0.0 });
        Close(new[] { 0.0, double.NaN, 2.1972245773362196, double.NegativeInfinity }, x.xlogy(y));
        Close(new[] { 0.0, 0.0, 2.1972245773362196, 3.2958368660043291 }, torch.xlogy(x, 3));
    }

    [TestMethod]
    public void NanToNumUsesTheDtypeExtremesByDefault()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1f });
        Close(new[] { 0.0, float.MaxValue, float.MinValue, 1.0 }, t.nan_to_num());
        Close(new[] { -1.0, 5.0, -5.0, 1.0 }, torch.nan_to_num(t, nan: -1, posinf: 5, neginf: -5));
        Close(new[] { 2.0, 9.0, float.MinValue, 1.0 }, t.nan_to_num(2, 9));
    }

    [TestMethod]
    public void IntegerTensorsFollowLibtorchTypePromotion()
    {
        using var scope = NewDisposeScope();
        var longs = tensor(new long[] { 1, 2, 3 });
        Assert.AreEqual(ScalarType.Int64, (longs + 1).dtype, "long + int literal stays long");
        Assert.AreEqual(ScalarType.Int64, (longs * 2L).dtype);
        Assert.AreEqual(ScalarType.Int64, (1 - longs).dtype);
        var half = longs + 0.5;
        Assert.AreEqual(ScalarType.Float32, half.dtype, "long + floating scalar becomes the default float type");
        Exactly(new[] { 1.5, 2.5, 3.5 }, half);
        Assert.AreEqual(ScalarType.Float32, (tensor(new[] { 1f }) + 0.1).dtype, "a double scalar does not widen float32");
        Assert.AreEqual(ScalarType.Float32, (longs + tensor(new[] { 1f })).dtype);
        Assert.AreEqual(ScalarType.Int64, (tensor(new[] { 1 }) + longs).dtype, "int32 tensor + int64 tensor is int64");
        Assert.AreEqual(ScalarType.Float64, (tensor(new[] { 1.0 }) + tensor(new[] { 1f })).dtype);
        Assert.AreEqual(ScalarType.Int64, longs.pow(2).dtype);
        Assert.AreEqual(ScalarType.Float32, longs.sqrt().dtype, "floating unary ops on integers give float32");
    }

    [TestMethod]
    public void OperatorsWithTheScalarOnEitherSide()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0, 4.0 });
        Exactly(new[] { 3.0, 4, 6 }, x + 2);
        Exactly(new[] { 3.0, 4, 6 }, 2L + x);
        Exactly(new[] { 1.5, 2.5, 4.5 }, 0.5f + x);
        Exactly(new[] { 1.0, 0, -2 }, 2 - x);
        Exactly(new[] { -1.0, 0, 2 }, x - 2.0);
        Exactly(new[] { 1.5, 0.5, -1.5 }, (Scalar)2.5 - x);
        Exactly(new[] { 0.5, 1, 2 }, x * 0.5);
        Exactly(new[] { 3.0, 6, 12 }, 3 * x);
        Exactly(new[] { 4.0, 2, 1 }, 4.0 / x);
        Exactly(new[] { 4.0, 2, 1 }, 4L / x);
        Exactly(new[] { 0.25, 0.5, 1 }, x / 4f);
        Exactly(new[] { -1.0, -2, -4 }, -x);
        Exactly(new[] { 2.0, 4, 8 }, x + x);
        Exactly(new[] { 1.0, 4, 16 }, x * x);
        Exactly(new[] { 0.0, 0, 0 }, x - x);
        Exactly(new[] { 1.0, 1, 1 }, x / x);
        Exactly(new[] { 3.0, 4, 6 }, x.add(tensor(new[] { 1.0 }), 2));
        Exactly(new[] { 3.0, 4, 6 }, x.add(1, 2));
        Exactly(new[] { 3.0, 4, 6 }, torch.add(x, tensor(new[] { 1.0 }), 2));
    }

    [TestMethod]
    public void BinaryOpsBroadcast()
    {
        using var scope = NewDisposeScope();
        var column = tensor(new[] { 10.0, 20.0, 30.0 }, new long[] { 3, 1 });
        var row = tensor(new[] { 1.0, 2.0, 3.0, 4.0 });
        var sum = column + row;
        Shape(new long[] { 3, 4 }, sum);
        Exactly(new[] { 11.0, 12, 13, 14, 21, 22, 23, 24, 31, 32, 33, 34 }, sum);
        var product = column * row;
        Exactly(new[] { 10.0, 20, 30, 40, 20, 40, 60, 80, 30, 60, 90, 120 }, product);
    }

    [TestMethod]
    public void MismatchedShapesRaiseLibtorchsMessage()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0, 2.0, 3.0 });
        var b = tensor(new[] { 1.0, 2.0, 3.0, 4.0 });
        // The message PyTorch 1.13 prints for torch.ones(3) + torch.ones(4).
        Fails(() => _ = a + b, "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0");
        Fails(() => _ = a.maximum(b), "The size of tensor a (3) must match the size of tensor b (4)");
        Fails(() => _ = torch.where(tensor(new[] { true, false }), a, a), "must match the size of tensor");
    }

    [TestMethod]
    public void ClampWithScalarAndTensorBounds()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -2.0, -0.5, 0.5, 3.0 });
        Exactly(new[] { -1.0, -0.5, 0.5, 1 }, x.clamp(-1, 1));
        Exactly(new[] { 0.0, 0, 0.5, 3 }, x.clamp(min: 0));
        Exactly(new[] { -2.0, -0.5, 0, 0 }, x.clamp(max: 0));
        Exactly(new[] { 0.0, 0, 0.5, 3 }, x.clamp_min(0));
        Exactly(new[] { -2.0, -0.5, 0.5, 1 }, x.clamp_max(1));
        Exactly(new[] { -1.0, -0.5, 0.5, 1 }, x.clip(-1, 1));
        Exactly(new[] { -1.0, -0.5, 0.5, 1 }, torch.clamp(x, -1, 1));
        Exactly(new[] { 0.0, 0, 0.5, 3 }, torch.clamp_min(x, 0));
        var lo = tensor(new[] { -3.0, 0.0, 0.0, 0.0 });
        var hi = tensor(new[] { 1.0 });
        Exactly(new[] { -2.0, 0, 0.5, 1 }, x.clamp(lo, hi));
        Exactly(new[] { -2.0, 0, 0.5, 3 }, x.clamp(min: lo));
        Exactly(new[] { -2.0, -0.5, 0.5, 1 }, torch.clamp(x, (Tensor?)null, hi));
        Assert.AreEqual(ScalarType.Int64, tensor(new long[] { 5 }).clamp(0, 3).dtype);
    }

    [TestMethod]
    public void WhereMaskedFillMaximumMinimum()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0, 3.0 });
        var y = tensor(new[] { 9.0 });
        var cond = tensor(new[] { true, false, true });
        Exactly(new[] { 1.0, 9, 3 }, x.where(cond, y));
        Exactly(new[] { 1.0, 9, 3 }, torch.where(cond, x, y));
        Exactly(new[] { 0.0, 2, 0 }, x.masked_fill(cond, 0));
        var other = tensor(new[] { 2.0, double.NaN, 1.0 });
        Close(new[] { 2.0, double.NaN, 3 }, x.maximum(other));
        Close(new[] { 1.0, double.NaN, 1 }, torch.minimum(x, other));
        Close(new[] { 2.0, double.NaN, 3 }, x.max(other));
        Close(new[] { 1.0, double.NaN, 1 }, x.min(other));
    }

    [TestMethod]
    public void TwoArgumentMath()
    {
        using var scope = NewDisposeScope();
        Close(new[] { 5.0 }, tensor(new[] { 3.0 }).hypot(tensor(new[] { 4.0 })));
        Close(new[] { 3 * Math.PI / 4 }, torch.atan2(tensor(new[] { 1.0 }), tensor(new[] { -1.0 })));
        Close(new[] { 2.5, 7.0 }, tensor(new[] { 0.0, 4.0 }).lerp(tensor(new[] { 10.0, 10.0 }), tensor(new[] { 0.25, 0.5 })));
        Close(new[] { 8.0, 0.25 }, tensor(new[] { 2.0 }).pow(tensor(new[] { 3.0, -2.0 })));
        Close(new[] { 1.0, 2.0 }, torch.rsqrt(tensor(new[] { 1.0, 0.25 })));
        Close(new[] { 4.0, -0.5 }, torch.reciprocal(tensor(new[] { 0.25, -2.0 })));
        var one = tensor(new[] { 1.0 });
        Close(new[] { Math.Sin(1) }, one.sin());
        Close(new[] { Math.Cos(1) }, torch.cos(one));
        Close(new[] { Math.Tan(1) }, one.tan());
    }

    [TestMethod]
    public void GradientsMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        // x = [0.5, 1, 2], y = [3, -1, 0.5]; (x ** y).sum().backward() in PyTorch 1.13:
        var x = tensor(new[] { 0.5, 1.0, 2.0 }, requires_grad: true);
        var y = tensor(new[] { 3.0, -1.0, 0.5 }, requires_grad: true);
        x.pow(y).sum().backward();
        Close(new[] { 0.75, -1.0, 0.3535533905932738 }, x.grad!);
        Close(new[] { -0.08664339756999316, 0.0, 0.9802581434685472 }, y.grad!);

        Close(new[] { 0.7071067811865475, 0.5, 0.35355339059327373 }, GradOf(x, t => t.sqrt()));
        Close(new[] { 2.0 / 3, 0.5, 1.0 / 3 }, GradOf(x, t => t.log1p()));
        Close(new[] { 0.2350037122015945, 0.19661193324148185, 0.10499358540350662 }, GradOf(x, t => t.sigmoid()));
        // F.softplus(x, beta=2, threshold=3): sigmoid(2x), and exactly 1 where 2x > 3.
        Close(new[] { 0.7310585786300049, 0.8807970779778824, 1.0 }, GradOf(x, t => t.softplus(2, 3)));
        // d/dx of x·y + exp(x) with y fixed: y + exp(x).
        Close(new[] { 3 + Math.Exp(0.5), -1 + Math.E, 0.5 + Math.Exp(2) }, GradOf(x, t => t * y.detach() + t.exp()));
    }

    [TestMethod]
    public void ClampPassesGradientAtItsBoundsLikePyTorch()
    {
        using var scope = NewDisposeScope();
        var c = tensor(new[] { -1.0, 0.0, 0.5, 1.0, 2.0 }, requires_grad: true);
        // c.clamp(0, 1).sum().backward() -> [0, 1, 1, 1, 0]: the bounds themselves pass the gradient.
        Exactly(new[] { 0.0, 1, 1, 1, 0 }, GradOf(c, t => t.clamp(0.0, 1.0)));
        Exactly(new[] { 0.0, 0, 1, 1, 1 }, GradOf(c, t => t.clamp_min(0.5)));
        Exactly(new[] { 1.0, 1, 1, 1, 0 }, GradOf(c, t => t.clamp_max(1)));
    }

    [TestMethod]
    public void MaximumSplitsTheGradientOnTies()
    {
        using var scope = NewDisposeScope();
        var m = tensor(new[] { 1.0, 2.0, 3.0 }, requires_grad: true);
        var o = tensor(new[] { 2.0, 2.0, 1.0 }, requires_grad: true);
        m.maximum(o).sum().backward();
        // PyTorch 1.13: m.grad = [0, 0.5, 1], o.grad = [1, 0.5, 0]
        Exactly(new[] { 0.0, 0.5, 1 }, m.grad!);
        Exactly(new[] { 1.0, 0.5, 0 }, o.grad!);
    }

    [TestMethod]
    public void WhereSendsNoGradientToTheUnselectedBranch()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0, 4.0 }, requires_grad: true);
        var b = tensor(new[] { 9.0, 16.0 }, requires_grad: true);
        torch.where(tensor(new[] { true, false }), a.sqrt(), b.sqrt()).sum().backward();
        // PyTorch 1.13: a.grad = [0.5, 0], b.grad = [0, 0.125]
        Exactly(new[] { 0.5, 0 }, a.grad!);
        Exactly(new[] { 0.0, 0.125 }, b.grad!);
    }

    [TestMethod]
    public void StaticMirrorsForwardToTheMethods()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -4.0, 0.25 });
        Exactly(new[] { 4.0, 0.25 }, torch.abs(x));
        Exactly(new[] { 4.0, -0.25 }, torch.neg(x));
        Exactly(new[] { -1.0, 1 }, torch.sign(x));
        Exactly(new[] { 16.0, 0.0625 }, torch.square(x));
        Close(new[] { 2.0, 0.5 }, torch.sqrt(torch.abs(x)));
        Close(new[] { Math.Exp(-4), Math.Exp(0.25) }, torch.exp(x));
        Close(new[] { Math.Log(4), Math.Log(0.25) }, torch.log(torch.abs(x)));
        Close(new[] { Math.Log(1.25) }, torch.log1p(tensor(new[] { 0.25 })));
        Close(new[] { 0.5 }, torch.sigmoid(tensor(new[] { 0.0 })));
        Exactly(new[] { 16.0, 0.0625 }, torch.pow(x, 2));
        Exactly(new[] { 16.0, 0.0625 }, torch.pow(x, tensor(new[] { 2.0 })));
        Exactly(new[] { 0.0, 0.25 }, torch.maximum(x, tensor(new[] { 0.0 })));
        Exactly(new[] { -4.0, 0.25 }, torch.clamp_max(x, 1));
        Exactly(new[] { -3.75 }, torch.sum(x));
    }

    [TestMethod]
    public void DisposedTensorsAreRejected()
    {
        var x = tensor(new[] { 1.0 });
        x.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => _ = x.exp());
        Assert.ThrowsExactly<ObjectDisposedException>(() => _ = x + 1);
    }

    private static torch.Tensor GradOf(torch.Tensor leaf, Func<torch.Tensor, torch.Tensor> f)
    {
        leaf.grad = null;
        f(leaf).sum().backward();
        return leaf.grad!;
    }
}
