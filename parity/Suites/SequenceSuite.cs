using L = TorchLosses.nn.functional;
using N = TorchLosses.Parity.Aten;

namespace TorchLosses.Parity.Suites;

/// <summary>
/// ctc_loss against libtorch's native kernel (values and its gradient, exp(log_probs) − posterior):
/// padded and concatenated targets, unbatched input (lengths of shape (1) and 0-d), varying input and target
/// lengths, blank ≠ 0, repeated labels, impossible alignments with and without zero_infinity, target
/// length 0, input length 0 (loss 0 or +∞, as libtorch 2.10 defines it), one frame, int32 indices, lengths as
/// arrays, unnormalised and non-finite log_probs; gradcheck through log_softmax; error parity (an empty log_probs,
/// a batch of 0 included, and negative lengths are libtorch 2.10 errors); the PyTorch vectors. Sizes stay small
/// (T ≤ 12): the composed recursion is a loop over the frames.
/// </summary>
public sealed class SequenceSuite : ParitySuite
{
    private const string Loss = "ctc";

    /// <summary>How log_probs is made.</summary>
    private enum Source
    {
        /// <summary>log_softmax of normal draws (what a model gives).</summary>
        LogSoftmax,
        /// <summary>Normal draws (logits) that both sides pass through log_softmax: the composed gradient is then
        /// the plain derivative, so gradcheck applies.</summary>
        Logits,
        /// <summary>Normal draws used as log_probs directly (rows do not sum to 1).</summary>
        Unnormalised,
        /// <summary>log_softmax draws with one NaN (the loss and the gradient of that sample are NaN).</summary>
        NaN,
        /// <summary>log_softmax draws with −∞ entries (values and gradients: NaN at those entries, as libtorch's).</summary>
        NegativeInfinity,
    }

    /// <summary>
    /// A layout: T frames, C classes, per-sample lengths (N = their count), how targets are laid out, and
    /// the regime. <paramref name="Labels"/> fixes the labels (else they are drawn, never blank);
    /// <paramref name="Padding"/> adds slots past the longest target, filled with <paramref name="PaddingValue"/>.
    /// </summary>
    private sealed record Layout(string Label, long T, long C, long[] InputLengths, long[] TargetLengths, bool Concatenated = false,
        long Blank = 0, bool Unbatched = false, bool ZeroDimLengths = false, ScalarType IndexType = ScalarType.Int64,
        long Padding = 0, long PaddingValue = 0, Source Source = Source.LogSoftmax, bool ArrayLengths = false, long[][]? Labels = null,
        bool Quick = false)
    {
        public long Batch => InputLengths.Length;

        public long[] LogProbsShape => Unbatched ? new[] { T, C } : new[] { T, Batch, C };

        public string Shape => $"{S(LogProbsShape)}{(Concatenated ? "~concatenated" : "")}";
    }

    private static readonly Layout[] Layouts =
    {
        new("padded", 8, 5, new long[] { 8, 6, 7 }, new long[] { 3, 1, 2 }, Padding: 1, Quick: true),
        new("padded-garbage", 8, 5, new long[] { 8, 6, 7 }, new long[] { 3, 1, 2 }, Padding: 2, PaddingValue: 9),   // slots past a length are never read
        new("concatenated", 8, 5, new long[] { 8, 6, 7 }, new long[] { 3, 1, 2 }, Concatenated: true, Quick: true),
        new("unbatched", 7, 4, new long[] { 7 }, new long[] { 3 }, Unbatched: true, Quick: true),
        new("unbatched-0d-lengths", 7, 4, new long[] { 7 }, new long[] { 3 }, Unbatched: true, ZeroDimLengths: true),
        new("varying", 10, 6, new long[] { 10, 4, 7, 9 }, new long[] { 4, 2, 0, 5 }, Padding: 1, Quick: true),
        new("varying-concatenated", 10, 6, new long[] { 10, 4, 7, 9 }, new long[] { 4, 2, 0, 5 }, Concatenated: true),
        new("blank-last", 8, 5, new long[] { 8, 7 }, new long[] { 3, 3 }, Blank: 4, Quick: true),
        new("blank-middle", 8, 5, new long[] { 8, 8 }, new long[] { 4, 2 }, Concatenated: true, Blank: 2),
        // [1,1,2,2] needs 6 frames (two blanks between repeats), [3,3,3] needs 5: both exactly fit.
        new("repeats", 6, 4, new long[] { 6, 5 }, new long[] { 4, 3 }, Labels: new[] { new long[] { 1, 1, 2, 2 }, new long[] { 3, 3, 3 } }),
        // [2,2,2] in 4 frames is impossible (+∞; NaN gradient, or 0 and 0 with zero_infinity); the other sample is not.
        new("impossible", 4, 4, new long[] { 4, 4 }, new long[] { 3, 2 }, Labels: new[] { new long[] { 2, 2, 2 }, new long[] { 1, 3 } }, Quick: true),
        new("too-short", 6, 4, new long[] { 2, 6 }, new long[] { 3, 1 }, Labels: new[] { new long[] { 1, 2, 3 }, new long[] { 2 } }),
        new("empty-targets", 5, 3, new long[] { 5, 3 }, new long[] { 0, 0 }, Padding: 1, Quick: true),
        new("empty-targets-concatenated", 5, 3, new long[] { 5, 3 }, new long[] { 0, 0 }, Concatenated: true),
        new("int32", 8, 5, new long[] { 8, 6, 7 }, new long[] { 3, 1, 2 }, IndexType: ScalarType.Int32, Quick: true),
        new("int32-concatenated", 8, 5, new long[] { 8, 6, 7 }, new long[] { 3, 1, 2 }, Concatenated: true, IndexType: ScalarType.Int32),
        new("one-frame", 1, 5, new long[] { 1, 1, 1 }, new long[] { 1, 1, 0 }),   // with L = 1 it is nll_loss of the frame
        new("long", 12, 6, new long[] { 12, 11 }, new long[] { 5, 6 }),
        new("unnormalised", 8, 5, new long[] { 8, 6 }, new long[] { 3, 2 }, Source: Source.Unnormalised, Quick: true),
        new("logits-padded", 8, 5, new long[] { 8, 6, 7 }, new long[] { 3, 1, 2 }, Source: Source.Logits),
        new("logits-varying", 10, 6, new long[] { 10, 4, 7, 9 }, new long[] { 4, 2, 0, 5 }, Concatenated: true, Source: Source.Logits),
        new("logits-unbatched", 7, 4, new long[] { 6 }, new long[] { 3 }, Unbatched: true, Source: Source.Logits, Quick: true),
        new("logits-blank-last", 8, 5, new long[] { 8, 7 }, new long[] { 3, 3 }, Blank: 4, Source: Source.Logits),
        new("logits-impossible", 4, 4, new long[] { 4, 4 }, new long[] { 3, 2 }, Labels: new[] { new long[] { 2, 2, 2 }, new long[] { 1, 3 } },
            Source: Source.Logits),
        new("nan", 6, 4, new long[] { 6, 5 }, new long[] { 2, 2 }, Source: Source.NaN, Quick: true),
        new("neginf", 6, 4, new long[] { 6, 5 }, new long[] { 2, 2 }, Source: Source.NegativeInfinity, Quick: true),
        // Input length 0: loss 0 with target length 0 (the empty alignment), +∞ otherwise; zero gradient (libtorch 2.10; 1.13 read
        // outside its buffers there).
        new("zero-length-input", 6, 4, new long[] { 6, 0, 0 }, new long[] { 2, 0, 2 }, Padding: 1, Quick: true),
        new("zero-length-input-concatenated", 6, 4, new long[] { 0, 5, 0 }, new long[] { 0, 2, 3 }, Concatenated: true),
        new("array-lengths", 8, 5, new long[] { 8, 6, 7 }, new long[] { 3, 1, 2 }, ArrayLengths: true),
        new("array-lengths-concatenated", 8, 5, new long[] { 8, 6, 7 }, new long[] { 3, 1, 2 }, Concatenated: true, ArrayLengths: true),
    };


    /// <inheritdoc/>
    public override IReadOnlyList<string> Losses { get; } = new[] { Loss };

    /// <inheritdoc/>
    public override IEnumerable<GridAxis> Grid
    {
        get
        {
            yield return new(Loss, "dtype", "f64, f32 (f32 reference: libtorch's float64 kernel on the float32 inputs, rounded to float32: " +
                                     "its float32 kernel's gradient errors, up to 2e-6, exceed float32's atol; f16, bf16 and int64 log_probs: " +
                                     "error parity, libtorch's CPU kernel takes float and double only)");
            yield return new(Loss, "reduction", "none, mean (each loss over max(target length, 1), then the batch mean), sum; no legacy pair in PyTorch");
            yield return new(Loss, "zero_infinity", "false, true on every layout");
            yield return new(Loss, "layout (log_probs (T, N, C) or (T, C))",
                string.Join(", ", Layouts.Select(l => $"{l.Label} {l.Shape} T_n={S(l.InputLengths)} L_n={S(l.TargetLengths)}{(l.Blank != 0 ? $" blank={l.Blank}" : "")}")));
            yield return new(Loss, "regime",
                "log_softmax draws; logits through log_softmax on both sides (gradcheck); unnormalised log_probs; repeated labels that exactly fit; " +
                "impossible alignments (+∞: NaN gradient, or 0 with zero_infinity); target length 0; input length 0 (0 or +∞, zero gradient); " +
                "padding slots holding garbage; int32 indices; lengths as arrays; one NaN; −∞ entries (libtorch's NaN gradient there)");
            yield return new(Loss, "gradcheck", "float64, the logits layouts (through log_softmax, where the native gradient is the plain derivative)");
            yield return new(Loss, "errors",
                "blank = C and −1, input_lengths/target_lengths size, an input length > T, padded targets too short or of another batch, " +
                "concatenated targets too short, log_probs of 0, 1 and 4 dimensions, 3-D targets, a 0-d unbatched target, float and bool lengths, " +
                "f16/bf16/int64 log_probs, an empty log_probs (T = 0, C = 0, a batch of 0 padded and concatenated, unbatched T = 0), negative input " +
                "and target lengths (padded and concatenated, and their order against an input length > T)");
            yield return new(Loss, "excluded (documented deviations)",
                "the labels libtorch does not validate (outside [0, C): it reads outside " +
                "log_probs; equal to blank: its gradient does not match its loss): ours raises");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<ParityCase> Cases()
    {
        foreach (var dtype in FloatDouble)
            foreach (var (reduction, label) in Reductions)
                foreach (var zeroInfinity in new[] { false, true })
                    foreach (var layout in Layouts)
                        yield return NativeCase(dtype, reduction, label, zeroInfinity, layout);
        foreach (var c in ErrorCases()) yield return c;
        // The recorded gradient is libtorch's (exp(log_probs) − posterior), not the derivative with respect to
        // log_probs that finite differences measure: no gradcheck on these (the logits layouts carry it).
        foreach (var c in VectorWitness.Cases("ctc_loss", Loss,
                     v => L.ctc_loss(v["log_probs"], v["targets"], v["input_lengths"], v["target_lengths"], v.Long("blank", 0), v.Reduction,
                         v.Bool("zero_infinity", false)),
                     native: v => N.ctc_loss(v["log_probs"], v["targets"], v["input_lengths"], v["target_lengths"], v.Long("blank", 0),
                         v.Bool("zero_infinity", false), v.Reduction)))
            yield return c;
    }

    private static ParityCase NativeCase(ScalarType dtype, torch.nn.Reduction reduction, string label, bool zeroInfinity, Layout layout)
    {
        bool logits = layout.Source == Source.Logits;
        Tensor LogProbs(Tensor x) => logits ? x.log_softmax(-1) : x;
        return new ParityCase
        {
            Name = $"{Loss}/{Tolerances.Label(dtype)}/{label}/blank={layout.Blank}/zero_infinity={zeroInfinity.ToString().ToLowerInvariant()}/shape={layout.Shape}/{layout.Label}",
            Loss = Loss,
            DType = dtype,
            Reduction = label,
            Inputs = f => MakeInputs(f, dtype, layout),
            Composed = layout.ArrayLengths
                ? t => L.ctc_loss(LogProbs(t[0]), t[1], Longs(t[2]), Longs(t[3]), layout.Blank, reduction, zeroInfinity)
                : t => L.ctc_loss(LogProbs(t[0]), t[1], t[2], t[3], layout.Blank, reduction, zeroInfinity),
            // float32: libtorch's float32 kernel is not the reference. It forms the posterior as exp(log α + log β + nll − lp)
            // from log-space sums of size ~|nll|, so its gradient carries absolute errors up to ~2e-6 where exp(lp) and the
            // posterior cancel (measured against float64 on these layouts: 1e-6 to 2e-6; the composed loss: 1e-8 to 2.2e-7),
            // beyond float32's atol of 1e-6. The reference is libtorch's float64 kernel on the same float32 inputs, rounded
            // once to float32 (values and gradients).
            Native = dtype == ScalarType.Float32
                ? t => N.ctc_loss(LogProbs(t[0]).to(ScalarType.Float64), t[1], t[2], t[3], layout.Blank, zeroInfinity, reduction).to(ScalarType.Float32)
                : t => N.ctc_loss(LogProbs(t[0]), t[1], t[2], t[3], layout.Blank, zeroInfinity, reduction),
            // Smooth in the logits; the runner skips the point when the loss is infinite (an impossible alignment).
            UseGradcheck = logits && dtype == ScalarType.Float64 && layout.Batch > 0,
            Quick = layout.Quick && (dtype == ScalarType.Float64 ? !zeroInfinity || layout.Label.Contains("impossible") : reduction == torch.nn.Reduction.Mean),
            Notes = (layout.Source == Source.NegativeInfinity ? "−∞ entries: libtorch's NaN gradient there" : layout.Source.ToString()) +
                    (dtype == ScalarType.Float32 ? "; reference: libtorch in float64, rounded to float32" : ""),
        };
    }

    private static long[] Longs(Tensor t) => t.flatten().to(ScalarType.Int64).data<long>().ToArray();

    private static Tensor[] MakeInputs(InputFactory f, ScalarType dtype, Layout layout)
    {
        using var scope = NewDisposeScope();
        var shape = layout.LogProbsShape;
        var draws = f.Normal(ScalarType.Float64, shape, grad: false, scale: 1.5);
        var values = (layout.Source is Source.Logits or Source.Unnormalised ? draws : draws.log_softmax(-1)).contiguous().data<double>().ToArray();
        long C = layout.C, N = Math.Max(layout.Batch, 1);
        if (layout.Source == Source.NaN) values[(1 * N + 0) * C + 1] = double.NaN;   // frame 1, sample 0
        if (layout.Source == Source.NegativeInfinity)
        {
            values[(0 * N + 0) * C + 3] = double.NegativeInfinity;   // a label class at frame 0 of sample 0
            values[(2 * N + 1) * C + 0] = double.NegativeInfinity;   // the blank at frame 2 of sample 1
        }
        // Where log_probs is −∞ libtorch's gradient is NaN (exp(−∞ + ∞) in its backward), and so is ours: compared too.
        var logProbs = InputFactory.Values(values, dtype, shape, grad: true);

        var labels = new List<long[]>();
        for (int n = 0; n < layout.Batch; n++)
        {
            if (layout.Labels is not null) { labels.Add(layout.Labels[n]); continue; }
            var sample = new long[layout.TargetLengths[n]];
            for (int k = 0; k < sample.Length; k++)
            {
                long label = f.NextInteger(0, layout.C - 1);
                sample[k] = label >= layout.Blank ? label + 1 : label;   // never blank
            }
            labels.Add(sample);
        }
        Tensor targets;
        if (layout.Concatenated)
            targets = tensor(labels.SelectMany(l => l).ToArray(), new long[] { labels.Sum(l => l.Length) });
        else
        {
            long slots = (layout.TargetLengths.Length == 0 ? 0 : layout.TargetLengths.Max()) + layout.Padding;
            var padded = new long[layout.Batch * slots];
            for (int n = 0; n < layout.Batch; n++)
                for (long k = 0; k < slots; k++)
                    padded[n * slots + k] = k < labels[n].Length ? labels[n][k] : layout.PaddingValue;
            targets = tensor(padded, layout.Unbatched ? new[] { slots } : new[] { layout.Batch, slots });
        }
        long[] lengthShape = layout.ZeroDimLengths ? Array.Empty<long>() : new[] { layout.Batch };
        var inputLengths = tensor(layout.InputLengths, lengthShape).to(layout.IndexType);
        var targetLengths = tensor(layout.TargetLengths, lengthShape).to(layout.IndexType);
        var inputs = new[] { logProbs, targets.to(layout.IndexType), inputLengths, targetLengths };
        scope.MoveToOuter(inputs);
        return inputs;
    }

    // What the error cases are built from: T = 6, N = 2, C = 4, lengths (6, 5) and (2, 2), labels in 1..3.
    private sealed record Bad(string What, long[] LogProbs, ScalarType? LogProbsType = null, long Blank = 0, long[]? Targets = null,
        long[]? InputLengths = null, long[]? TargetLengths = null, ScalarType LengthType = ScalarType.Int64, long[]? TargetShape = null,
        bool PerReduction = false);

    private static readonly Bad[] Errors =
    {
        new("blank=C", new long[] { 6, 2, 4 }, Blank: 4, PerReduction: true),
        new("blank=-1", new long[] { 6, 2, 4 }, Blank: -1),
        new("input_lengths-size", new long[] { 6, 2, 4 }, InputLengths: new long[] { 6, 5, 4 }, PerReduction: true),
        new("target_lengths-size", new long[] { 6, 2, 4 }, TargetLengths: new long[] { 2 }),
        new("input_length-exceeds-T", new long[] { 6, 2, 4 }, InputLengths: new long[] { 7, 5 }, PerReduction: true),
        new("padded-too-short", new long[] { 6, 2, 4 }, Targets: new long[] { 1, 2 }, TargetShape: new long[] { 2, 1 }),
        new("padded-batch", new long[] { 6, 2, 4 }, Targets: new long[] { 1, 2 }, TargetShape: new long[] { 1, 2 }),
        new("concatenated-too-short", new long[] { 6, 2, 4 }, Targets: new long[] { 1, 2, 3 }, TargetShape: new long[] { 3 }),
        new("log_probs-4d", new long[] { 6, 2, 4, 1 }),
        new("log_probs-1d", new long[] { 6 }, InputLengths: new long[] { 6 }, TargetLengths: new long[] { 2 }, Targets: new long[] { 1, 2 },
            TargetShape: new long[] { 2 }),
        new("log_probs-0d", Array.Empty<long>(), InputLengths: new long[] { 1 }, TargetLengths: new long[] { 1 }, Targets: new long[] { 1 },
            TargetShape: new long[] { 1 }),
        new("targets-3d", new long[] { 6, 2, 4 }, Targets: new long[] { 1, 2, 3, 1 }, TargetShape: new long[] { 2, 2, 1 }),
        // Unbatched targets are concatenated ones: no slots past the length (padded layouts need a batch).
        new("unbatched-target-longer", new long[] { 6, 4 }, InputLengths: new long[] { 6 }, TargetLengths: new long[] { 2 },
            Targets: new long[] { 1, 2, 3, 1 }, TargetShape: new long[] { 4 }),
        new("unbatched-0d-target", new long[] { 6, 4 }, InputLengths: new long[] { 6 }, TargetLengths: new long[] { 1 }, Targets: new long[] { 1 },
            TargetShape: Array.Empty<long>()),
        new("float-lengths", new long[] { 6, 2, 4 }, LengthType: ScalarType.Float64, PerReduction: true),
        new("bool-lengths", new long[] { 6, 2, 4 }, InputLengths: new long[] { 1, 1 }, TargetLengths: new long[] { 1, 1 }, LengthType: ScalarType.Bool),
        new("f16-kernel", new long[] { 6, 2, 4 }, LogProbsType: ScalarType.Float16),
        new("bf16-kernel", new long[] { 6, 2, 4 }, LogProbsType: ScalarType.BFloat16),
        new("int64-kernel", new long[] { 6, 2, 4 }, LogProbsType: ScalarType.Int64),
        new("T=0", new long[] { 0, 2, 4 }, InputLengths: new long[] { 0, 0 }, TargetLengths: new long[] { 0, 0 }, Targets: Array.Empty<long>(),
            TargetShape: new long[] { 2, 0 }),
        // libtorch 2.10 rejects an empty log_probs before anything else but its dtype (1.13 returned an empty loss for a batch of 0).
        new("C=0", new long[] { 6, 2, 0 }),
        new("empty-batch", new long[] { 5, 0, 4 }, InputLengths: Array.Empty<long>(), TargetLengths: Array.Empty<long>(), Targets: Array.Empty<long>(),
            TargetShape: new long[] { 0, 2 }, PerReduction: true),
        new("empty-batch-concatenated", new long[] { 5, 0, 4 }, InputLengths: Array.Empty<long>(), TargetLengths: Array.Empty<long>(),
            Targets: Array.Empty<long>(), TargetShape: new long[] { 0 }),
        new("unbatched-T=0", new long[] { 0, 4 }, InputLengths: new long[] { 0 }, TargetLengths: new long[] { 0 }, Targets: Array.Empty<long>(),
            TargetShape: new long[] { 0 }),
        // Negative lengths: libtorch 2.10 checks them (1.13 read outside its buffers), the target lengths first, each input length
        // against 0 and then T, sample by sample.
        new("negative-target-length", new long[] { 6, 2, 4 }, TargetLengths: new long[] { 2, -1 }, PerReduction: true),
        new("negative-target-length-concatenated", new long[] { 6, 2, 4 }, TargetLengths: new long[] { -1, 4 }, Targets: new long[] { 1, 2, 3 },
            TargetShape: new long[] { 3 }),
        new("negative-input-length", new long[] { 6, 2, 4 }, InputLengths: new long[] { -1, 5 }, PerReduction: true),
        new("input-length-exceeds-T-before-negative", new long[] { 6, 2, 4 }, InputLengths: new long[] { 7, -1 }),
        new("negative-target-length-before-padded-too-short", new long[] { 6, 2, 4 }, TargetLengths: new long[] { 3, -1 }),
    };

    // Not here, on purpose (documented deviations in ctc_loss's doc, tested by the unit tests instead): labels outside [0, C)
    // (libtorch reads outside log_probs) or equal to blank (libtorch's gradient then does not match its loss), which ours rejects.
    private static IEnumerable<ParityCase> ErrorCases()
    {
        foreach (var dtype in FloatDouble)
            foreach (var bad in Errors)
                foreach (var (reduction, label) in Reductions.Where(r => bad.PerReduction || r.Value == torch.nn.Reduction.Mean))
                {
                    var type = bad.LogProbsType ?? dtype;
                    if (bad.LogProbsType is not null && dtype != ScalarType.Float64) continue;   // one case per foreign dtype
                    yield return new ParityCase
                    {
                        Name = $"{Loss}/{Tolerances.Label(type)}/{label}/error/{bad.What}",
                        Loss = Loss,
                        Kind = CaseKind.Error,
                        DType = type,
                        Reduction = label,
                        Inputs = f =>
                        {
                            var logProbs = type == ScalarType.Int64 ? f.Classes(3, bad.LogProbs) : f.Normal(type, bad.LogProbs, grad: false);
                            var targets = tensor(bad.Targets ?? new long[] { 1, 2, 3, 1 }, bad.TargetShape ?? new long[] { 2, 2 });
                            return new[]
                            {
                                logProbs, targets,
                                tensor(bad.InputLengths ?? new long[] { 6, 5 }).to(bad.LengthType),
                                tensor(bad.TargetLengths ?? new long[] { 2, 2 }).to(bad.LengthType),
                            };
                        },
                        Composed = t => L.ctc_loss(t[0], t[1], t[2], t[3], bad.Blank, reduction, false),
                        Native = t => N.ctc_loss(t[0], t[1], t[2], t[3], bad.Blank, false, reduction),
                        Quick = true,
                    };
                }
    }
}
