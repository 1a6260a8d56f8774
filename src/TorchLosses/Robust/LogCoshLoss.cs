using TorchLosses.Modules;
using static TorchLosses.RobustFrame;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.LogCoshLoss"/>.</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static LogCoshLoss LogCoshLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(reduction);

        public static partial class functional
        {
            /// <summary>
            /// Log-cosh loss (Keras <c>LogCosh</c>, optax <c>log_cosh</c>; as a robust loss in e.g. P. Chen et al.,
            /// "Log Hyperbolic Cosine Loss Improves Variational Auto-Encoder", 2019).
            /// <para>Per element, with d = input − target: ℓ = log cosh(d), ≈ ½d² for small |d| and ≈ |d| − log 2 for large |d|.</para>
            /// <para>Computed without overflow: log1p(2·sinh²(d/2)) for |d| &lt; 1 (cosh d − 1 = 2 sinh²(d/2): no cancellation,
            /// so ½d² is exact to rounding near 0), and |d| + softplus(−2|d|) − log 2 for |d| ≥ 1 (finite for |d| = 1e4 in float32,
            /// where cosh overflows beyond |d| ≈ 89).</para>
            /// <para>Gradient: ∂ℓ/∂input = tanh(d), ∂ℓ/∂target = −tanh(d); second derivative 1 − tanh²(d).</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the element count (NaN for none); sum adds.
            /// Keras averages over the last axis instead; here the reduction is PyTorch's.</para>
            /// </summary>
            /// <param name="input">Prediction, floating point, any shape.</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/> (a warning is raised when the sizes differ).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentException">The shapes cannot be broadcast.</exception>
            /// <exception cref="ArgumentException">A tensor is not floating point (naming it).</exception>
            public static Tensor log_cosh_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                Pointwise(input, target, reduction, "log_cosh_loss", null, (x, y) => LogCosh(x - y));

            internal static Tensor LogCosh(Tensor d)
            {
                var small = d.detach().abs().lt(Tensors.Constant(1, d));
                var large = small.logical_not();
                var inner = Only(small, d, 0);
                var half = (inner * Tensors.Constant(0.5, d)).sinh();
                var nearZero = (Tensors.Constant(2, d) * half.pow(Scalars.Two)).log1p();
                var magnitude = Only(large, d, 1).abs();
                // ScalarOwnership: TorchSharp's softplus makes its beta and threshold Scalars inside; it has no form that takes owned ones.
                var farOut = magnitude.Plus(torch.nn.functional.softplus(Tensors.Constant(-2, d) * magnitude)) - Tensors.Constant(Math.Log(2), d);
                return torch.where(small, nearZero, farOut);
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>Log-cosh loss as a module; see <see cref="nn.functional.log_cosh_loss"/> for the formula, gradient and ranges.</summary>
    public sealed class LogCoshLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        public LogCoshLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) { }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => nn.functional.log_cosh_loss(input, target, reduction);
    }
}
