using L = TorchLosses.nn.functional;
using N = TorchLosses.Parity.Aten;

namespace TorchLosses.Parity.Suites;

/// <summary>
/// The binary losses: binary_cross_entropy (weights; x at exactly 0 and 1 and next to them, where the logs are clamped
/// at −100 and the input gradient meets libtorch's EPS floor; targets outside [0, 1] and NaN targets, which libtorch 2.10
/// rejects and 1.13 accepted) and binary_cross_entropy_with_logits (weight × pos_weight broadcast grid, large |x|, ±∞).
/// Both are native kernels in libtorch: every reduction × dtype × layout × regime × weighting runs against them (values,
/// input and target gradients), plus the legacy pairs, error parity (with PyTorch's Python texts where PyTorch checks in
/// Python) and the PyTorch vectors.
/// </summary>
public sealed class BinarySuite : ParitySuite
{
    private const string Bce = "binary_cross_entropy";
    private const string Logits = "binary_cross_entropy_with_logits";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Losses { get; } = new[] { Bce, Logits };

    /// <summary>How input and target are laid out (always the same shape: both losses refuse a mismatch), and their values.</summary>
    private sealed record Layout(string Label, long[] Shape, string Regime, bool Quick = false)
    {
        public bool Random => Regime is "random" or "binary";
    }

    private static long[] Dims(params long[] d) => d;

    // Regimes: "random", "binary" (targets 0/1), special regimes named by what they hit, "empty".
    private static readonly Layout[] BceLayouts =
    {
        new("scalar", Dims(), "random", Quick: true),
        new("vector", Dims(7), "random"),
        new("matrix", Dims(3, 4), "random", Quick: true),
        new("cube", Dims(2, 3, 4), "random"),
        new("long", Dims(37), "random"),   // a vectorised body and a scalar tail
        new("binary", Dims(3, 4), "binary", Quick: true),
        new("edges", Dims(3, 4), "edges", Quick: true),      // x exactly 0 and 1: log clamped at −100, input gradient ±1/EPS, target gradient ±∞
        new("near", Dims(3, 4), "near", Quick: true),        // x next to 0 and 1: x·(1 − x) below and above EPS, log(1e-300) beyond the clamp
        new("empty", Dims(0), "empty", Quick: true),
        new("empty-matrix", Dims(0, 3), "empty"),
    };

    private static readonly Layout[] LogitsLayouts =
    {
        new("scalar", Dims(), "random", Quick: true),
        new("vector", Dims(7), "random"),
        new("matrix", Dims(3, 4), "random", Quick: true),
        new("cube", Dims(2, 3, 4), "random"),
        new("long", Dims(37), "random"),
        new("binary", Dims(3, 4), "binary", Quick: true),
        new("large", Dims(3, 4), "large", Quick: true),     // |x| from 30 to 3e38: exp under/overflow in the stable form
        new("infinite", Dims(3, 3), "infinite", Quick: true), // x = ±∞ and NaN with targets 0, 1 and 0.5
        new("infinite-outside", Dims(8), "infinite-outside", Quick: true), // x = ±∞ with targets outside [0, 1]: ±∞ or NaN in 2.10 (1.13: NaN at −∞)
        new("outside", Dims(8), "outside"),
        new("nan-target", Dims(6), "nan-target"),           // NaN targets with finite and infinite x
        new("empty", Dims(0), "empty", Quick: true),
        new("empty-matrix", Dims(0, 3), "empty"),
    };

    // Weight shapes against an input shape: "same" (the input's), "row" (its last dimension), "column" (last dimension 1,
    // for 2 or more dimensions), "scalar" (0-d), "signed" (the input's, with zeros and negative entries).
    private static readonly string[] BceWeights = { "none", "same", "row", "column", "scalar", "signed" };
    private static readonly string[] LogitsWeights = { "none", "same", "row", "column", "scalar" };
    private static readonly string[] PosWeights = { "none", "row", "same", "column", "scalar", "signed" };

    /// <inheritdoc/>
    public override IEnumerable<GridAxis> Grid => new GridAxis[]
    {
        new(Bce, "dtype", "f64, f32, bf16, f16 (libtorch 2.10's CPU kernels; 1.13 had none for bf16/f16); f32 input with an f64 weight"),
        new(Bce, "reduction", "none, mean, sum; legacy size_average/reduce: all 8 explicit pairs"),
        new(Bce, "weight", "none, same shape, last dimension [C], column [.., 1], 0-d, signed (zeros and negatives); every applicable one on every layout"),
        new(Bce, "layout", string.Join(", ", BceLayouts.Select(l => $"{l.Label} {S(l.Shape)}"))),
        new(Bce, "regime", "random (x uniform [0.02, 0.98], y uniform [0, 1]); binary targets; edges (x = 0 and 1 exactly with y = 0, 1, ½); " +
                           "near (x = 1e-7, 1e-13, 1e-30, 1e-300, 5e-324, 1 − 2⁻²⁴, 1 − 2⁻⁵³, ...: the −100 clamp and the EPS = 1e-12f floor); empty"),
        new(Bce, "gradcheck", "float64 random and binary layouts (x ∈ [0.02, 0.98]: the kernel's gradient is the derivative there), input and target; " +
                              "skipped where a target lies within a step of 0 or 1 (binary targets), since libtorch 2.10 rejects a target outside [0, 1]"),
        new(Bce, "errors", "input > 1, < 0 and NaN, target > 1, < 0, NaN and ±∞ (every reduction; libtorch 2.10 checks the target, 1.13 did not), " +
                           "input and target both outside (the first failing element names which), target size (Python text), weight not " +
                           "broadcastable (Python text) or larger than the input, weight requiring grad, target dtype ≠ input dtype (both ways), int64 input"),

        new(Logits, "dtype", "f64, f32, bf16, f16 (weights in ±[0.5, 1] for bf16, [0.5, 2] otherwise; f16: libtorch 2.10's CPU kernels, 1.13 had none); " +
                             "f32 input with f64 target, weight or pos_weight"),
        new(Logits, "reduction", "none, mean, sum; legacy size_average/reduce: all 8 explicit pairs"),
        new(Logits, "weight × pos_weight", "on the matrix layout (random and binary): weight none, same, [C], [N,1], 0-d × pos_weight none, [C], same, [N,1], 0-d, " +
                                           "signed [C] (zeros and negatives); on the other layouts: (none, none), (same, [C]), (none, signed)"),
        new(Logits, "layout", string.Join(", ", LogitsLayouts.Select(l => $"{l.Label} {S(l.Shape)}"))),
        new(Logits, "regime", "random (x normal·3, y uniform [0, 1]); binary targets; large (|x| = 30, 100, 1e4, 1e30, 3e38, both signs); " +
                              "infinite (x = ±∞, NaN with y = 0, ½, 1); x = ±∞ with y = −1, −½, 1.5, 2 (libtorch 2.10: ±∞ or NaN by the signs of 1 − y " +
                              "and 1 + (p − 1)·y; 1.13: NaN at −∞); outside (targets −3 … 10); NaN targets (infinite targets: the log σ form gives NaN " +
                              "where libtorch gives ±∞, left out); empty. |x| ≤ 1e37 in f32/bf16 (libtorch's mean target gradient overflows first; " +
                              "in f16 the values beyond 65504 are ±∞)"),
        new(Logits, "gradcheck", "float64 random and binary layouts (smooth everywhere), input and target"),
        new(Logits, "errors", "target size (Python text), weight and pos_weight not broadcastable or larger than the input, weight and pos_weight " +
                              "requiring grad, int64 and bool target, int64 input (and with int64 target too: the input is read first)"),
    };

    /// <inheritdoc/>
    public override IEnumerable<ParityCase> Cases()
    {
        // Every float32/float64 case also runs on the autograd gradient path (the analytic one is the default there).
        foreach (var c in AlsoOnAutogradPath(BceCases().Concat(LogitsCases()), c => c.DType == ScalarType.Float64))
            yield return c;
    }

    // ---------------------------------------------------------------------------------------------------
    // binary_cross_entropy

    private static IEnumerable<ParityCase> BceCases()
    {
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (var layout in BceLayouts)
                    foreach (var weight in BceWeights.Where(w => Applies(w, layout.Shape)))
                        yield return BceCase(dtype, reduction, label, layout, weight);
        // An f64 weight on f32 inputs (PyTorch casts it to the input's type).
        foreach (var (reduction, label) in Reductions)
            yield return BceCase(ScalarType.Float32, reduction, label, BceLayouts.Single(l => l.Label == "matrix"), "row", weightType: ScalarType.Float64);
        foreach (var c in BceLegacyCases()) yield return c;
        foreach (var c in BceErrorCases()) yield return c;
        foreach (var c in VectorWitness.Cases(Bce, Bce, v => L.binary_cross_entropy(v["input"], v["target"], v.Optional("weight"), v.Reduction)))
            yield return c;
    }

    private static ParityCase BceCase(ScalarType dtype, torch.nn.Reduction reduction, string label, Layout layout, string weight,
        ScalarType? weightType = null, Func<Tensor[], Tensor>? composed = null) => new()
    {
        Name = $"{Bce}/{Tolerances.Label(dtype)}/{label}/weight={weight}{(weightType is { } w ? "-" + Tolerances.Label(w) : "")}/shape={S(layout.Shape)}/{layout.Label}",
        Loss = Bce,
        DType = dtype,
        Reduction = label,
        Inputs = f =>
        {
            var (x, y) = BceValues(f, layout);
            var inputs = new List<Tensor> { InputFactory.Values(x, dtype, layout.Shape), InputFactory.Values(y, dtype, layout.Shape) };
            if (WeightTensor(f, weightType ?? dtype, layout.Shape, weight) is { } w) inputs.Add(w);
            return inputs.ToArray();
        },
        Composed = composed ?? (t => L.binary_cross_entropy(t[0], t[1], Third(t), reduction)),
        Native = t => N.binary_cross_entropy(t[0], t[1], Third(t), reduction),
        UseGradcheck = dtype == ScalarType.Float64 && layout.Random,
        // The edges of [0, 1]: a finite-difference step past them is an input or target that libtorch 2.10 rejects.
        KinkDistance = t => Math.Min(DistanceFromUnitEdges(t[0]), DistanceFromUnitEdges(t[1])),
        Quick = layout.Quick && weight is "none" or "row" && dtype is ScalarType.Float64 or ScalarType.Float32,
        Notes = layout.Regime,
    };

    private static (double[] X, double[] Y) BceValues(InputFactory f, Layout layout)
    {
        int n = (int)InputFactory.Count(layout.Shape);
        switch (layout.Regime)
        {
            case "binary":
                return (Draw(n, () => f.NextUniform(0.02, 0.98)), Draw(n, () => f.NextInteger(0, 2)));
            case "edges":
                return (new double[] { 0, 0, 0, 1, 1, 1, 0, 1, 0.5, 0, 1, 0.25 },
                        new[] { 0, 1, 0.5, 0, 1, 0.5, 0.25, 0.75, 1, 1, 0, 0 });
            case "near":
                // 1 − 1e-13 is 1 in float32 and 1e-300 is 0: the float32 cases land on the edges from the other side.
                return (new[] { 1e-7, 1 - 1e-7, 1e-13, 1 - 1e-13, 1e-30, 1e-300, 5e-324, 1e-45, 1 - Math.Pow(2, -24), 1 - Math.Pow(2, -53), 1e-6, 1e-12 },
                        new[] { 1, 0, 1, 0, 1, 1, 1, 0.3, 0, 0.3, 1, 0.5 });
            case "empty":
                return (Array.Empty<double>(), Array.Empty<double>());
            default:
                return (Draw(n, () => f.NextUniform(0.02, 0.98)), Draw(n, () => f.NextUniform(0, 1)));
        }
    }

    /// <summary>How close the elements of <paramref name="t"/> come to 0 or 1.</summary>
    private static double DistanceFromUnitEdges(Tensor t)
    {
        using var scope = NewDisposeScope();
        var x = F64(t);
        return x.numel() == 0 ? double.PositiveInfinity : torch.minimum(x, Scalars.One.Minus(x)).min().item<double>();
    }

    private static IEnumerable<ParityCase> BceLegacyCases()
    {
        var layout = BceLayouts.Single(l => l.Label == "matrix");
        foreach (var dtype in FloatDouble)
            foreach (var (sizeAverage, reduce, mapped, label) in LegacyPairs())
                yield return BceCase(dtype, mapped, label, layout, "row",
                    composed: t => L.binary_cross_entropy(t[0], t[1], t[2], sizeAverage, reduce)) with
                {
                    Quick = dtype == ScalarType.Float64 && sizeAverage == false, Notes = "legacy", UseGradcheck = false,
                };
    }

    private static IEnumerable<ParityCase> BceErrorCases()
    {
        ParityCase Case(ScalarType dtype, string reduction, string what, Func<InputFactory, Tensor[]> inputs, string? expected = null, bool native = true)
        {
            var r = Reductions.First(p => p.Label == reduction).Value;
            return ErrorCase(Bce, dtype, reduction, what, inputs, t => L.binary_cross_entropy(t[0], t[1], Third(t), r),
                native ? t => N.binary_cross_entropy(t[0], t[1], Third(t), r) : null, expected);
        }

        Tensor X(ScalarType dtype, params double[] v) => InputFactory.Values(v, dtype, Dims(v.Length), grad: false);
        foreach (var dtype in FloatDouble)
        {
            foreach (var (_, label) in Reductions)
            {
                yield return Case(dtype, label, "input>1", f => new[] { X(dtype, 0.5, 1 + 1e-6, 0), f.Uniform(dtype, Dims(3), 0, 1, grad: false) });
                yield return Case(dtype, label, "input<0", f => new[] { X(dtype, 0.5, -1e-30, 1), f.Uniform(dtype, Dims(3), 0, 1, grad: false) });
                yield return Case(dtype, label, "input=NaN", f => new[] { X(dtype, 0.5, double.NaN, 1), f.Uniform(dtype, Dims(3), 0, 1, grad: false) });
                // libtorch 2.10 checks the target too (1.13 computed a value), element by element after the input.
                yield return Case(dtype, label, "target>1", f => new[] { f.Uniform(dtype, Dims(3), 0.02, 0.98, grad: false), X(dtype, 0.5, 1 + 1e-6, 0) });
                yield return Case(dtype, label, "target<0", f => new[] { f.Uniform(dtype, Dims(3), 0.02, 0.98, grad: false), X(dtype, 0, -1e-30, 1) });
                yield return Case(dtype, label, "target=NaN", f => new[] { f.Uniform(dtype, Dims(3), 0.02, 0.98, grad: false), X(dtype, 1, double.NaN, 0) });
                yield return Case(dtype, label, "target=inf", f => new[] { f.Uniform(dtype, Dims(3), 0.02, 0.98, grad: false), X(dtype, 1, 0, double.PositiveInfinity) });
                yield return Case(dtype, label, "target=-inf", f => new[] { f.Uniform(dtype, Dims(3), 0.02, 0.98, grad: false), X(dtype, double.NegativeInfinity, 0, 1) });
            }
            // Both outside: the first element that fails names which of the two (input first within an element).
            yield return Case(dtype, "mean", "target-outside-first", f => new[] { X(dtype, 0.5, 0.5, 2), X(dtype, 0.5, -1, 0.5) });
            yield return Case(dtype, "mean", "input-outside-first", f => new[] { X(dtype, 0.5, 2, 0.5), X(dtype, 0.5, 0.5, -1) });
            yield return Case(dtype, "mean", "both-outside-same-element", f => new[] { X(dtype, 0.5, -1, 0.5), X(dtype, 0.5, 2, 0.5) });
            yield return Case(dtype, "mean", "target-outside/matrix", f => new[] { f.Uniform(dtype, Dims(3, 4), 0.02, 0.98, grad: false),
                InputFactory.Values(new[] { 0, 1, 0.5, 0.25, 1, 0, -3, 10, 0.5, 0.5, 1, 0 }, dtype, Dims(3, 4), grad: false) });
            // PyTorch checks the sizes and expands the weight in Python (libtorch would broadcast the target), so these texts are
            // PyTorch's, from /usr/bin/python3 (torch 1.13):
            //   F.binary_cross_entropy(torch.rand(3,4), torch.rand(4))   → ValueError: Using a target size (torch.Size([4])) that is different
            //                                                              to the input size (torch.Size([3, 4])) is deprecated. Please ensure they have the same size.
            //   F.binary_cross_entropy(torch.rand(3,4), torch.rand(3,4), weight=torch.rand(5))
            //                                                            → RuntimeError: The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1
            yield return Case(dtype, "mean", "shape=[3,4]~[4]", f => new[] { f.Uniform(dtype, Dims(3, 4), 0, 1, grad: false), f.Uniform(dtype, Dims(4), 0, 1, grad: false) },
                "Using a target size (torch.Size([4])) that is different to the input size (torch.Size([3, 4])) is deprecated. Please ensure they have the same size.",
                native: false);
            yield return Case(dtype, "none", "shape=[3,4]~[3,4,1]", f => new[] { f.Uniform(dtype, Dims(3, 4), 0, 1, grad: false), f.Uniform(dtype, Dims(3, 4, 1), 0, 1, grad: false) },
                "Using a target size (torch.Size([3, 4, 1])) that is different to the input size (torch.Size([3, 4])) is deprecated. Please ensure they have the same size.",
                native: false);
            yield return Case(dtype, "mean", "weight=[5]", f => new[]
                {
                    f.Uniform(dtype, Dims(3, 4), 0, 1, grad: false), f.Uniform(dtype, Dims(3, 4), 0, 1, grad: false), f.Uniform(dtype, Dims(5), 0.5, 2, grad: false),
                },
                "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1", native: false);
            yield return Case(dtype, "sum", "weight=[2,3,4]", f => new[]
            {
                f.Uniform(dtype, Dims(3, 4), 0, 1, grad: false), f.Uniform(dtype, Dims(3, 4), 0, 1, grad: false), f.Uniform(dtype, Dims(2, 3, 4), 0.5, 2, grad: false),
            });
            yield return Case(dtype, "mean", "weight-requires-grad", f => new[]
            {
                f.Uniform(dtype, Dims(3, 4), 0, 1), f.Uniform(dtype, Dims(3, 4), 0, 1, grad: false), f.Uniform(dtype, Dims(4), 0.5, 2, grad: true),
            });
            var other = dtype == ScalarType.Float64 ? ScalarType.Float32 : ScalarType.Float64;
            yield return Case(dtype, "mean", $"target-{Tolerances.Label(other)}", f => new[]
                { f.Uniform(dtype, Dims(3), 0, 1, grad: false), f.Uniform(other, Dims(3), 0, 1, grad: false) });
        }
        yield return Case(ScalarType.Int64, "mean", "int64", f => new[] { f.Classes(2, Dims(3)), f.Classes(2, Dims(3)) });
    }

    // ---------------------------------------------------------------------------------------------------
    // binary_cross_entropy_with_logits

    private static readonly (string Weight, string PosWeight)[] LogitsEdgeWeightings = { ("none", "none"), ("same", "row"), ("none", "signed") };

    private static IEnumerable<ParityCase> LogitsCases()
    {
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (var layout in LogitsLayouts)
                {
                    var weightings = layout.Label is "matrix" or "binary"
                        ? LogitsWeights.SelectMany(w => PosWeights.Select(p => (w, p)))
                        : LogitsEdgeWeightings;
                    foreach (var (weight, pos) in weightings.Where(c => Applies(c.Item1, layout.Shape) && Applies(c.Item2, layout.Shape)))
                        yield return LogitsCase(dtype, reduction, label, layout, weight, pos);
                }
        // f32 inputs with an f64 target (the loss takes the target's type), weight or pos_weight (cast to the input's).
        var matrix = LogitsLayouts.Single(l => l.Label == "matrix");
        foreach (var (reduction, label) in Reductions)
        {
            yield return LogitsCase(ScalarType.Float32, reduction, label, matrix, "row", "row", targetType: ScalarType.Float64);
            yield return LogitsCase(ScalarType.Float32, reduction, label, matrix, "row", "row", weightType: ScalarType.Float64);
        }
        foreach (var c in LogitsLegacyCases()) yield return c;
        foreach (var c in LogitsErrorCases()) yield return c;
        foreach (var c in VectorWitness.Cases(Logits, Logits,
                     v => L.binary_cross_entropy_with_logits(v["input"], v["target"], v.Optional("weight"), v.Reduction, v.Optional("pos_weight"))))
            yield return c;
    }

    private static ParityCase LogitsCase(ScalarType dtype, torch.nn.Reduction reduction, string label, Layout layout, string weight, string pos,
        ScalarType? targetType = null, ScalarType? weightType = null, Func<Tensor[], Tensor>? composed = null)
    {
        string mixed = targetType is { } tt ? $"/target-{Tolerances.Label(tt)}" : weightType is { } wt ? $"/weights-{Tolerances.Label(wt)}" : "";
        return new ParityCase
        {
            Name = $"{Logits}/{Tolerances.Label(dtype)}/{label}/weight={weight}/pos_weight={pos}{mixed}/shape={S(layout.Shape)}/{layout.Label}",
            Loss = Logits,
            DType = dtype,
            Reduction = label,
            // [input, target, weight or an empty placeholder, pos_weight or an empty placeholder]
            Inputs = f =>
            {
                var (x, y) = LogitsValues(f, layout, dtype);
                return new[]
                {
                    InputFactory.Values(x, dtype, layout.Shape), InputFactory.Values(y, targetType ?? dtype, layout.Shape),
                    WeightTensor(f, weightType ?? dtype, layout.Shape, weight) ?? Placeholder(),
                    WeightTensor(f, weightType ?? dtype, layout.Shape, pos) ?? Placeholder(),
                };
            },
            Composed = composed ?? (t => L.binary_cross_entropy_with_logits(t[0], t[1], Given(t[2]), reduction, Given(t[3]))),
            Native = t => N.binary_cross_entropy_with_logits(t[0], t[1], Given(t[2]), reduction, Given(t[3])),
            UseGradcheck = dtype == ScalarType.Float64 && layout.Random && targetType is null,
            Magnitude = LogitsTermBound,
            Quick = layout.Quick && dtype is ScalarType.Float64 or ScalarType.Float32 &&
                    (weight, pos) is ("none", "none") or ("row", "row") or ("same", "row") or ("none", "signed"),
            Notes = layout.Regime,
        };
    }

    private static (double[] X, double[] Y) LogitsValues(InputFactory f, Layout layout, ScalarType dtype)
    {
        int n = (int)InputFactory.Count(layout.Shape);
        double nan = double.NaN, inf = double.PositiveInfinity;
        switch (layout.Regime)
        {
            case "binary":
                return (Draw(n, () => 3 * f.NextNormal()), Draw(n, () => f.NextInteger(0, 2)));
            case "large":
            {
                // float32/bfloat16 stop at 1e37: for mean, libtorch's target gradient multiplies x by the upstream gradient before
                // dividing by numel and overflows to ±∞ beyond ~2e38 where the composed order (upstream ÷ numel first) stays
                // finite; an operation-order difference at the edge of the range, not a formula one. float64 goes to 3e38.
                double top = dtype == ScalarType.Float64 ? 3e38 : 1e37;
                return (new[] { 30, -30, 100, -100, 1e4, -1e4, 1e30, -1e30, top, -top, 89, -89 },
                        new[] { 0, 1, 0.5, 1, 1, 0, 0.5, 0.25, 1, 0, 0, 1 });
            }
            case "infinite":
                return (new[] { inf, inf, inf, -inf, -inf, -inf, nan, nan, nan },
                        new[] { 0, 1, 0.5, 0, 1, 0.5, 0, 1, 0.5 });
            case "infinite-outside":
                return (new[] { -inf, -inf, -inf, -inf, inf, inf, inf, inf },
                        new[] { 2, 1.5, -1, -0.5, 2, -1, 1.5, -0.5 });
            case "outside":
                return (Draw(n, () => 3 * f.NextNormal()), new[] { -1, 2, 1.5, -0.5, 10, -1e-3, 1 + 1e-7, -3 });
            case "nan-target":
                // Infinite targets are left out: both gradient paths give NaN there where libtorch's (1 − y)·x + ... gives ±∞, as
                // BCEWithLogitsLoss.cs's remarks state ("only an infinite target, meaningless for this loss, gives NaN where
                // libtorch gives ±∞"); the log σ forms are kept for their accuracy at large |x|. NaN targets give NaN on both
                // sides, with libtorch's gradients.
                return (new[] { 0.5, -2, 3, 0, inf, -inf }, new[] { nan, nan, nan, nan, nan, nan });
            case "empty":
                return (Array.Empty<double>(), Array.Empty<double>());
            default:
                return (Draw(n, () => 3 * f.NextNormal()), Draw(n, () => f.NextUniform(0, 1)));
        }
    }

    /// <summary>
    /// The largest term of an element: |w|·(|1 − y|·|x| + |lw|·(|x| + log 2)) with lw = 1 + (p − 1)·y, the size of the
    /// pieces libtorch's (1 − y)·x + lw·(log(e^(−m) + e^(−x−m)) + m) adds up before they cancel.
    /// </summary>
    private static double LogitsTermBound(Tensor[] t)
    {
        using var scope = NewDisposeScope();
        var x = F64(t[0]).abs();
        var y = F64(t[1]);
        var lw = Given(t[3]) is { } p ? (((F64(p) - Scalars.One) * y).Plus(Scalars.One)).abs() : torch.ones_like(y);
        var term = ((Scalars.One.Minus(y)).abs() * x).Plus(lw * (x.Plus(Scalars.LogTwo)));
        if (Given(t[2]) is { } w) term = term * F64(w).abs();
        var finite = term.masked_select(term.isfinite());
        return finite.numel() == 0 ? 0 : finite.max().item<double>();
    }

    private static IEnumerable<ParityCase> LogitsLegacyCases()
    {
        var layout = LogitsLayouts.Single(l => l.Label == "matrix");
        foreach (var dtype in FloatDouble)
            foreach (var (sizeAverage, reduce, mapped, label) in LegacyPairs())
                yield return LogitsCase(dtype, mapped, label, layout, "row", "row",
                    composed: t => L.binary_cross_entropy_with_logits(t[0], t[1], Given(t[2]), sizeAverage, reduce, pos_weight: Given(t[3]))) with
                {
                    Quick = dtype == ScalarType.Float64 && sizeAverage == false, Notes = "legacy", UseGradcheck = false,
                };
    }

    private static IEnumerable<ParityCase> LogitsErrorCases()
    {
        ParityCase Case(ScalarType dtype, string reduction, string what, Func<InputFactory, Tensor[]> inputs, string? expected = null, bool native = true)
        {
            var r = Reductions.First(p => p.Label == reduction).Value;
            return ErrorCase(Logits, dtype, reduction, what, inputs, t => L.binary_cross_entropy_with_logits(t[0], t[1], Given(t[2]), r, Given(t[3])),
                native ? t => N.binary_cross_entropy_with_logits(t[0], t[1], Given(t[2]), r, Given(t[3])) : null, expected);
        }

        foreach (var dtype in FloatDouble)
        {
            Tensor[] Inputs(InputFactory f, long[] target, Tensor? weight = null, Tensor? pos = null, ScalarType? targetType = null, ScalarType? inputType = null) => new[]
            {
                inputType is ScalarType.Int64 ? f.Classes(3, Dims(3, 4)) : f.Normal(inputType ?? dtype, Dims(3, 4), grad: false),
                targetType is ScalarType.Int64 or ScalarType.Bool ? f.Classes(2, target).to(targetType.Value) : f.Uniform(targetType ?? dtype, target, 0, 1, grad: false),
                weight ?? Placeholder(), pos ?? Placeholder(),
            };
            Tensor W(InputFactory f, long[] shape, bool grad = false) => f.Uniform(dtype, shape, 0.5, 2, grad);

            // PyTorch checks the sizes in Python; libtorch would say "output with shape [4] doesn't match the broadcast shape [3, 4]".
            //   F.binary_cross_entropy_with_logits(torch.randn(3,4), torch.rand(4))
            //     → ValueError: Target size (torch.Size([4])) must be the same as input size (torch.Size([3, 4]))
            yield return Case(dtype, "mean", "shape=[3,4]~[4]", f => Inputs(f, Dims(4)),
                "Target size (torch.Size([4])) must be the same as input size (torch.Size([3, 4]))", native: false);
            yield return Case(dtype, "none", "shape=[3,4]~[3,4,1]", f => Inputs(f, Dims(3, 4, 1)),
                "Target size (torch.Size([3, 4, 1])) must be the same as input size (torch.Size([3, 4]))", native: false);
            yield return Case(dtype, "mean", "weight=[5]", f => Inputs(f, Dims(3, 4), W(f, Dims(5))));
            yield return Case(dtype, "mean", "pos_weight=[5]", f => Inputs(f, Dims(3, 4), pos: W(f, Dims(5))));
            yield return Case(dtype, "sum", "weight=[2,3,4]", f => Inputs(f, Dims(3, 4), W(f, Dims(2, 3, 4))));
            yield return Case(dtype, "sum", "pos_weight=[2,3,4]", f => Inputs(f, Dims(3, 4), pos: W(f, Dims(2, 3, 4))));
            yield return Case(dtype, "mean", "weight-requires-grad", f => Inputs(f, Dims(3, 4), W(f, Dims(4), grad: true)));
            yield return Case(dtype, "mean", "pos_weight-requires-grad", f => Inputs(f, Dims(3, 4), pos: W(f, Dims(4), grad: true)));
            yield return Case(dtype, "mean", "int64-target", f => Inputs(f, Dims(3, 4), targetType: ScalarType.Int64));
            yield return Case(dtype, "mean", "int64-input", f => Inputs(f, Dims(3, 4), inputType: ScalarType.Int64));
            yield return Case(dtype, "mean", "int64-input+target", f => Inputs(f, Dims(3, 4), targetType: ScalarType.Int64, inputType: ScalarType.Int64));
            yield return Case(dtype, "mean", "bool-target", f => Inputs(f, Dims(3, 4), targetType: ScalarType.Bool));
            yield return Case(dtype, "mean", "int64-target+pos_weight=[5]", f => Inputs(f, Dims(3, 4), pos: W(f, Dims(5)), targetType: ScalarType.Int64));
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // shared

    /// <summary>Whether a weight kind exists for inputs of <paramref name="shape"/> (row needs a dimension, column two).</summary>
    private static bool Applies(string kind, long[] shape) => kind switch
    {
        "row" => shape.Length >= 1,
        "column" => shape.Length >= 2,
        _ => true,
    };

    /// <summary>A weight of the given kind for inputs of <paramref name="shape"/> (null for "none"); it never requires grad.</summary>
    private static Tensor? WeightTensor(InputFactory f, ScalarType dtype, long[] shape, string kind)
    {
        long[]? weightShape = kind switch
        {
            "none" => null,
            "row" => Dims(shape[^1]),
            "column" => shape.Take(shape.Length - 1).Append(1L).ToArray(),
            "scalar" => Dims(),
            _ => shape,   // "same", "signed"
        };
        if (weightShape is null) return null;
        // bfloat16: |w|, |p| ≤ 1. The input gradient w·((1 + (p − 1)·y)·σ(x) − p·y) cancels terms of size |w·p| for y = 1 and
        // σ(x) ≈ 1; libtorch rounds each to 8 bits, and the runner compares gradients normwise without a term magnitude.
        double high = dtype == ScalarType.BFloat16 ? 1 : 2;
        var values = Draw((int)InputFactory.Count(weightShape), () => f.NextUniform(0.5, high));
        if (kind == "signed")
            for (int i = 0; i < values.Length; i++)
                values[i] = (i % 3) switch { 0 => 0, 1 => -values[i], _ => values[i] };
        return InputFactory.Values(values, dtype, weightShape, grad: false);
    }

    /// <summary>An empty tensor standing for "no weight" in a case's input list (the runner clones every input).</summary>
    private static Tensor Placeholder() => torch.empty(0, ScalarType.Int8);

    private static Tensor? Given(Tensor t) => t.dtype == ScalarType.Int8 ? null : t;

    private static Tensor? Third(Tensor[] t) => t.Length > 2 ? t[2] : null;

    private static double[] Draw(int n, Func<double> next)
    {
        var values = new double[n];
        for (int i = 0; i < values.Length; i++) values[i] = next();
        return values;
    }

    private static Tensor F64(Tensor t) => t.detach().to(ScalarType.Float64);
}
