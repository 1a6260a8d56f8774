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
            /// (NaN for infinite d, whose gradient is ±1). A β that the tensor's type cannot hold (1e-46 or 1e39 in float32) acts as
            /// libtorch's kernel makes it act: rounded to 0 (the loss is |d|) or to ∞ (the loss is 0) in the forward, exact in the
            /// gradient.</param>
            /// <exception cref="ArgumentOutOfRangeException">β is negative or NaN; reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">input and target cannot be broadcast together.</exception>
            /// <exception cref="ArgumentException">the element type is not floating point (β &gt; 0).</exception>
            public static Tensor smooth_l1_loss(Tensor input, Tensor target,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double beta = 1.0) =>
                beta == 0
                    ? AbsoluteError(input, target, reduction, "smooth_l1_loss")
                    : PointwiseLoss.Compute(input, target, reduction, "smooth_l1_loss", "smooth_l1_cpu", Check.AllFloating,
                        () => ValidateBeta(beta), (x, y) => SmoothL1Elementwise(x, y, beta),
                        (kind, differentiable) => PairwiseGradientFunction.Apply(input, target, kind, differentiable, (d, _) => SmoothL1Analytic(d, beta)));

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
            /// The analytic path (float32, float64): the per-element loss, computed in place in d, and its slope. For a β the type
            /// holds as a positive finite number, <see cref="ClampedQuadratic.Analytic"/> with b = k = β: outside the zone
            /// |d| − β/2 rounded once and the slope ±1, as libtorch's kernel computes them. For a β it rounds to 0 (float32, β
            /// below 7e-46) or ∞ (float32, β above 3.4e38; β = +∞), the kernel's values with the rounded β, |d| or
            /// 0.5·d·d/∞, and its slope with β itself (<see cref="ClampedQuadratic.ExactSlope"/>).
            /// </summary>
            internal static (Tensor loss, Tensor gradient) SmoothL1Analytic(Tensor d, double beta)
            {
                double b = ClampedQuadratic.AsKernelHoldsIt(beta, d.dtype);
                if (b > 0 && double.IsFinite(b)) return ClampedQuadratic.Analytic(d, b, b);
                var slope = ClampedQuadratic.ExactSlope(d, beta, beta).to(d.dtype);   // ±1, 0 and d/β: the kernel multiplies in d's type
                return (b == 0 ? d.abs_() : QuadraticOverInfinity(d), slope);
            }

            /// <summary>
            /// The per-element smooth L1 loss for autograd, in the arithmetic of libtorch 2.10's kernels. float32 and float64:
            /// <see cref="ClampedQuadratic.Differentiable"/> with b = k = β. float16 and bfloat16: the kernels' backward works
            /// in float32 and so does the gradient here; their forward works in float32 for bfloat16 and rounds every operation
            /// to float16 for float16, and the values here are that forward's own expression (<see cref="SmoothL1KernelValue"/>).
            /// </summary>
            internal static Tensor SmoothL1Elementwise(Tensor input, Tensor target, double beta)
            {
                var type = torch.promote_types(input.dtype, target.dtype);
                if (type is not (torch.ScalarType.Float16 or torch.ScalarType.BFloat16)) return SmoothL1Differentiable(input - target, beta);
                var (x, y) = PointwiseLoss.BroadcastToFloat32(input, target);
                var values = type == torch.ScalarType.Float16 ? SmoothL1KernelValue(input, target, beta) : SmoothL1KernelValue(x, y, beta).to(type);
                return ValuesWithGradient.Of(values, SmoothL1Differentiable(x - y, beta).to(type));
            }

            /// <summary>
            /// The autograd form of smooth L1 in d's type: <see cref="ClampedQuadratic.Differentiable"/> for a β the type holds as
            /// a positive finite number; otherwise the kernel's values with β rounded and <see cref="ClampedQuadratic.ExactSlope"/>
            /// as the gradient: |d| written s̄·d for β rounded to 0, and for β rounded to ∞ the value 0.5·d·d/∞ plus s̄·(d − d̄),
            /// which is 0 for finite d and NaN at d = ±∞, the kernel's value there.
            /// </summary>
            private static Tensor SmoothL1Differentiable(Tensor d, double beta)
            {
                double b = ClampedQuadratic.AsKernelHoldsIt(beta, d.dtype);
                if (b > 0 && double.IsFinite(b)) return ClampedQuadratic.Differentiable(d, b, b);
                var constant = d.detach();
                var slope = ClampedQuadratic.ExactSlope(constant, beta, beta).to(d.dtype);
                return b == 0 ? slope * d : QuadraticOverInfinity(constant).Plus(slope * (d - constant));
            }

            /// <summary>The kernel's quadratic branch with β rounded to ∞: 0.5·d·d/∞, 0, or NaN where 0.5·d·d overflows or d is ±∞.</summary>
            private static Tensor QuadraticOverInfinity(Tensor d) => d.mul(Scalars.Half).mul_(d).div_(Scalars.PositiveInfinity);

            /// <summary>
            /// libtorch's smooth-L1 forward as written in its kernel, in the type of x and y with β as that type holds it:
            /// z = |x − y|, then 0.5·z·z/β where z &lt; β and z − 0.5·β elsewhere, each operation rounded to the type.
            /// </summary>
            private static Tensor SmoothL1KernelValue(Tensor x, Tensor y, double beta)
            {
                var z = (x - y).abs();
                double b = ClampedQuadratic.AsKernelHoldsIt(beta, z.dtype);
                using var bScalar = b.ToScalar();
                using var halfB = ClampedQuadratic.AsKernelHoldsIt(0.5 * b, z.dtype).ToScalar();
                return torch.where(z.lt(bScalar), z.mul(Scalars.Half).mul_(z).div_(bScalar), z - halfB);
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
