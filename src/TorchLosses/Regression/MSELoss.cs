using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates an <see cref="Modules.MSELoss"/> (mean squared error).</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static MSELoss MSELoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(reduction);

        /// <summary>Creates an <see cref="Modules.MSELoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        public static MSELoss MSELoss(bool? size_average, bool? reduce, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(Reductions.LegacyOr(size_average, reduce, reduction, "mse_loss"));

        public static partial class functional
        {
            /// <summary>
            /// Mean squared error, PyTorch's <c>F.mse_loss</c>.
            /// <para>Per element: ℓ = (input − target)².</para>
            /// <para>Gradient: ∂ℓ/∂input = 2·(input − target); ∂ℓ/∂target = −∂ℓ/∂input.</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the number of
            /// elements (NaN for an empty input); sum adds.</para>
            /// <para>Relations: 2·Huber(δ) → MSE as δ → ∞.</para>
            /// </summary>
            /// <param name="input">Prediction, any shape, floating point (float16, bfloat16, float32, float64, as libtorch 2.10's
            /// kernel; 1.13's had no bfloat16).</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/> (a warning is raised when the sizes differ).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">input and target cannot be broadcast together.</exception>
            /// <exception cref="ArgumentException">the element type is not floating point.</exception>
            public static Tensor mse_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                PointwiseLoss.Compute(input, target, reduction, "mse_loss", "mse_cpu", Check.AllFloating,
                    validateParameters: null, (x, y) => (x - y).pow(Scalars.Two),
                    (kind, differentiable) => PairwiseGradientFunction.Apply(input, target, kind, differentiable, (d, needGradient) => needGradient ? (d.pow(Scalars.Two), d) : (d.mul_(d), null),
                        gradientScale: 2));

            /// <summary>Mean squared error with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="mse_loss(Tensor, Tensor, torch.nn.Reduction)"/>
            public static Tensor mse_loss(Tensor input, Tensor target, bool? size_average, bool? reduce,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                mse_loss(input, target, Reductions.LegacyOr(size_average, reduce, reduction, "mse_loss"));
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Mean squared error as a module (PyTorch's <c>nn.MSELoss</c>); see
    /// <see cref="nn.functional.mse_loss(Tensor, Tensor, torch.nn.Reduction)"/>.
    /// </summary>
    public sealed class MSELoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        public MSELoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) { }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => nn.functional.mse_loss(input, target, reduction);
    }
}
