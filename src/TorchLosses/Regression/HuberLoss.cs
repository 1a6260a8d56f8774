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
            /// <param name="delta">Range: δ &gt; 0 (0, −0 and NaN are rejected); +∞ gives 0.5·d² everywhere.</param>
            /// <exception cref="ArgumentOutOfRangeException">δ ≤ 0 or NaN; reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">input and target cannot be broadcast together.</exception>
            /// <exception cref="NotSupportedException">the element type is not floating point.</exception>
            public static Tensor huber_loss(Tensor input, Tensor target,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double delta = 1.0) =>
                PointwiseLoss.Compute(input, target, reduction, "huber_loss", "huber_cpu", Check.AllFloating,
                    () => ValidateDelta(delta), (x, y) => HuberElementwise(x, y, delta),
                    kind => PairwiseGradientFunction.Apply(input, target, kind, (d, _) => ClampedQuadratic(d, delta)));

            private static void ValidateDelta(double delta)
            {
                if (!(delta > 0))
                    throw new ArgumentOutOfRangeException(nameof(delta), delta,
                        "huber_loss does not support non-positive values for delta.");
            }

            /// <summary>
            /// The per-element Huber loss, <see cref="QuadraticThenLinear"/> of d = input − target, in the input's dtype.
            /// </summary>
            internal static Tensor HuberElementwise(Tensor input, Tensor target, double delta)
            {
                var loss = QuadraticThenLinear(input - target, delta);
                return loss.dtype == input.dtype ? loss : loss.to(input.dtype);
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
