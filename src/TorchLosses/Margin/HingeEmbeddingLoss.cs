using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.HingeEmbeddingLoss"/>.</summary>
        /// <param name="margin">The margin Δ of the y = −1 branch, default 1.0 (PyTorch's). Range: any real number.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static HingeEmbeddingLoss HingeEmbeddingLoss(double margin = 1.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(margin, reduction);

        /// <summary>Creates a <see cref="Modules.HingeEmbeddingLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        public static HingeEmbeddingLoss HingeEmbeddingLoss(double margin, bool? size_average, bool? reduce = null,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(margin, Reductions.LegacyOr(size_average, reduce, reduction, "hinge_embedding_loss"));

        public static partial class functional
        {
            /// <summary>
            /// Hinge embedding loss, PyTorch's <c>F.hinge_embedding_loss</c>: the input is a distance (or a
            /// score) and the target says whether the pair is similar (y = 1) or dissimilar (y = −1).
            /// <para>Per element, with Δ the margin:
            /// ℓ = [y ≠ 1]·max(0, Δ − x) + [y ≠ −1]·x. So y = 1 gives x, y = −1 gives max(0, Δ − x), and any
            /// other target value (0, 2, 0.5, NaN) gives both terms, x + max(0, Δ − x), as in PyTorch.</para>
            /// <para>Gradient: ∂ℓ/∂x = [y ≠ −1] − [y ≠ 1]·[Δ − x ≥ 0]. At the kink x = Δ the clamp passes the
            /// gradient (−1 for y = −1), as libtorch's <c>clamp_min</c> does. The target gets no gradient
            /// (it only selects branches): a target that requires grad ends with a null <c>grad</c>.</para>
            /// <para>Reduction: none has the broadcast shape of input and target; mean divides the sum by
            /// that number of elements (NaN for an empty input); sum adds. Broadcasting is silent (no warning).</para>
            /// <para>Relations: on the y = −1 elements it equals the margin ranking loss of x against 0,
            /// <c>margin_ranking_loss(x, 0, 1, Δ)</c> = max(0, Δ − x); on the y = 1 elements it is x itself.</para>
            /// </summary>
            /// <param name="input">Distances or scores, any shape. Floating point for mean; integer inputs
            /// work with none and sum (Δ is then converted to the input's type first, as libtorch does).</param>
            /// <param name="target">Labels, normally 1 or −1, broadcastable with <paramref name="input"/>; any dtype.</param>
            /// <param name="margin">Δ, default 1.0. Range: any real number (negative margins are allowed).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <remarks>TorchSharp's <c>hinge_embedding_loss</c> and <c>HingeEmbeddingLoss</c> constructor default
            /// the margin to 0.0 (only its factory uses 1.0); this one follows PyTorch: 1.0 everywhere.
            /// float16 works on the CPU, as in libtorch 2.10 (1.13's <c>clamp_min</c> had no float16 kernel).</remarks>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">input and target cannot be broadcast together.</exception>
            public static Tensor hinge_embedding_loss(Tensor input, Tensor target, double margin = 1.0,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, target);
                var kind = Reductions.Parse(reduction);
                // libtorch's first broadcast is where(target != 1, ...), so the target is tensor "a".
                Check.BroadcastShape(Tensors.Shape(target), Tensors.Shape(input));
                Check.SubtractsNoBool(input, input, nameof(input), nameof(input));   // margin − input, both bool for a bool input
                Check.ConvertsTo(margin, input.dtype, nameof(margin));                // margin filled in the input's type

                using var scope = torch.NewDisposeScope();
                var zeros = torch.zeros_like(input);
                using var marginScalar = margin.ToScalar();
                // Δ is filled in the input's dtype before subtracting, as libtorch's (Scalar − Tensor) does.
                var marginTerm = (torch.full_like(input, marginScalar) - input).clamp_min(Scalars.Zero);
                var loss = torch.where(target != Scalars.One, marginTerm, zeros).Plus(torch.where(target != Scalars.MinusOne, input, zeros));
                return scope.MoveToOuter(Reductions.Apply(loss, kind));
            }

            /// <summary>Hinge embedding loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="hinge_embedding_loss(Tensor, Tensor, double, torch.nn.Reduction)"/>
            public static Tensor hinge_embedding_loss(Tensor input, Tensor target, double margin, bool? size_average, bool? reduce = null,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                hinge_embedding_loss(input, target, margin, Reductions.LegacyOr(size_average, reduce, reduction, "hinge_embedding_loss"));
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Hinge embedding loss as a module (PyTorch's <c>nn.HingeEmbeddingLoss</c>); see
    /// <see cref="nn.functional.hinge_embedding_loss(Tensor, Tensor, double, torch.nn.Reduction)"/>.
    /// The margin defaults to 1.0 as in PyTorch (TorchSharp's constructor: 0.0).
    /// </summary>
    public sealed class HingeEmbeddingLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="margin">Δ, default 1.0. Range: any real number.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public HingeEmbeddingLoss(double margin = 1.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) =>
            this.margin = margin;

        /// <summary>The margin Δ of the y = −1 branch.</summary>
        public double margin { get; }

        /// <summary>The loss of the distances <paramref name="input"/> against the ±1 labels <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.hinge_embedding_loss(input, target, margin, reduction);
    }
}
