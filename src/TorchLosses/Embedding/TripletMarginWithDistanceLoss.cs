using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.TripletMarginWithDistanceLoss"/>.</summary>
        /// <param name="distance_function">A distance between two batches of embeddings; null for the
        /// pairwise Euclidean distance ‖u − v + 1e-6‖₂ over the last dimension.</param>
        /// <param name="margin">How much closer the positive must be than the negative. Range: margin &gt; 0.</param>
        /// <param name="swap">Use the smaller of f(anchor, negative) and f(positive, negative) as the negative distance.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <remarks>Like PyTorch, this loss has no legacy <c>size_average</c>/<c>reduce</c> arguments.</remarks>
        public static TripletMarginWithDistanceLoss TripletMarginWithDistanceLoss(Func<Tensor, Tensor, Tensor>? distance_function = null,
            double margin = 1.0, bool swap = false, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(distance_function, margin, swap, reduction);

        public static partial class functional
        {
            /// <summary>
            /// Triplet margin loss with a custom distance, PyTorch's <c>F.triplet_margin_with_distance_loss</c>
            /// (PyTorch computes it in Python; this is the same composition).
            /// <para>Per triplet, with f the distance function:
            /// ℓ = max(0, f(anchor, positive) − d_neg + margin), where d_neg = f(anchor, negative), or with
            /// <paramref name="swap"/> d_neg = min(f(anchor, negative), f(positive, negative)).
            /// The default f is the pairwise distance ‖u − v + 1e-6‖₂ over the last dimension (1e-6 added
            /// to every component of the difference), computed from primitive ops.</para>
            /// <para>Gradient (autograd through f and that formula): the clamp passes the gradient where
            /// f(a, p) − d_neg + margin = 0 exactly, 0 below; a swap tie sends half of the gradient to each
            /// distance, as <c>torch.min</c> does; the rest is f's own gradient.</para>
            /// <para>Reduction: none returns the per-triplet losses in the shape f gives (broadcast);
            /// mean divides the sum by their number (NaN for an empty input); sum adds.</para>
            /// <para>Relations: with the default distance it equals
            /// <see cref="triplet_margin_loss(Tensor, Tensor, Tensor, double, double, double, bool, torch.nn.Reduction)"/>
            /// with p = 2 and eps = 1e-6, to the last bit (both compute (margin + d_pos) − d_neg). With f = 1 − cosine
            /// similarity it is a cosine triplet loss.</para>
            /// <para>Shapes: the three tensors must have the same number of dimensions (PyTorch's check and message,
            /// the same as triplet_margin_loss's); beyond that they only have to suit f, and the default distance
            /// broadcasts them, e.g. (N, D) with (1, D).</para>
            /// </summary>
            /// <param name="anchor">Anchor embeddings.</param>
            /// <param name="positive">Embeddings of the same class.</param>
            /// <param name="negative">Embeddings of another class.</param>
            /// <param name="distance_function">A non-negative distance f(u, v) returning one value per pair;
            /// null for the pairwise Euclidean distance with eps = 1e-6. The tensors it returns stay the caller's (in the
            /// caller's dispose scope, if any; never disposed here); temporaries it creates inside are released when the
            /// loss returns (they stay alive in the autograd graph as needed).</param>
            /// <param name="margin">Range: margin &gt; 0 (1 by default). NaN is accepted and gives NaN.</param>
            /// <param name="swap">Replace f(anchor, negative) by min(f(anchor, negative), f(positive, negative)).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <remarks>
            /// PyTorch 2.10's checks, in its order, before anything is computed: the reduction, then margin ≤ 0
            /// ("margin must be greater than 0, got 0.0", since PyTorch 2.3), then the number of dimensions (since
            /// PyTorch 2.0). PyTorch 1.13 made none of them up front: it accepted margin ≤ 0 and inputs of different
            /// ranks, and checked the reduction after calling the distance function. TorchSharp names the distance
            /// parameter <c>distance</c>; this one uses PyTorch's name, <c>distance_function</c>.
            /// </remarks>
            /// <exception cref="ArgumentOutOfRangeException">margin ≤ 0; reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">the tensors differ in their number of dimensions (PyTorch's message).</exception>
            /// <exception cref="InvalidOperationException">distance_function returned null.</exception>
            public static Tensor triplet_margin_with_distance_loss(Tensor anchor, Tensor positive, Tensor negative,
                Func<Tensor, Tensor, Tensor>? distance_function = null, double margin = 1.0, bool swap = false,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(anchor, positive, negative);
                var kind = Reductions.Parse(reduction);
                CheckTripletMargin(margin);
                CheckTripletRanks(anchor, positive, negative);
                if (distance_function is null) CheckTripletDifferences(anchor, positive, negative, swap);

                using var scope = torch.NewDisposeScope();
                // The tensors a caller's function returns are the caller's: they leave this scope (to the caller's, if any)
                // and are never disposed here; the temporaries it made inside are released with this scope.
                Tensor Distance(Tensor u, Tensor v) => distance_function is null
                    ? DefaultTripletDistance(u, v)
                    : scope.MoveToOuter(distance_function(u, v) ?? throw new InvalidOperationException(
                        "triplet_margin_with_distance_loss: distance_function returned null; it must return a tensor of distances."));
                var positiveDistance = Distance(anchor, positive);
                var negativeDistance = Distance(anchor, negative);
                if (swap) negativeDistance = torch.minimum(negativeDistance, Distance(positive, negative));
                using var marginScalar = margin.ToScalar();
                // PyTorch 2.10's order: (margin + d_pos) − d_neg (1.13 computed (d_pos − d_neg) + margin).
                var loss = (positiveDistance.Plus(marginScalar) - negativeDistance).clamp_min(Scalars.RealZero);
                return scope.MoveToOuter(Reductions.Apply(loss, kind));
            }

            /// <summary>PyTorch's default distance for this loss: <c>pairwise_distance</c> with p = 2 and eps = 1e-6.</summary>
            private static Tensor DefaultTripletDistance(Tensor x1, Tensor x2) => PairwiseDistance(x1, x2, 2.0, 1e-6);
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Triplet margin loss with a custom distance as a module (PyTorch's
    /// <c>nn.TripletMarginWithDistanceLoss</c>); see
    /// <see cref="nn.functional.triplet_margin_with_distance_loss(Tensor, Tensor, Tensor, Func{Tensor, Tensor, Tensor}?, double, bool, torch.nn.Reduction)"/>
    /// for the formula, gradient and ranges.
    /// </summary>
    /// <remarks>TorchSharp calls the distance <c>distance</c> and keeps it and <c>swap</c> private; here they
    /// are public and named as in PyTorch.</remarks>
    public sealed class TripletMarginWithDistanceLoss : Loss<Tensor, Tensor, Tensor, Tensor>
    {
        /// <param name="distance_function">The distance; null for the pairwise Euclidean distance (eps = 1e-6).</param>
        /// <param name="margin">Range: margin &gt; 0. Checked when the loss is computed, as in PyTorch.</param>
        /// <param name="swap">Use the distance swap.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public TripletMarginWithDistanceLoss(Func<Tensor, Tensor, Tensor>? distance_function = null, double margin = 1.0,
            bool swap = false, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction)
        {
            this.distance_function = distance_function;
            this.margin = margin;
            this.swap = swap;
        }

        /// <summary>The distance, or null for the default pairwise Euclidean distance.</summary>
        public Func<Tensor, Tensor, Tensor>? distance_function { get; }

        /// <summary>How much closer the positive must be than the negative.</summary>
        public double margin { get; }

        /// <summary>Whether the distance swap is used.</summary>
        public bool swap { get; }

        /// <summary>The loss of the triplets (<paramref name="anchor"/>, <paramref name="positive"/>, <paramref name="negative"/>).</summary>
        public override Tensor forward(Tensor anchor, Tensor positive, Tensor negative) =>
            nn.functional.triplet_margin_with_distance_loss(anchor, positive, negative, distance_function, margin, swap, reduction);
    }
}
