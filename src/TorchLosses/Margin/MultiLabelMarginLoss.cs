using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.MultiLabelMarginLoss"/>.</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static MultiLabelMarginLoss MultiLabelMarginLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(reduction);

        /// <summary>Creates a <see cref="Modules.MultiLabelMarginLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        public static MultiLabelMarginLoss MultiLabelMarginLoss(bool? size_average, bool? reduce,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(Reductions.LegacyOr(size_average, reduce, reduction, "multilabel_margin_loss"));

        public static partial class functional
        {
            /// <summary>
            /// Multi-label hinge loss, PyTorch's <c>F.multilabel_margin_loss</c>: every target class must
            /// score at least 1 above every non-target class.
            /// <para>Per sample, J is the list of target entries read left to right up to the first −1
            /// (repetitions kept; entries after the −1 are ignored but must still lie in [−1, C)), and S its set:
            /// ℓ = Σ_{j ∈ J} Σ_{k ∉ S} max(0, 1 − (x[j] − x[k])) / C. A class listed twice counts twice. A pair
            /// counts only where z = 1 − x[j] + x[k] &gt; 0; a NaN z counts as inactive, as in libtorch's kernel.</para>
            /// <para>Gradient: each active pair adds 1/C to ∂ℓ/∂x[k] and −1/C to ∂ℓ/∂x[j]. The test z &gt; 0 is
            /// <b>strict</b>: a pair exactly at z = 0 gives no gradient, as in libtorch's kernel.</para>
            /// <para>Reduction: none gives one loss per sample, shape (N), for a 2-D input and a 0-d result for a
            /// 0-d or 1-D input; mean divides the sum by N; sum adds. An empty batch gives NaN for mean and 0 for
            /// sum, what a mean and a sum over nothing are (libtorch's kernel, 1.13 and 2.10 alike, returns
            /// uninitialised memory there).</para>
            /// <para>Shapes: input (N, C) with target (N, C); input (C) with target (C); a 0-d input (one class)
            /// with a target of one element, whose loss is 0. N may be 0, C may not.</para>
            /// <para>Relations: with a single target class c (target [c, −1, …]) it equals
            /// <c>multi_margin_loss(x, c, p: 1, margin: 1)</c>. Built from comparisons, a cumulative sum and a
            /// gather over all (target position, class) pairs: O(N·C²) memory, batched, and it runs on any device.</para>
            /// </summary>
            /// <param name="input">Class scores, float32 or float64 (libtorch's CPU kernel has neither float16 nor bfloat16).</param>
            /// <param name="target">int64 class lists padded with −1, the input's shape; every entry in [−1, C).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <remarks>TorchSharp names this function <c>multi_label_margin_loss</c>; this one keeps PyTorch's name.</remarks>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value; a target entry lies
            /// outside [−1, C) ("argument #2 'target' is out of range").</exception>
            /// <exception cref="ArgumentException">the shapes or the target dtype do not fit (PyTorch's messages).</exception>
            /// <exception cref="ArgumentException">the input is not float32 or float64.</exception>
            public static Tensor multilabel_margin_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, target);
                var kind = Reductions.Parse(reduction);
                var (frames, classes) = MarginChecks.Frames(input);
                bool batched = input.dim() == 2;
                var targetShape = Tensors.Shape(target);
                bool targetFits = batched
                    ? targetShape.Length == 2 && targetShape[0] == frames && targetShape[1] == classes
                    : targetShape.Length <= 1 && target.numel() == classes;
                if (!targetFits)
                    throw new ArgumentException(
                        $"inconsistent target size: {Check.Brackets(targetShape)} for input of size: {Check.Brackets(input)}", nameof(target));
                if (input.numel() != 0)
                {
                    if (MarginChecks.ReadRange(target) is { } range && (range.min < -1 || range.max >= classes))
                        throw new ArgumentOutOfRangeException(nameof(target), "argument #2 'target' is out of range");
                    Check.KernelSupports("multilabel_margin_loss_forward_out_frame", input.dtype, nameof(input), Check.FloatDouble);
                    MarginChecks.CheckLongTarget(target);
                }

                using var scope = torch.NewDisposeScope();
                var x = input.reshape(frames, classes);
                var t = target.reshape(frames, classes).to(torch.ScalarType.Int64);
                // Target positions before the first −1 hold J; the others are masked out (index 0 stands in).
                var listed = t.eq(Scalars.MinusOne).cumsum(1L, torch.ScalarType.Int64).eq(Scalars.Zero);
                var index = t.masked_fill(listed.logical_not(), Scalars.Zero);
                using var classesScalar = classes.ToScalar();
                // isTarget[n, k]: class k occurs in J (the set S).
                var classIds = torch.arange(Scalars.Zero, classesScalar, Scalars.One, torch.ScalarType.Int64, input.device);
                var isTarget = index.unsqueeze(2).eq(classIds).logical_and(listed.unsqueeze(2)).any(1);
                // z[n, position, k] = 1 − x[j] + x[k] in libtorch's order, for j the class at that position.
                var z = (Scalars.One.Minus(x.gather(1, index))).unsqueeze(2).Plus(x.unsqueeze(1));
                var active = (z > Scalars.Zero).logical_and(listed.unsqueeze(2)).logical_and(isTarget.logical_not().unsqueeze(1));
                var hinge = torch.where(active, z, torch.zeros_like(z));
                var perSample = hinge.sum(new long[] { 1, 2 }) / classesScalar;
                return scope.MoveToOuter(MarginChecks.Reduce(perSample, kind, keepSamples: batched));
            }

            /// <summary>Multilabel margin loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="multilabel_margin_loss(Tensor, Tensor, torch.nn.Reduction)"/>
            public static Tensor multilabel_margin_loss(Tensor input, Tensor target, bool? size_average, bool? reduce,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                multilabel_margin_loss(input, target, Reductions.LegacyOr(size_average, reduce, reduction, "multilabel_margin_loss"));
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Multi-label hinge loss as a module (PyTorch's <c>nn.MultiLabelMarginLoss</c>); see
    /// <see cref="nn.functional.multilabel_margin_loss(Tensor, Tensor, torch.nn.Reduction)"/>.
    /// </summary>
    public sealed class MultiLabelMarginLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        public MultiLabelMarginLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) { }

        /// <summary>The loss of the class scores <paramref name="input"/> against the −1-terminated class lists <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => nn.functional.multilabel_margin_loss(input, target, reduction);
    }
}
