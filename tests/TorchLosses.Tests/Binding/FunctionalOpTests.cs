using F = TorchSharp.torch.nn.functional;

namespace TorchLossesTests.Binding;

[TestClass]
public sealed class FunctionalOpTests
{
    private static readonly double[] Z = { -30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0 };

    // Expected values: torch.nn.functional.<op>(torch.tensor(Z, dtype=torch.float64)), PyTorch 1.13.
    [TestMethod]
    public void ActivationsMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        var z = tensor(Z);
        OpAssert.Exact(new[] { 0.0, 0, 0, 0, 0.5, 2, 30 }, F.relu(z));
        OpAssert.Near(new[] { -1.0, -0.9640275800758169, -0.46211715726000974, 0.0, 0.46211715726000974, 0.9640275800758169, 1.0 }, F.tanh(z));
        OpAssert.Near(new[] { 9.357622968839299e-14, 0.11920292202211755, 0.3775406687981454, 0.5, 0.6224593312018546,
                              0.8807970779778823, 0.9999999999999065 }, F.sigmoid(z));
        OpAssert.Near(new[] { 9.357622968839737e-14, 0.1269280110429725, 0.4740769841801067, 0.6931471805599453,
                              0.9740769841801067, 2.1269280110429727, 30.0 }, F.softplus(z));
        OpAssert.Near(new[] { 4.37825538134826e-27, 0.009074963958904869, 0.15663084375911143, 0.34657359027997264,
                              0.6566308437591114, 2.0090749639589047, 30.0 }, F.softplus(z, beta: 2.0, threshold: 5.0));
        OpAssert.Near(new[] { -30.000000000000092, -2.1269280110429727, -0.9740769841801067, -0.6931471805599453,
                              -0.4740769841801067, -0.1269280110429725, -9.357622968839737e-14 }, F.logsigmoid(z));
    }

    [TestMethod]
    public void InPlaceActivationsOverwriteTheirInput()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new double[] { -1, 0, 2 });
        var r = F.relu(z, inplace: true);
        OpAssert.Exact(new double[] { 0, 0, 2 }, z);
        OpAssert.Exact(new double[] { 0, 0, 2 }, r);
        var s = tensor(new double[] { 0 });
        F.sigmoid(s, true);
        OpAssert.Exact(new double[] { 0.5 }, s);
        var t = tensor(new double[] { 0, 0.5 });
        F.tanh(t, inplace: true);
        OpAssert.Near(new[] { 0.0, 0.46211715726000974 }, t);
        // out of place leaves the input alone
        var u = tensor(new double[] { -1 });
        F.relu(u);
        F.tanh(u);
        F.sigmoid(u, false);
        OpAssert.Exact(new double[] { -1 }, u);
    }

    [TestMethod]
    public void SoftmaxFunctionalsMatchTheTensorMethods()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[,] { { 0.5, -1.0, 2.0 }, { 3.0, 0.25, -0.75 } });
        // torch.nn.functional.log_softmax(x, 1) and softmax(x, 1), PyTorch 1.13
        OpAssert.Near(new[] { -1.7413112966571571, -3.241311296657157, -0.24131129665715703,
                              -0.083831466235782, -2.833831466235782, -3.833831466235782 }, F.log_softmax(x, 1));
        OpAssert.Near(new[] { 0.1752903921400367, 0.039112573270687456, 0.7855970345892759,
                              0.9195862243639801, 0.05878718051874077, 0.021626595117279053 }, F.softmax(x, 1));
        Assert.AreEqual(ScalarType.Float32, F.softmax(x, 0, ScalarType.Float32).dtype);
    }

    [TestMethod]
    public void OneHotEncodesClassIndices()
    {
        using var scope = NewDisposeScope();
        var labels = tensor(new long[] { 2, 0, 1 });
        var hot = F.one_hot(labels, 4);
        OpAssert.Shape(new long[] { 3, 4 }, hot);
        OpAssert.Exact(new long[] { 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0 }, hot);
        OpAssert.Shape(new long[] { 3, 3 }, F.one_hot(labels));
        // F.one_hot(torch.tensor([0, 3]), 3): RuntimeError: Class values must be smaller than num_classes.
        OpAssert.Fails("Class values must be smaller than num_classes.", () => F.one_hot(tensor(new long[] { 0, 3 }), 3));
    }

    private static readonly double[,] X1 = { { 1.0, 2.0, 3.0 }, { -1.0, 0.5, 2.0 } };
    private static readonly double[,] X2 = { { 0.5, -1.0, 2.0 }, { 3.0, 1.0, -2.0 } };

    /// <summary>
    /// Checks y = f(x1, x2) and the gradients of (y * [1, 2]).sum() against PyTorch 1.13's numbers.
    /// </summary>
    private static void CheckPairFunction(Func<Tensor, Tensor, Tensor> f, double[] value, double[] grad1, double[] grad2)
    {
        using var scope = NewDisposeScope();
        var x1 = tensor(X1, requires_grad: true);
        var x2 = tensor(X2, requires_grad: true);
        var y = f(x1, x2);
        OpAssert.Near(value, y);
        y.mul(tensor(new double[] { 1, 2 })).sum().backward();
        OpAssert.Near(grad1, x1.grad!);
        OpAssert.Near(grad2, x2.grad!);
    }

    [TestMethod]
    public void CosineSimilarityMatchesPyTorchInValueAndGradient()
    {
        // y = F.cosine_similarity(x1, x2)
        CheckPairFunction((a, b) => F.cosine_similarity(a, b),
            new[] { 0.524890659167824, -0.7581753965757456 },
            new[] { 0.020828994411421588, -0.19162674858507855, 0.1208081675862452,
                    0.4110254897187192, 0.3776990986604447, 0.11108797019424849 },
            new[] { 0.06665278211654907, 0.33326391058274535, 0.1499687597622354,
                    0.09164757541025495, 0.22495313964335312, 0.24994793293705903 });

        using var scope = NewDisposeScope();
        // F.cosine_similarity(x1, x2, dim=0)
        OpAssert.Near(new[] { -0.5812381937190964, -0.5144957554275265, 0.196116135138184 }, F.cosine_similarity(tensor(X1), tensor(X2), dim: 0));
        // a zero vector: the eps clamp keeps the result at 0 rather than NaN
        OpAssert.Exact(new double[] { 0 }, F.cosine_similarity(zeros(new long[] { 1, 3 }, ScalarType.Float64), tensor(X1)[TensorIndex.Slice(0, 1)]));
    }

    [TestMethod]
    public void PairwiseDistanceMatchesPyTorchInValueAndGradient()
    {
        // y = F.pairwise_distance(x1, x2)
        CheckPairFunction((a, b) => F.pairwise_distance(a, b),
            new[] { 3.2015635242804414, 5.678908257755446 },
            new[] { 0.15617400567192444, 0.9370424722946133, 0.31234769899646214,
                    -1.4087211197812077, -0.17608983181482898, 1.408721824141944 },
            new[] { -0.15617400567192444, -0.9370424722946133, -0.31234769899646214,
                    1.4087211197812077, 0.17608983181482898, -1.408721824141944 });

        using var scope = NewDisposeScope();
        // F.pairwise_distance(x1, x2, p=1.0, eps=0.0, keepdim=True) and p=3.0
        var l1 = F.pairwise_distance(tensor(X1), tensor(X2), p: 1.0, eps: 0.0, keepdim: true);
        OpAssert.Shape(new long[] { 2, 1 }, l1);
        OpAssert.Near(new[] { 4.5, 8.5 }, l1);
        OpAssert.Near(new[] { 3.0411021060991463, 5.041324178208865 }, F.pairwise_distance(tensor(X1), tensor(X2), 3.0));
    }

    [TestMethod]
    public void LinearMatchesPyTorchWithAndWithoutBias()
    {
        using var scope = NewDisposeScope();
        var input = tensor(new double[,] { { 1, 2, 3 }, { -1, 0.5, 0.25 } }, requires_grad: true);
        var weight = tensor(new double[,] { { 0.5, -1, 2 }, { 1.5, 0.25, -0.5 } }, requires_grad: true);
        var bias = tensor(new double[] { 0.1, -0.2 }, requires_grad: true);
        // y = F.linear(input, weight, bias); y.sum().backward()
        var y = F.linear(input, weight, bias);
        OpAssert.Near(new[] { 4.6, 0.3, -0.4, -1.7 }, y);
        y.sum().backward();
        OpAssert.Near(new[] { 2.0, -0.75, 1.5, 2.0, -0.75, 1.5 }, input.grad!);
        OpAssert.Near(new[] { 0.0, 2.5, 3.25, 0.0, 2.5, 3.25 }, weight.grad!);
        OpAssert.Near(new[] { 2.0, 2.0 }, bias.grad!);
        OpAssert.Near(new[] { 4.5, 0.5, -0.5, -1.5 }, F.linear(input, weight));
        OpAssert.Fails("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x2)", () => F.linear(zeros(2, 3), zeros(2, 4)));
    }
}
