using L = TorchLosses.nn.functional;
using N = TorchLosses.Parity.Aten;

namespace TorchLosses.Parity.Suites;

/// <summary>
/// The class-index losses nll and cross_entropy: unbatched, batched and K-dimensional inputs (the 3-D and
/// ≥ 5-D inputs libtorch reshapes, the 4-D one it runs through nll_loss2d; a 1-D input with a target of shape (1),
/// which libtorch 2.10 reads as the 0-d target: its values against libtorch's for that pair, its gradient against
/// libtorch's for the 0-d target and by gradcheck), class weights, ignore_index (absent, present, outside the class
/// range, every target), label smoothing, probability targets (cross_entropy), uint8 targets, non-finite logits and
/// empty batches, in float64, float32, bfloat16 and float16; error parity; PyTorch vectors.
/// </summary>
public sealed class ClassificationSuite : ParitySuite
{
    private const long Classes = 5;

    /// <param name="ValueOnly">Compare values only (the input does not require grad): libtorch 2.10's backward rejects
    /// a 1-D input with a target of shape (1), which it accepts forward, and a native error inside autograd ends the process.</param>
    /// <param name="ZeroDReference">The reference is libtorch on the target viewed as 0-d: for a 1-D input with a target of
    /// shape (1), whose gradient TorchLosses documents as the 0-d target's (libtorch's own backward rejects that pair), the
    /// input requires grad and gradcheck runs in float64. Label smoothing, which rejects a target of shape (1), is left to
    /// the value-only layout.</param>
    private sealed record Layout(string Label, long[] Input, long[] Target, bool Quick = false, ScalarType TargetType = ScalarType.Int64,
        bool NonFinite = false, bool ValueOnly = false, bool ZeroDReference = false);

    private static readonly Layout[] IndexLayouts =
    {
        new("unbatched", new long[] { Classes }, new long[0], Quick: true),
        new("unbatched-1", new long[] { Classes }, new long[] { 1 }, Quick: true, ValueOnly: true),
        new("unbatched-1-grad", new long[] { Classes }, new long[] { 1 }, Quick: true, ZeroDReference: true),
        new("batch", new long[] { 4, Classes }, new long[] { 4 }, Quick: true),
        new("batch-uint8", new long[] { 4, Classes }, new long[] { 4 }, TargetType: ScalarType.Byte),
        new("k1", new long[] { 3, Classes, 4 }, new long[] { 3, 4 }, Quick: true),
        new("k2", new long[] { 2, Classes, 3, 2 }, new long[] { 2, 3, 2 }),
        new("k3", new long[] { 2, Classes, 2, 2, 2 }, new long[] { 2, 2, 2, 2 }),
        new("nonfinite", new long[] { 4, Classes }, new long[] { 4 }, Quick: true, NonFinite: true),
        new("empty", new long[] { 0, Classes }, new long[] { 0 }),
        new("empty-k", new long[] { 0, Classes, 3 }, new long[] { 0, 3 }),
    };

    private static readonly Layout[] ProbabilityLayouts =
    {
        new("prob-unbatched", new long[] { Classes }, new long[] { Classes }, Quick: true),
        new("prob-batch", new long[] { 4, Classes }, new long[] { 4, Classes }, Quick: true),
        new("prob-k1", new long[] { 3, Classes, 4 }, new long[] { 3, Classes, 4 }),
        new("prob-k2", new long[] { 2, Classes, 3, 2 }, new long[] { 2, Classes, 3, 2 }),
        new("prob-empty", new long[] { 0, Classes }, new long[] { 0, Classes }),
    };

    /// <summary>ignore_index variants: the value and how targets are forced to it.</summary>
    private sealed record Ignore(string Label, long Index, int Every, bool Quick = false);

    private static readonly Ignore[] Ignores =
    {
        new("none", -100, 0, Quick: true),          // the default, no target equal to it
        new("some", 1, 3, Quick: true),             // every third target is ignored
        new("outside", 7, 3),                       // an ignored value outside [0, C) is allowed
        new("all", 2, 1),                           // every target ignored: mean is NaN, gradients 0
    };

    private static readonly string[] Weights = { "none", "weighted", "zero-weight" };
    private static readonly double[] Smoothings = { 0, 0.1, 1.0 };
    private static readonly double[] EdgeSmoothings = { -0.1, double.NaN, 0.5 };   // negative and NaN mean 0

    /// <inheritdoc/>
    public override IReadOnlyList<string> Losses { get; } = new[] { "nll", "cross_entropy" };

    /// <inheritdoc/>
    public override IEnumerable<GridAxis> Grid
    {
        get
        {
            string layouts = string.Join(", ", IndexLayouts.Select(l => $"{l.Label} {S(l.Input)}→{S(l.Target)}"));
            foreach (var loss in Losses)
            {
                yield return new(loss, "dtype", string.Join(", ", AllFloating.Select(Tolerances.Label)) + " (float16: libtorch 2.10's CPU kernels; 1.13 had none)");
                yield return new(loss, "reduction", "none, mean, sum");
                yield return new(loss, "layout (C = 5)", layouts);
                yield return new(loss, "weight", "none; uniform in [0.5, 2); with class 0 weighted 0");
                yield return new(loss, "ignore_index", string.Join("; ", Ignores.Select(i => $"{i.Label} ({i.Index}{(i.Every > 0 ? $", {Every(i.Every)}" : "")})")));
            }
            yield return new("cross_entropy", "label_smoothing", string.Join(", ", Smoothings.Select(P)) + "; edge values " +
                                                                 string.Join(", ", EdgeSmoothings.Select(P)) + " on the batch layout");
            yield return new("cross_entropy", "probability targets", string.Join(", ", ProbabilityLayouts.Select(l => $"{l.Label} {S(l.Input)}")) +
                                                                     " × weight none/weighted × label_smoothing " + string.Join(", ", Smoothings.Select(P)) +
                                                                     "; the target requires grad");
            yield return new("nll, cross_entropy", "gradcheck", "float64, every finite non-empty case but unbatched-1's (values only) " +
                                                             "(no kinks: nll is linear, cross_entropy smooth)");
            yield return new("nll, cross_entropy", "unbatched-1-grad", "a target of shape (1): value and gradient against libtorch on the " +
                                                                    "target viewed as 0-d (libtorch's backward rejects the pair), and gradcheck");
            yield return new("nll, cross_entropy", "errors",
                "0-d input, batch-size mismatch, multi-target, unbatched size mismatch, K-dim and 4-D target size, weight size (2-D and 4-D paths), " +
                "weight dtype, target out of range (C and −1, every reduction), int32/float targets, uint8 targets on K-dim inputs, int64 input, C = 0; " +
                "cross_entropy: label_smoothing > 1 (index and probability targets), uint8 targets with label smoothing and weights (mean), " +
                "label smoothing with a 1-D input and a target of shape (1), " +
                "ignore_index with probabilities, integer probability target, probability-path weight size");
        }
    }

    private static string Every(int n) => n == 1 ? "every target" : n == 3 ? "every third target" : $"every {n}th target";

    /// <inheritdoc/>
    public override IEnumerable<ParityCase> Cases()
    {
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (var layout in IndexLayouts)
                    foreach (var weight in Weights)
                        foreach (var ignore in Ignores)
                        {
                            yield return IndexCase("nll", dtype, reduction, label, layout, weight, ignore, 0);
                            foreach (var smoothing in Smoothings.Where(smoothing => smoothing == 0 || !layout.ZeroDReference))
                                yield return IndexCase("cross_entropy", dtype, reduction, label, layout, weight, ignore, smoothing);
                            if (layout.Label == "batch" && weight != "zero-weight")
                                foreach (var smoothing in EdgeSmoothings)
                                    yield return IndexCase("cross_entropy", dtype, reduction, label, layout, weight, ignore, smoothing);
                        }
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (var layout in ProbabilityLayouts)
                    foreach (var weight in Weights.Take(2))
                        foreach (var smoothing in Smoothings)
                            yield return ProbabilityCase(dtype, reduction, label, layout, weight, smoothing);
        foreach (var c in ErrorCases()) yield return c;
        foreach (var c in VectorCases()) yield return c;
    }

    private static ParityCase IndexCase(string loss, ScalarType dtype, torch.nn.Reduction reduction, string label, Layout layout, string weight,
        Ignore ignore, double smoothing)
    {
        string smoothingPart = loss == "cross_entropy" ? $"/label_smoothing={P(smoothing)}" : "";
        bool finite = !layout.NonFinite && InputFactory.Count(layout.Input) > 0;
        // libtorch's smoothing path normalises a weighted mean with weight.gather(0, target), which takes only
        // int32/int64 indices: uint8 targets are rejected there (and only there, for 1-D and 2-D inputs). It also zeroes the
        // ignored entries of its 0-d uniform term in place with the target's (1) mask, which fails for a target of shape (1).
        bool rejected = loss == "cross_entropy" && smoothing > 0 &&
                        (layout.TargetType != ScalarType.Int64 && weight != "none" && reduction == torch.nn.Reduction.Mean &&
                         ignore.Label != "all" && InputFactory.Count(layout.Target) > 0 ||
                         layout.ValueOnly);
        return new ParityCase
        {
            Kind = rejected ? CaseKind.Error : CaseKind.Native,
            Name = $"{loss}/{Tolerances.Label(dtype)}/{label}/weight={weight}/ignore_index={ignore.Index}{smoothingPart}/shape={S(layout.Input)}/{layout.Label}-{ignore.Label}",
            Loss = loss,
            DType = dtype,
            Reduction = label,
            Inputs = f => IndexInputs(f, dtype, layout, weight, ignore),
            Composed = loss == "nll"
                ? t => L.nll_loss(t[0], t[1], Weight(t), ignore.Index, reduction)
                : t => L.cross_entropy(t[0], t[1], Weight(t), ignore.Index, reduction, smoothing),
            Native = loss == "nll"
                ? t => N.nll_loss(t[0], Reference(layout, t[1]), Weight(t), reduction, ignore.Index)
                : t => N.cross_entropy(t[0], Reference(layout, t[1]), Weight(t), ignore.Index, reduction, smoothing),
            UseGradcheck = dtype == ScalarType.Float64 && finite && !layout.ValueOnly,
            Magnitude = IndexMagnitude,
            Quick = layout.Quick && ignore.Quick && weight != "zero-weight" && dtype is ScalarType.Float64 or ScalarType.Float32 &&
                    smoothing is 0 or 0.1,
            Notes = layout.NonFinite ? "nonfinite"
                : layout.ValueOnly ? "random; values only (libtorch 2.10's backward rejects this layout)"
                : layout.ZeroDReference ? "random; against libtorch on the target viewed as 0-d" : "random",
        };
    }

    /// <summary>The target libtorch is given: viewed as 0-d for a <see cref="Layout.ZeroDReference"/> layout, else as it is.</summary>
    private static Tensor Reference(Layout layout, Tensor target) => layout.ZeroDReference ? target.reshape(Array.Empty<long>()) : target;

    private static Tensor? Weight(Tensor[] t) => t.Length > 2 ? t[2] : null;

    /// <summary>The largest term of a result element: (max |logit| + log C)·max(1, max weight)·1.5 (the largest upstream factor).</summary>
    private static double IndexMagnitude(Tensor[] t)
    {
        using var scope = NewDisposeScope();
        double MaxAbs(Tensor x)
        {
            var a = x.detach().to(ScalarType.Float64).abs();
            var finite = a.masked_select(a.isfinite());
            return finite.numel() == 0 ? 0 : finite.max().item<double>();
        }
        double w = Weight(t) is { } weight ? Math.Max(1, MaxAbs(weight)) : 1;
        return (MaxAbs(t[0]) + Math.Log(Classes)) * w * 1.5;
    }

    private static Tensor[] IndexInputs(InputFactory f, ScalarType dtype, Layout layout, string weight, Ignore ignore)
    {
        Tensor input;
        if (layout.NonFinite)
        {
            // Row 0: −inf in a class that is not its target; row 1: NaN; row 2: logits of ±1e4; row 3: ordinary.
            double inf = double.PositiveInfinity;
            double[] v =
            {
                0.5, -1, 2, 0.25, -inf,
                0.1, 0.2, double.NaN, 0.4, 0.5,
                1e4, -1e4, 3e3, 0, -2e3,
                -0.5, 1.5, 0.75, -2, 1,
            };
            input = InputFactory.Values(v, dtype, layout.Input);
        }
        else input = f.Normal(dtype, layout.Input, grad: !layout.ValueOnly, scale: 2);

        var targets = new long[InputFactory.Count(layout.Target)];
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = layout.NonFinite ? new long[] { 0, 2, 1, 3 }[i % 4] : f.NextInteger(0, Classes);
            if (ignore.Every > 0 && i % ignore.Every == 0) targets[i] = ignore.Index;
        }
        var target = tensor(targets, layout.Target).to(layout.TargetType);
        var w = WeightTensor(f, dtype, weight);
        return w is null ? new[] { input, target } : new[] { input, target, w };
    }

    private static Tensor? WeightTensor(InputFactory f, ScalarType dtype, string weight)
    {
        if (weight == "none") return null;
        var values = new double[Classes];
        for (int c = 0; c < Classes; c++) values[c] = f.NextUniform(0.5, 2);
        if (weight == "zero-weight") values[0] = 0;
        return InputFactory.Values(values, dtype, new[] { Classes }, grad: false);
    }

    private static ParityCase ProbabilityCase(ScalarType dtype, torch.nn.Reduction reduction, string label, Layout layout, string weight, double smoothing) => new()
    {
        Name = $"cross_entropy/{Tolerances.Label(dtype)}/{label}/weight={weight}/label_smoothing={P(smoothing)}/shape={S(layout.Input)}/{layout.Label}",
        Loss = "cross_entropy",
        DType = dtype,
        Reduction = label,
        Inputs = f =>
        {
            long classDim = layout.Input.Length == 1 ? 0 : 1;
            var input = f.Normal(dtype, layout.Input, scale: 2);
            var target = f.Probabilities(dtype, layout.Target, classDim);
            var w = WeightTensor(f, dtype, weight);
            return w is null ? new[] { input, target } : new[] { input, target, w };
        },
        Composed = t => L.cross_entropy(t[0], t[1], Weight(t), -100, reduction, smoothing),
        Native = t => N.cross_entropy(t[0], t[1], Weight(t), -100, reduction, smoothing),
        UseGradcheck = dtype == ScalarType.Float64 && InputFactory.Count(layout.Input) > 0,
        Magnitude = IndexMagnitude,
        Quick = layout.Quick && dtype is ScalarType.Float64 or ScalarType.Float32 && smoothing is 0 or 0.1,
        Notes = "probabilities",
    };

    private static IEnumerable<ParityCase> ErrorCases()
    {
        foreach (var dtype in FloatDouble)
            foreach (var loss in Losses_)
            {
                ParityCase Error(string what, long[] inputShape, Func<InputFactory, Tensor> target, Func<InputFactory, Tensor?>? weight = null,
                    torch.nn.Reduction reduction = torch.nn.Reduction.Mean, long ignoreIndex = -100, double smoothing = 0, ScalarType? inputType = null)
                {
                    string reductionLabel = Reductions.First(r => r.Value == reduction).Label;
                    return new ParityCase
                    {
                        Name = $"{loss}/{Tolerances.Label(dtype)}/{reductionLabel}/error/{what}",
                        Loss = loss,
                        Kind = CaseKind.Error,
                        DType = dtype,
                        Reduction = reductionLabel,
                        Inputs = f =>
                        {
                            var x = f.Normal(inputType ?? dtype, inputShape, grad: false);
                            var y = target(f);
                            var w = weight?.Invoke(f);
                            return w is null ? new[] { x, y } : new[] { x, y, w };
                        },
                        Composed = loss == "nll"
                            ? t => L.nll_loss(t[0], t[1], Weight(t), ignoreIndex, reduction)
                            : t => L.cross_entropy(t[0], t[1], Weight(t), ignoreIndex, reduction, smoothing),
                        Native = loss == "nll"
                            ? t => N.nll_loss(t[0], t[1], Weight(t), reduction, ignoreIndex)
                            : t => N.cross_entropy(t[0], t[1], Weight(t), ignoreIndex, reduction, smoothing),
                        Quick = true,
                    };
                }

                Func<InputFactory, Tensor> Index(params long[] shape) => f => f.Classes(Classes, shape);
                Func<InputFactory, Tensor> Fixed(long[] values, long[] shape, ScalarType type = ScalarType.Int64) => _ => tensor(values, shape).to(type);
                Func<InputFactory, Tensor?> W(long n, ScalarType? type = null) => f => f.Uniform(type ?? dtype, new[] { n }, 0.5, 2, grad: false);

                yield return Error("0-d-input", new long[0], Fixed(new long[] { 0 }, new long[0]));
                yield return Error("batch-size", new long[] { 3, Classes }, Index(2));
                yield return Error("multi-target", new long[] { 3, Classes }, Index(3, 2));
                yield return Error("unbatched-size", new long[] { Classes }, Index(2));
                yield return Error("k-dim-size", new long[] { 2, Classes, 4 }, Index(2, 3));
                yield return Error("4-d-size", new long[] { 2, Classes, 4, 3 }, Index(2, 4, 2));
                yield return Error("weight-size", new long[] { 3, Classes }, Index(3), W(4));
                yield return Error("weight-size-4-d", new long[] { 2, Classes, 4, 3 }, Index(2, 4, 3), W(4));
                foreach (var (reduction, label) in Reductions)
                {
                    yield return Error($"target=5/{label}", new long[] { 3, Classes }, Fixed(new long[] { 0, 5, 1 }, new long[] { 3 }), reduction: reduction);
                    yield return Error($"target=-1/{label}", new long[] { 3, Classes }, Fixed(new long[] { 0, -1, 1 }, new long[] { 3 }), reduction: reduction);
                }
                yield return Error("target=5/k-dim", new long[] { 2, Classes, 2 }, Fixed(new long[] { 0, 1, 5, 2 }, new long[] { 2, 2 }));
                yield return Error("int32-target", new long[] { 3, Classes }, Fixed(new long[] { 0, 1, 2 }, new long[] { 3 }, ScalarType.Int32));
                yield return Error("uint8-target/k-dim", new long[] { 2, Classes, 3 }, Fixed(new long[6], new long[] { 2, 3 }, ScalarType.Byte));
                yield return Error("uint8-target/4-d", new long[] { 2, Classes, 3, 2 }, Fixed(new long[12], new long[] { 2, 3, 2 }, ScalarType.Byte));
                yield return Error("float-target", new long[] { 3, Classes }, f => f.Normal(dtype, new long[] { 3 }, grad: false));
                if (dtype == ScalarType.Float32)
                    yield return Error("weight-dtype", new long[] { 3, Classes }, Index(3), W(Classes, ScalarType.Float64));
                yield return Error("int64-input", new long[] { 3, Classes }, Index(3), inputType: ScalarType.Int64);
                if (loss == "nll")
                    yield return Error("no-classes", new long[] { 3, 0 }, Fixed(new long[] { 0, 0, 0 }, new long[] { 3 }));
                else
                {
                    yield return Error("label_smoothing=1.5", new long[] { 3, Classes }, Index(3), smoothing: 1.5);
                    yield return Error("label_smoothing=1.5/probabilities", new long[] { 3, Classes },
                        f => f.Probabilities(dtype, new long[] { 3, Classes }, 1, grad: false), smoothing: 1.5);
                    yield return Error("uint8-target/label_smoothing+weight", new long[] { 3, Classes },
                        Fixed(new long[] { 0, 1, 2 }, new long[] { 3 }, ScalarType.Byte), W(Classes), smoothing: 0.1);
                    yield return Error("unbatched-size/label_smoothing", new long[] { Classes }, Index(2), smoothing: 0.1);
                    yield return Error("probabilities/ignore_index=2", new long[] { 3, Classes },
                        f => f.Probabilities(dtype, new long[] { 3, Classes }, 1, grad: false), ignoreIndex: 2);
                    yield return Error("probabilities/int64", new long[] { 3, Classes }, Index(3, Classes));
                    yield return Error("probabilities/weight-size", new long[] { 3, Classes },
                        f => f.Probabilities(dtype, new long[] { 3, Classes }, 1, grad: false), W(4));
                }
            }
    }

    private static readonly string[] Losses_ = { "nll", "cross_entropy" };

    private static IEnumerable<ParityCase> VectorCases() =>
        VectorWitness.Cases("nll_loss", "nll",
                v => L.nll_loss(v["input"], v["target"], v.Optional("weight"), v.Long("ignore_index", -100), v.Reduction))
            .Concat(VectorWitness.Cases("cross_entropy", "cross_entropy",
                v => L.cross_entropy(v["input"], v["target"], v.Optional("weight"), v.Long("ignore_index", -100), v.Reduction,
                    v.Double("label_smoothing", 0.0))));
}
