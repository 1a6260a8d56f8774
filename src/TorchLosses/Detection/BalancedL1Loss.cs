using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.BalancedL1Loss"/> (Libra R-CNN; mmdetection's defaults α = 0.5, γ = 1.5, β = 1).</summary>
        /// <param name="alpha">Range: α &gt; 0; the weight of the inner (log) branch.</param>
        /// <param name="gamma">Range: γ &gt; 0; the slope of the outer (linear) branch.</param>
        /// <param name="beta">Range: β &gt; 0; where the two branches meet.</param>
        /// <param name="reduction">none, mean (default; 0 for an empty input) or sum.</param>
        public static BalancedL1Loss BalancedL1Loss(double alpha = 0.5, double gamma = 1.5, double beta = 1.0,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(alpha, gamma, beta, reduction);

        public static partial class functional
        {
            /// <summary>
            /// Balanced L1 loss (Libra R-CNN) with mmdetection's semantics.
            /// <para>With x = |input − target| and b defined by α·ln(b + 1) = γ, i.e. b = e^{γ/α} − 1:
            /// ℓ = (α/b)·(b·x + 1)·ln(b·x/β + 1) − α·x for x &lt; β, and ℓ = γ·x + C otherwise.</para>
            /// <para>The constant C makes ℓ continuous at x = β: the inner branch there is (α/b)(bβ + 1)·ln(b + 1) − αβ =
            /// (α/b)(bβ + 1)(γ/α) − αβ = γβ + γ/b − αβ, the outer γβ + C, so C = γ/b − αβ.</para>
            /// <para>Gradient: ∂ℓ/∂input = sgn(d)·[α·ln(b·x/β + 1) + α·(b·x + 1)/(b·x + β) − α] for x &lt; β, sgn(d)·γ otherwise
            /// (d = input − target, sgn(0) = 0; ∂ℓ/∂target = −∂ℓ/∂input). At x = 0 it is 0, at x → β⁻ it is α·ln(b + 1) = γ for β = 1,
            /// so value and slope are continuous; for β ≠ 1 the slope jumps at x = β (e.g. β = 0.5: 1.5249 inside, 1.5 outside),
            /// as in mmdetection. The inner branch is evaluated on a safe argument (0 outside it) so an infinite input gives γ·∞
            /// and a finite gradient, never NaN from the branch not taken.</para>
            /// <para>Reduction: none keeps the shape; sum adds; mean divides by the element count and is 0 (gradient 0) for an empty
            /// input (mmdetection returns 0·sum there).</para>
            /// <para>Provenance: J. Pang et al., "Libra R-CNN: Towards Balanced Learning for Object Detection", CVPR 2019
            /// (arXiv:1904.02701), eq. 7–9; semantics of mmdetection's <c>mmdet/models/losses/balanced_l1_loss.py</c> (no
            /// runnable reference here: tests check it against a float64 scalar loop, hand values and gradcheck).</para>
            /// </summary>
            /// <param name="input">Predictions, floating point.</param>
            /// <param name="target">Targets, the input's shape, floating point.</param>
            /// <param name="alpha">Range: α &gt; 0, finite (default 0.5).</param>
            /// <param name="gamma">Range: γ &gt; 0, finite (default 1.5).</param>
            /// <param name="beta">Range: β &gt; 0, finite (default 1).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentException">the shapes differ, or a non-floating operand.</exception>
            /// <exception cref="ArgumentOutOfRangeException">a parameter outside its range, or an undefined reduction.</exception>
            public static Tensor balanced_l1_loss(Tensor input, Tensor target, double alpha = 0.5, double gamma = 1.5, double beta = 1.0,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, target);
                var kind = Reductions.Parse(reduction);
                DetectionChecks.Positive(alpha, nameof(alpha));
                DetectionChecks.Positive(gamma, nameof(gamma));
                DetectionChecks.Positive(beta, nameof(beta));
                if (!Check.SameShape(input, target))
                    throw new ArgumentException(
                        $"balanced_l1_loss: target size ({Check.TorchSize(target)}) must be the same as input size ({Check.TorchSize(input)})",
                        nameof(target));
                Check.Floating(input, nameof(input), "balanced_l1_loss");
                Check.Floating(target, nameof(target), "balanced_l1_loss");
                double b = Math.Exp(gamma / alpha) - 1;

                using var scope = torch.NewDisposeScope();
                var x = (input - target).abs();
                var c = (double value) => Tensors.Constant(value, x);
                var inside = x < c(beta);
                var xInside = torch.where(inside, x, torch.zeros_like(x));
                var bx = c(b) * xInside;
                var inner = c(alpha / b) * (bx.Plus(c(1.0))) * (bx / c(beta)).log1p() - c(alpha) * xInside;
                var outer = (c(gamma) * x).Plus(c(gamma / b - alpha * beta));
                var loss = torch.where(inside, inner, outer);
                return scope.MoveToOuter(Reductions.ApplyEmptySafe(loss, kind));
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Balanced L1 loss as a module; see <see cref="nn.functional.balanced_l1_loss(Tensor, Tensor, double, double, double, torch.nn.Reduction)"/>.
    /// </summary>
    public sealed class BalancedL1Loss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="alpha">Range: α &gt; 0 (default 0.5).</param>
        /// <param name="gamma">Range: γ &gt; 0 (default 1.5).</param>
        /// <param name="beta">Range: β &gt; 0 (default 1).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public BalancedL1Loss(double alpha = 0.5, double gamma = 1.5, double beta = 1.0,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction)
        {
            this.alpha = alpha;
            this.gamma = gamma;
            this.beta = beta;
        }

        /// <summary>The inner-branch weight α.</summary>
        public double alpha { get; }

        /// <summary>The outer-branch slope γ.</summary>
        public double gamma { get; }

        /// <summary>The branch point β.</summary>
        public double beta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.balanced_l1_loss(input, target, alpha, gamma, beta, reduction);
    }
}
