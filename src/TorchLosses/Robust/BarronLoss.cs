using TorchLosses.Modules;
using static TorchLosses.RobustFrame;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.BarronLoss"/> with a fixed shape α and scale c.</summary>
        /// <param name="alpha">Shape. Range: any real α, ±∞ included (NaN is rejected).</param>
        /// <param name="scale">Scale c. Range: 0 &lt; c &lt; ∞.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static BarronLoss BarronLoss(double alpha, double scale = 1.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(alpha, scale, reduction);

        public static partial class functional
        {
            /// <summary>
            /// Barron's general robust loss (J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019,
            /// arXiv:1701.03077), with fixed α and c.
            /// <para>Per element, with x = input − target:
            /// ρ(x, α, c) = |α − 2|/α · (((x/c)²/|α − 2| + 1)^(α/2) − 1).</para>
            /// <para>Where that is 0/0 or ∞ the limit is taken: α = 2 gives ½(x/c)² (L2); α = 0 gives log(½(x/c)² + 1)
            /// (Cauchy/Lorentzian); α = −∞ gives 1 − exp(−½(x/c)²) (Welsch/Leclerc); α = +∞ gives exp(½(x/c)²) − 1.
            /// α = 1 is √((x/c)² + 1) − 1 (pseudo-Huber with δ = 1, "Charbonnier" in kornia and Barron) and α = −2 is
            /// 2(x/c)²/((x/c)² + 4) (Geman–McClure).</para>
            /// <para>How it stays finite near those points: with z = (x/c)², b = |α − 2| and L = log1p(z/b) the loss is
            /// (b·L/2)·φ(α·L/2), φ(u) = expm1(u)/u. b·L/2 is computed as (z/2)·log1p(w)/w (w = z/b, a series below w = 0.05)
            /// when w &lt; 1, and as (b/2)·(2·log|x/c| − log b + log1p(b/z)) otherwise, so (x/c)² may overflow (float32 at
            /// |x/c| ≳ 1.8e19) without the loss doing so; φ is a series for |u| &lt; 0.1, so α = 0 needs no special case and its
            /// α-gradient does not cancel; elsewhere the loss is expm1(u)·b/α. α = 2 is selected exactly (the general branch runs
            /// on a substitute α there); b is clamped below by the type's machine epsilon, as in Barron's code, so α within
            /// epsilon of 2 is computed as α = 2 ± epsilon. Every branch a where() does not select gets a safe argument, so no
            /// NaN reaches a gradient. Where the loss itself overflows its type (α ≥ 1 at |x/c| beyond about 1e19 in
            /// float32) its value is ∞ and its gradient ∞ or NaN, not a finite number.</para>
            /// <para>Gradient: ∂ρ/∂x = (x/c²)·((x/c)²/|α − 2| + 1)^(α/2 − 1); ∂ρ/∂c = −(x/c)·∂ρ/∂x; ∂ρ/∂α by autograd through the
            /// composition above (finite everywhere except at α = 2, where it diverges like log|α − 2|, a property of ρ itself).
            /// All three are differentiable again.</para>
            /// <para>Reduction: none keeps the broadcast shape of x, α and c; mean divides the sum by the element count
            /// (NaN for none); sum adds. float16/bfloat16 are computed in float32 and rounded once.</para>
            /// </summary>
            /// <param name="input">Prediction, floating point, any shape.</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/> (a warning is raised when the sizes differ).</param>
            /// <param name="alpha">Shape α, broadcastable against input − target. Range: any real, ±∞ included; NaN is rejected.
            /// Converted to the loss's working type (gradients flow back to it).</param>
            /// <param name="scale">Scale c, broadcastable against input − target. Range: 0 &lt; c &lt; ∞.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentException">α holds NaN, c is not in (0, ∞), or the shapes cannot be broadcast.</exception>
            /// <exception cref="ArgumentException">A tensor is not floating point (naming it).</exception>
            public static Tensor barron_loss(Tensor input, Tensor target, Tensor alpha, Tensor scale,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                WithBarronParameters(input, target, alpha, scale, reduction, "barron_loss", ValidateAlpha, Barron.Rho);

            /// <summary>
            /// The frame of the losses of Barron's family with tensor α and c: checks (null, floating, broadcast, α by
            /// <paramref name="validateAlpha"/>, c in (0, ∞)), then <paramref name="elementwise"/>(x, α, c) with α and c in the
            /// working type, and the reduction.
            /// </summary>
            internal static Tensor WithBarronParameters(Tensor input, Tensor target, Tensor alpha, Tensor scale,
                torch.nn.Reduction reduction, string loss, Action<Tensor> validateAlpha, Func<Tensor, Tensor, Tensor, Tensor> elementwise)
            {
                Check.Defined(alpha, nameof(alpha));
                Check.Defined(scale, nameof(scale));
                Check.Floating(alpha, nameof(alpha), loss);
                Check.Floating(scale, nameof(scale), loss);
                return Pointwise(input, target, reduction, loss, (x, y) =>
                    {
                        var shape = Check.BroadcastShape(Check.BroadcastShape(Tensors.Shape(x), Tensors.Shape(y)), Tensors.Shape(alpha), nameof(alpha));
                        Check.BroadcastShape(shape, Tensors.Shape(scale), nameof(scale));
                        validateAlpha(alpha);
                        ValidateScale(scale, loss);
                    },
                    (x, y) => elementwise(x - y, Tensors.InType(alpha, x.dtype), Tensors.InType(scale, x.dtype)));
            }

            /// <summary>Barron's general robust loss with a fixed α and c (see the tensor overload for the formula).</summary>
            /// <inheritdoc cref="barron_loss(Tensor, Tensor, Tensor, Tensor, torch.nn.Reduction)"/>
            public static Tensor barron_loss(Tensor input, Tensor target, double alpha, double scale = 1.0,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                Pointwise(input, target, reduction, "barron_loss", (_, _) =>
                    {
                        if (double.IsNaN(alpha)) throw new ArgumentException("barron_loss: alpha must not be NaN.", nameof(alpha));
                        if (!(scale > 0 && double.IsFinite(scale)))
                            throw new ArgumentOutOfRangeException(nameof(scale), scale, "barron_loss: scale must be positive and finite.");
                    },
                    (x, y) => Barron.Rho(x - y, Tensors.Constant(alpha, x), Tensors.Constant(scale, x)));

            private static void ValidateAlpha(Tensor alpha)
            {
                using var scope = torch.NewDisposeScope();
                if (alpha.detach().isnan().any().item<bool>())
                    throw new ArgumentException("barron_loss: alpha must not be NaN.", nameof(alpha));
            }

            private static void ValidateScale(Tensor scale, string loss)
            {
                using var scope = torch.NewDisposeScope();
                var detached = scale.detach();
                if (!detached.gt(Tensors.Constant(0, detached)).logical_and(detached.isfinite()).all().item<bool>())
                    throw new ArgumentException($"{loss}: scale must be positive and finite everywhere.", nameof(scale));
            }
        }
    }

    /// <summary>The per-element ρ of Barron's loss, shared by <see cref="nn.functional.barron_loss(Tensor, Tensor, Tensor, Tensor, torch.nn.Reduction)"/>
    /// and the adaptive loss.</summary>
    internal static class Barron
    {
        /// <summary>
        /// ρ(x, α, c) on tensors of one floating type (broadcast together), in the stable form the functional's doc describes.
        /// </summary>
        internal static Tensor Rho(Tensor x, Tensor alpha, Tensor scale)
        {
            double epsilon = x.dtype == ScalarType.Float64 ? Math.Pow(2, -52) : Math.Pow(2, -23);
            var isTwo = alpha.detach().eq(Tensors.Constant(2, alpha));
            var a = torch.where(isTwo, Tensors.Constant(1, alpha), alpha);
            var infinite = a.detach().isinf();
            var finite = infinite.logical_not();
            var b = torch.maximum((a - Tensors.Constant(2, a)).abs(), Tensors.Constant(epsilon, a));
            var finiteB = Only(finite, b, 1);
            var ratio = torch.where(infinite, a.detach().sign(), Only(finite, a, 0) / finiteB);

            var t = x / scale;
            var z = t.pow(Scalars.Two);
            var w = torch.where(infinite, Tensors.Constant(0, z), z / finiteB);
            var moderate = w.detach().lt(Tensors.Constant(1, w));
            var large = moderate.logical_not();
            // b·log1p(w)/2 in two forms: (z/2)·log1p(w)/w below w = 1, (b/2)·(log w + log1p(1/w)) above, log w from |x/c|.
            var halfModerate = Only(moderate, z, 0) * Tensors.Constant(0.5, z) * RobustFrame.LogRatio(Only(moderate, w, 0));
            var bLarge = Only(large, finiteB, 1);
            var logW = Tensors.Constant(2, z) * Only(large, t.abs(), 1).log() - bLarge.log();
            var halfLarge = Tensors.Constant(0.5, z) * bLarge * (logW.Plus((bLarge / Only(large, z, 1)).log1p()));
            var half = torch.where(moderate, halfModerate, halfLarge);

            var u = ratio * half;
            var near = u.detach().abs().lt(Tensors.Constant(0.1, u));
            var far = near.logical_not();
            var series = half * RobustFrame.ExpRatioNearZero(Only(near, u, 0));
            var general = RobustFrame.Expm1(Only(far, u, 1)) / Only(far, ratio, 1);
            var rho = torch.where(near, series, general);
            return torch.where(isTwo, Tensors.Constant(0.5, z) * z, rho);
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Barron's general robust loss with fixed α and c as a module; see
    /// <see cref="nn.functional.barron_loss(Tensor, Tensor, double, double, torch.nn.Reduction)"/> for the formula, gradient and
    /// ranges. For α and c learned with the model, use <see cref="AdaptiveRobustLoss"/>.
    /// </summary>
    public sealed class BarronLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="alpha">Shape. Range: any real α, ±∞ included (NaN is rejected when the loss is computed).</param>
        /// <param name="scale">Scale c. Range: 0 &lt; c &lt; ∞.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public BarronLoss(double alpha, double scale = 1.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction)
        {
            this.alpha = alpha;
            this.scale = scale;
        }

        /// <summary>The shape α.</summary>
        public double alpha { get; }

        /// <summary>The scale c.</summary>
        public double scale { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.barron_loss(input, target, alpha, scale, reduction);
    }
}
