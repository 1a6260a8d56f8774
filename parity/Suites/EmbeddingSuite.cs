using L = TorchLosses.nn.functional;
using N = TorchLosses.Parity.Aten;

namespace TorchLosses.Parity.Suites;

/// <summary>
/// The embedding losses: margin_ranking (margin, y ∈ {1, −1, other}, z = 0 exactly, the target's gradient,
/// equal-rank broadcasting), cosine_embedding (margin, zero vectors, 1-D and 0-d targets, y ∈ {1, −1, other}),
/// triplet_margin (p, swap with exact ties, margin, eps, broadcasting, no features) against libtorch; and
/// triplet_margin_with_distance, which PyTorch computes in Python (no native function): the PyTorch vectors
/// with gradcheck, the identity with triplet_margin_loss(p = 2, eps = 1e-6) for the default distance, and
/// PyTorch 2.x's checks (margin, number of dimensions) with its messages.
/// Every family also gets the legacy size_average/reduce pairs where PyTorch has them, error parity and
/// the PyTorch vectors.
/// </summary>
public sealed class EmbeddingSuite : ParitySuite
{
    private static readonly double Inf = double.PositiveInfinity, NaN = double.NaN;

    /// <summary>A layout: how the three inputs are shaped and filled (given the factory, the dtype and the margin).</summary>
    private sealed record Layout(string Label, string Shape, string Regime, Func<InputFactory, ScalarType, double, Tensor[]> Make,
        bool Quick = false)
    {
        public bool Random => Regime == "random";
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Losses { get; } = new[] { "margin_ranking", "cosine_embedding", "triplet_margin", "triplet_margin_with_distance" };

    /// <inheritdoc/>
    public override IEnumerable<GridAxis> Grid
    {
        get
        {
            const string dtypes = "f64, f32, bf16, f16 (libtorch 2.10's CPU kernels; 1.13 had no float16 ones)";
            const string legacy = "none, mean, sum; legacy size_average/reduce: all 8 explicit pairs";
            yield return new("margin_ranking", "dtype", dtypes);
            yield return new("margin_ranking", "reduction", legacy);
            yield return new("margin_ranking", "margin", string.Join(", ", RankingMargins.Select(P)) + "; edge " +
                                                         string.Join(", ", RankingEdgeMargins.Select(P)) + " on the random vector and matrix layouts");
            yield return new("margin_ranking", "layout", string.Join(", ", RankingLayouts.Select(l => $"{l.Label} {l.Shape}")));
            yield return new("margin_ranking", "regime", "random (y = ±1); target-other (y ∈ {0, 2, −0.5, 3} next to ±1); " +
                                                         "ties (z = −y·(x1 − x2) + margin exactly 0, also with y = 0); nonfinite; extreme; empty. " +
                                                         "The target requires grad everywhere (∂ℓ/∂y = −(x1 − x2))");
            yield return new("margin_ranking", "gradcheck", "float64 random layouts, inputs ≥ 100·eps from z = 0");

            yield return new("cosine_embedding", "dtype", dtypes);
            yield return new("cosine_embedding", "reduction", legacy);
            yield return new("cosine_embedding", "margin", string.Join(", ", CosineMargins.Select(P)) + "; edge " +
                                                           string.Join(", ", CosineEdgeMargins.Select(P)) + " on the batch layout");
            yield return new("cosine_embedding", "layout", string.Join(", ", CosineLayouts.Select(l => $"{l.Label} {l.Shape}")));
            yield return new("cosine_embedding", "regime", "random (y = ±1); y-other (0, 2, −0.5); unbatched with a 0-d target (y = 1 and y = −1); " +
                                                           "zero vectors (x1, x2, both); orthogonal pairs (cos = 0 exactly: the kink at margin 0); " +
                                                           "parallel pairs; nonfinite; extreme (1e20: float32 squares overflow; 1e-20, 1e200); empty (N = 0, D = 0)");
            yield return new("cosine_embedding", "gradcheck", "float64 random layouts, y = −1 pairs ≥ 100·eps from cos = margin");

            yield return new("triplet_margin", "dtype", dtypes);
            yield return new("triplet_margin", "reduction", legacy);
            yield return new("triplet_margin", "p × swap", string.Join(", ", Ps.Select(P)) + " × false, true (margin 1, eps 1e-6) on every layout");
            yield return new("triplet_margin", "margin, eps", "margin " + string.Join(", ", TripletMargins.Select(P)) + " (eps 1e-6); eps " +
                                                              string.Join(", ", Epsilons.Select(P)) + " (margin 1); p 1, 2, ∞; swap false, true; " +
                                                              "batch and swap-tie layouts. margin ≤ 0 raises as PyTorch's Python does since 2.3 (error cases)");
            yield return new("triplet_margin", "layout", string.Join(", ", TripletLayouts.Select(l => $"{l.Label} {l.Shape}")));
            yield return new("triplet_margin", "regime", "random; swap-tie (positive = anchor: d(a, n) = d(p, n) exactly, d(a, p) = eps·D^(1/p)); " +
                                                         "kink (margin + d(a, p) − d(a, n) = 0 exactly); nonfinite; extreme; empty (N = 0, D = 0; " +
                                                         "with D = 0, p = ±∞ is an error, as libtorch 2.10's vector_norm)");
            yield return new("triplet_margin", "gradcheck", "float64 random layouts, p ≠ 0, inputs ≥ 100·eps from the clamp, the swap tie " +
                                                            "and the norm's kinks (a zero component for p = 1, a tie of the largest for p = ∞)");

            yield return new("triplet_margin_with_distance", "dtype", "f64, f32, bf16, f16 (identity cases)");
            yield return new("triplet_margin_with_distance", "reduction", "none, mean, sum (PyTorch has no legacy pair here)");
            yield return new("triplet_margin_with_distance", "identity",
                "default distance against triplet_margin_loss(p = 2, eps = 1e-6) (itself swept against libtorch above), margin " +
                string.Join(", ", WithDistanceMargins.Select(P)) + " × swap false, true × layouts " +
                string.Join(", ", WithDistanceLayouts.Select(l => $"{l.Label} {l.Shape}")) +
                " (p = ±∞ does not occur: the default distance is the 2-norm, so no features give 0 here)");
            yield return new("triplet_margin_with_distance", "pytorch", "the recorded vectors (pairwise and 1 − cosine_similarity distances, swap, ties) " +
                                                                       "with gradcheck on all but the tie");
            yield return new("triplet_margin_with_distance", "gradcheck", "float64 random identity layouts and the vectors, away from the clamp and swap ties");

            yield return new("margin_ranking, cosine_embedding, triplet_margin, triplet_margin_with_distance", "errors",
                "margin_ranking: differing ranks (PyTorch's Python check: libtorch accepts them), non-broadcastable sizes; " +
                "cosine_embedding: 2-D target, input rank for 1-D and 0-d targets (input1's and input2's, as libtorch 2.10 checks both), " +
                "non-broadcastable inputs or target; triplet_margin: differing ranks (each position), non-broadcastable, " +
                "margin 0, −0.5, −1 (PyTorch's Python check since 2.3; libtorch and 1.13 accept them), no features with p = ±∞ " +
                "(libtorch 2.10's vector_norm); triplet_margin_with_distance: margin 0, −1, differing ranks (each position; PyTorch 2.x's " +
                "Python checks, 1.13 made neither)");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<ParityCase> Cases() =>
        RankingCases().Concat(CosineCases()).Concat(TripletCases()).Concat(WithDistanceCases());

    // ------------------------------------------------------------------------------------------------
    // Shared helpers

    private static Tensor V(double[] values, ScalarType dtype, long[] shape, bool grad = true) => InputFactory.Values(values, dtype, shape, grad);

    /// <summary>±1 with equal probability.</summary>
    private static Tensor Signs(InputFactory f, ScalarType dtype, long[] shape, bool grad = true)
    {
        var values = new double[InputFactory.Count(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = f.NextInteger(0, 2) == 0 ? -1 : 1;
        return V(values, dtype, shape, grad);
    }

    private static string Label(torch.nn.Reduction reduction) => Reductions.First(r => r.Value == reduction).Label;

    private static Tensor F64(Tensor t) => t.detach().to(ScalarType.Float64);

    /// <summary>The minimum of |x| over finite elements (+∞ when there are none).</summary>
    private static double MinAbs(Tensor x)
    {
        using var scope = NewDisposeScope();
        var a = F64(x).abs().flatten();
        var finite = a.masked_select(a.isfinite());
        return finite.numel() == 0 ? double.PositiveInfinity : finite.min().item<double>();
    }

    /// <summary>The maximum of |x| over finite elements (0 when there are none).</summary>
    private static double MaxAbs(Tensor x)
    {
        using var scope = NewDisposeScope();
        var a = F64(x).abs().flatten();
        var finite = a.masked_select(a.isfinite());
        return finite.numel() == 0 ? 0 : finite.max().item<double>();
    }

    private static IEnumerable<ParityCase> Legacy(string loss, Func<InputFactory, ScalarType, Tensor[]> inputs,
        Func<Tensor[], bool?, bool?, Tensor> composed, Func<Tensor[], torch.nn.Reduction, Tensor> native, string shape)
    {
        foreach (var dtype in FloatDouble)
            foreach (var (sizeAverage, reduce, mapped, label) in LegacyPairs())
                {
                    yield return new ParityCase
                    {
                        Name = $"{loss}/{Tolerances.Label(dtype)}/{label}/shape={shape}/random",
                        Loss = loss,
                        DType = dtype,
                        Reduction = label,
                        Inputs = f => inputs(f, dtype),
                        Composed = t => composed(t, sizeAverage, reduce),
                        Native = t => native(t, mapped),
                        Quick = dtype == ScalarType.Float64 && sizeAverage == false,
                        Notes = "legacy",
                    };
                }
    }


    /// <summary>An error case: libtorch's message, or <paramref name="expected"/> when PyTorch raises it from Python
    /// (or from a check that only newer PyTorch makes) and libtorch accepts the inputs.</summary>
    private static ParityCase Error(string loss, ScalarType dtype, torch.nn.Reduction reduction, string what, Func<InputFactory, Tensor[]> inputs,
        Func<Tensor[], torch.nn.Reduction, Tensor> composed, Func<Tensor[], torch.nn.Reduction, Tensor>? native, string? expected = null,
        string notes = "") => new()
    {
        Name = $"{loss}/{Tolerances.Label(dtype)}/{Label(reduction)}/error/{what}",
        Loss = loss,
        Kind = CaseKind.Error,
        DType = dtype,
        Reduction = Label(reduction),
        Inputs = inputs,
        Composed = t => composed(t, reduction),
        Native = native is null ? null : t => native(t, reduction),
        ExpectedMessage = expected,
        Quick = true,
        Notes = notes,
    };

    /// <summary>
    /// A loss of two inputs, a ±1 target and a margin (margin_ranking, cosine_embedding): its layouts, margins
    /// (the edge margins run on <paramref name="EdgeLayouts"/> only), calls, and the layout of the legacy pairs.
    /// </summary>
    private sealed record PairLoss(string Name, Layout[] Layouts, double[] Margins, double[] EdgeMargins, string[] EdgeLayouts,
        Func<Tensor, Tensor, Tensor, double, torch.nn.Reduction, Tensor> Composed, Func<Tensor, Tensor, Tensor, double, torch.nn.Reduction, Tensor> Native,
        Func<Tensor, Tensor, Tensor, double, bool?, bool?, Tensor> Legacy, string LegacyLayout,
        Func<double, bool> Gradcheckable, Func<Tensor[], double, double> Kink, Func<Tensor[], double, double> Magnitude);

    /// <summary>The sweep (dtype × reduction × layout × margin) and the legacy pairs of a <see cref="PairLoss"/>.</summary>
    private static IEnumerable<ParityCase> PairCases(PairLoss loss)
    {
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (var layout in loss.Layouts)
                    foreach (var margin in loss.Margins.Concat(loss.EdgeLayouts.Contains(layout.Label) ? loss.EdgeMargins : Array.Empty<double>()))
                        yield return new ParityCase
                        {
                            Name = $"{loss.Name}/{Tolerances.Label(dtype)}/{label}/margin={P(margin)}/shape={layout.Shape}/{layout.Label}",
                            Loss = loss.Name,
                            DType = dtype,
                            Reduction = label,
                            Inputs = f => layout.Make(f, dtype, margin),
                            Composed = t => loss.Composed(t[0], t[1], t[2], margin, reduction),
                            Native = t => loss.Native(t[0], t[1], t[2], margin, reduction),
                            UseGradcheck = dtype == ScalarType.Float64 && layout.Random && loss.Gradcheckable(margin),
                            KinkDistance = t => loss.Kink(t, margin),
                            Magnitude = t => loss.Magnitude(t, margin),
                            Quick = layout.Quick && QuickDType(dtype) && margin is 0 or 0.5,
                            Notes = layout.Regime,
                        };

        const double legacyMargin = 0.25;
        var legacy = loss.Layouts.Single(l => l.Label == loss.LegacyLayout);
        foreach (var c in Legacy(loss.Name, (f, d) => legacy.Make(f, d, legacyMargin),
                     (t, sa, r) => loss.Legacy(t[0], t[1], t[2], legacyMargin, sa, r),
                     (t, r) => loss.Native(t[0], t[1], t[2], legacyMargin, r), legacy.Shape))
            yield return c;
    }

    /// <summary>Normal draws for both inputs and a ±1 target, all requiring grad.</summary>
    private static Func<InputFactory, ScalarType, double, Tensor[]> PairRandom(long[] s1, long[] s2, long[] sy) =>
        (f, d, _) => new[] { f.Normal(d, s1), f.Normal(d, s2), Signs(f, d, sy) };

    /// <summary>Inputs of the given shapes for an error case of a <see cref="PairLoss"/>: normal draws and a ±1 target.</summary>
    private static Func<InputFactory, Tensor[]> PairShapes(ScalarType d, long[] s1, long[] s2, long[] sy) =>
        f => new[] { f.Normal(d, s1, grad: false), f.Normal(d, s2, grad: false), Signs(f, d, sy, grad: false) };

    // ------------------------------------------------------------------------------------------------
    // margin_ranking_loss

    private static readonly double[] RankingMargins = { 0, 0.5, -0.5, 2 };
    private static readonly double[] RankingEdgeMargins = { 1e-6, 1e6, NaN };

    private static readonly Layout[] RankingLayouts =
    {
        new("scalar", "[]", "random", PairRandom(new long[0], new long[0], new long[0]), Quick: true),
        new("vector", "[7]", "random", PairRandom(new long[] { 7 }, new long[] { 7 }, new long[] { 7 })),
        new("matrix", "[3,4]", "random", PairRandom(new long[] { 3, 4 }, new long[] { 3, 4 }, new long[] { 3, 4 }), Quick: true),
        new("cube", "[2,3,4]", "random", PairRandom(new long[] { 2, 3, 4 }, new long[] { 2, 3, 4 }, new long[] { 2, 3, 4 })),
        new("long", "[37]", "random", PairRandom(new long[] { 37 }, new long[] { 37 }, new long[] { 37 })),
        new("row-broadcast", "[3,4]~[1,4]~[3,1]", "random", PairRandom(new long[] { 3, 4 }, new long[] { 1, 4 }, new long[] { 3, 1 }), Quick: true),
        new("target-broadcast", "[5]~[5]~[1]", "random", PairRandom(new long[] { 5 }, new long[] { 5 }, new long[] { 1 })),
        new("outer-broadcast", "[3,1]~[1,4]~[1,1]", "random", PairRandom(new long[] { 3, 1 }, new long[] { 1, 4 }, new long[] { 1, 1 })),
        new("target-other", "[8]", "target-other", (f, d, _) => new[]
        {
            f.Normal(d, new long[] { 8 }), f.Normal(d, new long[] { 8 }),
            V(new[] { 1, -1, 0, 2, -0.5, 1, -1, 3 }, d, new long[] { 8 }),
        }, Quick: true),
        new("ties", "[8]", "ties", (_, d, m) =>
        {
            // z = −y·(x1 − x2) + margin is exactly 0 in rows 0–6 (x1 = x2 + margin·y, y = ±1; y = 0 needs margin 0),
            // off the kink in row 7. Every value is a short dyadic fraction: exact in bfloat16 too.
            double[] x2 = { 0, 1, -2, 0.5, 4, -1, 3, 0.25 };
            double[] y = { 1, -1, 1, -1, 1, -1, 0, 1 };
            var x1 = x2.Select((v, i) => v + m * y[i] + (i == 7 ? 1 : 0)).ToArray();
            return new[] { V(x1, d, new long[] { 8 }), V(x2, d, new long[] { 8 }), V(y, d, new long[] { 8 }) };
        }, Quick: true),
        new("nonfinite", "[8]", "nonfinite", (_, d, _) => new[]
        {
            V(new[] { NaN, Inf, -Inf, 1, Inf, 0, 1, -Inf }, d, new long[] { 8 }),
            V(new[] { 0, 0, 0, NaN, Inf, 0, 1, -Inf }, d, new long[] { 8 }),
            V(new[] { 1, 1, 1, -1, 1, NaN, Inf, -1 }, d, new long[] { 8 }),
        }, Quick: true),
        new("extreme", "[6]", "extreme", (_, d, _) => new[]
        {
            V(new[] { 1e30, -1e30, 3e38, 1e-30, 5e-324, 1e20 }, d, new long[] { 6 }),
            V(new[] { -1e30, 1e30, -3e38, 0, 0, -1e20 }, d, new long[] { 6 }),
            V(new[] { 1.0, -1, -1, 1, 1, -1 }, d, new long[] { 6 }),
        }),
        new("empty", "[0]", "empty", PairRandom(new long[] { 0 }, new long[] { 0 }, new long[] { 0 }), Quick: true),
        new("empty-matrix", "[3,0]", "empty", PairRandom(new long[] { 3, 0 }, new long[] { 3, 0 }, new long[] { 3, 0 })),
        new("empty-broadcast", "[2,0]~[1,0]~[2,1]", "empty", PairRandom(new long[] { 2, 0 }, new long[] { 1, 0 }, new long[] { 2, 1 })),
    };

    /// <summary>z = −y·(x1 − x2) + margin, broadcast, in float64.</summary>
    private static Tensor RankingZ(Tensor[] t, double margin)
    {
        using var marginScalar = margin.ToScalar();
        return (-F64(t[2]) * (F64(t[0]) - F64(t[1]))).Plus(marginScalar);
    }

    private static readonly PairLoss Ranking = new("margin_ranking", RankingLayouts, RankingMargins, RankingEdgeMargins, new[] { "vector", "matrix" },
        (x1, x2, y, m, r) => L.margin_ranking_loss(x1, x2, y, m, r), (x1, x2, y, m, r) => N.margin_ranking_loss(x1, x2, y, m, r),
        (x1, x2, y, m, sa, r) => L.margin_ranking_loss(x1, x2, y, m, sa, r), "matrix",
        // Not at margin 1e6: the loss is then ~1e6, and central differences of it (eps 1e-6) carry rounding noise
        // of 1e6·2^-52/1e-6 ≈ 2e-4, above gradcheck's atol.
        Gradcheckable: margin => Math.Abs(margin) < 1e3,
        Kink: (t, margin) => { using var s = NewDisposeScope(); return MinAbs(RankingZ(t, margin)); },
        Magnitude: (t, margin) => { using var s = NewDisposeScope(); return MaxAbs(RankingZ(t, 0)) + (double.IsFinite(margin) ? Math.Abs(margin) : 0); });

    private static IEnumerable<ParityCase> RankingCases()
    {
        const string loss = "margin_ranking";
        foreach (var c in PairCases(Ranking)) yield return c;

        Tensor Loss(Tensor[] t, torch.nn.Reduction r) => L.margin_ranking_loss(t[0], t[1], t[2], 0.5, r);
        Tensor Native(Tensor[] t, torch.nn.Reduction r) => N.margin_ranking_loss(t[0], t[1], t[2], 0.5, r);
        foreach (var dtype in FloatDouble)
            foreach (var (reduction, _) in Reductions)
            {
                // The rank check lives in PyTorch's Python function: libtorch broadcasts these, so the reference is
                // PyTorch's text (trailing space included; the runner trims), not libtorch's.
                yield return Error(loss, dtype, reduction, "ndim-target", PairShapes(dtype, new long[] { 5 }, new long[] { 5 }, new long[] { 1, 5 }), Loss, null,
                    "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: torch.Size([5]), " +
                    "input2: torch.Size([5]), target: torch.Size([1, 5]) ", "PyTorch's Python check");
                yield return Error(loss, dtype, reduction, "ndim-input2", PairShapes(dtype, new long[] { 3, 4 }, new long[] { 4 }, new long[] { 3, 4 }), Loss, null,
                    "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: torch.Size([3, 4]), " +
                    "input2: torch.Size([4]), target: torch.Size([3, 4]) ", "PyTorch's Python check");
                yield return Error(loss, dtype, reduction, "ndim-0d-target", PairShapes(dtype, new long[] { 5 }, new long[] { 5 }, new long[0]), Loss, null,
                    "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: torch.Size([5]), " +
                    "input2: torch.Size([5]), target: torch.Size([]) ", "PyTorch's Python check");
                yield return Error(loss, dtype, reduction, "shape=[5]~[4]~[5]", PairShapes(dtype, new long[] { 5 }, new long[] { 4 }, new long[] { 5 }), Loss, Native);
                yield return Error(loss, dtype, reduction, "shape=[3,4]~[3,4]~[2,4]",
                    PairShapes(dtype, new long[] { 3, 4 }, new long[] { 3, 4 }, new long[] { 2, 4 }), Loss, Native);
            }

        foreach (var c in VectorWitness.Cases("margin_ranking_loss", loss,
                     v => L.margin_ranking_loss(v["input1"], v["input2"], v["target"], v.Double("margin", 0.0), v.Reduction),
                     native: v => N.margin_ranking_loss(v["input1"], v["input2"], v["target"], v.Double("margin", 0.0), v.Reduction),
                     pythonCheck: r => r.Result.Error?.StartsWith("margin_ranking_loss : All input tensors should have same dimension", StringComparison.Ordinal) == true))
        {
            // The recorded inputs include points on the kink z = 0; gradcheck skips those.
            double margin = RecordedMargin(c.Name);
            yield return c with
            {
                UseGradcheck = c.Recorded?.Error is null,
                KinkDistance = t => { using var s = NewDisposeScope(); return MinAbs(RankingZ(t, margin)); },
            };
        }
    }

    /// <summary>The margin in a recorded case's name ("…/pytorch/margin=0.5"), 0 when absent.</summary>
    private static double RecordedMargin(string name)
    {
        var part = name.Split('/').FirstOrDefault(p => p.StartsWith("margin=", StringComparison.Ordinal));
        return part is null ? 0 : double.Parse(part["margin=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    // ------------------------------------------------------------------------------------------------
    // cosine_embedding_loss

    private static readonly double[] CosineMargins = { 0, 0.5, -0.5, 1 };
    private static readonly double[] CosineEdgeMargins = { -1, 2, NaN };

    private static Func<InputFactory, ScalarType, double, Tensor[]> CosineFixed(double[] x1, double[] x2, double[] y, long[] shape) =>
        (_, d, _) => new[] { V(x1, d, shape), V(x2, d, shape), V(y, d, new[] { shape[0] }) };

    private static readonly Layout[] CosineLayouts =
    {
        new("batch", "[4,5]", "random", PairRandom(new long[] { 4, 5 }, new long[] { 4, 5 }, new long[] { 4 }), Quick: true),
        new("batch-long", "[9,3]", "random", PairRandom(new long[] { 9, 3 }, new long[] { 9, 3 }, new long[] { 9 })),
        new("features-1", "[4,1]", "random", PairRandom(new long[] { 4, 1 }, new long[] { 4, 1 }, new long[] { 4 })),
        new("y-other", "[6,3]", "target-other", (f, d, _) => new[]
        {
            f.Normal(d, new long[] { 6, 3 }), f.Normal(d, new long[] { 6, 3 }), V(new[] { 1, -1, 0, 2, -0.5, 1 }, d, new long[] { 6 }),
        }, Quick: true),
        new("unbatched-similar", "[5]~[]", "random", (f, d, _) => new[] { f.Normal(d, new long[] { 5 }), f.Normal(d, new long[] { 5 }), V(new[] { 1.0 }, d, new long[0]) },
            Quick: true),
        new("unbatched-dissimilar", "[5]~[]", "random",
            (f, d, _) => new[] { f.Normal(d, new long[] { 5 }), f.Normal(d, new long[] { 5 }), V(new[] { -1.0 }, d, new long[0]) }),
        new("input2-broadcast", "[4,5]~[1,5]", "random", PairRandom(new long[] { 4, 5 }, new long[] { 1, 5 }, new long[] { 4 }), Quick: true),
        new("target-broadcast", "[4,5]~[1]", "random", PairRandom(new long[] { 4, 5 }, new long[] { 4, 5 }, new long[] { 1 })),
        new("zero-vectors", "[4,3]", "zero", CosineFixed(
            new[] { 0, 0, 0, 1, -2, 0.5, 0, 0, 0, 1, 2, 3 },
            new[] { 3, 4, 0, 0, 0, 0, 0, 0, 0, -1, 0.5, 2 },
            new[] { 1.0, -1, 1, -1 }, new long[] { 4, 3 }), Quick: true),
        new("orthogonal", "[4,2]", "ties", CosineFixed(
            // dot = 0 exactly, so cos = 0: the y = −1 rows sit on the kink cos − margin = 0 when margin = 0.
            new[] { 1, 0, 0, 2, 1, 1, 3, 0.0 }, new[] { 0, 3, 5, 0, 1, -1, 0, -2.0 }, new[] { -1.0, -1, -1, 1 }, new long[] { 4, 2 }), Quick: true),
        new("parallel", "[3,2]", "ties", CosineFixed(
            new[] { 1, 2, -3, 0.5, 4, 4.0 }, new[] { 2, 4, -1.5, 0.25, -4, -4.0 }, new[] { -1.0, 1, -1 }, new long[] { 3, 2 })),
        new("nonfinite", "[5,2]", "nonfinite", CosineFixed(
            new[] { NaN, 1, Inf, 1, 1, 2, 1, 1, 1, 1 }, new[] { 1, 1, 1, 1, 3, 1, -Inf, 0, 1, 1 }, new[] { 1, -1, 1, -1, NaN }, new long[] { 5, 2 }),
            Quick: true),
        new("extreme", "[4,2]", "extreme", CosineFixed(
            new[] { 1e20, 1e20, 1e-20, -1e-20, 1e200, 1e200, 3e38, 1 }, new[] { 1e20, -1e20, 1e-20, 2e-20, 1e200, 1, 1, 3e38 },
            new[] { 1.0, -1, 1, -1 }, new long[] { 4, 2 })),
        new("empty", "[0,5]", "empty", PairRandom(new long[] { 0, 5 }, new long[] { 0, 5 }, new long[] { 0 }), Quick: true),
        new("empty-features", "[3,0]", "empty", PairRandom(new long[] { 3, 0 }, new long[] { 3, 0 }, new long[] { 3 })),
    };

    /// <summary>min over y = −1 pairs of |cos − margin| in float64 (the kink of the clamp).</summary>
    private static double CosineKink(Tensor[] t, double margin)
    {
        using var scope = NewDisposeScope();
        long dim = t[2].dim();
        var (x1, x2, y) = (F64(t[0]), F64(t[1]), F64(t[2]));
        var cos = (x1 * x2).sum(dim) / ((x1 * x1).sum(dim) * (x2 * x2).sum(dim)).sqrt();
        var shape = torch.broadcast_shapes(cos.shape, y.shape);
        using var marginScalar = margin.ToScalar();
        var relevant = (cos - marginScalar).abs().expand(shape).masked_select((y == Scalars.MinusOne).expand(shape));
        return relevant.numel() == 0 ? double.PositiveInfinity : relevant.min().item<double>();
    }

    // The target requires grad too: neither side gives it one (PyTorch: None).
    private static readonly PairLoss Cosine = new("cosine_embedding", CosineLayouts, CosineMargins, CosineEdgeMargins, new[] { "batch" },
        (x1, x2, y, m, r) => L.cosine_embedding_loss(x1, x2, y, m, r), (x1, x2, y, m, r) => N.cosine_embedding_loss(x1, x2, y, m, r),
        (x1, x2, y, m, sa, r) => L.cosine_embedding_loss(x1, x2, y, m, sa, r), "batch",
        Gradcheckable: double.IsFinite,
        Kink: CosineKink,
        Magnitude: (_, margin) => 1 + (double.IsFinite(margin) ? Math.Abs(margin) : 0));

    private static IEnumerable<ParityCase> CosineCases()
    {
        const string loss = "cosine_embedding";
        foreach (var c in PairCases(Cosine)) yield return c;

        Tensor Loss(Tensor[] t, torch.nn.Reduction r) => L.cosine_embedding_loss(t[0], t[1], t[2], 0.0, r);
        Tensor Native(Tensor[] t, torch.nn.Reduction r) => N.cosine_embedding_loss(t[0], t[1], t[2], 0.0, r);
        foreach (var dtype in FloatDouble)
            foreach (var (reduction, _) in Reductions)
            {
                yield return Error(loss, dtype, reduction, "target-2d", PairShapes(dtype, new long[] { 3, 4 }, new long[] { 3, 4 }, new long[] { 3, 1 }), Loss, Native);
                yield return Error(loss, dtype, reduction, "1d-target-1d-inputs", PairShapes(dtype, new long[] { 4 }, new long[] { 4 }, new long[] { 3 }), Loss, Native);
                yield return Error(loss, dtype, reduction, "0d-target-2d-inputs", PairShapes(dtype, new long[] { 3, 4 }, new long[] { 3, 4 }, new long[0]), Loss, Native);
                yield return Error(loss, dtype, reduction, "shape=[3,4]~[2,4]", PairShapes(dtype, new long[] { 3, 4 }, new long[] { 2, 4 }, new long[] { 3 }), Loss, Native);
                yield return Error(loss, dtype, reduction, "target-size", PairShapes(dtype, new long[] { 3, 4 }, new long[] { 3, 4 }, new long[] { 2 }), Loss, Native);
                // libtorch 2.10 checks input2's rank too. PyTorch 1.13 checked input1's only: with a 0-d target it accepted a 2-D
                // input2 and reduced over the wrong dimension; with a 1-D target and a 1-D input2 it failed in an IndexError.
                yield return Error(loss, dtype, reduction, "input2-rank/0d-target", PairShapes(dtype, new long[] { 4 }, new long[] { 3, 4 }, new long[0]), Loss, Native);
                yield return Error(loss, dtype, reduction, "input2-rank/1d-target", PairShapes(dtype, new long[] { 3, 4 }, new long[] { 4 }, new long[] { 3 }), Loss, Native);
            }

        foreach (var c in VectorWitness.Cases("cosine_embedding_loss", loss,
                     v => L.cosine_embedding_loss(v["input1"], v["input2"], v["target"], v.Double("margin", 0.0), v.Reduction),
                     native: v => N.cosine_embedding_loss(v["input1"], v["input2"], v["target"], v.Double("margin", 0.0), v.Reduction)))
            // Gradcheck away from the zero vector the generator puts in row 3 (its curvature scale is sqrt(1e-12) = eps).
            yield return c with { UseGradcheck = c.Recorded?.Error is null && c.Name.Contains("unbatched") };
    }

    // ------------------------------------------------------------------------------------------------
    // triplet_margin_loss

    private static readonly double[] Ps = { 0, 1, 2, 3, Inf, -Inf };
    private static readonly double[] TripletMargins = { 1e-6, 0.25, 3 };
    private static readonly double[] Epsilons = { 0, 0.5, -1e-3 };

    private static Func<InputFactory, ScalarType, double, Tensor[]> TripletRandom(long[] sa, long[] sp, long[] sn) =>
        (f, d, _) => new[] { f.Normal(d, sa), f.Normal(d, sp), f.Normal(d, sn) };

    private static Func<InputFactory, ScalarType, double, Tensor[]> TripletFixed(double[] a, double[] p, double[] n, long[] shape) =>
        (_, d, _) => new[] { V(a, d, shape), V(p, d, shape), V(n, d, shape) };

    private static readonly Layout[] TripletLayouts =
    {
        new("batch", "[4,5]", "random", TripletRandom(new long[] { 4, 5 }, new long[] { 4, 5 }, new long[] { 4, 5 }), Quick: true),
        new("unbatched", "[5]", "random", TripletRandom(new long[] { 5 }, new long[] { 5 }, new long[] { 5 }), Quick: true),
        new("scalar", "[]", "random", TripletRandom(new long[0], new long[0], new long[0])),
        new("cube", "[2,3,4]", "random", TripletRandom(new long[] { 2, 3, 4 }, new long[] { 2, 3, 4 }, new long[] { 2, 3, 4 })),
        new("positive-broadcast", "[4,5]~[1,5]~[4,5]", "random", TripletRandom(new long[] { 4, 5 }, new long[] { 1, 5 }, new long[] { 4, 5 }), Quick: true),
        new("outer-broadcast", "[3,1,4]~[1,2,4]~[3,2,4]", "random",
            TripletRandom(new long[] { 3, 1, 4 }, new long[] { 1, 2, 4 }, new long[] { 3, 2, 4 })),
        new("swap-tie", "[3,4]", "ties", (f, d, _) =>
        {
            // positive = anchor: d(a, n) = d(p, n) exactly (torch.min splits the gradient), d(a, p) = eps·D^(1/p).
            var a = f.Normal(d, new long[] { 3, 4 });
            return new[] { a, a.detach().clone().requires_grad_(true), f.Normal(d, new long[] { 3, 4 }) };
        }, Quick: true),
        new("kink", "[4,1]", "ties", (_, d, m) =>
        {
            // Rows 0–2: a = p and a − n = margin, so margin + d(a, p) − d(a, n) = margin + eps − (margin + eps) = 0
            // (one component: the p-norm is |·| for every p). Row 3 is off the kink.
            double[] a = { 0, 1, -2, 0.5 };
            double[] p = { 0, 1, -2, 1.5 };
            var n = a.Select((v, i) => v - m + (i == 3 ? 0.75 : 0)).ToArray();
            return new[] { V(a, d, new long[] { 4, 1 }), V(p, d, new long[] { 4, 1 }), V(n, d, new long[] { 4, 1 }) };
        }, Quick: true),
        new("nonfinite", "[4,3]", "nonfinite", TripletFixed(
            new[] { NaN, 0, 1, Inf, 1, 2, 0, 0, 0, 1, -Inf, 1 },
            new[] { 0, 0, 1, 1, 1, 2, Inf, 0, 0, 1, 1, 1.0 },
            new[] { 1, 2, 3, 0, 0, 0, 0, 0, NaN, -Inf, 0, 1.0 }, new long[] { 4, 3 }), Quick: true),
        new("extreme", "[3,2]", "extreme", TripletFixed(
            new[] { 1e20, -1e20, 1e-30, 0, 3e38, 1 }, new[] { -1e20, 1e20, 0, 1e-30, -3e38, 1 }, new[] { 0, 0, 1e-20, 1e-20, 0, 1e30 }, new long[] { 3, 2 })),
        new("empty", "[0,5]", "empty", TripletRandom(new long[] { 0, 5 }, new long[] { 0, 5 }, new long[] { 0, 5 }), Quick: true),
        new("empty-features", "[3,0]", "empty", TripletRandom(new long[] { 3, 0 }, new long[] { 3, 0 }, new long[] { 3, 0 })),
    };

    /// <summary>
    /// The distance (in float64) of a point from the triplet loss's kinks: the clamp (margin + d(a, p) − d_neg = 0),
    /// the swap's tie d(a, n) = d(p, n), and the norm's own kinks (a zero component for p = 1, a zero vector for
    /// p = 2 and 3, a tie of the two largest components for p = ∞).
    /// </summary>
    private static double TripletKink(Tensor[] t, double margin, double p, double eps, bool swap, Func<Tensor, Tensor, Tensor>? distance = null)
    {
        using var scope = NewDisposeScope();
        var (a, pos, neg) = (F64(t[0]), F64(t[1]), F64(t[2]));
        double nearest = double.PositiveInfinity;
        Tensor Distance(Tensor u, Tensor v)
        {
            if (distance is not null) return distance(u, v);
            using var epsScalar = eps.ToScalar();
            var diff = (u - v).Plus(epsScalar);
            var flat = diff.dim() == 0 ? diff.reshape(1, 1) : diff.reshape(-1, diff.shape[^1]);
            if (flat.numel() > 0)
            {
                var abs = flat.abs();
                if (p is 1 || double.IsNegativeInfinity(p)) nearest = Math.Min(nearest, abs.min().item<double>());
                if (double.IsInfinity(p)) nearest = Math.Min(nearest, ExtremeGap(abs, largest: p > 0));
            }
            var d = Norm(diff, p);
            if (p is 2 or 3 && d.numel() > 0) nearest = Math.Min(nearest, d.min().item<double>());
            return d;
        }
        var dPos = Distance(a, pos);
        var dAn = Distance(a, neg);
        var dNeg = dAn;
        if (swap)
        {
            var dPn = Distance(pos, neg);
            nearest = Math.Min(nearest, MinAbs(dAn - dPn));
            dNeg = torch.minimum(dAn, dPn);
        }
        using var marginScalar = margin.ToScalar();
        return Math.Min(nearest, MinAbs(dPos.Plus(marginScalar) - dNeg));
    }

    /// <summary>
    /// min over rows of the gap between the two largest (or smallest) entries of a (rows, D) tensor, where the
    /// ±∞-norm switches components; +∞ when D &lt; 2.
    /// </summary>
    private static double ExtremeGap(Tensor rows, bool largest)
    {
        long d = rows.shape[1];
        if (d < 2) return double.PositiveInfinity;
        var values = rows.contiguous().data<double>().ToArray();
        double gap = double.PositiveInfinity;
        for (long r = 0; r < rows.shape[0]; r++)
        {
            var row = values.Skip((int)(r * d)).Take((int)d).Order().ToArray();
            gap = Math.Min(gap, largest ? row[^1] - row[^2] : row[1] - row[0]);
        }
        return gap;
    }

    /// <summary>The p-norm over the last dimension, 0 over an empty one (as libtorch's pairwise_distance).</summary>
    private static Tensor Norm(Tensor difference, double p)
    {
        if (difference.dim() > 0 && difference.shape[^1] == 0) return difference.sum(new[] { -1L });
        // TorchSharp's vector_norm makes a Scalar of p it does not keep alive; Tensor.norm takes p as a float, same kernel.
        if ((float)p == p) return difference.norm(-1, false, (float)p);
        // ScalarOwnership: a p no float holds: only vector_norm takes it, and its Scalar is TorchSharp's to keep.
        return torch.linalg.vector_norm(difference, p, new[] { -1L });
    }

    /// <summary>For bfloat16: the largest distance plus the margin (the terms that cancel in a loss value).</summary>
    private static double TripletMagnitude(Tensor[] t, double margin, double p, double eps)
    {
        using var scope = NewDisposeScope();
        var (a, pos, neg) = (F64(t[0]), F64(t[1]), F64(t[2]));
        using var epsScalar = eps.ToScalar();
        double norm(Tensor u, Tensor v) => MaxAbs(Norm((u - v).Plus(epsScalar), p == 0 ? 2 : p));
        return Math.Max(norm(a, pos), Math.Max(norm(a, neg), norm(pos, neg))) + Math.Abs(margin);
    }

    private static ParityCase TripletCase(ScalarType dtype, torch.nn.Reduction reduction, Layout layout, double margin, double p, double eps, bool swap,
        bool quick)
    {
        const string loss = "triplet_margin";
        string label = Label(reduction);
        // Without features the p-norm for p < 0 or p = ±∞ (a min or max over nothing) has no value: libtorch 2.10's
        // vector_norm raises (1.13's norm gave 0), and so must the composed loss, with its message.
        bool noValue = layout.Label == "empty-features" && (p < 0 || double.IsPositiveInfinity(p));
        return new ParityCase
        {
            Name = $"{loss}/{Tolerances.Label(dtype)}/{label}/margin={P(margin)}/p={P(p)}/eps={P(eps)}/swap={swap.ToString().ToLowerInvariant()}/shape={layout.Shape}/{layout.Label}",
            Loss = loss,
            Kind = noValue ? CaseKind.Error : CaseKind.Native,
            DType = dtype,
            Reduction = label,
            Inputs = f => layout.Make(f, dtype, margin),
            Composed = t => L.triplet_margin_loss(t[0], t[1], t[2], margin, p, eps, swap, reduction),
            Native = t => N.triplet_margin_loss(t[0], t[1], t[2], margin, p, eps, swap, reduction),
            // p = 0 counts non-zero components: piecewise constant, no gradient (PyTorch gives None).
            UseGradcheck = dtype == ScalarType.Float64 && layout.Random && p != 0,
            KinkDistance = t => TripletKink(t, margin, p, eps, swap),
            Magnitude = t => TripletMagnitude(t, margin, p, eps),
            Quick = quick,
            Notes = noValue ? "no features: the norm has no value (libtorch 2.10's error)" : layout.Regime,
        };
    }

    private static IEnumerable<ParityCase> TripletCases()
    {
        const string loss = "triplet_margin";
        foreach (var dtype in AllFloating)
            foreach (var (reduction, _) in Reductions)
            {
                foreach (var layout in TripletLayouts)
                    foreach (var p in Ps)
                        foreach (var swap in new[] { false, true })
                            yield return TripletCase(dtype, reduction, layout, 1.0, p, 1e-6, swap,
                                layout.Quick && QuickDType(dtype) && p is 1 or 2 && swap == (layout.Label == "swap-tie"));
                foreach (var layout in TripletLayouts.Where(l => l.Label is "batch" or "swap-tie"))
                    foreach (var p in new[] { 1, 2, Inf })
                        foreach (var swap in new[] { false, true })
                        {
                            foreach (var margin in TripletMargins)
                                yield return TripletCase(dtype, reduction, layout, margin, p, 1e-6, swap, false);
                            foreach (var eps in Epsilons)
                                yield return TripletCase(dtype, reduction, layout, 1.0, p, eps, swap,
                                    eps == 0 && p == 2 && swap && dtype == ScalarType.Float64);
                        }
            }

        foreach (var c in Legacy(loss, (f, d) => TripletLayouts[0].Make(f, d, 1.0),
                     (t, sa, r) => L.triplet_margin_loss(t[0], t[1], t[2], 0.5, 2.0, 1e-6, true, sa, r),
                     (t, r) => N.triplet_margin_loss(t[0], t[1], t[2], 0.5, 2.0, 1e-6, true, r), "[4,5]"))
            yield return c;

        Func<Tensor[], torch.nn.Reduction, Tensor> Loss(double margin) => (t, r) => L.triplet_margin_loss(t[0], t[1], t[2], margin, 2.0, 1e-6, false, r);
        Func<Tensor[], torch.nn.Reduction, Tensor> Native(double margin) => (t, r) => N.triplet_margin_loss(t[0], t[1], t[2], margin, 2.0, 1e-6, false, r);
        Func<InputFactory, Tensor[]> Shapes(ScalarType d, long[] sa, long[] sp, long[] sn) =>
            f => new[] { f.Normal(d, sa, grad: false), f.Normal(d, sp, grad: false), f.Normal(d, sn, grad: false) };
        foreach (var dtype in FloatDouble)
            foreach (var (reduction, _) in Reductions)
            {
                yield return Error(loss, dtype, reduction, "ndim-positive", Shapes(dtype, new long[] { 3, 4 }, new long[] { 4 }, new long[] { 3, 4 }), Loss(1), Native(1));
                yield return Error(loss, dtype, reduction, "ndim-negative", Shapes(dtype, new long[] { 3, 4 }, new long[] { 3, 4 }, new long[] { 4 }), Loss(1), Native(1));
                yield return Error(loss, dtype, reduction, "ndim-anchor", Shapes(dtype, new long[] { 4 }, new long[] { 3, 4 }, new long[] { 3, 4 }), Loss(1), Native(1));
                yield return Error(loss, dtype, reduction, "shape=[3,4]~[2,4]~[3,4]",
                    Shapes(dtype, new long[] { 3, 4 }, new long[] { 2, 4 }, new long[] { 3, 4 }), Loss(1), Native(1));
                // PyTorch's F.triplet_margin_loss checks the margin in Python (since 2.3); libtorch's ATen op accepts margin ≤ 0
                // (and so did PyTorch 1.13), so the reference is PyTorch's text.
                foreach (var (margin, text) in new[] { (0.0, "0.0"), (-0.5, "-0.5"), (-1.0, "-1.0") })
                    yield return Error(loss, dtype, reduction, $"margin={text}", Shapes(dtype, new long[] { 3, 4 }, new long[] { 3, 4 }, new long[] { 3, 4 }),
                        Loss(margin), null, $"margin must be greater than 0, got {text}", "PyTorch's Python check since 2.3 (libtorch and 1.13 accept)");
            }

        foreach (var c in VectorWitness.Cases("triplet_margin_loss", loss,
                     v => L.triplet_margin_loss(v["anchor"], v["positive"], v["negative"], v.Double("margin", 1.0), v.Double("p", 2.0),
                         v.Double("eps", 1e-6), v.Bool("swap", false), v.Reduction),
                     native: v => N.triplet_margin_loss(v["anchor"], v["positive"], v["negative"], v.Double("margin", 1.0), v.Double("p", 2.0),
                         v.Double("eps", 1e-6), v.Bool("swap", false), v.Reduction)))
            yield return c;
    }

    // ------------------------------------------------------------------------------------------------
    // triplet_margin_with_distance_loss (PyTorch computes it in Python: no native function)

    private static readonly double[] WithDistanceMargins = { 1, 0.25, 3 };

    private static readonly Layout[] WithDistanceLayouts = TripletLayouts;

    /// <summary>1 − cosine_similarity (dim 1, eps 1e-8): the generator's "cosine" distance (the TorchSharp witness passes it too).</summary>
    public static Tensor CosineDistance(Tensor x, Tensor y) => Scalars.RealOne.Minus(torch.nn.functional.cosine_similarity(x, y));

    private static IEnumerable<ParityCase> WithDistanceCases()
    {
        const string loss = "triplet_margin_with_distance";
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (var layout in WithDistanceLayouts)
                    foreach (var margin in WithDistanceMargins)
                        foreach (var swap in new[] { false, true })
                        {
                            yield return new ParityCase
                            {
                                Name = $"{loss}/{Tolerances.Label(dtype)}/{label}/distance_function=default/margin={P(margin)}/swap={swap.ToString().ToLowerInvariant()}/shape={layout.Shape}/{layout.Label}",
                                Loss = loss,
                                DType = dtype,
                                Reduction = label,
                                Inputs = f => layout.Make(f, dtype, margin),
                                Composed = t => L.triplet_margin_with_distance_loss(t[0], t[1], t[2], null, margin, swap, reduction),
                                // Identity (composed against composed): the default distance is pairwise_distance(p = 2, eps = 1e-6).
                                Native = t => L.triplet_margin_loss(t[0], t[1], t[2], margin, 2.0, 1e-6, swap, reduction),
                                UseGradcheck = dtype == ScalarType.Float64 && layout.Random,
                                KinkDistance = t => TripletKink(t, margin, 2, 1e-6, swap),
                                Magnitude = t => TripletMagnitude(t, margin, 2, 1e-6),
                                Quick = layout.Quick && QuickDType(dtype) && margin == 1 && swap == (layout.Label == "swap-tie"),
                                Notes = "identity: triplet_margin_loss(p=2, eps=1e-6); " + layout.Regime,
                            };
                        }

        // PyTorch 2.x's checks in Python, with its messages: margin ≤ 0 (since 2.3) and differing numbers of dimensions (since
        // 2.0; the text is that of libtorch's triplet_margin_loss). PyTorch 1.13 made neither: it let a positive (D) broadcast.
        Func<InputFactory, Tensor[]> Shapes(ScalarType d, long[] sa, long[] sp, long[] sn) =>
            f => new[] { f.Normal(d, sa, grad: false), f.Normal(d, sp, grad: false), f.Normal(d, sn, grad: false) };
        foreach (var dtype in FloatDouble)
            foreach (var (reduction, _) in Reductions)
            {
                foreach (var (margin, text) in new[] { (0.0, "0.0"), (-1.0, "-1.0") })
                    yield return Error(loss, dtype, reduction, $"margin={text}", Shapes(dtype, new long[] { 3, 4 }, new long[] { 3, 4 }, new long[] { 3, 4 }),
                        (t, r) => L.triplet_margin_with_distance_loss(t[0], t[1], t[2], null, margin, false, r), null,
                        $"margin must be greater than 0, got {text}", "PyTorch's Python check since 2.3 (1.13 accepts)");
                foreach (var (what, sa, sp, sn) in new[]
                         {
                             ("ndim-positive", new long[] { 4, 5 }, new long[] { 5 }, new long[] { 4, 5 }),
                             ("ndim-negative", new long[] { 4, 5 }, new long[] { 4, 5 }, new long[] { 5 }),
                             ("ndim-anchor", new long[] { 5 }, new long[] { 4, 5 }, new long[] { 4, 5 }),
                         })
                    yield return Error(loss, dtype, reduction, what, Shapes(dtype, sa, sp, sn),
                        (t, r) => L.triplet_margin_with_distance_loss(t[0], t[1], t[2], null, 1.0, false, r), null,
                        "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: " +
                        $"anchor {sa.Length}D, positive {sp.Length}D, and negative {sn.Length}D inputs", "PyTorch's Python check since 2.0 (1.13 broadcasts)");
            }

        foreach (var c in VectorWitness.Cases("triplet_margin_with_distance_loss", loss, v =>
                 {
                     Func<Tensor, Tensor, Tensor>? distance = v.String("distance_function", "pairwise") == "cosine" ? CosineDistance : null;
                     return L.triplet_margin_with_distance_loss(v["anchor"], v["positive"], v["negative"], distance, v.Double("margin", 1.0),
                         v.Bool("swap", false), v.Reduction);
                 }))
        {
            // Gradcheck is this loss's own witness for the gradient formula; the tie case sits on torch.min's kink.
            bool cosine = c.Name.Contains("distance_function=cosine");
            double margin = c.Name.Contains("margin=") ? RecordedMargin(c.Name) : 1.0;
            bool swap = c.Name.Contains("swap=True");
            yield return c with
            {
                UseGradcheck = !c.Name.EndsWith("/tie", StringComparison.Ordinal),
                KinkDistance = t => TripletKink(t, margin, 2, 1e-6, swap, cosine ? CosineDistance : null),
            };
        }
    }
}
