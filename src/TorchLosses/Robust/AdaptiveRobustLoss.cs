using TorchLosses.Modules;
using static TorchLosses.RobustFrame;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates an <see cref="Modules.AdaptiveRobustLoss"/>: Barron's adaptive loss, with α and c learned.</summary>
        /// <inheritdoc cref="Modules.AdaptiveRobustLoss(long, double, double, double?, double, double, torch.nn.Reduction, ScalarType, Device?)"/>
        public static AdaptiveRobustLoss AdaptiveRobustLoss(long num_dims = 1, double alpha_lo = 0.001, double alpha_hi = 1.999,
            double? alpha_init = null, double scale_lo = 1e-5, double scale_init = 1.0,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
            new(num_dims, alpha_lo, alpha_hi, alpha_init, scale_lo, scale_init, reduction, dtype, device);

        public static partial class functional
        {
            /// <summary>
            /// The negative log-likelihood of Barron's distribution (J. T. Barron, "A General and Adaptive Robust Loss Function",
            /// CVPR 2019, section 2): p(x | α, c) = exp(−ρ(x, α, c))/(c·Z(α)), so
            /// <para>−log p = ρ(x, α, c) + log c + log Z(α), x = input − target,</para>
            /// <para>with Z(α) = ∫ exp(−ρ(x, α, 1)) dx. Unlike ρ alone, this can be minimised over α and c: ρ alone is smallest
            /// for the α and c that ignore every residual, while log c and log Z(α) charge for that. It is not bounded below by 0.
            /// log Z is computed by this package (float64 quadrature, tabulated and interpolated by a cubic Hermite spline in
            /// s = 1 − ∛((2 − α)/2); see the docs page): Z(2) = √(2π), Z(0) = π√2, Z(1) = 2e·K₁(1).</para>
            /// <para>Gradient: ∂/∂x = ∂ρ/∂x; ∂/∂c = ∂ρ/∂c + 1/c; ∂/∂α = ∂ρ/∂α + d log Z/dα (the spline's derivative; at α = 2 exactly
            /// it is taken as 0, the true one diverges like log|α − 2|).</para>
            /// <para>Reduction: none keeps the broadcast shape of x, α and c; mean divides the sum by the element count; sum adds.</para>
            /// </summary>
            /// <param name="input">Prediction, floating point, any shape.</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/>.</param>
            /// <param name="alpha">Shape α, broadcastable against input − target. Range: 0 ≤ α ≤ 2 (the distribution is not defined for
            /// α &lt; 0; this package tabulates Z up to 2).</param>
            /// <param name="scale">Scale c, broadcastable against input − target. Range: 0 &lt; c &lt; ∞.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentException">α is outside [0, 2] or NaN, c is not in (0, ∞), or the shapes cannot be broadcast.</exception>
            /// <exception cref="ArgumentException">A tensor is not floating point (naming it).</exception>
            public static Tensor barron_nll_loss(Tensor input, Tensor target, Tensor alpha, Tensor scale,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                WithBarronParameters(input, target, alpha, scale, reduction, "barron_nll_loss", alpha =>
                    {
                        using var scope = torch.NewDisposeScope();
                        var a = alpha.detach();
                        if (!a.ge(Tensors.Constant(0, a)).logical_and(a.le(Tensors.Constant(2, a))).all().item<bool>())
                            throw new ArgumentException("barron_nll_loss: alpha must be in [0, 2] everywhere.", nameof(alpha));
                    },
                    BarronNll);

            /// <summary>ρ(x, α, c) + log c + log Z(α) on prepared tensors.</summary>
            internal static Tensor BarronNll(Tensor x, Tensor alpha, Tensor scale) =>
                Barron.Rho(x, alpha, scale).Plus(scale.log()).Plus(BarronPartition.LogZ(alpha));
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Barron's adaptive robust loss (J. T. Barron, CVPR 2019, arXiv:1701.03077, section 3; the design of his
    /// <c>AdaptiveLossFunction</c>): the negative log-likelihood of Barron's distribution,
    /// <see cref="nn.functional.barron_nll_loss"/>, with the shape α and the scale c learned with the model, one pair per
    /// dimension of the residual's last axis or one shared pair.
    /// <para>α = α_lo + (α_hi − α_lo)·sigmoid(ℓ_α), so α stays in (α_lo, α_hi); c = c_lo + (c_init − c_lo)·softplus(ℓ_c)/log 2,
    /// so c stays above c_lo and starts at c_init (ℓ_c = 0). The latents ℓ_α, ℓ_c are the module's parameters
    /// (<c>alpha_latent</c>, <c>scale_latent</c>); give them to the optimizer with the model's.</para>
    /// </summary>
    public sealed class AdaptiveRobustLoss : Loss<Tensor, Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter alphaLatent;
        private readonly TorchSharp.Modules.Parameter scaleLatent;

        /// <param name="num_dims">The number of (α, c) pairs: 1 shares one pair across all elements; n &gt; 1 gives one per
        /// position of the residual's last dimension, which must then be n. Range: ≥ 1.</param>
        /// <param name="alpha_lo">Lower bound of α. Range: 0 ≤ α_lo &lt; α_hi (default 0.001).</param>
        /// <param name="alpha_hi">Upper bound of α. Range: α_lo &lt; α_hi ≤ 2 (default 1.999).</param>
        /// <param name="alpha_init">Initial α, strictly between the bounds; default their midpoint.</param>
        /// <param name="scale_lo">Lower bound of c. Range: 0 &lt; c_lo &lt; c_init (default 1e-5).</param>
        /// <param name="scale_init">Initial c. Range: c_lo &lt; c_init &lt; ∞ (default 1).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="dtype">Type of the parameters (float32 or float64; default float32).</param>
        /// <param name="device">Device of the parameters (default CPU).</param>
        /// <exception cref="ArgumentOutOfRangeException">A bound, an initial value or num_dims is out of its range.</exception>
        public AdaptiveRobustLoss(long num_dims = 1, double alpha_lo = 0.001, double alpha_hi = 1.999, double? alpha_init = null,
            double scale_lo = 1e-5, double scale_init = 1.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
            ScalarType dtype = ScalarType.Float32, Device? device = null) : base(reduction)
        {
            if (num_dims < 1) throw new ArgumentOutOfRangeException(nameof(num_dims), num_dims, "num_dims must be at least 1.");
            if (!(alpha_lo >= 0 && alpha_lo < alpha_hi && alpha_hi <= 2))
                throw new ArgumentOutOfRangeException(nameof(alpha_lo), alpha_lo, $"alpha_lo and alpha_hi must satisfy 0 <= alpha_lo < alpha_hi <= 2 (alpha_hi = {alpha_hi}).");
            double initial = alpha_init ?? (alpha_lo + alpha_hi) / 2;
            if (!(initial > alpha_lo && initial < alpha_hi))
                throw new ArgumentOutOfRangeException(nameof(alpha_init), alpha_init, "alpha_init must be strictly between alpha_lo and alpha_hi.");
            if (!(scale_lo > 0 && scale_lo < scale_init && double.IsFinite(scale_init)))
                throw new ArgumentOutOfRangeException(nameof(scale_init), scale_init, $"scale_lo and scale_init must satisfy 0 < scale_lo < scale_init < inf (scale_lo = {scale_lo}).");
            if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "dtype must be float32 or float64.");
            this.num_dims = num_dims;
            this.alpha_lo = alpha_lo;
            this.alpha_hi = alpha_hi;
            this.scale_lo = scale_lo;
            this.scale_init = scale_init;
            double fraction = (initial - alpha_lo) / (alpha_hi - alpha_lo);
            using (torch.no_grad())
            {
                alphaLatent = new TorchSharp.Modules.Parameter(torch.tensor(Enumerable.Repeat(Math.Log(fraction / (1 - fraction)), (int)num_dims).ToArray(), dtype, device));
                scaleLatent = new TorchSharp.Modules.Parameter(torch.zeros(new[] { num_dims }, dtype, device));
            }
            register_parameter("alpha_latent", alphaLatent);
            register_parameter("scale_latent", scaleLatent);
        }

        /// <summary>The number of (α, c) pairs.</summary>
        public long num_dims { get; }

        /// <summary>Lower bound of α.</summary>
        public double alpha_lo { get; }

        /// <summary>Upper bound of α.</summary>
        public double alpha_hi { get; }

        /// <summary>Lower bound of c.</summary>
        public double scale_lo { get; }

        /// <summary>Initial c.</summary>
        public double scale_init { get; }

        /// <summary>The current α, one per dimension (differentiable in the latent).</summary>
        public Tensor alpha()
        {
            using var scope = torch.NewDisposeScope();
            var range = torch.tensor(alpha_hi - alpha_lo, alphaLatent.dtype, alphaLatent.device);
            return scope.MoveToOuter(torch.tensor(alpha_lo, alphaLatent.dtype, alphaLatent.device).Plus(range * alphaLatent.sigmoid()));
        }

        /// <summary>The current c, one per dimension (differentiable in the latent).</summary>
        public Tensor scale()
        {
            using var scope = torch.NewDisposeScope();
            var span = torch.tensor((scale_init - scale_lo) / Math.Log(2), scaleLatent.dtype, scaleLatent.device);
            // ScalarOwnership: TorchSharp's softplus makes its beta and threshold Scalars inside; it has no form that takes owned ones.
            return scope.MoveToOuter(torch.tensor(scale_lo, scaleLatent.dtype, scaleLatent.device).Plus(span * torch.nn.functional.softplus(scaleLatent)));
        }

        /// <summary>−log p(input − target | α, c), reduced.</summary>
        /// <exception cref="ArgumentException">num_dims &gt; 1 and the last dimension of input − target is not num_dims.</exception>
        public override Tensor forward(Tensor input, Tensor target)
        {
            Check.Defined(input, nameof(input));
            Check.Defined(target, nameof(target));
            if (num_dims > 1)
            {
                var shape = Check.BroadcastShape(Tensors.Shape(input), Tensors.Shape(target));
                if (shape.Length == 0 || shape[^1] != num_dims)
                    throw new ArgumentException(
                        $"AdaptiveRobustLoss with num_dims = {num_dims} needs residuals whose last dimension is {num_dims}; got {Check.TorchSize(shape)}.",
                        nameof(input));
            }
            using var scope = torch.NewDisposeScope();
            var alpha = this.alpha();
            var scale = this.scale();
            var result = Pointwise(input, target, reduction, "AdaptiveRobustLoss", null,
                (x, y) => nn.functional.BarronNll(x - y, Tensors.InType(alpha, x.dtype), Tensors.InType(scale, x.dtype)));
            return scope.MoveToOuter(result);
        }
    }
}
