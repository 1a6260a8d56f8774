using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.MarginRankingLoss"/>.</summary>
        /// <param name="margin">How far the preferred score must lead. Range: any real number; 0 by default.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static MarginRankingLoss MarginRankingLoss(double margin = 0.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(margin, reduction);

        /// <summary>Creates a <see cref="Modules.MarginRankingLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        /// <param name="margin">Range: any real number.</param>
        /// <param name="size_average">Deprecated: false sums instead of averaging.</param>
        /// <param name="reduce">Deprecated: false returns per-element losses.</param>
        /// <param name="reduction">Used only when both legacy arguments are null.</param>
        public static MarginRankingLoss MarginRankingLoss(double margin, bool? size_average, bool? reduce = null,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(margin, Reductions.LegacyOr(size_average, reduce, reduction, "margin_ranking_loss"));

        public static partial class functional
        {
            /// <summary>
            /// Margin ranking loss, PyTorch's <c>F.margin_ranking_loss</c>: does the target say which of
            /// two scores should be larger, by at least <paramref name="margin"/>?
            /// <para>Per element: ℓ = max(0, −y·(x1 − x2) + margin). With y = 1, x1 should exceed x2 by the
            /// margin; with y = −1, the other way round. y is not restricted to ±1: it scales the
            /// difference (y = 0 gives max(0, margin)).</para>
            /// <para>Gradient, where z = −y·(x1 − x2) + margin ≥ 0 (the clamp passes the gradient at z = 0
            /// exactly, as libtorch's <c>clamp_min</c> does), and 0 where z &lt; 0:
            /// ∂ℓ/∂x1 = −y, ∂ℓ/∂x2 = y, ∂ℓ/∂y = −(x1 − x2). The target is differentiable, as in PyTorch.</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the number of
            /// elements (NaN for an empty input); sum adds.</para>
            /// <para>Relations: with y = ±1, swapping x1 and x2 and negating y gives the same loss. With
            /// margin 0 and y = 1 it is relu(x2 − x1) in value (but relu gives no gradient at 0). It is
            /// HingeEmbeddingLoss's y = −1 branch applied to the signed difference y·(x1 − x2).</para>
            /// <para>Shapes: the three tensors must have the same number of dimensions (PyTorch's check,
            /// with its message); equal-rank tensors then broadcast, e.g. a target of shape (1).
            /// Dtypes: float64, float32, bfloat16 and float16 (libtorch 2.10 has float16 CPU kernels; 1.13 had none).</para>
            /// </summary>
            /// <param name="input1">First score, any shape.</param>
            /// <param name="input2">Second score, the same number of dimensions as <paramref name="input1"/>.</param>
            /// <param name="target">Which score should be larger (1: input1, −1: input2), the same number of dimensions.</param>
            /// <param name="margin">Range: any real number; 0 by default.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <remarks>TorchSharp forwards to libtorch's ATen function, which lacks PyTorch's Python-side
            /// dimension check; this one makes it.</remarks>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">the tensors differ in their number of dimensions.</exception>
            public static Tensor margin_ranking_loss(Tensor input1, Tensor input2, Tensor target, double margin = 0.0,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input1, input2, target);
                var kind = Reductions.Parse(reduction);
                if (input1.dim() != input2.dim() || input1.dim() != target.dim())
                    throw new ArgumentException(
                        "margin_ranking_loss : All input tensors should have same dimension but got sizes: " +
                        $"input1: {Check.TorchSize(input1)}, input2: {Check.TorchSize(input2)}, target: {Check.TorchSize(target)} ",
                        nameof(target));

                // ATen's op sequence, and so its checks in its order: −target, input1 − input2, their product.
                Check.NegatesNoBool(target, nameof(target));
                Check.SubtractsNoBool(input1, input2, nameof(input1), nameof(input2));
                var difference = Check.BroadcastShape(Tensors.Shape(input1), Tensors.Shape(input2),
                    Check.SameShape(input2, target) ? nameof(input1) : nameof(input2));
                Check.BroadcastShape(Tensors.Shape(target), difference, nameof(target));

                using var scope = torch.NewDisposeScope();
                using var marginScalar = margin.ToScalar();
                // ATen's op sequence, so that values round the same way.
                var loss = ((-target * (input1 - input2)).Plus(marginScalar)).clamp_min(Scalars.Zero);
                return scope.MoveToOuter(Reductions.Apply(loss, kind));
            }

            /// <summary>Margin ranking loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="margin_ranking_loss(Tensor, Tensor, Tensor, double, torch.nn.Reduction)"/>
            public static Tensor margin_ranking_loss(Tensor input1, Tensor input2, Tensor target, double margin, bool? size_average,
                bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                margin_ranking_loss(input1, input2, target, margin,
                    Reductions.LegacyOr(size_average, reduce, reduction, "margin_ranking_loss"));
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Margin ranking loss as a module (PyTorch's <c>nn.MarginRankingLoss</c>); see
    /// <see cref="nn.functional.margin_ranking_loss(Tensor, Tensor, Tensor, double, torch.nn.Reduction)"/>
    /// for the formula, gradient and ranges.
    /// </summary>
    public sealed class MarginRankingLoss : Loss<Tensor, Tensor, Tensor, Tensor>
    {
        /// <param name="margin">Range: any real number; 0 by default.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public MarginRankingLoss(double margin = 0.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) =>
            this.margin = margin;

        /// <summary>How far the preferred score must lead.</summary>
        public double margin { get; }

        /// <summary>The loss of the scores <paramref name="input1"/> and <paramref name="input2"/> against the ranking <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input1, Tensor input2, Tensor target) =>
            nn.functional.margin_ranking_loss(input1, input2, target, margin, reduction);
    }
}
