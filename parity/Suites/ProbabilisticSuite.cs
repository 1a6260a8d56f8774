using L = TorchLosses.nn.functional;
using N = TorchLosses.Parity.Aten;

namespace TorchLosses.Parity.Suites;

/// <summary>
/// The probabilistic losses: kl_div (log_target, the string reductions with batchmean), poisson_nll
/// (log_input × full × eps) and gaussian_nll (full × eps × the three var layouts).
/// <para>kl_div and poisson_nll are ATen ops (composites of primitive ops in libtorch): they run against libtorch 2.10's op over
/// every reduction × dtype × layout × regime × parameter value, plus the legacy pairs, error parity and the
/// PyTorch vectors. libtorch has no batchmean (PyTorch divides in Python): its reference is libtorch's sum
/// divided by input.size(0), or the sum itself for a 0-d input, exactly as <c>F.kl_div</c> does.</para>
/// <para>gaussian_nll has no libtorch function (PyTorch computes it in Python). Its witnesses are the PyTorch
/// vectors (with gradcheck), gradcheck over the sweep, and two hand-built identities run on libtorch:
/// ℓ = 0.5·(log v + mse_loss(x, y, none)/v) with v = max(var, eps) passed straight through (the
/// <c>clamp_</c> under no_grad), and, for var = 1, 0.5·mse_loss(x, y, reduction) (+ 0.5·log 2π per element).</para>
/// </summary>
public sealed class ProbabilisticSuite : ParitySuite
{
    /// <inheritdoc/>
    public override IReadOnlyList<string> Losses { get; } = new[] { "kl_div", "poisson_nll", "gaussian_nll" };

    private static readonly bool[] Flags = { false, true };
    private static readonly double[] PoissonEpsLogInput = { 1e-8, 1 };   // eps is not used when log_input (1 shows it)
    private static readonly double[] PoissonEpsRate = { 1e-8, 0, 0.25, 1 };
    private static readonly double[] GaussianEps = { 1e-6, 0, 1e-3, 0.5 };

    /// <summary>How input and target (and var) are laid out, and which values they hold.</summary>
    private sealed record Layout(string Label, long[] Input, long[] Target, string Regime, bool Quick = false, long[]? Var = null)
    {
        public string Shape =>
            (Input.AsSpan().SequenceEqual(Target) ? S(Input) : $"{S(Input)}~{S(Target)}") + (Var is null ? "" : $"~var{S(Var)}");

        public bool Random => Regime == "random";

        public bool Empty => Regime == "empty";
    }

    private static Layout Pair(string label, long[] x, long[] y, string regime, bool quick = false) => new(label, x, y, regime, quick);

    private static readonly long[] Scalar = Array.Empty<long>();
    private static long[] Dims(params long[] d) => d;

    // Layouts shared by kl_div and poisson_nll. Regimes: "random" (draws of the loss's domain), special
    // regimes of 8 elements named by what they hit, "empty".
    private static readonly Layout[] CommonLayouts =
    {
        Pair("scalar", Scalar, Scalar, "random", quick: true),
        Pair("vector", Dims(7), Dims(7), "random"),
        Pair("matrix", Dims(3, 4), Dims(3, 4), "random", quick: true),
        Pair("cube", Dims(2, 3, 4), Dims(2, 3, 4), "random"),
        Pair("long", Dims(37), Dims(37), "random"),   // a vectorised body and a scalar tail
        Pair("row-broadcast", Dims(3, 4), Dims(4), "random", quick: true),
        Pair("outer-broadcast", Dims(3, 1), Dims(1, 4), "random"),
        Pair("input-broadcast", Dims(4), Dims(3, 4), "random"),   // batchmean divides by input.size(0) = 4
        Pair("scalar-target", Dims(3, 4), Scalar, "random"),
        Pair("nonfinite", Dims(8), Dims(8), "nonfinite", quick: true),
        Pair("extreme", Dims(8), Dims(8), "extreme"),
        Pair("empty", Dims(0), Dims(0), "empty", quick: true),
        Pair("empty-rows", Dims(0, 3), Dims(0, 3), "empty"),         // batchmean: 0/0 = NaN
        Pair("empty-columns", Dims(2, 0), Dims(2, 0), "empty"),      // batchmean: 0/2 = 0
        Pair("empty-broadcast", Dims(2, 0), Dims(0), "empty"),
    };

    private static readonly Layout[] KlLayouts = CommonLayouts.Concat(new[]
    {
        Pair("zeros", Dims(8), Dims(8), "zeros", quick: true),   // y = 0 (log_target: y ≪ 0): 0·log 0 = 0, ∂/∂y NaN
        Pair("zeros-matrix", Dims(2, 4), Dims(2, 4), "zeros"),
        Pair("negative", Dims(8), Dims(8), "negative"),          // y < 0: NaN (log_target: y > 0, "probabilities" > 1)
    }).ToArray();

    private static readonly Layout[] PoissonLayouts = CommonLayouts.Concat(new[]
    {
        Pair("counts", Dims(12), Dims(12), "counts", quick: true),   // integer targets, ties at 0 and 1
        Pair("threshold", Dims(8), Dims(8), "threshold"),            // y at Stirling's mask y ≤ 1, and 0
        Pair("negative", Dims(8), Dims(8), "negative"),              // y < 0, and λ < 0 (NaN log)
        Pair("edges", Dims(8), Dims(8), "edges", quick: true),       // λ = 0 (log eps, log 0 with eps = 0), exp overflow
    }).ToArray();

    private static Layout Var(string label, long[] x, long[] y, long[] var, string regime, bool quick = false) => new(label, x, y, regime, quick, var);

    private static readonly Layout[] GaussianLayouts =
    {
        Var("scalar", Scalar, Scalar, Scalar, "random", quick: true),
        Var("vector", Dims(7), Dims(7), Dims(7), "random"),
        Var("vector-scalar-var", Dims(7), Dims(7), Scalar, "random"),         // var lacks the last dimension: unsqueezed
        Var("full-var", Dims(3, 4), Dims(3, 4), Dims(3, 4), "random", quick: true),
        Var("unsqueezed", Dims(3, 4), Dims(3, 4), Dims(3), "random", quick: true),
        Var("homoscedastic", Dims(3, 4), Dims(3, 4), Dims(3, 1), "random"),
        Var("cube", Dims(2, 3, 4), Dims(2, 3, 4), Dims(2, 3, 4), "random"),
        Var("cube-unsqueezed", Dims(2, 3, 4), Dims(2, 3, 4), Dims(2, 3), "random"),
        Var("cube-homoscedastic", Dims(2, 3, 4), Dims(2, 3, 4), Dims(2, 3, 1), "random"),
        Var("long", Dims(37), Dims(37), Dims(37), "random"),
        Var("target-broadcast", Dims(3, 4), Dims(4), Dims(3, 4), "random", quick: true),
        Var("input-broadcast", Dims(1, 4), Dims(3, 4), Dims(1, 4), "random"),
        Var("unit-var", Dims(3, 4), Dims(3, 4), Dims(3, 4), "unit", quick: true),        // 0.5·mse_loss
        Var("unit-var-broadcast", Dims(3, 4), Dims(4), Dims(3, 1), "unit"),
        Var("clamped", Dims(8), Dims(8), Dims(8), "clamped", quick: true),              // var = 0, < eps, = eps, > eps
        Var("clamped-homoscedastic", Dims(8, 2), Dims(8, 2), Dims(8, 1), "clamped"),
        Var("nonfinite", Dims(8), Dims(8), Dims(8), "nonfinite", quick: true),
        Var("extreme", Dims(8), Dims(8), Dims(8), "extreme"),
        Var("empty", Dims(0, 3), Dims(0, 3), Dims(0, 3), "empty", quick: true),
        Var("empty-unsqueezed", Dims(0, 3), Dims(0, 3), Dims(0), "empty"),
        Var("empty-homoscedastic", Dims(0, 3), Dims(0, 3), Dims(0, 1), "empty"),
    };

    /// <inheritdoc/>
    public override IEnumerable<GridAxis> Grid => new GridAxis[]
    {
        new("kl_div", "dtype", "f64, f32, bf16, f16 (forward and backward)"),
        new("kl_div", "reduction", "none, mean, sum (enum); batchmean (string; reference libtorch sum / input.size(0), no division for 0-d); " +
                                   "the strings none, mean, sum, elementwise_mean on the scalar and matrix layouts; legacy size_average/reduce: " +
                                   "all 8 explicit pairs with the enum and with \"batchmean\" (which they override)"),
        new("kl_div", "log_target", "False, True"),
        new("kl_div", "layout", string.Join(", ", KlLayouts.Select(l => $"{l.Label} {l.Shape}"))),
        new("kl_div", "regime", "random (x log-softmax rows, y probability rows, or their logs); zeros (y = 0, log_target: y = −100, −1e4); " +
                                "negative (y < 0: NaN; log_target: y > 0); nonfinite (NaN, x = ±∞ with y = 0 and y > 0, y = ±∞); " +
                                "extreme (x to −3e38, y down to 5e-324; log_target y to ±1e4, exp overflow); empty"),
        new("kl_div", "gradcheck", "float64 random layouts, input and target (y > 0: smooth)"),
        new("kl_div", "errors", "integral input and target, non-broadcastable shapes, unknown reduction strings (MEAN, bogus, BatchMean)"),

        new("poisson_nll", "dtype", "f64, f32, bf16, f16 (forward and backward)"),
        new("poisson_nll", "reduction", "none, mean, sum; legacy size_average/reduce: all 8 explicit pairs"),
        new("poisson_nll", "log_input × full × eps", "log_input True: full False/True × eps 1e-8, 1 (unused); " +
                                                     "log_input False: full False/True × eps " + string.Join(", ", PoissonEpsRate.Select(P))),
        new("poisson_nll", "layout", string.Join(", ", PoissonLayouts.Select(l => $"{l.Label} {l.Shape}"))),
        new("poisson_nll", "regime", "random (log λ normal, or λ uniform [0.05, 4]; y uniform [0.05, 6]); counts (integers, ties at 0 and 1); " +
                                     "threshold (y = 1, 0, next to 1: Stirling's mask); negative (y < 0, λ < 0); edges (λ = 0, 1e-30; exp(88..709) overflow); " +
                                     "nonfinite; extreme; empty"),
        new("poisson_nll", "gradcheck", "float64 random layouts, input and target; with full, targets ≥ 100·eps from 0 and 1 (Stirling's mask jumps at y = 1)"),
        new("poisson_nll", "errors", "non-broadcastable shapes (log_input True and False)"),

        new("gaussian_nll", "dtype", "f64, f32, bf16, f16 (the bf16 identity is evaluated in float32 and rounded; a bf16 var that broadcasts is compared by value only: " +
                                     "its gradient sums cancelling terms that PyTorch rounds to 8 bits one by one; the f16 identity is evaluated in float16)"),
        new("gaussian_nll", "reduction", "none, mean, sum (PyTorch has no legacy pair for it)"),
        new("gaussian_nll", "full × eps", "full False/True × eps " + string.Join(", ", GaussianEps.Select(P))),
        new("gaussian_nll", "layout", string.Join(", ", GaussianLayouts.Select(l => $"{l.Label} {l.Shape}"))),
        new("gaussian_nll", "reference", "identity on libtorch: 0.5·(log v + mse_loss(x, y, none)/v), v = max(var, eps) straight-through; " +
                                         "unit var: 0.5·mse_loss(x, y, reduction) + 0.5·log 2π·[full]; plus the PyTorch vectors (with gradcheck)"),
        new("gaussian_nll", "regime", "random (var uniform [0.1, 2]); unit (var = 1, no gradient); clamped (var = 0, eps/10, eps, 2·eps, 1e-9, ...); " +
                                      "nonfinite (NaN and ±∞ in x, y and var); extreme (|x − y| to 3e38, var to 1e-300 and 1e38); empty"),
        new("gaussian_nll", "gradcheck", "float64 random layouts with every var ≥ eps + 100·1e-6 (below eps the clamp is straight-through, not a derivative); " +
                                         "the PyTorch vectors under the same condition"),
        new("gaussian_nll", "errors", "var of incorrect size (4 shapes), negative var, non-broadcastable target, integral var"),
    };

    /// <inheritdoc/>
    public override IEnumerable<ParityCase> Cases()
    {
        // Every float32/float64 case also runs on the autograd gradient path (the analytic one is the default there).
        foreach (var c in AlsoOnAutogradPath(KlCases().Concat(PoissonCases()).Concat(GaussianCases()), QuickOnAutogradPath)) yield return c;
    }

    /// <summary>The quick subset's autograd copies: float64 only.</summary>
    private static bool QuickOnAutogradPath(ParityCase c) => c.DType == ScalarType.Float64;

    // ---------------------------------------------------------------------------------------------------
    // kl_div

    private static readonly string[] KlStringReductions = { "none", "mean", "sum", "elementwise_mean" };

    private static IEnumerable<ParityCase> KlCases()
    {
        foreach (var dtype in AllFloating)
            foreach (bool logTarget in Flags)
                foreach (var layout in KlLayouts)
                {
                    foreach (var (reduction, label) in Reductions)
                        yield return KlCase(dtype, label, logTarget, layout,
                            t => L.kl_div(t[0], t[1], reduction, logTarget), t => N.kl_div(t[0], t[1], logTarget, reduction));
                    yield return KlCase(dtype, "batchmean", logTarget, layout,
                        t => L.kl_div(t[0], t[1], "batchmean", logTarget), t => BatchMean(t[0], t[1], logTarget));
                    if (layout.Label is "scalar" or "matrix")
                        foreach (var name in KlStringReductions)
                        {
                            var native = name == "elementwise_mean" ? torch.nn.Reduction.Mean : Reductions.First(r => r.Label == name).Value;
                            yield return KlCase(dtype, $"string={name}", logTarget, layout,
                                t => L.kl_div(t[0], t[1], name, logTarget), t => N.kl_div(t[0], t[1], logTarget, native));
                        }
                }
        foreach (var c in KlLegacyCases()) yield return c;
        foreach (var c in KlErrorCases()) yield return c;
        foreach (var c in VectorWitness.Cases("kl_div", "kl_div",
                     v => L.kl_div(v["input"], v["target"], v.String("reduction", "mean"), v.Bool("log_target", false)),
                     native: v => v.String("reduction", "mean") == "batchmean"
                         ? BatchMean(v["input"], v["target"], v.Bool("log_target", false))
                         : N.kl_div(v["input"], v["target"], v.Bool("log_target", false), v.Reduction)))
            yield return c;
    }

    /// <summary>PyTorch's batchmean: libtorch's sum divided by input.size(0), or the sum itself for a 0-d input.</summary>
    private static Tensor BatchMean(Tensor input, Tensor target, bool logTarget)
    {
        var sum = N.kl_div(input, target, logTarget, torch.nn.Reduction.Sum);
        if (input.dim() == 0) return sum;
        using var inputSize = input.shape[0].ToScalar();
        return sum / inputSize;
    }

    private static ParityCase KlCase(ScalarType dtype, string label, bool logTarget, Layout layout, Func<Tensor[], Tensor> composed,
        Func<Tensor[], Tensor> native) => new()
    {
        Name = $"kl_div/{Tolerances.Label(dtype)}/{label}/log_target={PyBool(logTarget)}/shape={layout.Shape}/{layout.Label}",
        Loss = "kl_div",
        DType = dtype,
        Reduction = label,
        Inputs = f => KlInputs(f, dtype, layout, logTarget),
        Composed = composed,
        Native = native,
        UseGradcheck = dtype == ScalarType.Float64 && layout.Random,
        Magnitude = t => KlTermBound(t, logTarget),
        Quick = layout.Quick && dtype is ScalarType.Float64 or ScalarType.Float32 && !label.StartsWith("string=", StringComparison.Ordinal),
        Notes = layout.Regime,
    };

    private static Tensor[] KlInputs(InputFactory f, ScalarType dtype, Layout layout, bool logTarget)
    {
        double nan = double.NaN, inf = double.PositiveInfinity;
        double[] x, y;
        switch (layout.Regime)
        {
            case "zeros":
                x = new[] { -1, -0.5, -2, -0.1, -3, -0.7, -1.5, -0.2 };
                y = logTarget ? new[] { -100, Math.Log(0.5), -1e4, Math.Log(0.25), -100, Math.Log(0.25), -1e4, -100 }
                              : new[] { 0, 0.5, 0, 0.25, 0, 0.25, 0, 0 };
                break;
            case "negative":
                x = new[] { -1, -0.5, -2, -0.1, -3, -0.7, -1.5, 0 };
                y = logTarget ? new[] { 0.5, 2, 5, 0, 1, 10, 0.1, 3 } : new[] { -0.5, -1e-3, -2, 0.3, -1, 0.2, -1e-30, -3 };
                break;
            case "nonfinite":
                x = new[] { nan, -inf, -inf, inf, 0, -1, -inf, 1 };
                y = new[] { 0.5, 0, 0.5, 0.5, nan, inf, -inf, -inf };
                break;
            case "extreme":
                x = new[] { -1e30, -3e38, -1e-30, -700, -1e4, 0, -80, -5e-324 };
                y = logTarget ? new[] { -1e4, -700, -100, 0, 80, 100, -1e-30, 1 }
                              : new[] { 1e-30, 1e-300, 5e-324, 1, 0.5, 1e-45, 1e-38, 0.75 };
                break;
            case "empty":
                x = Array.Empty<double>();
                y = Array.Empty<double>();
                break;
            default:
                x = LogProbabilityRows(f, layout.Input);
                y = LogProbabilityRows(f, layout.Target);
                if (!logTarget) y = y.Select(Math.Exp).ToArray();
                break;
        }
        return new[] { InputFactory.Values(x, dtype, layout.Input), InputFactory.Values(y, dtype, layout.Target) };
    }

    /// <summary>log-softmax of normal draws along the last dimension (a 0-d tensor: the log of a uniform draw in [0.05, 1)).</summary>
    private static double[] LogProbabilityRows(InputFactory f, long[] shape)
    {
        if (shape.Length == 0) return new[] { Math.Log(f.NextUniform(0.05, 1)) };
        int n = (int)InputFactory.Count(shape), row = (int)shape[^1];
        var values = new double[n];
        for (int start = 0; start < n; start += row)
        {
            for (int k = 0; k < row; k++) values[start + k] = f.NextNormal();
            double max = values.Skip(start).Take(row).Max();
            double log = Math.Log(values.Skip(start).Take(row).Sum(v => Math.Exp(v - max))) + max;
            for (int k = 0; k < row; k++) values[start + k] -= log;
        }
        return values;
    }

    /// <summary>The largest term of an element: |y·log y| + |y·x|, or exp(y)·(|y| + |x|) with log_target.</summary>
    private static double KlTermBound(Tensor[] t, bool logTarget)
    {
        using var scope = NewDisposeScope();
        var x = F64(t[0]);
        var y = F64(t[1]);
        var terms = logTarget ? y.exp() * (y.abs().Plus(x.abs())) : y.xlogy(y).abs().Plus((y * x).abs());
        return MaxFinite(terms);
    }

    private static IEnumerable<ParityCase> KlLegacyCases()
    {
        var layout = KlLayouts.Single(l => l.Label == "matrix");
        foreach (var dtype in FloatDouble)
            foreach (var (sizeAverage, reduce, mapped, label) in LegacyPairs())
            {
                yield return KlCase(dtype, label, false, layout,
                    t => L.kl_div(t[0], t[1], sizeAverage, reduce), t => N.kl_div(t[0], t[1], false, mapped)) with
                {
                    Quick = dtype == ScalarType.Float64 && sizeAverage == false, Notes = "legacy",
                };
                // A set legacy argument overrides even "batchmean", as in PyTorch.
                yield return KlCase(dtype, label + "+batchmean", true, layout,
                    t => L.kl_div(t[0], t[1], sizeAverage, reduce, "batchmean", log_target: true), t => N.kl_div(t[0], t[1], true, mapped)) with
                {
                    Quick = dtype == ScalarType.Float64 && reduce == false, Notes = "legacy",
                };
            }
    }

    private static IEnumerable<ParityCase> KlErrorCases()
    {
        foreach (var dtype in FloatDouble)
        {
            yield return ErrorCase("kl_div", dtype, "mean", "int64-input", f => new[] { f.Classes(5, Dims(3)), f.Normal(dtype, Dims(3), grad: false) },
                t => L.kl_div(t[0], t[1]), t => N.kl_div(t[0], t[1], false, torch.nn.Reduction.Mean));
            yield return ErrorCase("kl_div", dtype, "sum", "int64-target", f => new[] { f.Normal(dtype, Dims(3), grad: false), f.Classes(5, Dims(3)) },
                t => L.kl_div(t[0], t[1], torch.nn.Reduction.Sum), t => N.kl_div(t[0], t[1], false, torch.nn.Reduction.Sum));
            yield return ErrorCase("kl_div", dtype, "none", "shape=[3,4]~[3,3]", f => new[] { f.Normal(dtype, Dims(3, 4), grad: false), f.Normal(dtype, Dims(3, 3), grad: false) },
                t => L.kl_div(t[0], t[1], torch.nn.Reduction.None), t => N.kl_div(t[0], t[1], false, torch.nn.Reduction.None));
            yield return ErrorCase("kl_div", dtype, "batchmean", "shape=[3,4]~[2,4]", f => new[] { f.Normal(dtype, Dims(3, 4), grad: false), f.Normal(dtype, Dims(2, 4), grad: false) },
                t => L.kl_div(t[0], t[1], "batchmean"), t => BatchMean(t[0], t[1], false));
            // The reduction string is PyTorch's (Python) check: libtorch takes an enum.
            // /usr/bin/python3: F.kl_div(x, y, reduction='MEAN') → ValueError: MEAN is not a valid value for reduction
            foreach (var bad in new[] { "MEAN", "bogus", "BatchMean" })
                yield return ErrorCase("kl_div", dtype, "mean", $"reduction={bad}", f => new[] { f.Normal(dtype, Dims(3), grad: false), f.Normal(dtype, Dims(3), grad: false) },
                    t => L.kl_div(t[0], t[1], bad), null, $"{bad} is not a valid value for reduction");
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // poisson_nll

    private static IEnumerable<ParityCase> PoissonCases()
    {
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (bool logInput in new[] { true, false })
                    foreach (bool full in Flags)
                        foreach (double eps in logInput ? PoissonEpsLogInput : PoissonEpsRate)
                            foreach (var layout in PoissonLayouts)
                                yield return PoissonCase(dtype, reduction, label, logInput, full, eps, layout);
        foreach (var c in PoissonLegacyCases()) yield return c;
        foreach (var c in PoissonErrorCases()) yield return c;
        // The recorded "reduction=bogus" case passes a string, which the enum API cannot carry (an undefined enum value is
        // rejected by its own check, covered in ProbabilisticLossTests); every other recorded case runs.
        foreach (var c in VectorWitness.Cases("poisson_nll_loss", "poisson_nll",
                     v => L.poisson_nll_loss(v["input"], v["target"], v.Bool("log_input", true), v.Bool("full", false), v.Double("eps", 1e-8), v.Reduction),
                     native: v => N.poisson_nll_loss(v["input"], v["target"], v.Bool("log_input", true), v.Bool("full", false), v.Double("eps", 1e-8), v.Reduction)))
            if (!c.Name.Contains("/bogus/", StringComparison.Ordinal)) yield return c;
    }

    private static string PoissonParameters(bool logInput, bool full, double eps) => $"log_input={PyBool(logInput)}/full={PyBool(full)}/eps={P(eps)}";

    private static ParityCase PoissonCase(ScalarType dtype, torch.nn.Reduction reduction, string label, bool logInput, bool full, double eps,
        Layout layout, Func<Tensor[], Tensor>? composed = null) => new()
    {
        Name = $"poisson_nll/{Tolerances.Label(dtype)}/{label}/{PoissonParameters(logInput, full, eps)}/shape={layout.Shape}/{layout.Label}",
        Loss = "poisson_nll",
        DType = dtype,
        Reduction = label,
        Inputs = f => PoissonInputs(f, dtype, layout, logInput),
        Composed = composed ?? (t => L.poisson_nll_loss(t[0], t[1], logInput, full, eps, reduction)),
        Native = t => N.poisson_nll_loss(t[0], t[1], logInput, full, eps, reduction),
        UseGradcheck = dtype == ScalarType.Float64 && layout.Random,
        // With full, Stirling's term is masked where y ≤ 1 (a jump at y = 1) and log y has its singularity at 0.
        KinkDistance = full ? t => MinFinite((F64(t[1]) - Scalars.One).abs().minimum(F64(t[1]).abs())) : null,
        Magnitude = t => PoissonTermBound(t, logInput, eps),
        Quick = layout.Quick && dtype is ScalarType.Float64 or ScalarType.Float32 && eps == 1e-8,
        Notes = layout.Regime,
    };

    private static Tensor[] PoissonInputs(InputFactory f, ScalarType dtype, Layout layout, bool logInput)
    {
        double nan = double.NaN, inf = double.PositiveInfinity;
        double[] x, y;
        switch (layout.Regime)
        {
            case "counts":
                y = new double[] { 0, 0, 1, 1, 2, 3, 4, 5, 7, 10, 1, 0 };
                x = y.Select(_ => logInput ? 1.5 * f.NextNormal() : f.NextUniform(0.05, 4)).ToArray();
                break;
            case "threshold":
                y = new[] { 1, 1, 0, 0, 1 + 1.0 / 64, 1 - 1.0 / 64, 2, 1 };
                x = new[] { 0.5, -1, 0.25, 2, 1, 0.75, -0.5, 3 };
                if (!logInput) x = x.Select(Math.Abs).ToArray();
                break;
            case "negative":
                y = new[] { -1, -0.5, 2, 3, -3, 0.5, -1e-30, 1 };
                x = logInput ? new[] { 0.5, -1, 0.25, 2, 1, 0.75, -0.5, 3 } : new[] { -0.5, 0.5, -1e-9, -2, 1, 0.25, 2, -1 };
                break;
            case "edges":
                y = new[] { 0, 1, 2, 0, 3, 0.5, 1, 2 };
                x = logInput ? new double[] { 88, 89, 100, -100, -1e4, 709, 710, 0 } : new[] { 0, 0, 0, 1e-9, 1e-30, 1e30, 5e-324, 1 };
                break;
            case "nonfinite":
                x = new[] { nan, inf, -inf, 1, 0, inf, -inf, 2 };
                y = new[] { 1, 0, 2, nan, inf, 3, 0, -inf };
                break;
            case "extreme":
                x = logInput ? new[] { 1e30, -1e30, 1e-30, -3e38, 50, -50, 1e-300, -5e-324 } : new[] { 1e30, 3e38, 1e-30, 1e-300, 50, 1e10, 5e-324, 1e-45 };
                y = new[] { 1e30, 2, 1e-30, 1e10, 1e38, 0.5, 3e38, 1e-300 };
                break;
            case "empty":
                x = Array.Empty<double>();
                y = Array.Empty<double>();
                break;
            default:
                x = Draw(layout.Input, () => logInput ? 1.5 * f.NextNormal() : f.NextUniform(0.05, 4));
                y = Draw(layout.Target, () => f.NextUniform(0.05, 6));
                break;
        }
        return new[] { InputFactory.Values(x, dtype, layout.Input), InputFactory.Values(y, dtype, layout.Target) };
    }

    /// <summary>The largest term of an element: exp(x) + |y·x| (or |x| + |y·log(x + eps)|) plus Stirling's |y·log y| + |y| + |log 2πy|.</summary>
    private static double PoissonTermBound(Tensor[] t, bool logInput, double eps)
    {
        using var scope = NewDisposeScope();
        var x = F64(t[0]);
        var y = F64(t[1]);
        using var epsScalar = eps.ToScalar();
        var rate = logInput ? x.exp().Plus((y * x).abs()) : x.abs().Plus((y * (x.Plus(epsScalar)).log()).abs());
        var stirling = y.xlogy(y).abs().Plus(y.abs()).Plus((y.abs() * Scalars.TwoPi).log().abs());
        return MaxFinite(rate.Plus(stirling));
    }

    private static IEnumerable<ParityCase> PoissonLegacyCases()
    {
        var layout = PoissonLayouts.Single(l => l.Label == "matrix");
        foreach (var dtype in FloatDouble)
            foreach (var (sizeAverage, reduce, mapped, label) in LegacyPairs())
                yield return PoissonCase(dtype, mapped, label, false, true, 1e-8, layout,
                    t => L.poisson_nll_loss(t[0], t[1], false, true, sizeAverage, 1e-8, reduce)) with
                {
                    Quick = dtype == ScalarType.Float64 && sizeAverage == false, Notes = "legacy", UseGradcheck = false,
                };
    }

    private static IEnumerable<ParityCase> PoissonErrorCases()
    {
        foreach (var dtype in FloatDouble)
            foreach (bool logInput in new[] { true, false })
            {
                string what = $"log_input={PyBool(logInput)}";
                yield return ErrorCase("poisson_nll", dtype, "mean", $"{what}/shape=[3,4]~[3,3]",
                    f => new[] { f.Uniform(dtype, Dims(3, 4), 0.1, 2, grad: false), f.Uniform(dtype, Dims(3, 3), 0, 3, grad: false) },
                    t => L.poisson_nll_loss(t[0], t[1], logInput), t => N.poisson_nll_loss(t[0], t[1], logInput));
                yield return ErrorCase("poisson_nll", dtype, "none", $"{what}/shape=[3,4]~[2,4]",
                    f => new[] { f.Uniform(dtype, Dims(3, 4), 0.1, 2, grad: false), f.Uniform(dtype, Dims(2, 4), 0, 3, grad: false) },
                    t => L.poisson_nll_loss(t[0], t[1], logInput, reduction: torch.nn.Reduction.None),
                    t => N.poisson_nll_loss(t[0], t[1], logInput, reduction: torch.nn.Reduction.None));
            }
    }

    // ---------------------------------------------------------------------------------------------------
    // gaussian_nll

    private static IEnumerable<ParityCase> GaussianCases()
    {
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (bool full in Flags)
                    foreach (double eps in GaussianEps)
                        foreach (var layout in GaussianLayouts)
                            yield return GaussianCase(dtype, reduction, label, full, eps, layout);
        foreach (var c in GaussianErrorCases()) yield return c;
        // PyTorch's vectors are the reference proper (no libtorch function); gradcheck runs on them where every var is
        // clear of eps. The recorded "reduction=bogus" case passes a string, which the enum API cannot carry.
        foreach (var c in VectorWitness.Cases("gaussian_nll_loss", "gaussian_nll",
                     v => L.gaussian_nll_loss(v["input"], v["target"], v["var"], v.Bool("full", false), v.Double("eps", 1e-6), v.Reduction)))
        {
            if (c.Name.Contains("/bogus/", StringComparison.Ordinal)) continue;
            // Every recorded success uses eps = 1e-6 (the generator's grid).
            yield return c.Recorded?.Error is null ? c with { UseGradcheck = true, KinkDistance = t => VarDistance(t[2], 1e-6) } : c;
        }
    }

    /// <summary>How far every var is above eps (negative when one is below: the clamp there is straight-through, not a derivative).</summary>
    private static double VarDistance(Tensor var, double eps)
    {
        if (var.numel() == 0) return double.PositiveInfinity;
        using var epsScalar = eps.ToScalar();
        return MinFinite(F64(var) - epsScalar);
    }

    private static ParityCase GaussianCase(ScalarType dtype, torch.nn.Reduction reduction, string label, bool full, double eps, Layout layout) => new()
    {
        Name = $"gaussian_nll/{Tolerances.Label(dtype)}/{label}/full={PyBool(full)}/eps={P(eps)}/shape={layout.Shape}/{layout.Label}",
        Loss = "gaussian_nll",
        DType = dtype,
        Reduction = label,
        Inputs = f => GaussianInputs(f, dtype, layout, eps),
        Composed = t => L.gaussian_nll_loss(t[0], t[1], t[2], full, eps, reduction),
        Native = layout.Regime == "unit" ? t => UnitVarIdentity(t, full, reduction) : t => GaussianIdentity(t, full, eps, reduction),
        UseGradcheck = dtype == ScalarType.Float64 && layout.Random,
        KinkDistance = t => VarDistance(t[2], eps),
        Magnitude = t => GaussianTermBound(t, eps),
        Quick = layout.Quick && dtype is ScalarType.Float64 or ScalarType.Float32 && (eps == 1e-6 || eps == 0.5 && layout.Regime == "clamped"),
        Notes = layout.Regime,
    };

    private static Tensor[] GaussianInputs(InputFactory f, ScalarType dtype, Layout layout, double eps)
    {
        double nan = double.NaN, inf = double.PositiveInfinity;
        var varShape = layout.Var!;
        double[] x, y, v;
        switch (layout.Regime)
        {
            case "clamped":
            {
                x = Draw(layout.Input, f.NextNormal);
                y = Draw(layout.Target, f.NextNormal);
                double[] pattern = { 0, eps / 10, eps, 2 * eps, 1e-9, 0.3, 1, 5 };
                v = Enumerable.Range(0, (int)InputFactory.Count(varShape)).Select(i => pattern[i % pattern.Length]).ToArray();
                break;
            }
            case "nonfinite":
                x = new[] { nan, inf, 1, 0, -inf, 1, 2, inf };
                y = new[] { 0, 0, nan, inf, 1, 0, 2, inf };
                v = new[] { 1, 1, 1, 1, 1, nan, inf, 0.5 };
                break;
            case "extreme":
                x = new[] { 1e20, -1e20, 1e-20, 3e38, 0, 1, 1e10, -1e-300 };
                y = new[] { 0, 1e20, 0, -3e38, 0, 1, -1e10, 1e-300 };
                v = new[] { 1, 1e30, 1e-30, 1, 1e38, 1e-300, 1e-10, 1e-300 };
                break;
            case "unit":
                x = Draw(layout.Input, () => 2 * f.NextNormal());
                y = Draw(layout.Target, f.NextNormal);
                v = Enumerable.Repeat(1.0, (int)InputFactory.Count(varShape)).ToArray();
                return new[]
                {
                    InputFactory.Values(x, dtype, layout.Input), InputFactory.Values(y, dtype, layout.Target),
                    InputFactory.Values(v, dtype, varShape, grad: false),   // the identity holds for a constant var
                };
            case "empty":
                x = Array.Empty<double>();
                y = Array.Empty<double>();
                v = Array.Empty<double>();
                break;
            default:
                x = Draw(layout.Input, () => 2 * f.NextNormal());
                y = Draw(layout.Target, f.NextNormal);
                v = Draw(varShape, () => f.NextUniform(0.1, 2));
                break;
        }
        // The gradient of a var that broadcasts is a sum of terms 0.5·(1/v − (x − y)²/v²) that cancel. PyTorch (and the composed
        // loss) round each term to bfloat16 before summing, the float32 identity does not, and the runner compares gradients
        // without the term magnitude: in bfloat16 such a var is compared by value only (input and target gradients still are).
        bool varGrad = dtype != ScalarType.BFloat16 || InputFactory.Count(varShape) == InputFactory.Count(layout.Input) &&
                       InputFactory.Count(layout.Target) <= InputFactory.Count(layout.Input);
        return new[]
        {
            InputFactory.Values(x, dtype, layout.Input), InputFactory.Values(y, dtype, layout.Target), InputFactory.Values(v, dtype, varShape, varGrad),
        };
    }

    /// <summary>
    /// The identity ℓ = 0.5·(log v + mse_loss(x, y, none)/v) (+ 0.5·log 2π) on libtorch, with v = max(var, eps) whose
    /// gradient passes straight through to var (PyTorch clamps a clone under no_grad): v = var + max(eps − var, 0) detached.
    /// var lacking the input's last dimension is unsqueezed there. float16 is evaluated in float16, each operation rounded as
    /// in PyTorch's composition (float32 would not overflow where it does); bfloat16 in float32, rounded once.
    /// </summary>
    private static Tensor GaussianIdentity(Tensor[] t, bool full, double eps, torch.nn.Reduction reduction)
    {
        var type = t[0].dtype == ScalarType.BFloat16 ? ScalarType.Float32 : t[0].dtype;
        var x = t[0].to(type);
        var y = t[1].to(type);
        var var = t[2].to(type);
        if (x.dim() > 0 && !x.shape.SequenceEqual(var.shape) && x.shape.Take(x.shape.Length - 1).SequenceEqual(var.shape)) var = var.unsqueeze(-1);
        using var epsScalar = eps.ToScalar();
        var v = var.Plus((epsScalar.Minus(var.detach())).clamp_min(Scalars.Zero));
        var loss = (v.log().Plus(N.mse_loss(x, y, torch.nn.Reduction.None) / v)) * Scalars.Half;
        if (full) loss = loss.Plus(Scalars.HalfLogTwoPi);
        var reduced = reduction switch
        {
            torch.nn.Reduction.None => loss,
            torch.nn.Reduction.Sum => loss.sum(),
            _ => loss.mean(),
        };
        return reduced.to(t[0].dtype);
    }

    /// <summary>With var = 1 (≥ eps): ℓ = 0.5·(x − y)², so the loss is 0.5·mse_loss(x, y, reduction) plus 0.5·log 2π per element with full.</summary>
    private static Tensor UnitVarIdentity(Tensor[] t, bool full, torch.nn.Reduction reduction)
    {
        var type = t[0].dtype == ScalarType.BFloat16 ? ScalarType.Float32 : t[0].dtype;
        var x = t[0].to(type);
        var y = t[1].to(type);
        var loss = N.mse_loss(x, y, reduction) * Scalars.Half;
        if (full)
        {
            double c = 0.5 * Math.Log(2 * Math.PI);
            long count = InputFactory.Count(N.mse_loss(x.detach(), y.detach(), torch.nn.Reduction.None).shape);   // var = 1 broadcasts no further here
            using var constantTerm = (reduction == torch.nn.Reduction.Sum ? c * count : c).ToScalar();
            loss = loss.Plus(constantTerm);
        }
        return loss.to(t[0].dtype);
    }

    /// <summary>The largest term of an element: |log v| + (x − y)²/v with v = max(var, eps).</summary>
    private static double GaussianTermBound(Tensor[] t, double eps)
    {
        using var scope = NewDisposeScope();
        var x = F64(t[0]);
        var y = F64(t[1]);
        using var epsScalar = eps.ToScalar();
        var v = F64(t[2]).clamp_min(epsScalar);
        if (x.dim() > 0 && !x.shape.SequenceEqual(v.shape) && x.shape.Take(x.shape.Length - 1).SequenceEqual(v.shape)) v = v.unsqueeze(-1);
        return MaxFinite(v.log().abs().Plus((x - y).pow(Scalars.Two)/ v));
    }

    private static IEnumerable<ParityCase> GaussianErrorCases()
    {
        // No libtorch function: the messages are PyTorch's, from /usr/bin/python3 (torch 1.13; float16, which 1.13 rejected in
        // clamp_min, runs in 2.10 and is swept above), e.g.
        //   F.gaussian_nll_loss(torch.randn(3,4), torch.randn(3,4), torch.rand(3,4,2)) → ValueError: var is of incorrect size
        //   F.gaussian_nll_loss(x, y, torch.tensor([1.,-1.,1.]))                     → ValueError: var has negative entry/entries
        //   F.gaussian_nll_loss(torch.randn(3,4), torch.randn(3,3), torch.rand(3,4)) → RuntimeError: The size of tensor a (4) must
        //                                                                              match the size of tensor b (3) at non-singleton dimension 1
        //   F.gaussian_nll_loss(x, y, torch.rand(3,4).long())                         → RuntimeError: result type Float can't be cast to the
        //                                                                              desired output type long int
        const string incorrect = "var is of incorrect size";
        foreach (var dtype in FloatDouble)
        {
            ParityCase Case(string what, long[] x, long[] y, long[] var, string message, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
                Func<InputFactory, Tensor>? varInput = null)
            {
                string label = Reductions.First(r => r.Value == reduction).Label;
                return ErrorCase("gaussian_nll", dtype, label, what,
                    f => new[] { f.Normal(dtype, x, grad: false), f.Normal(dtype, y, grad: false), varInput?.Invoke(f) ?? f.Uniform(dtype, var, 0.1, 2, grad: false) },
                    t => L.gaussian_nll_loss(t[0], t[1], t[2], reduction: reduction), null, message);
            }

            yield return Case("var=[3,4,2]", Dims(3, 4), Dims(3, 4), Dims(3, 4, 2), incorrect);
            yield return Case("var=[4]", Dims(3, 4), Dims(3, 4), Dims(4), incorrect);
            yield return Case("var=[1,4]", Dims(3, 4), Dims(3, 4), Dims(1, 4), incorrect, torch.nn.Reduction.Sum);
            yield return Case("var=[]", Dims(3, 4), Dims(3, 4), Scalar, incorrect, torch.nn.Reduction.None);
            foreach (var (reduction, _) in Reductions)
                yield return Case("negative-var", Dims(3), Dims(3), Dims(3), "var has negative entry/entries", reduction,
                    _ => InputFactory.Values(new[] { 1.0, -1e-30, 1.0 }, dtype, Dims(3), grad: false));
            yield return Case("shape=[3,4]~[3,3]", Dims(3, 4), Dims(3, 3), Dims(3, 4),
                "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1");
            yield return Case("int64-var", Dims(3, 4), Dims(3, 4), Dims(3, 4), "result type Float can't be cast to the desired output type long int",
                varInput: f => f.Classes(3, Dims(3, 4)));
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // shared

    private static double[] Draw(long[] shape, Func<double> next)
    {
        var values = new double[InputFactory.Count(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = next();
        return values;
    }

    private static Tensor F64(Tensor t) => t.detach().to(ScalarType.Float64);

    /// <summary>The largest finite element (0 when there is none).</summary>
    private static double MaxFinite(Tensor t)
    {
        var finite = t.masked_select(t.isfinite());
        return finite.numel() == 0 ? 0 : finite.max().item<double>();
    }

    /// <summary>The smallest finite element (+∞ when there is none).</summary>
    private static double MinFinite(Tensor t)
    {
        using var scope = NewDisposeScope();
        var finite = t.masked_select(t.isfinite());
        return finite.numel() == 0 ? double.PositiveInfinity : finite.min().item<double>();
    }
}
