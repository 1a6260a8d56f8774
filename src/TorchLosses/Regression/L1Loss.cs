using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates an <see cref="Modules.L1Loss"/> (mean absolute error).</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static L1Loss L1Loss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(reduction);

        /// <summary>Creates an <see cref="Modules.L1Loss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        public static L1Loss L1Loss(bool? size_average, bool? reduce, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(Reductions.LegacyOr(size_average, reduce, reduction, "l1_loss"));

        public static partial class functional
        {
            /// <summary>
            /// L1 loss (mean absolute error), PyTorch's <c>F.l1_loss</c>.
            /// <para>Per element: ℓ = |input − target|.</para>
            /// <para>Gradient: ∂ℓ/∂input = sgn(d) with sgn(0) = 0 and sgn(NaN) = 0 (as libtorch's <c>abs</c>
            /// backward); ∂ℓ/∂target = −∂ℓ/∂input.</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the number of
            /// elements (NaN for an empty input); sum adds. Integer inputs work with none and sum, as in PyTorch.</para>
            /// <para>Relations: the β → 0 limit of SmoothL1, and SmoothL1 at β = 0 exactly (PyTorch's smooth_l1_loss calls l1_loss there).</para>
            /// </summary>
            /// <param name="input">Prediction, any shape.</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/> (a warning is raised when the sizes differ).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">input and target cannot be broadcast together.</exception>
            public static Tensor l1_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                AbsoluteError(input, target, reduction, "l1_loss");

            /// <summary>L1 loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="l1_loss(Tensor, Tensor, torch.nn.Reduction)"/>
            public static Tensor l1_loss(Tensor input, Tensor target, bool? size_average, bool? reduce,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                l1_loss(input, target, Reductions.LegacyOr(size_average, reduce, reduction, "l1_loss"));

            /// <summary>
            /// L1's computation: |input − target|, reduced, with its gradient sgn(d)·upstream rounded as libtorch 2.10 rounds it
            /// (l1_loss there is composed of abs and the reduction). smooth_l1_loss runs it at β = 0, as PyTorch's does;
            /// <paramref name="loss"/> names the functional in the broadcast warning.
            /// </summary>
            internal static Tensor AbsoluteError(Tensor input, Tensor target, torch.nn.Reduction reduction, string loss) =>
                PointwiseLoss.Compute(input, target, reduction, loss, "l1_loss", supported: null,
                    validateParameters: null, (x, y) => (x - y).abs(),
                    (kind, differentiable) => PairwiseGradientFunction.Apply(input, target, kind, differentiable,
                        (d, needGradient) => needGradient ? (d.abs(), d.sign()) : (d.abs_(), null), composite: true));
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// L1 loss as a module (PyTorch's <c>nn.L1Loss</c>); see
    /// <see cref="nn.functional.l1_loss(Tensor, Tensor, torch.nn.Reduction)"/>.
    /// </summary>
    public sealed class L1Loss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        public L1Loss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) { }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => nn.functional.l1_loss(input, target, reduction);
    }
}
