using TorchLosses.Modules;
using static TorchLosses.RobustFrame;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.PseudoHuberLoss"/>.</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="delta">Where the loss turns from quadratic to linear. Range: 0 &lt; δ &lt; ∞.</param>
        public static PseudoHuberLoss PseudoHuberLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double delta = 1.0) =>
            new(reduction, delta);

        /// <summary>Creates a <see cref="Modules.CharbonnierLoss"/>.</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="epsilon">The smoothing constant ε. Range: 0 &lt; ε &lt; ∞ (default 1e-3, as in super-resolution work).</param>
        public static CharbonnierLoss CharbonnierLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double epsilon = 1e-3) =>
            new(reduction, epsilon);

        public static partial class functional
        {
            /// <summary>
            /// Pseudo-Huber loss (Hartley &amp; Zisserman, Multiple View Geometry, 2nd ed., 2003, p. 619; as in
            /// scipy.special.pseudo_huber).
            /// <para>Per element, with d = input − target: ℓ = δ²·(√(1 + (d/δ)²) − 1): ½d² near 0, δ·|d| − δ² far out, like
            /// Huber(δ) but smooth.</para>
            /// <para>Computed as d·(d/(1 + hypot(1, d/δ))), the same number without the cancellation of √(1 + q) − 1 for small d
            /// and without overflow of d² (finite up to |d| of the type's largest value).</para>
            /// <para>Gradient: ∂ℓ/∂input = d/√(1 + (d/δ)²), bounded by δ; ∂ℓ/∂target = −∂ℓ/∂input.</para>
            /// <para>Names: this is Barron's loss at α = 1 with c = δ, times δ² (ρ(d, 1, δ)·δ²), and at δ = 1 it is what kornia
            /// and Barron call "Charbonnier" (√(d² + 1) − 1). The super-resolution literature's Charbonnier √(d² + ε²) is
            /// <see cref="charbonnier_loss"/>; the two differ in offset and scale only: charbonnier(ε) = pseudo_huber(δ = ε)/ε + ε.</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the element count (NaN for none); sum adds.</para>
            /// </summary>
            /// <param name="input">Prediction, floating point, any shape.</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/> (a warning is raised when the sizes differ).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="delta">Range: 0 &lt; δ &lt; ∞.</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentOutOfRangeException">δ is not in (0, ∞).</exception>
            /// <exception cref="ArgumentException">The shapes cannot be broadcast.</exception>
            /// <exception cref="ArgumentException">A tensor is not floating point (naming it).</exception>
            public static Tensor pseudo_huber_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
                double delta = 1.0) =>
                Pointwise(input, target, reduction, "pseudo_huber_loss", (_, _) => PositiveFinite(delta, nameof(delta), "pseudo_huber_loss"),
                    (x, y) =>
                    {
                        var d = x - y;
                        return d * (d / (Tensors.Constant(1, d).Plus(torch.hypot(Tensors.Constant(1, d).expand(Tensors.Shape(d)), d / Tensors.Constant(delta, d)))));
                    });

            /// <summary>
            /// Charbonnier loss in the form of the super-resolution literature (P. Charbonnier, L. Blanc-Féraud, G. Aubert,
            /// M. Barlaud, "Deterministic edge-preserving regularization in computed imaging", IEEE TIP 6(2), 1997; used as a
            /// loss by LapSRN, W.-S. Lai et al., CVPR 2017).
            /// <para>Per element, with d = input − target: ℓ = √(d² + ε²), computed as hypot(d, ε) (no overflow of d²). It is
            /// ε, not 0, at d = 0.</para>
            /// <para>Gradient: ∂ℓ/∂input = d/√(d² + ε²), a smoothed sign(d); ∂ℓ/∂target = −∂ℓ/∂input.</para>
            /// <para>Names: kornia's and Barron's "Charbonnier" is √(d² + 1) − 1, which is <see cref="pseudo_huber_loss"/> at δ = 1
            /// and Barron's loss at α = 1, c = 1. In general charbonnier(ε) = pseudo_huber(δ = ε)/ε + ε.</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the element count (NaN for none); sum adds.</para>
            /// </summary>
            /// <param name="input">Prediction, floating point, any shape.</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/> (a warning is raised when the sizes differ).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="epsilon">Range: 0 &lt; ε &lt; ∞; default 1e-3 (1e-6 is also common).</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentOutOfRangeException">ε is not in (0, ∞).</exception>
            /// <exception cref="ArgumentException">The shapes cannot be broadcast.</exception>
            /// <exception cref="ArgumentException">A tensor is not floating point (naming it).</exception>
            public static Tensor charbonnier_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
                double epsilon = 1e-3) =>
                Pointwise(input, target, reduction, "charbonnier_loss", (_, _) => PositiveFinite(epsilon, nameof(epsilon), "charbonnier_loss"),
                    (x, y) =>
                    {
                        var d = x - y;
                        return torch.hypot(d, Tensors.Constant(epsilon, d).expand(Tensors.Shape(d)));
                    });

            /// <summary>Rejects a parameter outside (0, ∞): "{loss}: {name} must be positive and finite".</summary>
            internal static void PositiveFinite(double value, string name, string loss)
            {
                if (!(value > 0 && double.IsFinite(value)))
                    throw new ArgumentOutOfRangeException(name, value, $"{loss}: {name} must be positive and finite.");
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>Pseudo-Huber loss as a module; see <see cref="nn.functional.pseudo_huber_loss"/> for the formula, gradient and ranges.</summary>
    public sealed class PseudoHuberLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="delta">Range: 0 &lt; δ &lt; ∞ (checked when the loss is computed).</param>
        public PseudoHuberLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double delta = 1.0) : base(reduction) =>
            this.delta = delta;

        /// <summary>Where the loss turns from quadratic to linear.</summary>
        public double delta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => nn.functional.pseudo_huber_loss(input, target, reduction, delta);
    }

    /// <summary>Charbonnier loss √(d² + ε²) as a module; see <see cref="nn.functional.charbonnier_loss"/>.</summary>
    public sealed class CharbonnierLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="epsilon">Range: 0 &lt; ε &lt; ∞ (checked when the loss is computed).</param>
        public CharbonnierLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double epsilon = 1e-3) : base(reduction) =>
            this.epsilon = epsilon;

        /// <summary>The smoothing constant ε.</summary>
        public double epsilon { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => nn.functional.charbonnier_loss(input, target, reduction, epsilon);
    }
}
