using L = TorchLosses.nn.functional;
using N = TorchLosses.Parity.Aten;

namespace TorchLosses.Parity.Suites;

/// <summary>
/// The point-wise regression losses: l1, mse, smooth_l1 (beta), huber (delta). Each runs over every
/// reduction × dtype × layout × regime × parameter value against libtorch's kernel, plus the legacy
/// size_average/reduce pairs, error parity and the PyTorch vectors.
/// </summary>
public sealed class RegressionSuite : ParitySuite
{
    // 1e-300 and 1e-46 round to 0 in float32 and bfloat16 (and float16), 1e39 to ∞: the kernels' own rounding of beta/delta.
    private static readonly double[] Betas = { 0, 1e-300, 1e-46, 1e-6, 0.5, 1, 2.5, 1e6, 1e39 };
    private static readonly double[] Deltas = { 1e-300, 1e-46, 1e-6, 0.5, 1, 2.5, 1e6, 1e39 };
    private static readonly double[] QuickParameters = { 0, 1e-6, 1 };

    /// <summary>How input and target are laid out, and which values they hold.</summary>
    private sealed record Layout(string Label, long[] Input, long[] Target, string Regime, bool Quick = false)
    {
        public string Shape => Input.AsSpan().SequenceEqual(Target) ? S(Input) : $"{S(Input)}~{S(Target)}";
    }

    // Regimes: "random" (normal draws), "ties" (|d| exactly at the kink, d = 0, both signs),
    // "nonfinite" (NaN, ±inf), "extreme" (overflow in float32/float16, subnormals), "empty".
    private static readonly Layout[] Layouts =
    {
        new("scalar", new long[0], new long[0], "random", Quick: true),
        new("vector", new long[] { 7 }, new long[] { 7 }, "random"),
        new("matrix", new long[] { 3, 4 }, new long[] { 3, 4 }, "random", Quick: true),
        new("cube", new long[] { 2, 3, 4 }, new long[] { 2, 3, 4 }, "random"),
        new("long", new long[] { 37 }, new long[] { 37 }, "random"),   // a vectorised body and a scalar tail
        new("row-broadcast", new long[] { 3, 4 }, new long[] { 4 }, "random", Quick: true),
        new("outer-broadcast", new long[] { 3, 1 }, new long[] { 1, 4 }, "random"),
        new("input-broadcast", new long[] { 4 }, new long[] { 3, 4 }, "random"),
        new("scalar-target", new long[] { 3, 4 }, new long[0], "random"),
        new("ties", new long[] { 12 }, new long[] { 12 }, "ties", Quick: true),
        new("ties-matrix", new long[] { 3, 4 }, new long[] { 3, 4 }, "ties"),
        new("nonfinite", new long[] { 8 }, new long[] { 8 }, "nonfinite", Quick: true),
        new("extreme", new long[] { 6 }, new long[] { 6 }, "extreme"),
        new("empty", new long[] { 0 }, new long[] { 0 }, "empty", Quick: true),
        new("empty-matrix", new long[] { 0, 3 }, new long[] { 0, 3 }, "empty"),
        new("empty-broadcast", new long[] { 2, 0 }, new long[] { 0 }, "empty"),
    };

    /// <summary>One loss of the family: its name, native dtypes and calls.</summary>
    private sealed record Loss(string Name, ScalarType[] DTypes, double[] Parameters, string? ParameterName,
        Func<Tensor, Tensor, torch.nn.Reduction, double, Tensor> Composed,
        Func<Tensor, Tensor, torch.nn.Reduction, double, Tensor> Native,
        Func<double, double> Kink,
        Func<double, double, double> TermBound);   // (max |d|, parameter) → the largest value or gradient term

    private static readonly Loss[] Losses_ =
    {
        new("l1", AllFloating, new[] { double.NaN }, null,
            (x, y, r, _) => L.l1_loss(x, y, r), (x, y, r, _) => N.l1_loss(x, y, r), _ => 0, (d, _) => Math.Max(d, 1)),
        new("mse", AllFloating, new[] { double.NaN }, null,
            (x, y, r, _) => L.mse_loss(x, y, r), (x, y, r, _) => N.mse_loss(x, y, r), _ => double.NaN, (d, _) => Math.Max(d * d, 2 * d)),
        new("smooth_l1", AllFloating, Betas, "beta",
            (x, y, r, b) => L.smooth_l1_loss(x, y, r, b), (x, y, r, b) => N.smooth_l1_loss(x, y, r, b), b => b, (d, _) => Math.Max(d, 1)),
        new("huber", AllFloating, Deltas, "delta",
            (x, y, r, d) => L.huber_loss(x, y, r, d), (x, y, r, d) => N.huber_loss(x, y, d, r), d => d,
            (d, delta) => Math.Max(Math.Min(0.5 * d * d, delta * d), Math.Min(d, delta))),
    };

    /// <inheritdoc/>
    public override IReadOnlyList<string> Losses => Losses_.Select(l => l.Name).ToList();

    /// <inheritdoc/>
    public override IEnumerable<GridAxis> Grid
    {
        get
        {
            foreach (var loss in Losses_)
            {
                yield return new(loss.Name, "dtype", string.Join(", ", loss.DTypes.Select(Tolerances.Label)) +
                                                    " (forward and backward; f16 with parameters ≤ 65504, its largest finite value)");
                yield return new(loss.Name, "reduction", "none, mean, sum; legacy size_average/reduce: all 8 explicit pairs" +
                                                          (loss.Name == "huber" ? " (huber has none)" : ""));
                if (loss.ParameterName is not null)
                    yield return new(loss.Name, loss.ParameterName, string.Join(", ", loss.Parameters.Select(P)));
                yield return new(loss.Name, "layout", string.Join(", ", Layouts.Select(l => $"{l.Label} {l.Shape}")));
                yield return new(loss.Name, "regime", "random (normal draws); ties (|x − y| exactly at the kink, and 0, both signs); " +
                                                       "nonfinite (NaN, ±inf, inf − inf); extreme (±1e30, ±3e38, subnormals); empty");
                yield return new(loss.Name, "gradcheck", "float64 random layouts, eps = 1e-6·parameter (the inputs' scale; 1e-6 for l1, mse and beta = 0), inputs ≥ 100·eps from the kink" +
                                                          (loss.Name == "mse" ? " (no kink)" : loss.Name == "l1" ? " (d = 0)" : $" (|d| = {loss.ParameterName})"));
            }
            yield return new("l1, mse, smooth_l1, huber", "errors",
                "negative/NaN beta (also on empty input), non-positive/NaN delta, non-broadcastable shapes, integer inputs");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<ParityCase> Cases()
    {
        foreach (var loss in Losses_)
        {
            foreach (var dtype in loss.DTypes)
                foreach (var (reduction, label) in Reductions)
                    foreach (var parameter in loss.Parameters.Where(p => dtype != ScalarType.Float16 || !(p > 65504)))
                        foreach (var layout in Layouts)
                            yield return NativeCase(loss, dtype, reduction, label, parameter, layout);
            foreach (var c in LegacyCases(loss)) yield return c;
            foreach (var c in ErrorCases(loss)) yield return c;
        }
        foreach (var c in VectorCases()) yield return c;
    }

    private static ParityCase NativeCase(Loss loss, ScalarType dtype, torch.nn.Reduction reduction, string label, double parameter, Layout layout)
    {
        string parameterPart = loss.ParameterName is null ? "" : $"/{loss.ParameterName}={P(parameter)}";
        bool gradcheck = dtype == ScalarType.Float64 && layout.Regime == "random";
        double kink = loss.Kink(parameter);
        // The inputs are drawn at the kink's scale, unless the dtype holds the parameter as 0 or ∞: it then has no kink.
        double scale = double.IsNaN(kink) || kink == 0 || !double.IsNormal(HeldAs(kink, dtype)) ? 1 : kink;
        bool quickParameter = loss.ParameterName is null || QuickParameters.Contains(parameter);
        return new ParityCase
        {
            Name = $"{loss.Name}/{Tolerances.Label(dtype)}/{label}{parameterPart}/shape={layout.Shape}/{layout.Label}",
            Loss = loss.Name,
            DType = dtype,
            Reduction = label,
            Inputs = f => MakeInputs(f, layout, dtype, scale),
            Composed = t => loss.Composed(t[0], t[1], reduction, parameter),
            Native = t => loss.Native(t[0], t[1], reduction, parameter),
            UseGradcheck = gradcheck,
            GradcheckEps = 1e-6 * scale,   // the inputs are drawn at the parameter's scale
            KinkDistance = double.IsNaN(kink) ? null : t => KinkDistance(t[0], t[1], kink),
            Magnitude = t => loss.TermBound(MaxDifference(t[0], t[1]), parameter),
            Quick = layout.Quick && quickParameter && dtype is ScalarType.Float64 or ScalarType.Float32,
            Notes = layout.Regime,
        };
    }

    private static Tensor[] MakeInputs(InputFactory f, Layout layout, ScalarType dtype, double scale)
    {
        switch (layout.Regime)
        {
            case "ties":
            {
                // d = x − y hits +b, −b and 0 exactly (each value and its double are representable in every dtype
                // once b is: x and y are 0, ±b or ±2b), next to points inside and outside the quadratic zone.
                double b = scale;
                double[] x = { b, 0, 2 * b, -b, 0, b, 0, 1, b / 2, -3 * b, -2 * b, 2 * b };
                double[] y = { 0, -b, b, 0, b, 2 * b, 0, 1, 0, 0, -b, 0 };
                return new[] { InputFactory.Values(x, dtype, layout.Input), InputFactory.Values(y, dtype, layout.Target) };
            }
            case "nonfinite":
            {
                double nan = double.NaN, inf = double.PositiveInfinity;
                double[] x = { nan, inf, -inf, inf, 1, nan, 0, -inf };
                double[] y = { 0, 0, 1, inf, nan, nan, -inf, -inf };
                return new[] { InputFactory.Values(x, dtype, layout.Input), InputFactory.Values(y, dtype, layout.Target) };
            }
            case "extreme":
            {
                double[] x = { 1e30, -1e30, 1e-30, 3e38, 1e-300, 5e-324 };
                double[] y = { -1e30, 1e30, 0, -3e38, 0, -5e-324 };
                return new[] { InputFactory.Values(x, dtype, layout.Input), InputFactory.Values(y, dtype, layout.Target) };
            }
            default:
                // Normal draws scaled so that d lands on both sides of the kink.
                return new[] { f.Normal(dtype, layout.Input, scale: 2 * scale), f.Normal(dtype, layout.Target, scale: scale) };
        }
    }

    /// <summary>A number as a tensor of <paramref name="dtype"/> holds it (1e39 is ∞ in float32, 1e-46 is 0).</summary>
    private static double HeldAs(double value, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        return tensor(value).to(dtype).to(ScalarType.Float64).item<double>();
    }

    /// <summary>min over elements of ||x − y| − kink| (x and y broadcast), in float64.</summary>
    private static double KinkDistance(Tensor x, Tensor y, double kink)
    {
        using var scope = NewDisposeScope();
        var d = (x.detach().to(ScalarType.Float64) - y.detach().to(ScalarType.Float64)).abs();
        if (d.numel() == 0) return double.PositiveInfinity;
        using var kinkScalar = kink.ToScalar();
        return (d - kinkScalar).abs().min().item<double>();
    }

    /// <summary>max over finite elements of |x − y| (x and y broadcast), in float64; 0 when there are none.</summary>
    private static double MaxDifference(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var d = (x.detach().to(ScalarType.Float64) - y.detach().to(ScalarType.Float64)).abs();
        var finite = d.masked_select(d.isfinite());
        return finite.numel() == 0 ? 0 : finite.max().item<double>();
    }

    private static IEnumerable<ParityCase> LegacyCases(Loss loss)
    {
        if (loss.Name == "huber") yield break;   // HuberLoss has no size_average/reduce
        foreach (var dtype in FloatDouble)
            foreach (var (sizeAverage, reduce, mapped, label) in LegacyPairs())
            {
                double parameter = loss.Parameters[0] is var p && double.IsNaN(p) ? double.NaN : 1.0;
                Func<Tensor[], Tensor> composed = loss.Name switch
                {
                    "l1" => t => L.l1_loss(t[0], t[1], sizeAverage, reduce),
                    "mse" => t => L.mse_loss(t[0], t[1], sizeAverage, reduce),
                    _ => t => L.smooth_l1_loss(t[0], t[1], sizeAverage, reduce, beta: 1.0),
                };
                var layout = Layouts.Single(l => l.Label == "matrix");
                yield return new ParityCase
                {
                    Name = $"{loss.Name}/{Tolerances.Label(dtype)}/{label}/shape={layout.Shape}/{layout.Label}",
                    Loss = loss.Name,
                    DType = dtype,
                    Reduction = label,
                    Inputs = f => MakeInputs(f, layout, dtype, 1),
                    Composed = composed,
                    Native = t => loss.Native(t[0], t[1], mapped, parameter),
                    Quick = dtype == ScalarType.Float64 && sizeAverage == false,
                    Notes = "legacy",
                };
            }
    }

    private static IEnumerable<ParityCase> ErrorCases(Loss loss)
    {
        ParityCase Error(string what, ScalarType dtype, long[] inputShape, long[] targetShape, double parameter, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
            ScalarType? targetType = null) => new()
        {
            Name = $"{loss.Name}/{Tolerances.Label(dtype)}/{Reductions.First(r => r.Value == reduction).Label}/error/{what}",
            Loss = loss.Name,
            Kind = CaseKind.Error,
            DType = dtype,
            Reduction = Reductions.First(r => r.Value == reduction).Label,
            Inputs = f => new[]
            {
                IsFloating(dtype) ? f.Normal(dtype, inputShape, grad: false) : f.Classes(5, inputShape, dtype),
                IsFloating(targetType ?? dtype) ? f.Normal(targetType ?? dtype, targetShape, grad: false) : f.Classes(5, targetShape, targetType ?? dtype),
            },
            Composed = t => loss.Composed(t[0], t[1], reduction, parameter),
            Native = t => loss.Native(t[0], t[1], reduction, parameter),
            Quick = true,
        };

        double ok = loss.Name == "huber" ? 1.0 : loss.Parameters[0] is var p && double.IsNaN(p) ? double.NaN : 1.0;
        foreach (var dtype in FloatDouble)
        {
            yield return Error("shape=[3,4]~[5]", dtype, new long[] { 3, 4 }, new long[] { 5 }, ok);
            yield return Error("shape=[2,3]~[3,2]", dtype, new long[] { 2, 3 }, new long[] { 3, 2 }, ok, torch.nn.Reduction.None);
            if (loss.Name == "smooth_l1")
                foreach (var beta in new[] { -1.0, -1e-6, double.NaN, double.NegativeInfinity })
                {
                    yield return Error($"beta={P(beta)}", dtype, new long[] { 3 }, new long[] { 3 }, beta);
                    yield return Error($"beta={P(beta)}/empty", dtype, new long[] { 0 }, new long[] { 0 }, beta, torch.nn.Reduction.Sum);
                }
            if (loss.Name == "huber")
                foreach (var delta in new[] { 0.0, -0.0, -1.0, double.NaN })
                    yield return Error($"delta={(delta == 0 && double.IsNegative(delta) ? "-0" : P(delta))}", dtype, new long[] { 3 }, new long[] { 3 }, delta);
        }
        // Integer inputs: no native kernel (l1's mean fails in mean(); none and sum work, so they are not errors).
        yield return loss.Name == "l1"
            ? Error("int64", ScalarType.Int64, new long[] { 3 }, new long[] { 3 }, ok)
            : Error("int64", ScalarType.Int64, new long[] { 3 }, new long[] { 3 }, ok, torch.nn.Reduction.Sum);
    }

    private static bool IsFloating(ScalarType t) => t is ScalarType.Float64 or ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16;

    private static IEnumerable<ParityCase> VectorCases() =>
        VectorWitness.Cases("l1_loss", "l1", v => L.l1_loss(v["input"], v["target"], v.Reduction))
            .Concat(VectorWitness.Cases("mse_loss", "mse", v => L.mse_loss(v["input"], v["target"], v.Reduction)))
            .Concat(VectorWitness.Cases("smooth_l1_loss", "smooth_l1",
                v => L.smooth_l1_loss(v["input"], v["target"], v.Reduction, v.Double("beta", 1.0)),
                native: v => N.smooth_l1_loss(v["input"], v["target"], v.Reduction, v.Double("beta", 1.0))))
            .Concat(VectorWitness.Cases("huber_loss", "huber",
                v => L.huber_loss(v["input"], v["target"], v.Reduction, v.Double("delta", 1.0))));
}
