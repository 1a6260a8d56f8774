using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.TripletMarginLoss"/>.</summary>
        /// <param name="margin">How much closer the positive must be than the negative. Range: margin &gt; 0.</param>
        /// <param name="p">The order of the distance norm. Range: any real number (1, 2, ∞ are the usual ones).</param>
        /// <param name="eps">Added to every component of each difference before the norm. Range: any real number, small.</param>
        /// <param name="swap">Use the smaller of d(anchor, negative) and d(positive, negative) as the negative distance.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static TripletMarginLoss TripletMarginLoss(double margin = 1.0, double p = 2.0, double eps = 1e-6, bool swap = false,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(margin, p, eps, swap, reduction);

        /// <summary>Creates a <see cref="Modules.TripletMarginLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        /// <param name="margin">Range: margin &gt; 0.</param>
        /// <param name="p">The order of the distance norm.</param>
        /// <param name="eps">Added to every component of each difference before the norm.</param>
        /// <param name="swap">Use the distance swap.</param>
        /// <param name="size_average">Deprecated: false sums instead of averaging.</param>
        /// <param name="reduce">Deprecated: false returns per-triplet losses.</param>
        /// <param name="reduction">Used only when both legacy arguments are null.</param>
        public static TripletMarginLoss TripletMarginLoss(double margin, double p, double eps, bool swap, bool? size_average,
            bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(margin, p, eps, swap, Reductions.LegacyOr(size_average, reduce, reduction, "triplet_margin_loss"));

        public static partial class functional
        {
            /// <summary>
            /// Triplet margin loss (Schroff et al., FaceNet, 2015; distance swap: Balntas et al., 2016),
            /// PyTorch's <c>F.triplet_margin_loss</c>: the anchor should be closer to the positive than to
            /// the negative, by at least <paramref name="margin"/>.
            /// <para>Per triplet, with d(u, v) = ‖u − v + eps‖_p over the last dimension (eps is added to
            /// every component of the difference, so d(u, u) = eps·D^(1/p)):
            /// ℓ = max(0, margin + d(anchor, positive) − d_neg), where d_neg = d(anchor, negative), or with
            /// <paramref name="swap"/> d_neg = min(d(anchor, negative), d(positive, negative)).</para>
            /// <para>Gradient (autograd through that formula): the clamp passes the gradient at ℓ's kink
            /// (margin + d_pos − d_neg = 0 counts as active), 0 below it; the norm's derivative is
            /// (u − v + eps)/d for p = 2 (0 where d = 0), the sign for p = 1, and the sign at the largest
            /// component for p = ∞; a swap tie sends half of the gradient to each distance (as
            /// <c>torch.min</c>); p = 0 (a count of non-zero components) gives no gradient at all (the
            /// inputs' gradients stay null), as in PyTorch.</para>
            /// <para>Reduction: none gives one loss per triplet (the inputs' shape without the last
            /// dimension); mean divides the sum by the number of triplets (NaN for an empty input); sum adds.</para>
            /// <para>Relations: equals <see cref="triplet_margin_with_distance_loss"/> with its default
            /// distance when p = 2 and eps = 1e-6 (the same ops in the same order, so to the last bit).</para>
            /// <para>Shapes: (N, D) or (D); the three tensors must have the same number of dimensions
            /// (libtorch's check and message) and then broadcast, e.g. a positive of shape (1, D). An empty
            /// last dimension (D = 0) gives d = 0 for p ≥ 0 and is an error for p &lt; 0 and p = ±∞, whose norms
            /// have no value over nothing (libtorch 2.10's <c>linalg.vector_norm</c>; PyTorch 1.13 gave 0).</para>
            /// <para>Dtypes: float64, float32, bfloat16 and float16 (libtorch 2.10 has float16 CPU kernels; 1.13 had none).</para>
            /// </summary>
            /// <param name="anchor">Anchor embeddings, (N, D) or (D).</param>
            /// <param name="positive">Embeddings of the same class, the same number of dimensions.</param>
            /// <param name="negative">Embeddings of another class, the same number of dimensions.</param>
            /// <param name="margin">Range: margin &gt; 0 (1 by default). NaN is accepted and gives NaN.</param>
            /// <param name="p">Order of the norm, a double as in PyTorch. Range: any real number, ±∞ included;
            /// p = 0 counts non-zero components and is not differentiable.</param>
            /// <param name="eps">Added to every component of each difference. Range: any real number (1e-6 by default).</param>
            /// <param name="swap">Replace d(anchor, negative) by min(d(anchor, negative), d(positive, negative)).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <remarks>
            /// margin ≤ 0 raises, as PyTorch's <c>F.triplet_margin_loss</c> does since 2.3, with its message
            /// ("margin must be greater than 0, got -1.0"): a non-positive margin asks for no separation between
            /// positive and negative. The check is PyTorch's Python one: libtorch's ATen op (and so TorchSharp's
            /// <c>triplet_margin_loss</c>) accepts any margin. TorchSharp's <c>p</c> is a <c>long</c>; here it is a
            /// double, as in PyTorch. TorchSharp's module keeps eps and swap private; here they are public.
            /// </remarks>
            /// <exception cref="ArgumentOutOfRangeException">margin ≤ 0; reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">the tensors differ in their number of dimensions; the last dimension
            /// is empty and p &lt; 0 or p = ±∞ (libtorch's messages).</exception>
            public static Tensor triplet_margin_loss(Tensor anchor, Tensor positive, Tensor negative, double margin = 1.0, double p = 2.0,
                double eps = 1e-6, bool swap = false, torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(anchor, positive, negative);
                var kind = Reductions.Parse(reduction);
                CheckTripletMargin(margin);
                CheckTripletRanks(anchor, positive, negative);
                CheckTripletDifferences(anchor, positive, negative, swap);

                using var scope = torch.NewDisposeScope();
                var positiveDistance = PairwiseDistance(anchor, positive, p, eps);
                var negativeDistance = PairwiseDistance(anchor, negative, p, eps);
                if (swap) negativeDistance = torch.minimum(negativeDistance, PairwiseDistance(positive, negative, p, eps));
                using var marginScalar = margin.ToScalar();
                // libtorch's order: (margin + d_pos) − d_neg.
                var loss = (positiveDistance.Plus(marginScalar) - negativeDistance).clamp_min(Scalars.Zero);
                return scope.MoveToOuter(Reductions.Apply(loss, kind));
            }

            /// <summary>Triplet margin loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="triplet_margin_loss(Tensor, Tensor, Tensor, double, double, double, bool, torch.nn.Reduction)"/>
            public static Tensor triplet_margin_loss(Tensor anchor, Tensor positive, Tensor negative, double margin, double p, double eps,
                bool swap, bool? size_average, bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                    Reductions.LegacyOr(size_average, reduce, reduction, "triplet_margin_loss"));

            /// <summary>
            /// PyTorch's margin check (in Python, since 2.3; 1.13 and libtorch's ATen op have none): margin ≤ 0
            /// raises; NaN passes, as Python's <c>margin &lt;= 0</c> is false for it.
            /// </summary>
            internal static void CheckTripletMargin(double margin)
            {
                if (margin <= 0)
                    throw new ArgumentOutOfRangeException(nameof(margin), margin,
                        $"margin must be greater than 0, got {Check.PythonFloat(margin)}");
            }

            /// <summary>
            /// The check of the number of dimensions that libtorch's <c>triplet_margin_loss</c> and PyTorch's
            /// <c>F.triplet_margin_with_distance_loss</c> make, with their (common) message.
            /// </summary>
            internal static void CheckTripletRanks(Tensor anchor, Tensor positive, Tensor negative)
            {
                long anchorDim = anchor.dim(), positiveDim = positive.dim(), negativeDim = negative.dim();
                if (anchorDim != positiveDim || positiveDim != negativeDim)
                    throw new ArgumentException(
                        "The anchor, positive, and negative tensors are expected to have the same number of dimensions, " +
                        $"but got: anchor {anchorDim}D, positive {positiveDim}D, and negative {negativeDim}D inputs",
                        anchorDim != positiveDim ? nameof(positive) : nameof(negative));
            }

            /// <summary>
            /// The checks of the differences libtorch's <c>pairwise_distance</c> takes (anchor − positive, anchor − negative, and
            /// positive − negative with the swap), in its order and with its messages: no bool operand, broadcastable shapes. The
            /// shape error names the tensor that differs from the other two.
            /// </summary>
            internal static void CheckTripletDifferences(Tensor anchor, Tensor positive, Tensor negative, bool swap)
            {
                Check.SubtractsNoBool(anchor, positive, nameof(anchor), nameof(positive));
                Check.BroadcastShape(Tensors.Shape(anchor), Tensors.Shape(positive), Check.SameShape(positive, negative) ? nameof(anchor) : nameof(positive));
                Check.SubtractsNoBool(anchor, negative, nameof(anchor), nameof(negative));
                Check.BroadcastShape(Tensors.Shape(anchor), Tensors.Shape(negative), nameof(negative));
                if (!swap) return;
                Check.SubtractsNoBool(positive, negative, nameof(positive), nameof(negative));
                Check.BroadcastShape(Tensors.Shape(positive), Tensors.Shape(negative), nameof(negative));
            }

            /// <summary>
            /// libtorch's gradient of a p-norm (p ∉ {0, 1, 2, ±∞}) raises its difference to the powers p − 2 and p − 1 as scalars of
            /// the tensor's type, and fails ("value cannot be converted to type c10::BFloat16 without overflow") where they
            /// exceed that type's range: p ≥ 3.4e38 in bfloat16, 65506 in float16, 3.5e38 in float32. PyTorch raises that in
            /// backward; on TorchSharp an error there ends the process, so such a p is refused here, in forward, while a gradient
            /// is being recorded (without one the value is libtorch's).
            /// </summary>
            private static void CheckNormGradientOrder(double p, Tensor difference)
            {
                if (!difference.requires_grad || !double.IsFinite(p) || p is 0 or 1 or 2) return;
                if (Check.FitsIn(p - 2, difference.dtype) && Check.FitsIn(p - 1, difference.dtype)) return;
                throw new ArgumentOutOfRangeException(nameof(p), p,
                    $"value cannot be converted to type {Check.CTypeName(difference.dtype)} without overflow: libtorch's gradient of the " +
                    $"p-norm for p = {Check.CppDouble(p)} fails there (PyTorch raises it in backward, which on TorchSharp ends the process)");
            }

            /// <summary>
            /// libtorch's <c>pairwise_distance</c>: ‖x1 − x2 + eps‖_p over the last dimension of the
            /// broadcast difference (a 0-d difference is its own last dimension), by the same ops. Over an
            /// empty last dimension the distance is 0 for p ≥ 0; for p &lt; 0 and p = ±∞ the norm has no value
            /// there (its min or max has no identity), and libtorch 2.10's <c>linalg.vector_norm</c> raises, as this does.
            /// </summary>
            internal static Tensor PairwiseDistance(Tensor x1, Tensor x2, double p, double eps)
            {
                using var epsScalar = eps.ToScalar();
                var difference = (x1 - x2).Plus(epsScalar);
                long lastDim = difference.dim() - 1;
                if (lastDim >= 0 && Tensors.Shape(difference)[lastDim] == 0 && (p < 0 || double.IsPositiveInfinity(p)))
                    throw new ArgumentException(
                        $"linalg.vector_norm cannot compute the {Check.CppDouble(p)} norm on the dimension {lastDim}because this dimension is " +
                        "empty and the operation does not have an identity", nameof(p));
                CheckNormGradientOrder(p, difference);
                // TorchSharp's linalg.vector_norm turns p into a Scalar it does not keep alive (Core/Scalars.cs says why that
                // matters); Tensor.norm passes p as a float and runs the same libtorch kernel (at::norm is
                // linalg_vector_norm), so it serves every p a float holds exactly: 1, 2, ∞, 1.5, ….
                if ((float)p == p) return difference.norm(-1, false, (float)p);
                // ScalarOwnership: a p no float holds (2.3): only vector_norm takes it, and its Scalar is TorchSharp's to keep.
                return torch.linalg.vector_norm(difference, p, new[] { -1L });
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Triplet margin loss as a module (PyTorch's <c>nn.TripletMarginLoss</c>); see
    /// <see cref="nn.functional.triplet_margin_loss(Tensor, Tensor, Tensor, double, double, double, bool, torch.nn.Reduction)"/>
    /// for the formula, gradient and ranges.
    /// </summary>
    public sealed class TripletMarginLoss : Loss<Tensor, Tensor, Tensor, Tensor>
    {
        /// <param name="margin">Range: margin &gt; 0. Checked when the loss is computed, as in PyTorch.</param>
        /// <param name="p">The order of the distance norm (a double, as in PyTorch).</param>
        /// <param name="eps">Added to every component of each difference before the norm.</param>
        /// <param name="swap">Use the distance swap.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public TripletMarginLoss(double margin = 1.0, double p = 2.0, double eps = 1e-6, bool swap = false,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction)
        {
            this.margin = margin;
            this.p = p;
            this.eps = eps;
            this.swap = swap;
        }

        /// <summary>How much closer the positive must be than the negative.</summary>
        public double margin { get; }

        /// <summary>The order of the distance norm.</summary>
        public double p { get; }

        /// <summary>Added to every component of each difference before the norm.</summary>
        public double eps { get; }

        /// <summary>Whether the distance swap is used.</summary>
        public bool swap { get; }

        /// <summary>The loss of the triplets (<paramref name="anchor"/>, <paramref name="positive"/>, <paramref name="negative"/>).</summary>
        public override Tensor forward(Tensor anchor, Tensor positive, Tensor negative) =>
            nn.functional.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction);
    }
}
