namespace TorchLossesTests.Support;

/// <summary>
/// Compares a composed loss with libtorch's native one on the same inputs: the value, and the
/// gradients of every input that requires grad. Tolerances follow the dtype: the composed and native
/// forms round differently in the last bits (different operation orders), never by more than a few ulp
/// per element, and the mean divides the same sum.
/// </summary>
internal static class Parity
{
    /// <summary>The three reductions every loss test sweeps.</summary>
    internal static readonly torch.nn.Reduction[] AllReductions = { torch.nn.Reduction.None, torch.nn.Reduction.Mean, torch.nn.Reduction.Sum };

    /// <summary>The two dtypes every loss is held to native in (float16/bfloat16 are tested where native supports them).</summary>
    internal static readonly ScalarType[] Dtypes = { ScalarType.Float32, ScalarType.Float64 };

    internal static (double rtol, double atol) Tolerance(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Float64 => (1e-12, 1e-14),
        torch.ScalarType.Float32 => (1e-5, 1e-6),
        // Two ulp at the bottom of a binade, as the parity suite's tolerances (Tolerances.cs): bfloat16 keeps 8 significant
        // bits (ulp 2^-7), float16 11 (ulp 2^-10); atol for elements near 0, where cancellation leaves absolute error only.
        torch.ScalarType.BFloat16 => (1.6e-2, 1e-3),
        torch.ScalarType.Float16 => (2e-3, 1e-3),
        _ => (0, 0),   // integral and bool results: exact
    };

    /// <summary>
    /// Runs <paramref name="composed"/> and <paramref name="native"/> on fresh leaf copies of
    /// <paramref name="inputs"/> (those with requires_grad set are differentiated), backpropagates
    /// the same random upstream gradient through both, and asserts equal values and gradients.
    /// </summary>
    internal static void AssertSame(Func<Tensor[], Tensor> composed, Func<Tensor[], Tensor> native, params Tensor[] inputs)
    {
        using var scope = NewDisposeScope();
        var (ours, ourGrads) = Evaluate(composed, inputs);
        var (theirs, theirGrads) = Evaluate(native, inputs);
        AssertClose(theirs, ours, "value");
        for (int k = 0; k < inputs.Length; k++)
        {
            if (theirGrads[k] is null && ourGrads[k] is null) continue;
            Assert.IsNotNull(theirGrads[k], $"native gives no gradient for argument {k}, composed does");
            Assert.IsNotNull(ourGrads[k], $"composed gives no gradient for argument {k}, native does");
            AssertClose(theirGrads[k]!, ourGrads[k]!, $"gradient of argument {k}");
        }
    }

    private static (Tensor value, Tensor?[] grads) Evaluate(Func<Tensor[], Tensor> loss, Tensor[] inputs)
    {
        var leaves = inputs.Select(t =>
        {
            var copy = t.detach().clone();
            if (t.requires_grad) copy.requires_grad = true;
            return copy;
        }).ToArray();
        var value = loss(leaves);
        var differentiable = leaves.Where(l => l.requires_grad).ToArray();
        var grads = new Tensor?[leaves.Length];
        if (differentiable.Length > 0 && value.requires_grad)
        {
            var upstream = Upstream(value);
            var computed = autograd.grad(new[] { value }, differentiable, new[] { upstream }, allow_unused: true);
            int j = 0;
            for (int k = 0; k < leaves.Length; k++)
                if (leaves[k].requires_grad) grads[k] = computed[j++] is { IsInvalid: false } g ? g : null;   // TorchSharp: invalid, not null, when unused
        }
        return (value.detach(), grads);
    }

    /// <summary>
    /// A fixed pseudo-random upstream gradient shaped like <paramref name="value"/>. It does not touch
    /// libtorch's global generator, which tests running in parallel share.
    /// </summary>
    private static Tensor Upstream(Tensor value)
    {
        var random = new Random(1234);
        var values = new double[value.numel()];
        for (int i = 0; i < values.Length; i++) values[i] = random.NextDouble() * 2 - 1;
        return tensor(values, value.shape).to(value.dtype);
    }

    /// <summary>Runs <paramref name="check"/> once with analytic gradients and once with autograd through the composition.</summary>
    internal static void InBothGradientModes(Action check)
    {
        foreach (var mode in new[] { TorchLosses.GradientMode.Analytic, TorchLosses.GradientMode.Autograd })
            using (TorchLosses.LossGradients.Use(mode))
            {
                try
                {
                    check();
                }
                catch (AssertFailedException e)
                {
                    throw new AssertFailedException($"[{mode} gradients] {e.Message}", e);
                }
            }
    }

    /// <summary>Asserts equal shape, dtype and values (NaN matches NaN, infinities must match exactly).</summary>
    internal static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, $"{what}: shape");
        Assert.AreEqual(expected.dtype, actual.dtype, $"{what}: dtype");
        var (rtol, atol) = Tolerance(expected.dtype);
        // Flat: TorchSharp's data<T>() throws for an empty tensor of two or more dimensions.
        var e = expected.to(ScalarType.Float64).flatten().data<double>().ToArray();
        var a = actual.to(ScalarType.Float64).flatten().data<double>().ToArray();
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]) || double.IsNaN(a[i]) || double.IsInfinity(e[i]) || double.IsInfinity(a[i]))
            {
                Assert.AreEqual(e[i], a[i], $"{what}[{i}]: expected {e[i]}, got {a[i]}");
                continue;
            }
            Assert.IsTrue(Math.Abs(e[i] - a[i]) <= atol + rtol * Math.Abs(e[i]),
                $"{what}[{i}]: expected {e[i]:R}, got {a[i]:R} (rtol {rtol}, atol {atol})");
        }
    }

    /// <summary>
    /// Reproducible standard-normal-ish values (Box–Muller over a seeded <see cref="Random"/>), without
    /// touching libtorch's global generator, which tests running in parallel share.
    /// </summary>
    internal static Tensor Normal(int seed, ScalarType dtype, bool grad, params long[] shape)
    {
        var random = new Random(seed);
        var values = new double[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
            values[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return T(values, dtype, grad, shape);
    }

    /// <summary>A float64 or float32 tensor from values, optionally requiring grad.</summary>
    internal static Tensor T(double[] values, ScalarType dtype = ScalarType.Float64, bool grad = true, params long[] shape)
    {
        var t = tensor(values, shape.Length == 0 ? new[] { (long)values.Length } : shape).to(dtype);
        if (grad) t.requires_grad = true;
        return t;
    }
}
