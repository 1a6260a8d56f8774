using L = TorchLosses.nn.functional;
using N = TorchLosses.Parity.Aten;

namespace TorchLosses.Parity.Suites;

/// <summary>
/// The margin losses: hinge_embedding (margin, targets 1 / −1 / anything else, x exactly at the margin),
/// soft_margin (libtorch 2.10's log1p(exp) form up to its overflow, target broadcasting), multilabel_soft_margin
/// (weights, any number of dimensions; its reference is libtorch's C++-frontend copy of PyTorch's Python
/// formula, and PyTorch's vectors), multi_margin (p, margin, weights, z exactly 0 at the strict kink) and
/// multilabel_margin (−1-terminated target lists, repetitions, entries after the −1). Each runs over every
/// reduction × dtype × layout × regime × parameter against libtorch, plus the legacy size_average/reduce
/// pairs, error parity and the PyTorch vectors.
/// </summary>
public sealed class MarginSuite : ParitySuite
{
    private const double Nan = double.NaN;
    private const double Inf = double.PositiveInfinity;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Losses { get; } =
        new[] { "hinge_embedding", "soft_margin", "multilabel_soft_margin", "multi_margin", "multilabel_margin" };

    /// <summary>How the inputs of a case are laid out and which values they hold.</summary>
    private sealed record Layout(string Label, long[] Input, long[] Target, string Regime, bool Quick = false)
    {
        public string Shape => Input.AsSpan().SequenceEqual(Target) ? S(Input) : $"{S(Input)}~{S(Target)}";
        public bool Empty => InputFactory.Count(Input) == 0 || InputFactory.Count(Target) == 0;
    }

    /// <inheritdoc/>
    public override IEnumerable<GridAxis> Grid
    {
        get
        {
            string Layouts(Layout[] layouts) => string.Join(", ", layouts.Select(l => $"{l.Label} {l.Shape}"));
            const string reductions = "none, mean, sum; legacy size_average/reduce: all 8 explicit pairs (f64)";

            yield return new("hinge_embedding", "dtype", "f64, f32, bf16, f16 (libtorch 2.10's CPU kernels); int64 (none, sum)");
            yield return new("hinge_embedding", "reduction", reductions);
            yield return new("hinge_embedding", "margin", string.Join(", ", HingeMargins.Select(P)));
            yield return new("hinge_embedding", "layout", Layouts(HingeLayouts));
            yield return new("hinge_embedding", "regime", "random (x ~ 2·N(0,1), y = ±1; the target requires grad and must get none); " +
                                                           "labels (y ∈ {1, −1, 0, 2, ±0.5, NaN, ±inf}); kink (x exactly at the margin for y = −1, 1, 0, 2); " +
                                                           "nonfinite (x NaN, ±inf); extreme (±1e30, ±3e38, subnormals); empty");
            yield return new("hinge_embedding", "gradcheck", "float64 random layouts, inputs ≥ 100·eps from x = margin");

            yield return new("soft_margin", "dtype", "f64, f32, bf16, f16; mixed input/target dtypes (f32·f64, f64·f32, f32·int64, bf16·f32)");
            yield return new("soft_margin", "reduction", reductions);
            yield return new("soft_margin", "layout", Layouts(SoftLayouts));
            yield return new("soft_margin", "regime", "random (x ~ 3·N(0,1), y = ±1); labels (y ∈ {0, 0.5, 2, −3, NaN, inf}); " +
                                                       "overflow (−y·x = 50, 100, 700, 710, 1000, −720: +inf loss and NaN gradient where exp overflows, " +
                                                       "f16 from 11.1, f32 from 88.7, f64 from 709.8); saturate (y·x = 15…30: log1p keeps e^−y·x, " +
                                                       "which 1.13's log(1 + e) rounded to 0 in f32; −y·x = 88, 89); " +
                                                       "zero (x = 0); nonfinite; empty");
            yield return new("soft_margin", "gradcheck", "float64 random layouts (smooth everywhere)");

            yield return new("multilabel_soft_margin", "reference", "libtorch's C++-frontend torch::nn::functional::multilabel_soft_margin_loss " +
                                                                     "(the same formula as PyTorch's Python one) and PyTorch's vectors");
            yield return new("multilabel_soft_margin", "dtype", "f64, f32, bf16, f16 (libtorch 2.10's CPU kernels)");
            yield return new("multilabel_soft_margin", "reduction", reductions);
            yield return new("multilabel_soft_margin", "weight", string.Join(", ", MlsmWeights) +
                                                                  " (per class (C); class 0 zero and class 1 negative; per sample (…, 1)); the weight requires grad");
            yield return new("multilabel_soft_margin", "layout", Layouts(MlsmLayouts));
            yield return new("multilabel_soft_margin", "regime", "hard (y ∈ {0, 1}), soft (y uniform in [0, 1)), outside (y ∈ {−0.5, 1.5, 2}), " +
                                                                  "int64 targets, extreme logits (±30, ±100, ±800, ±1e4), nonfinite, empty (N = 0) and no classes (C = 0: NaN); " +
                                                                  "float targets require grad");
            yield return new("multilabel_soft_margin", "gradcheck", "float64, every finite non-empty case (input, target and weight), and the PyTorch vectors");

            yield return new("multi_margin", "dtype", "f64, f32; bf16 and f16 are errors (no kernel)");
            yield return new("multi_margin", "reduction", reductions + "; an empty batch is compared with none only " +
                                                           "(libtorch's mean/sum there, 1.13 and 2.10 alike, are uninitialised memory; ours are NaN and 0)");
            yield return new("multi_margin", "p", "1, 2");
            yield return new("multi_margin", "margin", string.Join(", ", MultiMargins.Select(P)));
            yield return new("multi_margin", "weight", "none; uniform in [0.5, 2); with class 0 weighted 0");
            yield return new("multi_margin", "layout", Layouts(MultiLayouts));
            yield return new("multi_margin", "regime", "random (x ~ N(0,1)); kink (z = margin − x[y] + x[j] exactly 0, twice per row, next to ±0.5: " +
                                                        "the strict z > 0 gives no gradient there); nonfinite (inf in the target and in another class, NaN, −inf); empty");
            yield return new("multi_margin", "gradcheck", "float64 random layouts, every z ≥ 100·eps from 0");

            yield return new("multilabel_margin", "dtype", "f64, f32; bf16 and f16 are errors (no kernel)");
            yield return new("multilabel_margin", "reduction", reductions + "; an empty batch is compared with none only " +
                                                                "(libtorch's mean/sum there, 1.13 and 2.10 alike, are uninitialised memory; ours are NaN and 0)");
            yield return new("multilabel_margin", "layout", Layouts(MultiLabelLayouts));
            yield return new("multilabel_margin", "targets", "−1-terminated lists; repetitions (a class listed twice counts twice); " +
                                                              "entries after the −1 (classes and −1s, ignored); no −1 at all (every class a target, or one class repeated); " +
                                                              "an empty list (−1 first); random lists; C = 1; 0-d input");
            yield return new("multilabel_margin", "regime", "random (x ~ N(0,1)); kink (x[j] − x[k] exactly 1: z = 0, no gradient); nonfinite; empty");
            yield return new("multilabel_margin", "gradcheck", "float64 random layouts, every pair's z ≥ 100·eps from 0");

            yield return new("hinge_embedding, soft_margin, multilabel_soft_margin, multi_margin, multilabel_margin", "errors",
                "hinge: non-broadcastable shapes, int64 input with mean, reduction 5; soft_margin: a target that requires grad, " +
                "a target larger than the input, non-broadcastable, int64 and bool inputs, reduction 5; multilabel_soft_margin: 0-d input, " +
                "target and weight shapes, reduction 5 (PyTorch's \"5 is not valid\"); multi_margin: p = 3, targets out of range (C, −1), " +
                "target size and rank, 3-D input, C = 0, float/int32 targets, weight dtype, a weight that requires grad, bf16, f16, reduction 5, " +
                "a 2-D weight (PyTorch's Python check) and a weight of the wrong length (libtorch 2.10's check; 1.13 read out of bounds); " +
                "multilabel_margin: targets out of range (C, −2, after the −1, 0-d input), target sizes, float/int32 targets, 3-D input, C = 0, " +
                "bf16, f16, reduction 5");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<ParityCase> Cases() =>
        HingeCases().Concat(SoftMarginCases()).Concat(MultiLabelSoftMarginCases()).Concat(MultiMarginCases()).Concat(MultiLabelMarginCases());

    // ------------------------------------------------------------------------------------------------
    // Shared helpers

    private static string Label(torch.nn.Reduction reduction) => Reductions.First(r => r.Value == reduction).Label;

    private static Tensor V(double[] values, ScalarType dtype, long[] shape, bool grad = true) => InputFactory.Values(values, dtype, shape, grad);

    private static Tensor Longs(long[] values, long[] shape, ScalarType type = ScalarType.Int64) => tensor(values, shape).to(type);

    /// <summary>±1 labels.</summary>
    private static Tensor Signs(InputFactory f, ScalarType dtype, long[] shape, bool grad)
    {
        var values = new double[InputFactory.Count(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = f.NextInteger(0, 2) == 0 ? -1 : 1;
        return V(values, dtype, shape, grad);
    }

    /// <summary>max over finite elements of |t| in float64 (0 when there are none).</summary>
    private static double MaxAbs(Tensor? t)
    {
        if (t is null) return 0;
        using var scope = NewDisposeScope();
        var a = t.detach().to(ScalarType.Float64).abs();
        var finite = a.masked_select(a.isfinite());
        return finite.numel() == 0 ? 0 : finite.max().item<double>();
    }

    /// <summary>
    /// The 8 explicit legacy (size_average, reduce) pairs in float64, named <c>{loss}/f64/legacy(…){rest}</c>: the composed
    /// loss takes the pair, libtorch the reduction it maps to.
    /// </summary>
    private static IEnumerable<ParityCase> LegacyCases(string loss, string rest, Func<InputFactory, Tensor[]> inputs,
        Func<Tensor[], bool?, bool?, Tensor> composed, Func<Tensor[], torch.nn.Reduction, Tensor> native)
    {
        foreach (var (sizeAverage, reduce, mapped, label) in LegacyPairs())
            {
                yield return new ParityCase
                {
                    Name = $"{loss}/f64/{label}{rest}",
                    Loss = loss,
                    Reduction = label,
                    Inputs = inputs,
                    Composed = t => composed(t, sizeAverage, reduce),
                    Native = t => native(t, mapped),
                    Quick = sizeAverage == false,
                    Notes = "legacy",
                };
            }
    }

    /// <summary>An error case: libtorch (or, where <paramref name="expected"/> is given, PyTorch's Python) rejects the inputs.</summary>
    private static ParityCase Error(string loss, ScalarType dtype, string what, Func<InputFactory, Tensor[]> inputs,
        Func<Tensor[], Tensor> composed, Func<Tensor[], Tensor>? native, string reductionLabel = "mean", string? expected = null) =>
        ErrorCase(loss, dtype, reductionLabel, what, inputs, composed, native, expected);

    // ------------------------------------------------------------------------------------------------
    // hinge_embedding_loss

    private static readonly double[] HingeMargins = { 1, 0, -0.5, 2.5 };

    private static readonly Layout[] HingeLayouts =
    {
        new("scalar", new long[0], new long[0], "random", Quick: true),
        new("vector", new long[] { 8 }, new long[] { 8 }, "random"),
        new("matrix", new long[] { 3, 4 }, new long[] { 3, 4 }, "random", Quick: true),
        new("cube", new long[] { 2, 3, 4 }, new long[] { 2, 3, 4 }, "random"),
        new("long", new long[] { 37 }, new long[] { 37 }, "random"),
        new("row-broadcast", new long[] { 3, 4 }, new long[] { 4 }, "random", Quick: true),
        new("input-broadcast", new long[] { 4 }, new long[] { 3, 4 }, "random"),
        new("outer-broadcast", new long[] { 3, 1 }, new long[] { 1, 4 }, "random"),
        new("scalar-target", new long[] { 3, 4 }, new long[0], "random"),
        new("labels", new long[] { 12 }, new long[] { 12 }, "labels", Quick: true),
        new("kink", new long[] { 8 }, new long[] { 8 }, "kink", Quick: true),
        new("kink-matrix", new long[] { 2, 4 }, new long[] { 2, 4 }, "kink"),
        new("nonfinite", new long[] { 8 }, new long[] { 8 }, "nonfinite", Quick: true),
        new("extreme", new long[] { 6 }, new long[] { 6 }, "extreme"),
        new("empty", new long[] { 0 }, new long[] { 0 }, "empty", Quick: true),
        new("empty-matrix", new long[] { 0, 3 }, new long[] { 0, 3 }, "empty"),
        new("empty-broadcast", new long[] { 2, 0 }, new long[] { 0 }, "empty"),
    };

    private static IEnumerable<ParityCase> HingeCases()
    {
        const string loss = "hinge_embedding";
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (var margin in HingeMargins)
                    foreach (var layout in HingeLayouts)
                        yield return new ParityCase
                        {
                            Name = $"{loss}/{Tolerances.Label(dtype)}/{label}/margin={P(margin)}/shape={layout.Shape}/{layout.Label}",
                            Loss = loss,
                            DType = dtype,
                            Reduction = label,
                            Inputs = f => HingeInputs(f, layout, dtype, margin),
                            Composed = t => L.hinge_embedding_loss(t[0], t[1], margin, reduction),
                            Native = t => N.hinge_embedding_loss(t[0], t[1], margin, reduction),
                            UseGradcheck = dtype == ScalarType.Float64 && layout.Regime == "random",
                            KinkDistance = t => MinDistance(t[0], margin),
                            Magnitude = t => MaxAbs(t[0]) + Math.Abs(margin),
                            Quick = layout.Quick && margin is 1 or -0.5 && QuickDType(dtype),
                            Notes = layout.Regime,
                        };

        // Integer inputs: the margin is filled in the input's type (1.5 → 1), none and sum work, mean has no dtype.
        foreach (var (reduction, label) in Reductions.Where(r => r.Value != torch.nn.Reduction.Mean))
            yield return new ParityCase
            {
                Name = $"{loss}/int64/{label}/margin=1.5/shape=[6]/int64",
                Loss = loss,
                DType = ScalarType.Int64,
                Reduction = label,
                Inputs = _ => new[] { Longs(new long[] { 0, 1, 2, 3, -2, 5 }, new long[] { 6 }), Longs(new long[] { -1, -1, 1, 0, -1, 2 }, new long[] { 6 }) },
                Composed = t => L.hinge_embedding_loss(t[0], t[1], 1.5, reduction),
                Native = t => N.hinge_embedding_loss(t[0], t[1], 1.5, reduction),
                Quick = true,
                Notes = "int64",
            };

        var hingeMatrix = HingeLayouts.Single(l => l.Label == "matrix");
        foreach (var c in LegacyCases(loss, $"/margin=1/shape={hingeMatrix.Shape}/{hingeMatrix.Label}", f => HingeInputs(f, hingeMatrix, ScalarType.Float64, 1),
                     (t, sizeAverage, reduce) => L.hinge_embedding_loss(t[0], t[1], 1.0, sizeAverage, reduce),
                     (t, r) => N.hinge_embedding_loss(t[0], t[1], 1.0, r)))
            yield return c;

        Func<InputFactory, Tensor[]> Pair(ScalarType dtype, long[] x, long[] y) => f => new[] { f.Normal(dtype, x, false), f.Normal(dtype, y, false) };
        Func<Tensor[], Tensor> Ours(torch.nn.Reduction r) => t => L.hinge_embedding_loss(t[0], t[1], 1.0, r);
        Func<Tensor[], Tensor> Theirs(torch.nn.Reduction r) => t => N.hinge_embedding_loss(t[0], t[1], 1.0, r);
        foreach (var dtype in FloatDouble)
        {
            var mean = torch.nn.Reduction.Mean;
            yield return Error(loss, dtype, "shape=[3]~[4]", Pair(dtype, new long[] { 3 }, new long[] { 4 }), Ours(mean), Theirs(mean));
            yield return Error(loss, dtype, "shape=[2,3]~[3,2]", Pair(dtype, new long[] { 2, 3 }, new long[] { 3, 2 }),
                Ours(torch.nn.Reduction.None), Theirs(torch.nn.Reduction.None), "none");
            yield return Error(loss, dtype, "reduction=5", Pair(dtype, new long[] { 3 }, new long[] { 3 }), Ours((torch.nn.Reduction)5), Theirs((torch.nn.Reduction)5));
        }
        yield return Error(loss, ScalarType.Int64, "int64",
            _ => new[] { Longs(new long[] { 0, 1, 2 }, new long[] { 3 }), Longs(new long[] { -1, 1, 1 }, new long[] { 3 }) },
            Ours(torch.nn.Reduction.Mean), Theirs(torch.nn.Reduction.Mean));

        foreach (var c in VectorWitness.Cases("hinge_embedding_loss", loss,
                     v => L.hinge_embedding_loss(v["input"], v["target"], v.Double("margin", 1.0), v.Reduction),
                     native: v => N.hinge_embedding_loss(v["input"], v["target"], v.Double("margin", 1.0), v.Reduction)))
            yield return c;
    }

    /// <summary>min over elements of |x − margin| in float64 (+∞ for an empty x).</summary>
    private static double MinDistance(Tensor x, double margin)
    {
        using var scope = NewDisposeScope();
        if (x.numel() == 0) return double.PositiveInfinity;
        using var marginScalar = margin.ToScalar();
        return (x.detach().to(ScalarType.Float64) - marginScalar).abs().min().item<double>();
    }

    private static Tensor[] HingeInputs(InputFactory f, Layout layout, ScalarType dtype, double m)
    {
        switch (layout.Regime)
        {
            case "labels":
                return new[]
                {
                    f.Normal(dtype, layout.Input, scale: 2),
                    V(new[] { 1, -1, 0, 2, 0.5, -0.5, Nan, Inf, -Inf, 1, -1, 3 }, dtype, layout.Target),
                };
            case "kink":
                // x = m exactly for y = −1 (the clamp passes the gradient: −1), y = 1, 0 and 2, next to points on either side.
                return new[]
                {
                    V(new[] { m, m, m, m + 1, m - 1, 0, -m, m }, dtype, layout.Input),
                    V(new double[] { -1, 1, 0, -1, -1, -1, 1, 2 }, dtype, layout.Target),
                };
            case "nonfinite":
                return new[]
                {
                    V(new[] { Nan, Inf, -Inf, Nan, Inf, -Inf, 1, 0 }, dtype, layout.Input),
                    V(new[] { 1, 1, 1, -1, -1, -1, Nan, Inf }, dtype, layout.Target),
                };
            case "extreme":
                return new[]
                {
                    V(new[] { 1e30, -1e30, 3e38, -3e38, 1e-30, 5e-324 }, dtype, layout.Input),
                    V(new double[] { -1, -1, 1, -1, 1, -1 }, dtype, layout.Target),
                };
            default:
                return new[] { f.Normal(dtype, layout.Input, scale: 2), Signs(f, dtype, layout.Target, grad: true) };
        }
    }

    // ------------------------------------------------------------------------------------------------
    // soft_margin_loss

    private static readonly Layout[] SoftLayouts =
    {
        new("scalar", new long[0], new long[0], "random", Quick: true),
        new("vector", new long[] { 7 }, new long[] { 7 }, "random"),
        new("matrix", new long[] { 3, 4 }, new long[] { 3, 4 }, "random", Quick: true),
        new("cube", new long[] { 2, 3, 4 }, new long[] { 2, 3, 4 }, "random"),
        new("long", new long[] { 37 }, new long[] { 37 }, "random"),
        new("row-broadcast", new long[] { 3, 4 }, new long[] { 4 }, "random", Quick: true),
        new("column-broadcast", new long[] { 3, 4 }, new long[] { 3, 1 }, "random"),
        new("scalar-target", new long[] { 3, 4 }, new long[0], "random"),
        new("labels", new long[] { 8 }, new long[] { 8 }, "labels", Quick: true),
        new("overflow", new long[] { 8 }, new long[] { 8 }, "overflow", Quick: true),
        new("overflow-broadcast", new long[] { 2, 8 }, new long[] { 8 }, "overflow"),
        new("saturate", new long[] { 8 }, new long[] { 8 }, "saturate"),
        new("zero", new long[] { 4 }, new long[] { 4 }, "zero"),
        new("nonfinite", new long[] { 8 }, new long[] { 8 }, "nonfinite", Quick: true),
        new("empty", new long[] { 0 }, new long[] { 0 }, "empty", Quick: true),
        new("empty-matrix", new long[] { 0, 3 }, new long[] { 0, 3 }, "empty"),
        new("empty-broadcast", new long[] { 2, 0 }, new long[] { 0 }, "empty"),
    };

    /// <summary>For a target of a wider dtype: −y·x = 89, 89, 100, 90, 710, 750 with y = −1 and −0.5 (libtorch's backward forms
    /// exp in the target's dtype, so y·e may exceed the input's range while e does not, or not even then).</summary>
    private static readonly Layout Widened = new("widened", new long[] { 6 }, new long[] { 6 }, "widened");

    private static IEnumerable<ParityCase> SoftMarginCases()
    {
        const string loss = "soft_margin";
        // Equal dtypes over every layout, then mixed dtypes (the product −x·y is formed in the promoted type and rounded
        // to the input's before exp; libtorch's backward keeps exp in the promoted type) over the overflow edges.
        var mixedLayouts = SoftLayouts.Where(l => l.Label is "matrix" or "saturate" or "overflow").Append(Widened).ToArray();
        var pairs = AllFloating.Select(t => (Input: t, Target: t, Layouts: SoftLayouts))
            .Concat(new[]
            {
                (ScalarType.Float32, ScalarType.Float64), (ScalarType.Float64, ScalarType.Float32),
                (ScalarType.Float32, ScalarType.Int64), (ScalarType.BFloat16, ScalarType.Float32),
            }.Select(m => (Input: m.Item1, Target: m.Item2, Layouts: mixedLayouts)));
        foreach (var (input, target, layouts) in pairs)
            foreach (var (reduction, label) in Reductions)
                foreach (var layout in layouts)
                {
                    bool mixed = input != target;
                    yield return new ParityCase
                    {
                        Name = $"{loss}/{Tolerances.Label(input)}/{label}{(mixed ? $"/target={Tolerances.Label(target)}" : "")}/shape={layout.Shape}/{layout.Label}",
                        Loss = loss,
                        DType = input,
                        Reduction = label,
                        Inputs = f => SoftInputs(f, layout, input, target),
                        Composed = t => L.soft_margin_loss(t[0], t[1], reduction),
                        Native = t => N.soft_margin_loss(t[0], t[1], reduction),
                        UseGradcheck = !mixed && input == ScalarType.Float64 && layout.Regime == "random",
                        Magnitude = SoftMagnitude,
                        Quick = mixed ? reduction == torch.nn.Reduction.Sum && layout.Label is "saturate" or "widened" : layout.Quick && QuickDType(input),
                        Notes = mixed ? "mixed-dtype" : layout.Regime,
                    };
                }

        var softMatrix = SoftLayouts.Single(l => l.Label == "matrix");
        foreach (var c in LegacyCases(loss, $"/shape={softMatrix.Shape}/{softMatrix.Label}", f => SoftInputs(f, softMatrix, ScalarType.Float64, ScalarType.Float64),
                     (t, sizeAverage, reduce) => L.soft_margin_loss(t[0], t[1], sizeAverage, reduce),
                     (t, r) => N.soft_margin_loss(t[0], t[1], r)))
            yield return c;

        Func<InputFactory, Tensor[]> Pair(ScalarType x, long[] xs, ScalarType y, long[] ys, bool targetGrad = false) =>
            f => new[] { x is ScalarType.Int64 or ScalarType.Bool ? Longs(new long[InputFactory.Count(xs)], xs, x) : f.Normal(x, xs),
                         y is ScalarType.Int64 or ScalarType.Bool ? Longs(new long[InputFactory.Count(ys)], ys, y) : Signs(f, y, ys, targetGrad) };
        Func<Tensor[], Tensor> Ours(torch.nn.Reduction r) => t => L.soft_margin_loss(t[0], t[1], r);
        Func<Tensor[], Tensor> Theirs(torch.nn.Reduction r) => t => N.soft_margin_loss(t[0], t[1], r);
        var v3 = new long[] { 3 };
        foreach (var dtype in FloatDouble)
            foreach (var (reduction, label) in Reductions)
            {
                yield return Error(loss, dtype, "target-requires-grad", Pair(dtype, new long[] { 3, 4 }, dtype, new long[] { 3, 4 }, targetGrad: true),
                    Ours(reduction), Theirs(reduction), label);
                yield return Error(loss, dtype, "shape=[4]~[3,4]", Pair(dtype, new long[] { 4 }, dtype, new long[] { 3, 4 }), Ours(reduction), Theirs(reduction), label);
                yield return Error(loss, dtype, "shape=[4]~[5]", Pair(dtype, new long[] { 4 }, dtype, new long[] { 5 }), Ours(reduction), Theirs(reduction), label);
            }
        foreach (var dtype in FloatDouble)
            yield return Error(loss, dtype, "reduction=5", Pair(dtype, v3, dtype, v3), Ours((torch.nn.Reduction)5), Theirs((torch.nn.Reduction)5));
        var mean = torch.nn.Reduction.Mean;
        yield return Error(loss, ScalarType.Int64, "int64", Pair(ScalarType.Int64, v3, ScalarType.Int64, v3), Ours(mean), Theirs(mean));
        yield return Error(loss, ScalarType.Int64, "int64-input/f32-target", Pair(ScalarType.Int64, v3, ScalarType.Float32, v3), Ours(mean), Theirs(mean));
        yield return Error(loss, ScalarType.Bool, "bool", Pair(ScalarType.Bool, v3, ScalarType.Bool, v3), Ours(mean), Theirs(mean));

        foreach (var c in VectorWitness.Cases("soft_margin_loss", loss, v => L.soft_margin_loss(v["input"], v["target"], v.Reduction),
                     native: v => N.soft_margin_loss(v["input"], v["target"], v.Reduction)))
            yield return c;
    }

    /// <summary>The largest term: log(1 + exp(|x·y|)) ≤ |x|·|y| + 1.</summary>
    private static double SoftMagnitude(Tensor[] t) => MaxAbs(t[0]) * Math.Max(1, MaxAbs(t[1])) + 1;

    private static Tensor[] SoftInputs(InputFactory f, Layout layout, ScalarType dtype, ScalarType targetType)
    {
        // The target never requires grad: soft_margin_loss is not differentiable with respect to it (an error case below).
        Tensor Target(double[] values) => V(values, targetType, layout.Target, grad: false);
        switch (layout.Regime)
        {
            case "labels":
                return new[] { f.Normal(dtype, layout.Input, scale: 3), Target(new[] { 0, 0.5, 2, -3, 1, -1, Nan, Inf }) };
            case "overflow":
            {
                // −y·x = 50, 50, 100, 100, 700, 710, −720, 1000: exp overflows from 100 in f32/bf16 and from 710 in f64.
                double[] x = { 50, -50, 100, -100, 700, 710, 720, -1000 };
                double[] y = { -1, 1, -1, 1, -1, -1, 1, 1 };
                // The broadcast layout adds a second row with x negated: −y·x = −50 … −1000, where exp underflows to 0.
                var input = x.Length == InputFactory.Count(layout.Input) ? x : x.Concat(x.Select(v => -v)).ToArray();
                return new[] { V(input, dtype, layout.Input), Target(y) };
            }
            case "saturate":
            {
                // y·x from 15 to 30: 1 + exp(−y·x) rounds to 1 in float32 (the loss is exactly 0 there); −y·x = 88, 89 around f32's exp overflow.
                double[] x = { 15, 16, 17, 18, 20, 30, 88, 89 };
                double[] y = { 1, 1, 1, 1, 1, 1, -1, -1 };
                return new[] { V(x, dtype, layout.Input), Target(y) };
            }
            case "widened":
                return new[] { V(new double[] { 89, 178, 100, 180, 710, 1500 }, dtype, layout.Input), Target(new[] { -1, -0.5, -1, -0.5, -1, -0.5 }) };
            case "zero":
                return new[] { V(new double[] { 0, 0, -0.0, -0.0 }, dtype, layout.Input), Target(new double[] { 1, -1, 1, -1 }) };
            case "nonfinite":
                return new[] { V(new[] { Nan, Inf, -Inf, Inf, -Inf, 1, 0, Nan }, dtype, layout.Input), Target(new double[] { 1, 1, 1, -1, -1, Nan, Inf, -1 }) };
            default:
            {
                var input = f.Normal(dtype, layout.Input, scale: 3);
                if (targetType == ScalarType.Int64)
                    return new[] { input, Signs(f, ScalarType.Float64, layout.Target, grad: false).to(ScalarType.Int64) };
                return new[] { input, Signs(f, targetType, layout.Target, grad: false) };
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // multilabel_soft_margin_loss

    private static readonly string[] MlsmWeights = { "none", "class", "zero-negative", "sample" };

    private static readonly Layout[] MlsmLayouts =
    {
        new("vector", new long[] { 5 }, new long[] { 5 }, "hard", Quick: true),
        new("matrix", new long[] { 3, 5 }, new long[] { 3, 5 }, "hard", Quick: true),
        new("cube", new long[] { 2, 3, 4 }, new long[] { 2, 3, 4 }, "hard"),
        new("wide", new long[] { 2, 37 }, new long[] { 2, 37 }, "hard"),
        new("soft", new long[] { 3, 5 }, new long[] { 3, 5 }, "soft", Quick: true),
        new("outside", new long[] { 3, 5 }, new long[] { 3, 5 }, "outside"),
        new("int64-target", new long[] { 3, 5 }, new long[] { 3, 5 }, "int64"),
        new("row-broadcast", new long[] { 3, 5 }, new long[] { 5 }, "hard", Quick: true),
        new("column-broadcast", new long[] { 3, 5 }, new long[] { 3, 1 }, "hard"),
        new("input-broadcast", new long[] { 5 }, new long[] { 3, 5 }, "hard"),   // the class dimension is then dim 0 of the [3, 5] loss
        new("extreme", new long[] { 2, 4 }, new long[] { 2, 4 }, "extreme"),
        new("nonfinite", new long[] { 2, 4 }, new long[] { 2, 4 }, "nonfinite", Quick: true),
        new("empty", new long[] { 0, 5 }, new long[] { 0, 5 }, "empty", Quick: true),
        new("no-classes", new long[] { 3, 0 }, new long[] { 3, 0 }, "empty"),
        new("empty-cube", new long[] { 2, 0, 4 }, new long[] { 2, 0, 4 }, "empty"),
    };

    private static IEnumerable<ParityCase> MultiLabelSoftMarginCases()
    {
        const string loss = "multilabel_soft_margin";
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (var layout in MlsmLayouts)
                    foreach (var weight in MlsmWeights.Where(w => w != "sample" || layout.Input.Length >= 2))
                    {
                        bool finite = layout.Regime is not ("nonfinite" or "empty");
                        yield return new ParityCase
                        {
                            Name = $"{loss}/{Tolerances.Label(dtype)}/{label}/weight={weight}/shape={layout.Shape}/{layout.Label}",
                            Loss = loss,
                            DType = dtype,
                            Reduction = label,
                            Inputs = f => MlsmInputs(f, layout, dtype, weight),
                            Composed = t => L.multilabel_soft_margin_loss(t[0], t[1], t.Length > 2 ? t[2] : null, reduction),
                            Native = t => N.multilabel_soft_margin_loss(t[0], t[1], t.Length > 2 ? t[2] : null, reduction),
                            UseGradcheck = dtype == ScalarType.Float64 && finite,
                            Magnitude = t => (MaxAbs(t[0]) + 1) * (1 + MaxAbs(t[1])) * Math.Max(1, t.Length > 2 ? MaxAbs(t[2]) : 1),
                            Quick = layout.Quick && weight is "none" or "class" && QuickDType(dtype),
                            Notes = layout.Regime,
                        };
                    }

        var mlsmMatrix = MlsmLayouts.Single(l => l.Label == "matrix");
        foreach (var c in LegacyCases(loss, $"/weight=class/shape={mlsmMatrix.Shape}/{mlsmMatrix.Label}", f => MlsmInputs(f, mlsmMatrix, ScalarType.Float64, "class"),
                     (t, sizeAverage, reduce) => L.multilabel_soft_margin_loss(t[0], t[1], t[2], sizeAverage, reduce),
                     (t, r) => N.multilabel_soft_margin_loss(t[0], t[1], t[2], r)))
            yield return c;

        Func<InputFactory, Tensor[]> Inputs(ScalarType dtype, long[] x, long[] y, long[]? w = null) => f =>
            w is null ? new[] { f.Normal(dtype, x, false), f.Normal(dtype, y, false) }
                      : new[] { f.Normal(dtype, x, false), f.Normal(dtype, y, false), f.Normal(dtype, w, false) };
        Func<Tensor[], Tensor> Ours(torch.nn.Reduction r) => t => L.multilabel_soft_margin_loss(t[0], t[1], t.Length > 2 ? t[2] : null, r);
        Func<Tensor[], Tensor> Theirs(torch.nn.Reduction r) => t => N.multilabel_soft_margin_loss(t[0], t[1], t.Length > 2 ? t[2] : null, r);
        var mean = torch.nn.Reduction.Mean;
        foreach (var dtype in FloatDouble)
        {
            // PyTorch raises an IndexError from input.size(-1) in Python; the C++ frontend the same text from the same C++ check.
            yield return Error(loss, dtype, "0-d-input", Inputs(dtype, new long[0], new long[0]), Ours(mean), Theirs(mean));
            yield return Error(loss, dtype, "shape=[2,3]~[2,4]", Inputs(dtype, new long[] { 2, 3 }, new long[] { 2, 4 }), Ours(mean), Theirs(mean));
            yield return Error(loss, dtype, "weight=[4]/shape=[2,3]", Inputs(dtype, new long[] { 2, 3 }, new long[] { 2, 3 }, new long[] { 4 }),
                Ours(mean), Theirs(mean));
            yield return Error(loss, dtype, "weight=[3,1]/shape=[2,3]", Inputs(dtype, new long[] { 2, 3 }, new long[] { 2, 3 }, new long[] { 3, 1 }),
                Ours(mean), Theirs(mean));
            // PyTorch checks the reduction in Python with its own words ("5 is not valid"); the binding's reference takes no invalid code.
            yield return Error(loss, dtype, "reduction=5", Inputs(dtype, new long[] { 2, 3 }, new long[] { 2, 3 }), Ours((torch.nn.Reduction)5), null,
                expected: "5 is not valid");
        }

        // PyTorch computes this loss in Python: its vectors are the second reference. The reduction is an enum here, so
        // the recorded reduction='bogus' has no C# counterpart (its analogue is the reduction=5 error case above).
        foreach (var c in VectorWitness.Cases("multilabel_soft_margin_loss", loss,
                     v => L.multilabel_soft_margin_loss(v["input"], v["target"], v.Optional("weight"), v.Reduction)))
        {
            if (c.Name.EndsWith("/reduction=bogus/error", StringComparison.Ordinal)) continue;
            yield return c.Recorded?.Error is null ? c with { UseGradcheck = true } : c;
        }
    }

    private static Tensor[] MlsmInputs(InputFactory f, Layout layout, ScalarType dtype, string weight)
    {
        Tensor input;
        switch (layout.Regime)
        {
            case "extreme":
                input = V(new double[] { 30, -30, 100, -100, 800, -800, 1e4, -1e4 }, dtype, layout.Input);
                break;
            case "nonfinite":
                input = V(new[] { Inf, -Inf, Nan, 1, Inf, -Inf, 0.5, -2 }, dtype, layout.Input);
                break;
            default:
                input = f.Normal(dtype, layout.Input, scale: 2);
                break;
        }

        var count = InputFactory.Count(layout.Target);
        var labels = new double[count];
        double[] outside = { -0.5, 1.5, 2, 0, 1 };
        for (int i = 0; i < count; i++)
            labels[i] = layout.Regime switch
            {
                "soft" => f.NextUniform(0, 1),
                "outside" => outside[i % outside.Length],
                _ => f.NextInteger(0, 2),
            };
        var target = layout.Regime == "int64"
            ? tensor(labels.Select(v => (long)v).ToArray(), layout.Target)
            : V(labels, dtype, layout.Target);

        long classes = layout.Input[^1];
        long[]? weightShape = weight switch
        {
            "class" or "zero-negative" => new[] { classes },
            "sample" => layout.Input[..^1].Append(1L).ToArray(),
            _ => null,
        };
        if (weightShape is null) return new[] { input, target };
        var w = new double[InputFactory.Count(weightShape)];
        for (int i = 0; i < w.Length; i++) w[i] = f.NextUniform(0.5, 2);
        if (weight == "zero-negative" && w.Length > 1)
        {
            w[0] = 0;
            w[1] = -0.75;
        }
        return new[] { input, target, V(w, dtype, weightShape) };
    }

    // ------------------------------------------------------------------------------------------------
    // multi_margin_loss

    private static readonly double[] MultiMargins = { 1, 0, 0.5, -0.75, 2.5 };
    private static readonly string[] MultiWeights = { "none", "weighted", "zero-weight" };

    private static readonly Layout[] MultiLayouts =
    {
        new("batch", new long[] { 4, 5 }, new long[] { 4 }, "random", Quick: true),
        new("large", new long[] { 16, 7 }, new long[] { 16 }, "random"),
        new("unbatched", new long[] { 5 }, new long[0], "random", Quick: true),
        new("unbatched-1", new long[] { 5 }, new long[] { 1 }, "random"),
        new("scalar", new long[0], new long[0], "random"),
        new("scalar-1", new long[0], new long[] { 1 }, "random"),
        new("one-class", new long[] { 3, 1 }, new long[] { 3 }, "random"),
        new("two-classes", new long[] { 6, 2 }, new long[] { 6 }, "random"),
        new("kink", new long[] { 4, 5 }, new long[] { 4 }, "kink", Quick: true),
        new("nonfinite", new long[] { 4, 5 }, new long[] { 4 }, "nonfinite", Quick: true),
        new("empty", new long[] { 0, 5 }, new long[] { 0 }, "empty", Quick: true),
    };

    private static IEnumerable<ParityCase> MultiMarginCases()
    {
        const string loss = "multi_margin";
        foreach (var dtype in FloatDouble)
            foreach (var (reduction, label) in Reductions)
                foreach (var p in new[] { 1, 2 })
                    foreach (var margin in MultiMargins)
                        foreach (var weight in MultiWeights)
                            foreach (var layout in MultiLayouts)
                            {
                                // libtorch (1.13 and 2.10 alike) returns uninitialised memory for mean/sum over an empty batch; the
                                // composed loss gives NaN and 0 (documented on multi_margin_loss): only none is compared there.
                                if (layout.Empty && reduction != torch.nn.Reduction.None) continue;
                                yield return new ParityCase
                                {
                                    Name = $"{loss}/{Tolerances.Label(dtype)}/{label}/p={p}/margin={P(margin)}/weight={weight}/shape={layout.Shape}/{layout.Label}",
                                    Loss = loss,
                                    DType = dtype,
                                    Reduction = label,
                                    Inputs = f => MultiInputs(f, layout, dtype, margin, weight),
                                    Composed = t => L.multi_margin_loss(t[0], t[1], p, margin, t.Length > 2 ? t[2] : null, reduction),
                                    Native = t => N.multi_margin_loss(t[0], t[1], p, margin, t.Length > 2 ? t[2] : null, reduction),
                                    UseGradcheck = dtype == ScalarType.Float64 && layout.Regime == "random",
                                    KinkDistance = t => MultiKinkDistance(t[0], t[1], margin),
                                    Quick = layout.Quick && margin == 1 && (weight == "none" || (weight == "weighted" && layout.Label == "batch")) &&
                                            (p == 1 || layout.Label is "batch" or "kink"),
                                    Notes = layout.Regime,
                                };
                            }

        var multiBatch = MultiLayouts.Single(l => l.Label == "batch");
        foreach (var c in LegacyCases(loss, $"/p=1/margin=1/weight=weighted/shape={multiBatch.Shape}/{multiBatch.Label}",
                     f => MultiInputs(f, multiBatch, ScalarType.Float64, 1, "weighted"),
                     (t, sizeAverage, reduce) => L.multi_margin_loss(t[0], t[1], 1, 1.0, t[2], sizeAverage, reduce),
                     (t, r) => N.multi_margin_loss(t[0], t[1], 1, 1.0, t[2], r)))
            yield return c;

        foreach (var c in MultiMarginErrors(loss)) yield return c;

        foreach (var c in VectorWitness.Cases("multi_margin_loss", loss,
                     v => L.multi_margin_loss(v["input"], v["target"], (int)v.Long("p", 1), v.Double("margin", 1.0), v.Optional("weight"), v.Reduction),
                     native: v => N.multi_margin_loss(v["input"], v["target"], (int)v.Long("p", 1), v.Double("margin", 1.0), v.Optional("weight"), v.Reduction)))
            yield return c;
    }

    private static IEnumerable<ParityCase> MultiMarginErrors(string loss)
    {
        const long C = 5;
        foreach (var dtype in FloatDouble)
        {
            ParityCase E(string what, long[] inputShape, Func<InputFactory, Tensor> target, Func<InputFactory, Tensor>? weight = null, int p = 1,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, ScalarType? inputType = null, bool nativeRejects = true, string? expected = null)
            {
                string label = reduction is >= torch.nn.Reduction.None and <= torch.nn.Reduction.Sum ? Label(reduction) : "mean";
                return Error(loss, inputType ?? dtype, what,
                    f =>
                    {
                        var x = f.Normal(inputType ?? dtype, inputShape, grad: false);
                        var y = target(f);
                        return weight is null ? new[] { x, y } : new[] { x, y, weight(f) };
                    },
                    t => L.multi_margin_loss(t[0], t[1], p, 1.0, t.Length > 2 ? t[2] : null, reduction),
                    nativeRejects ? t => N.multi_margin_loss(t[0], t[1], p, 1.0, t.Length > 2 ? t[2] : null, reduction) : null,
                    label, expected);
            }
            Func<InputFactory, Tensor> Index(params long[] shape) => f => f.Classes(C, shape);
            Func<InputFactory, Tensor> Fixed(long[] values, long[] shape, ScalarType type = ScalarType.Int64) => _ => Longs(values, shape, type);
            Func<InputFactory, Tensor> W(long[] shape, ScalarType? type = null, bool grad = false) => f => f.Uniform(type ?? dtype, shape, 0.5, 2, grad);
            var batch = new long[] { 3, C };

            yield return E("p=3", batch, Index(3), p: 3);
            yield return E("p=0", batch, Index(3), p: 0);
            foreach (var (reduction, label) in Reductions)
            {
                yield return E($"target=5/{label}", batch, Fixed(new long[] { 0, 5, 1 }, new long[] { 3 }), reduction: reduction);
                yield return E($"target=-1/{label}", batch, Fixed(new long[] { 0, -1, 1 }, new long[] { 3 }), reduction: reduction);
            }
            yield return E("target=5/unbatched", new[] { C }, Fixed(new long[] { 5 }, new long[0]));
            yield return E("target-size", batch, Index(2));
            yield return E("target-rank", batch, Index(3, 1));
            yield return E("target-size/unbatched", new[] { C }, Index(2));
            yield return E("3-d-input", new long[] { 2, 3, C }, Index(2));
            yield return E("no-classes", new long[] { 3, 0 }, Index(3));
            yield return E("no-classes/unbatched", new long[] { 0 }, Fixed(new long[] { 0 }, new long[0]));
            yield return E("float-target", batch, f => f.Normal(dtype, new long[] { 3 }, grad: false));
            yield return E("int32-target", batch, Fixed(new long[] { 0, 1, 2 }, new long[] { 3 }, ScalarType.Int32));
            if (dtype == ScalarType.Float32)
                yield return E("weight-dtype", batch, Index(3), W(new[] { C }, ScalarType.Float64));
            yield return E("weight-requires-grad", batch, Index(3), W(new[] { C }, grad: true));
            if (dtype == ScalarType.Float64)   // the input's dtype names these cases: once
            {
                yield return E("bf16-kernel", batch, Index(3), inputType: ScalarType.BFloat16);
                yield return E("f16-kernel", batch, Index(3), inputType: ScalarType.Float16);
            }
            yield return E("reduction=5", batch, Index(3), reduction: (torch.nn.Reduction)5);
            // PyTorch checks the weight's rank in Python, before libtorch's kernel (which says "inconsistent weight size, expected 5
            // but got [1, 5]"), so the text is Python's.
            yield return E("weight-2-d", batch, Index(3), W(new long[] { 1, C }), nativeRejects: false, expected: "weight must be one-dimensional");
            // libtorch 2.10 checks the weight's length (1.13 read out of bounds).
            yield return E("weight-size=4", batch, Index(3), W(new long[] { 4 }));
            yield return E("weight-size=6", batch, Index(3), W(new long[] { 6 }));
        }
    }

    private static Tensor[] MultiInputs(InputFactory f, Layout layout, ScalarType dtype, double m, string weight)
    {
        long classes = layout.Input.Length == 0 ? 1 : layout.Input[^1];
        Tensor input, target;
        switch (layout.Regime)
        {
            case "kink":
            {
                // Row r has target c = y[r] and x[c] = a[r]; the other classes hold a − m + δ with δ = 0, 0.5, −0.5, 0, so
                // z = (m − a) + (a − m + δ) = δ exactly (all values are multiples of 1/4 below 8): two classes per row sit at z = 0.
                long[] y = { 0, 2, 4, 1 };
                double[] a = { 0.25, -1, 2, 0.5 };
                double[] delta = { 0, 0.5, -0.5, 0 };
                var x = new double[4 * 5];
                for (int r = 0; r < 4; r++)
                {
                    int k = 0;
                    for (int j = 0; j < 5; j++) x[r * 5 + j] = j == y[r] ? a[r] : a[r] - m + delta[k++];
                }
                input = V(x, dtype, layout.Input);
                target = Longs(y, layout.Target);
                break;
            }
            case "nonfinite":
            {
                // +inf in another class (z = +inf), +inf in the target class (z = −inf), NaN (z = NaN: inactive), −inf in the target class.
                double[] x = { Inf, 0, 1, 0.5, -1, 0, Inf, 1, 0.5, -1, Nan, 0, 1, 0.5, -1, -Inf, 0, 1, 0.5, -1 };
                input = V(x, dtype, layout.Input);
                target = Longs(new long[] { 1, 1, 1, 0 }, layout.Target);
                break;
            }
            default:
                input = f.Normal(dtype, layout.Input);
                target = f.Classes(classes, layout.Target);
                break;
        }
        if (weight == "none") return new[] { input, target };
        var w = new double[classes];
        for (int c = 0; c < classes; c++) w[c] = f.NextUniform(0.5, 2);
        if (weight == "zero-weight") w[0] = 0;
        return new[] { input, target, V(w, dtype, new[] { classes }, grad: false) };
    }

    /// <summary>min over samples and classes j ≠ y of |margin − x[y] + x[j]| in float64 (+∞ when there is none).</summary>
    private static double MultiKinkDistance(Tensor input, Tensor target, double margin)
    {
        using var scope = NewDisposeScope();
        long classes = input.dim() == 0 ? 1 : input.shape[^1];
        if (input.numel() == 0 || classes < 2) return double.PositiveInfinity;
        var x = input.detach().to(ScalarType.Float64).reshape(-1, classes);
        var y = target.reshape(-1, 1);
        using var marginScalar = margin.ToScalar();
        var z = (marginScalar.Minus(x.gather(1, y)).Plus(x)).abs();
        using var classesScalar = classes.ToScalar();
        var others = arange(Scalars.Zero, classesScalar, Scalars.One, ScalarType.Int64)!= y;
        return z.masked_select(others).min().item<double>();
    }

    // ------------------------------------------------------------------------------------------------
    // multilabel_margin_loss

    /// <summary>A multilabel_margin layout: the input shape and the target rows (null: random lists).</summary>
    private sealed record TargetLayout(Layout Layout, long[]? Target);

    private static readonly TargetLayout[] MultiLabelTargets =
    {
        new(new("terminated", new long[] { 3, 4 }, new long[] { 3, 4 }, "random", Quick: true), new long[] { 3, 0, -1, 1, 1, -1, 2, 2, 2, 1, 3, -1 }),
        new(new("repeats", new long[] { 3, 4 }, new long[] { 3, 4 }, "random", Quick: true), new long[] { 0, 0, -1, 1, 2, 2, 2, -1, 1, 3, 1, -1 }),
        new(new("after-terminator", new long[] { 3, 4 }, new long[] { 3, 4 }, "random"), new long[] { 1, -1, -1, 3, -1, 0, 1, 2, 3, -1, 0, -1 }),
        new(new("no-terminator", new long[] { 3, 4 }, new long[] { 3, 4 }, "random"), new long[] { 0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 1, 1 }),
        new(new("empty-lists", new long[] { 2, 4 }, new long[] { 2, 4 }, "random"), new long[] { -1, 0, 1, 2, -1, -1, -1, -1 }),
        new(new("random", new long[] { 5, 6 }, new long[] { 5, 6 }, "random", Quick: true), null),
        new(new("random-wide", new long[] { 2, 11 }, new long[] { 2, 11 }, "random"), null),
        new(new("random-tall", new long[] { 16, 3 }, new long[] { 16, 3 }, "random"), null),
        new(new("unbatched", new long[] { 4 }, new long[] { 4 }, "random", Quick: true), new long[] { 2, 0, -1, 3 }),
        new(new("unbatched-repeats", new long[] { 5 }, new long[] { 5 }, "random"), new long[] { 4, 4, 1, -1, -1 }),
        new(new("unbatched-random", new long[] { 7 }, new long[] { 7 }, "random"), null),
        new(new("one-class", new long[] { 3, 1 }, new long[] { 3, 1 }, "random"), new long[] { 0, -1, 0 }),
        new(new("scalar", new long[0], new long[] { 1 }, "random"), new long[] { 0 }),
        new(new("scalar-0-d-target", new long[0], new long[0], "random"), new long[] { -1 }),
        new(new("kink", new long[] { 3, 4 }, new long[] { 3, 4 }, "kink", Quick: true), new long[] { 0, -1, 0, 0, 0, 3, -1, 2, 1, 1, -1, 0 }),
        new(new("nonfinite", new long[] { 3, 4 }, new long[] { 3, 4 }, "nonfinite", Quick: true), new long[] { 0, -1, 0, 0, 1, 2, -1, 0, 3, -1, 2, 2 }),
        new(new("empty", new long[] { 0, 4 }, new long[] { 0, 4 }, "empty", Quick: true), new long[0]),
    };

    private static readonly Layout[] MultiLabelLayouts = MultiLabelTargets.Select(t => t.Layout).ToArray();

    private static IEnumerable<ParityCase> MultiLabelMarginCases()
    {
        const string loss = "multilabel_margin";
        foreach (var dtype in FloatDouble)
            foreach (var (reduction, label) in Reductions)
                foreach (var entry in MultiLabelTargets)
                {
                    var layout = entry.Layout;
                    // libtorch (1.13 and 2.10 alike) returns uninitialised memory for mean/sum over an empty batch; the composed
                    // loss gives NaN and 0 (documented on multilabel_margin_loss): only none is compared there.
                    if (layout.Empty && reduction != torch.nn.Reduction.None) continue;
                    yield return new ParityCase
                    {
                        Name = $"{loss}/{Tolerances.Label(dtype)}/{label}/shape={layout.Shape}/{layout.Label}",
                        Loss = loss,
                        DType = dtype,
                        Reduction = label,
                        Inputs = f => MultiLabelInputs(f, entry, dtype),
                        Composed = t => L.multilabel_margin_loss(t[0], t[1], reduction),
                        Native = t => N.multilabel_margin_loss(t[0], t[1], reduction),
                        UseGradcheck = dtype == ScalarType.Float64 && layout.Regime == "random",
                        KinkDistance = t => PairKinkDistance(t[0]),
                        Quick = layout.Quick,
                        Notes = layout.Regime,
                    };
                }

        var repeats = MultiLabelTargets.Single(t => t.Layout.Label == "repeats");
        foreach (var c in LegacyCases(loss, $"/shape={repeats.Layout.Shape}/{repeats.Layout.Label}", f => MultiLabelInputs(f, repeats, ScalarType.Float64),
                     (t, sizeAverage, reduce) => L.multilabel_margin_loss(t[0], t[1], sizeAverage, reduce),
                     (t, r) => N.multilabel_margin_loss(t[0], t[1], r)))
            yield return c;

        foreach (var dtype in FloatDouble)
        {
            ParityCase E(string what, long[] inputShape, Func<InputFactory, Tensor> target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
                ScalarType? inputType = null)
            {
                string label = reduction is >= torch.nn.Reduction.None and <= torch.nn.Reduction.Sum ? Label(reduction) : "mean";
                return Error(loss, inputType ?? dtype, what, f => new[] { f.Normal(inputType ?? dtype, inputShape, grad: false), target(f) },
                    t => L.multilabel_margin_loss(t[0], t[1], reduction), t => N.multilabel_margin_loss(t[0], t[1], reduction), label);
            }
            Func<InputFactory, Tensor> Fixed(long[] values, long[] shape, ScalarType type = ScalarType.Int64) => _ => Longs(values, shape, type);
            var batch = new long[] { 3, 4 };
            var ok = new long[] { 0, -1, 0, 0, 1, 2, -1, 0, 3, -1, 2, 2 };

            foreach (var (reduction, label) in Reductions)
            {
                yield return E($"target=4/{label}", batch, Fixed(new long[] { 0, -1, 0, 0, 4, -1, 0, 0, 1, -1, 0, 0 }, batch), reduction);
                yield return E($"target=-2/{label}", batch, Fixed(new long[] { 0, -1, 0, 0, -2, -1, 0, 0, 1, -1, 0, 0 }, batch), reduction);
            }
            yield return E("target=4/after-terminator", batch, Fixed(new long[] { 0, -1, 0, 4, 1, -1, 0, 0, 1, -1, 0, 0 }, batch));
            yield return E("target=3/unbatched", new long[] { 3 }, Fixed(new long[] { 0, -1, 3 }, new long[] { 3 }));
            yield return E("target=1/scalar", new long[0], Fixed(new long[] { 1 }, new long[] { 1 }));
            yield return E("target-size", batch, Fixed(new long[15], new long[] { 3, 5 }));
            yield return E("target-size/unbatched", new long[] { 3 }, Fixed(new long[3], new long[] { 1, 3 }));
            yield return E("target-size/scalar", new long[0], Fixed(new long[2], new long[] { 2 }));
            yield return E("3-d-input", new long[] { 2, 3, 4 }, Fixed(new long[24], new long[] { 2, 3, 4 }));
            yield return E("no-classes", new long[] { 2, 0 }, Fixed(new long[0], new long[] { 2, 0 }));
            yield return E("float-target", batch, f => tensor(ok.Select(v => (double)v).ToArray(), batch).to(dtype));
            yield return E("int32-target", batch, Fixed(ok, batch, ScalarType.Int32));
            if (dtype == ScalarType.Float64)   // the input's dtype names these cases: once
            {
                yield return E("bf16-kernel", batch, Fixed(ok, batch), inputType: ScalarType.BFloat16);
                yield return E("f16-kernel", batch, Fixed(ok, batch), inputType: ScalarType.Float16);
            }
            yield return E("reduction=5", batch, Fixed(ok, batch), (torch.nn.Reduction)5);
        }

        foreach (var c in VectorWitness.Cases("multilabel_margin_loss", loss, v => L.multilabel_margin_loss(v["input"], v["target"], v.Reduction),
                     native: v => N.multilabel_margin_loss(v["input"], v["target"], v.Reduction)))
            yield return c;
    }

    private static Tensor[] MultiLabelInputs(InputFactory f, TargetLayout entry, ScalarType dtype)
    {
        var layout = entry.Layout;
        long classes = layout.Input.Length == 0 ? 1 : layout.Input[^1];
        var target = entry.Target ?? RandomLists(f, InputFactory.Count(layout.Target) / classes, classes);
        Tensor input = layout.Regime switch
        {
            // z = 1 − x[j] + x[k] exactly 0 for (j, k) = (0, 1) in row 0, (0, 2) in row 1, and (1, 0), (1, 2) in row 2, where class 1
            // is listed twice (so each tie counts twice); beside them z = −0.25, 0.75, 1.25, 2, 2.5: the strict z > 0 decides.
            "kink" => V(new[] { 1.5, 0.5, 0.25, 2.5, 0.75, 1, -0.25, 0, 0.5, 1.5, 0.5, 3 }, dtype, layout.Input),
            "nonfinite" => V(new[] { Inf, 0, 1, -1, Nan, 0.5, 1, 2, 0, -Inf, Inf, 1 }, dtype, layout.Input),
            _ => f.Normal(dtype, layout.Input),
        };
        return new[] { input, Longs(target, layout.Target) };
    }

    /// <summary>Per row: a random number of classes (repetitions allowed), a −1, then arbitrary entries in [−1, C).</summary>
    private static long[] RandomLists(InputFactory f, long rows, long classes)
    {
        var values = new long[rows * classes];
        for (long r = 0; r < rows; r++)
        {
            long listed = f.NextInteger(0, classes + 1);
            for (long k = 0; k < classes; k++)
                values[r * classes + k] = k < listed ? f.NextInteger(0, classes) : k == listed ? -1 : f.NextInteger(-1, classes);
        }
        return values;
    }

    /// <summary>min over rows and class pairs (j, k) of |1 − x[j] + x[k]| in float64 (+∞ when there is none): a bound for every hinge's distance from its kink.</summary>
    private static double PairKinkDistance(Tensor input)
    {
        using var scope = NewDisposeScope();
        long classes = input.dim() == 0 ? 1 : input.shape[^1];
        if (input.numel() == 0 || classes < 2) return double.PositiveInfinity;
        var x = input.detach().to(ScalarType.Float64).reshape(-1, classes);
        var z = (Scalars.One.Minus(x.unsqueeze(2)).Plus(x.unsqueeze(1))).abs();
        using var classesScalar = classes.ToScalar();
        var ids = arange(Scalars.Zero, classesScalar, Scalars.One, ScalarType.Int64);
        var offDiagonal = ids.unsqueeze(1) != ids.unsqueeze(0);
        return z.masked_select(offDiagonal).min().item<double>();
    }
}
