using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.SmoothL1Loss"/>: Huber-style loss with a quadratic zone of width <paramref name="beta"/>.</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="beta">Where the loss turns from quadratic to linear. Range: beta ≥ 0; 0 gives L1.</param>
        public static SmoothL1Loss SmoothL1Loss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double beta = 1.0) =>
            new(reduction, beta);

        /// <summary>Creates a <see cref="Modules.SmoothL1Loss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair.</summary>
        /// <param name="size_average">Deprecated: false sums instead of averaging. An explicit value overrides <paramref name="reduction"/>.</param>
        /// <param name="reduce">Deprecated: false returns per-element losses. An explicit value overrides <paramref name="reduction"/>.</param>
        /// <param name="reduction">Used only when both legacy arguments are null.</param>
        /// <param name="beta">Range: beta ≥ 0.</param>
        public static SmoothL1Loss SmoothL1Loss(bool? size_average, bool? reduce,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double beta = 1.0) =>
            new(Reductions.LegacyOr(size_average, reduce, reduction, "smooth_l1_loss"), beta);

        public static partial class functional
        {
            /// <summary>
            /// Smooth L1 loss (Girshick, Fast R-CNN, 2015), PyTorch's <c>F.smooth_l1_loss</c>.
            /// <para>Per element, with d = input − target:
            /// ℓ(d) = 0.5·d²/β if |d| &lt; β, and |d| − 0.5·β otherwise (the linear branch at |d| = β exactly).</para>
            /// <para>Gradient: ∂ℓ/∂input = clamp(d, −β, β)/β, that is d/β inside the quadratic zone and
            /// sign(d) outside, bounded by 1 in magnitude; ∂ℓ/∂target = −∂ℓ/∂input.</para>
            /// <para>β = 0 is <see cref="l1_loss(Tensor, Tensor, torch.nn.Reduction)"/> exactly, values, gradients (0 at d = 0)
            /// and accepted types, as in PyTorch, whose <c>F.smooth_l1_loss</c> calls <c>l1_loss</c> there. (libtorch's smooth-L1
            /// kernel, which TorchSharp's own smooth_l1_loss calls, gives −1 to input and target alike at d = 0.)</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the number of
            /// elements (NaN for an empty input); sum adds.</para>
            /// <para>Relations: Huber(δ) = δ·SmoothL1(β = δ). As β → 0 it tends to L1; as β → ∞ it tends to 0
            /// (for finite d). The slope of the linear part is 1 for every β.</para>
            /// </summary>
            /// <param name="input">Prediction, any shape, floating point (float16, bfloat16, float32, float64).</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/> (a warning is raised when the sizes differ).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="beta">Width of the quadratic zone. Range: β ≥ 0 (−0 is 0); +∞ is allowed and gives 0 for finite d
            /// (an infinite d with β = +∞ gives NaN, as in libtorch, but a NaN gradient where libtorch's kernel gives ±1).</param>
            /// <exception cref="ArgumentOutOfRangeException">β is negative or NaN; reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">input and target cannot be broadcast together.</exception>
            /// <exception cref="NotSupportedException">the element type is not floating point (β &gt; 0).</exception>
            public static Tensor smooth_l1_loss(Tensor input, Tensor target,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double beta = 1.0) =>
                beta == 0
                    ? AbsoluteError(input, target, reduction, "smooth_l1_loss")
                    : PointwiseLoss.Compute(input, target, reduction, "smooth_l1_loss", "smooth_l1_cpu", Check.AllFloating,
                        () => ValidateBeta(beta), (x, y) => PointwiseLoss.HalfViaFloat(x, y, (a, b) => SmoothL1Elementwise(a, b, beta)),
                        !double.IsPositiveInfinity(beta)
                            ? kind => PairwiseGradientFunction.Apply(input, target, kind, (d, _) => ClampedQuadraticOverBeta(d, beta))
                            : null);

            /// <summary>Smooth L1 loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="smooth_l1_loss(Tensor, Tensor, torch.nn.Reduction, double)"/>
            public static Tensor smooth_l1_loss(Tensor input, Tensor target, bool? size_average, bool? reduce,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double beta = 1.0) =>
                smooth_l1_loss(input, target, Reductions.LegacyOr(size_average, reduce, reduction, "smooth_l1_loss"), beta);

            private static void ValidateBeta(double beta)
            {
                if (!(beta >= 0))
                    throw new ArgumentOutOfRangeException(nameof(beta), beta,
                        "smooth_l1_loss does not support negative values for beta.");
            }

            /// <summary>
            /// The per-element smooth L1 loss for β &gt; 0: the Huber form (see <see cref="HuberElementwise"/>) divided by β.
            /// </summary>
            internal static Tensor SmoothL1Elementwise(Tensor input, Tensor target, double beta) =>
                QuadraticThenLinear(input - target, beta) / beta;

            /// <summary>
            /// The analytic form of <see cref="QuadraticThenLinear"/>: with m = clamp(d, −δ, δ) the loss is
            /// m·(d − m/2), computed in place in d, and the gradient factor is m itself (∂/∂d = clamp(d, −δ, δ)).
            /// </summary>
            internal static (Tensor loss, Tensor gradient) ClampedQuadratic(Tensor d, double delta)
            {
                var m = d.clamp(-delta, delta);
                return (d.add_(m, -0.5).mul_(m), m);
            }

            /// <summary>
            /// The analytic form of smooth L1 for 0 &lt; β &lt; ∞: with g = clamp(d, −β, β)/β (the gradient factor: exactly ±1
            /// outside the zone, d/β inside) the loss is (d − β·g/2)·g, computed in place in d. Outside the zone that is
            /// |d| − β/2 rounded once, as libtorch's kernel computes it, and its gradient ±1 times the upstream, also as the
            /// kernel: values and gradients at |d| ≥ β (the linear zone, its edge and ±∞) are libtorch's to the bit. Inside,
            /// the kernel's d²/(2β) and d/β·upstream are grouped differently and can differ in the last bit.
            /// </summary>
            internal static (Tensor loss, Tensor gradient) ClampedQuadraticOverBeta(Tensor d, double beta)
            {
                var g = d.clamp(-beta, beta).div_(beta);
                return (d.add_(g, -0.5 * beta).mul_(g), g);
            }

            /// <summary>
            /// m·(d − m) + m²/2 with m = clamp(d, −δ, δ), the first m taken as a constant: 0.5·d² where |d| &lt; δ and
            /// δ·(|d| − δ/2) elsewhere, in one formula. Its autograd gradient is exactly clamp(d, −δ, δ), also at
            /// |d| = δ (clamp passes the gradient on its boundary). Because the first m is detached, the gradient
            /// that reaches the clamp is −m + m = 0 from the linear term whatever d is, so an infinite d cannot
            /// produce ∞·0 there (libtorch's clamp backward masks rather than multiplies, but this form does
            /// not depend on that). Differentiating the gradient again gives 1 inside and 0 outside, so double
            /// backward is right too.
            /// </summary>
            internal static Tensor QuadraticThenLinear(Tensor d, double delta)
            {
                var m = d.clamp(-delta, delta);
                return (m.detach() * (d - m)).add(m.square(), 0.5);
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Smooth L1 loss as a module (PyTorch's <c>nn.SmoothL1Loss</c>); see
    /// <see cref="nn.functional.smooth_l1_loss(Tensor, Tensor, torch.nn.Reduction, double)"/> for the formula,
    /// gradient and ranges.
    /// </summary>
    public sealed class SmoothL1Loss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="beta">Range: β ≥ 0. Checked when the loss is computed, as in PyTorch.</param>
        public SmoothL1Loss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double beta = 1.0) : base(reduction) =>
            this.beta = beta;

        /// <summary>Width of the quadratic zone.</summary>
        public double beta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.smooth_l1_loss(input, target, reduction, beta);
    }
}
