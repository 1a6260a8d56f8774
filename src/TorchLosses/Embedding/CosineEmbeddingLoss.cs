using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.CosineEmbeddingLoss"/>.</summary>
        /// <param name="margin">The cosine below which dissimilar pairs cost nothing. Range: [−1, 1] is meaningful; 0 by default.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static CosineEmbeddingLoss CosineEmbeddingLoss(double margin = 0.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(margin, reduction);

        /// <summary>Creates a <see cref="Modules.CosineEmbeddingLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        /// <param name="margin">Range: [−1, 1] is meaningful.</param>
        /// <param name="size_average">Deprecated: false sums instead of averaging.</param>
        /// <param name="reduce">Deprecated: false returns per-pair losses.</param>
        /// <param name="reduction">Used only when both legacy arguments are null.</param>
        public static CosineEmbeddingLoss CosineEmbeddingLoss(double margin, bool? size_average, bool? reduce = null,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(margin, Reductions.LegacyOr(size_average, reduce, reduction, "cosine_embedding_loss"));

        public static partial class functional
        {
            /// <summary>
            /// The ε that libtorch's cosine embedding loss adds to each squared norm: the float
            /// 1e-12f, which is 9.999999960041972e-13 as a double (also in float64 arithmetic).
            /// </summary>
            internal const double CosineEmbeddingEpsilon = 1e-12f;

            /// <summary>
            /// Cosine embedding loss, PyTorch's <c>F.cosine_embedding_loss</c>: pull pairs with y = 1
            /// together in angle, push pairs with y = −1 apart until their cosine is at most the margin.
            /// <para>Per pair, with the sums taken over the feature dimension (dim 1 for a batch, dim 0
            /// for a single pair) and ε = 1e-12f:
            /// cos = Σx1·x2 / sqrt((Σx1² + ε)·(Σx2² + ε));
            /// ℓ = 1 − cos where y = 1, max(0, cos − margin) where y = −1, and 0 for any other y.</para>
            /// <para>Gradient (autograd through that formula, the same op sequence as libtorch's, so the
            /// values and gradients agree to rounding): for y = 1, −∂cos/∂x; for y = −1, ∂cos/∂x where
            /// cos − margin ≥ 0 (the clamp passes the gradient at equality) and 0 below. Thanks to ε a
            /// zero vector gives cos = 0 (loss 1 for y = 1) and the finite gradient
            /// −x2/sqrt(ε·(Σx2² + ε)) for x1 (about −5e5 per unit of x2). The target gets no gradient.</para>
            /// <para>Reduction: none gives one loss per pair (shape (N), or 0-d for a single pair); mean
            /// divides the sum by the number of pairs (NaN for an empty input); sum adds.</para>
            /// <para>Relations: it is HingeEmbeddingLoss applied to the cosine distance 1 − cos, with the
            /// margin 1 − margin. Float32 squares overflow for |x| ≳ 1e19, giving NaN, as in PyTorch.</para>
            /// <para>Shapes: input1 and input2 (N, D) with target (N), or (D) with a 0-d target;
            /// equal-rank inputs broadcast (e.g. (1, D) against (N, D)).</para>
            /// </summary>
            /// <param name="input1">First embeddings, (N, D) or (D).</param>
            /// <param name="input2">Second embeddings, the same number of dimensions as <paramref name="input1"/>.</param>
            /// <param name="target">1 (similar) or −1 (dissimilar) per pair, (N) or 0-d; other values give 0.</param>
            /// <param name="margin">Range: [−1, 1] is meaningful (any real number is accepted); 0 by default.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <remarks>
            /// Both inputs' numbers of dimensions are checked, as libtorch 2.10 does. PyTorch 1.13 checked input1's
            /// only, so a 2-D input2 with a 1-D input1 and a 0-d target was accepted there and reduced over the
            /// wrong dimension (a meaningless result). Dtypes: float64, float32, bfloat16 and float16 (libtorch 2.10
            /// has float16 CPU kernels; 1.13 had none).
            /// </remarks>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">the target is not 0-d or 1-D, or the inputs do not have
            /// the matching number of dimensions (PyTorch's messages).</exception>
            public static Tensor cosine_embedding_loss(Tensor input1, Tensor input2, Tensor target, double margin = 0.0,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input1, input2, target);
                var kind = Reductions.Parse(reduction);
                long featureDim = CheckCosineShapes(input1, input2, target);
                // The broadcasts of libtorch's op sequence below, with its messages: input1·input2, then the target against cos.
                var product = Check.BroadcastShape(Tensors.Shape(input1), Tensors.Shape(input2), nameof(input2)).ToList();
                if (product.Count > 0) product.RemoveAt((int)featureDim);
                Check.BroadcastShape(Tensors.Shape(target), product.ToArray(), nameof(target));

                using var scope = torch.NewDisposeScope();
                // libtorch's op sequence, so that values and gradients round the same way.
                var dot = (input1 * input2).sum(featureDim);
                var squaredNorm1 = (input1 * input1).sum(featureDim).Plus(Scalars.CosineEmbeddingEpsilon);
                var squaredNorm2 = (input2 * input2).sum(featureDim).Plus(Scalars.CosineEmbeddingEpsilon);
                var cos = dot / (squaredNorm1 * squaredNorm2).sqrt();
                var zero = torch.zeros_like(cos);
                var similar = torch.where(target == Scalars.One, Scalars.One.Minus(cos), zero);
                using var marginScalar = margin.ToScalar();
                var dissimilar = torch.where(target == Scalars.MinusOne, (cos - marginScalar).clamp_min(Scalars.Zero), zero);
                return scope.MoveToOuter(Reductions.Apply(similar.Plus(dissimilar), kind));
            }

            /// <summary>Cosine embedding loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="cosine_embedding_loss(Tensor, Tensor, Tensor, double, torch.nn.Reduction)"/>
            public static Tensor cosine_embedding_loss(Tensor input1, Tensor input2, Tensor target, double margin, bool? size_average,
                bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                cosine_embedding_loss(input1, input2, target, margin,
                    Reductions.LegacyOr(size_average, reduce, reduction, "cosine_embedding_loss"));

            /// <summary>libtorch's checks with its messages (both inputs' ranks, as libtorch 2.10 checks them); returns the feature dimension.</summary>
            private static long CheckCosineShapes(Tensor input1, Tensor input2, Tensor target)
            {
                long targetDim = target.dim();
                if (targetDim > 1)
                    throw new ArgumentException("0D or 1D target tensor expected, multi-target not supported", nameof(target));
                long expected = targetDim + 1;
                if (input1.dim() != expected || input2.dim() != expected)
                    throw new ArgumentException(
                        $"{targetDim}D target tensor expects {expected}D input tensors, but found inputs with sizes " +
                        $"{Check.Brackets(input1)} and {Check.Brackets(input2)}.",
                        input1.dim() != expected ? nameof(input1) : nameof(input2));
                return targetDim;
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Cosine embedding loss as a module (PyTorch's <c>nn.CosineEmbeddingLoss</c>); see
    /// <see cref="nn.functional.cosine_embedding_loss(Tensor, Tensor, Tensor, double, torch.nn.Reduction)"/>
    /// for the formula, gradient and ranges.
    /// </summary>
    public sealed class CosineEmbeddingLoss : Loss<Tensor, Tensor, Tensor, Tensor>
    {
        /// <param name="margin">Range: [−1, 1] is meaningful; 0 by default.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public CosineEmbeddingLoss(double margin = 0.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) =>
            this.margin = margin;

        /// <summary>The cosine below which dissimilar pairs cost nothing.</summary>
        public double margin { get; }

        /// <summary>The loss of the pairs (<paramref name="input1"/>, <paramref name="input2"/>) against the labels <paramref name="target"/> (1 or −1).</summary>
        public override Tensor forward(Tensor input1, Tensor input2, Tensor target) =>
            nn.functional.cosine_embedding_loss(input1, input2, target, margin, reduction);
    }
}
