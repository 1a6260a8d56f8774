using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.HuberLoss"/>.</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="delta">Where the loss turns from quadratic to linear. Range: δ &gt; 0.</param>
        /// <remarks>PyTorch's parameter order (reduction, delta); TorchSharp's factory takes (delta, reduction).
        /// Like PyTorch, HuberLoss has no legacy <c>size_average</c>/<c>reduce</c> arguments.</remarks>
        public static HuberLoss HuberLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double delta = 1.0) =>
            new(reduction, delta);

        public static partial class functional
        {
            /// <summary>
            /// Huber loss (Huber, 1964), PyTorch's <c>F.huber_loss</c>.
            /// <para>Per element, with d = input − target:
            /// ℓ(d) = 0.5·d² if |d| &lt; δ, and δ·(|d| − 0.5·δ) otherwise.</para>
            /// <para>Gradient: ∂ℓ/∂input = clamp(d, −δ, δ): d inside, ±δ outside and at |d| = δ;
            /// ∂ℓ/∂target = −∂ℓ/∂input.</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the number of
            /// elements (NaN for an empty input); sum adds. The result has the input's element type (a libtorch quirk
            /// kept here: a float32 input with a float64 target gives float32).</para>
            /// <para>Relations: Huber(δ) = δ·SmoothL1(β = δ); as δ → ∞ it tends to ½·MSE, as δ → 0 to 0.
            /// The slope of the linear part is δ.</para>
            /// </summary>
            /// <param name="input">Prediction, any shape, floating point.</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/> (a warning is raised when the sizes differ).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="delta">Range: δ &gt; 0 (0, −0 and NaN are rejected); +∞ gives 0.5·d² everywhere. A δ that the tensor's type
            /// cannot hold (1e-46 or 1e39 in float32) acts as libtorch's kernel makes it act: rounded to 0 (the loss is 0) or to ∞
            /// (the loss is 0.5·d²) in the forward, exact in the gradient.</param>
            /// <exception cref="ArgumentOutOfRangeException">δ ≤ 0 or NaN; reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">input and target cannot be broadcast together.</exception>
            /// <exception cref="ArgumentException">the element type is not floating point.</exception>
            public static Tensor huber_loss(Tensor input, Tensor target,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double delta = 1.0) =>
                PointwiseLoss.Compute(input, target, reduction, "huber_loss", "huber_cpu", Check.AllFloating,
                    () => ValidateHuber(input, target, delta), (x, y) => HuberElementwise(x, y, delta),
                    (kind, differentiable) => PairwiseGradientFunction.Apply(input, target, kind, differentiable, (d, _) => HuberAnalytic(d, delta)));

            /// <summary>δ, then the kernel's output: the input's type, which a bool input cannot hold (libtorch's cast error).</summary>
            private static void ValidateHuber(Tensor input, Tensor target, double delta)
            {
                ValidateDelta(delta);
                if (input.dtype == torch.ScalarType.Bool && target.dtype != torch.ScalarType.Bool)
                    throw new ArgumentException(
                        $"result type {Check.TorchTypeName(torch.promote_types(input.dtype, target.dtype))} can't be cast to the desired output type Bool",
                        nameof(input));
            }

            private static void ValidateDelta(double delta)
            {
                if (!(delta > 0))
                    throw new ArgumentOutOfRangeException(nameof(delta), delta,
                        "huber_loss does not support non-positive values for delta.");
            }

            /// <summary>
            /// The analytic path (float32, float64): the per-element loss, computed in place in d, and its slope,
            /// <see cref="ClampedQuadratic.Analytic"/> with b = δ and k = 1: libtorch's kernel to the bit. For a δ the type
            /// rounds to 0 or ∞ (float32 beyond its range; δ = +∞) the same values, and the slope with δ itself
            /// (<see cref="ClampedQuadratic.ExactSlope"/>): ±δ·upstream at d = ±∞, finite where it fits.
            /// </summary>
            internal static (Tensor loss, Tensor gradient) HuberAnalytic(Tensor d, double delta)
            {
                double b = ClampedQuadratic.AsKernelHoldsIt(delta, d.dtype);
                if (b > 0 && double.IsFinite(b)) return ClampedQuadratic.Analytic(d, b, 1);
                var slope = ClampedQuadratic.ExactSlope(d, delta, 1);
                return (ClampedQuadratic.Analytic(d, b, 1).loss, slope);
            }

            /// <summary>
            /// The per-element Huber loss for autograd, in the input's dtype, in the arithmetic of libtorch 2.10's kernels:
            /// <see cref="ClampedQuadratic.Differentiable"/> with b = δ and k = 1, whose values are the kernel's expression to the
            /// bit, in the promoted type: the kernels round every operation to it, forward and backward, float16 and bfloat16
            /// included, except the float16 forward, which works in float32 and rounds once (<see cref="HalfHuber"/>). For a δ
            /// the type rounds to 0 or ∞, the kernel's values with the rounded δ plus a zero that carries the float64 form's
            /// graph with δ itself (<see cref="ClampedQuadratic.ExactSlope"/>); at d = ±∞ that zero is NaN, the kernel's value there.
            /// </summary>
            internal static Tensor HuberElementwise(Tensor input, Tensor target, double delta)
            {
                var type = torch.promote_types(input.dtype, target.dtype);
                double b = ClampedQuadratic.AsKernelHoldsIt(delta, type);
                Tensor loss;
                if (type == torch.ScalarType.Float16) loss = HalfHuber(PointwiseLoss.BroadcastToFloat32(input, target), delta);
                else if (b > 0 && double.IsFinite(b)) loss = ClampedQuadratic.Differentiable(input - target, b, 1);
                else
                {
                    var exact = ClampedQuadratic.Differentiable((input - target).to(torch.ScalarType.Float64), delta, 1);
                    loss = ClampedQuadratic.Analytic(input.detach() - target.detach(), b, 1).loss.Plus((exact - exact.detach()).to(type));
                }
                return Tensors.InType(loss, input.dtype);
            }

            /// <summary>
            /// float16 Huber from float32 copies of the operands (<see cref="PointwiseLoss.BroadcastToFloat32"/>): the values of the
            /// forward kernel (float32, rounded once) with the gradient of the backward kernel, which starts from input − target
            /// rounded to float16 and rounds its one product (slope·upstream) to float16; computed in float32, that product is
            /// exact and rounds once on its way back. Where input − target exceeds float16's range the slope is ±δ whatever its
            /// size, so it stays in float32 there and the forward's finite value stands.
            /// </summary>
            private static Tensor HalfHuber((Tensor x, Tensor y) operands, double delta)
            {
                var (x, y) = operands;
                var values = ClampedQuadratic.Analytic(x.detach() - y.detach(), ClampedQuadratic.AsKernelHoldsIt(delta, x.dtype), 1).loss;
                var d = x - y;
                var inBackward = torch.where(d.detach().abs() <= Scalars.LargestFloat16, d.to(torch.ScalarType.Float16).to(x.dtype), d);
                var loss = ClampedQuadratic.Differentiable(inBackward, ClampedQuadratic.AsKernelHoldsIt(delta, torch.ScalarType.Float16), 1);
                return ValuesWithGradient.Of(values.to(torch.ScalarType.Float16), loss.to(torch.ScalarType.Float16));
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Huber loss as a module (PyTorch's <c>nn.HuberLoss</c>); see
    /// <see cref="nn.functional.huber_loss(Tensor, Tensor, torch.nn.Reduction, double)"/> for the formula,
    /// gradient and ranges.
    /// </summary>
    public sealed class HuberLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="delta">Range: δ &gt; 0. Checked when the loss is computed, as in PyTorch.</param>
        public HuberLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double delta = 1.0) : base(reduction) =>
            this.delta = delta;

        /// <summary>Where the loss turns from quadratic to linear.</summary>
        public double delta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.huber_loss(input, target, reduction, delta);
    }
}
