using TorchLosses.Modules;
using static TorchLosses.RobustFrame;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.QuantileLoss"/> for one quantile τ.</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="quantile">τ. Range: 0 &lt; τ &lt; 1 (default 0.5, the median).</param>
        public static QuantileLoss QuantileLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double quantile = 0.5) =>
            new(reduction, quantile);

        /// <summary>Creates a <see cref="Modules.QuantileLoss"/> for several quantiles, one prediction per quantile in the input's last
        /// dimension. The module keeps a copy of <paramref name="quantiles"/> as a buffer.</summary>
        /// <param name="quantiles">τ₁ … τ_Q, a 1-D floating tensor, each in (0, 1).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static QuantileLoss QuantileLoss(Tensor quantiles, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(quantiles, reduction);

        public static partial class functional
        {
            /// <summary>
            /// Quantile (pinball) loss (R. Koenker, G. Bassett, "Regression Quantiles", Econometrica 46(1), 1978;
            /// scikit-learn's <c>PinballLoss</c>, TensorFlow Addons' <c>pinball_loss</c>).
            /// <para>Per element, with u = target − input: ℓ = max(τ·u, (τ − 1)·u) = u·(τ − 1{u &lt; 0}). No factor 2 (as
            /// scikit-learn; newer pytorch-forecasting versions multiply by 2). Its minimiser over a constant input is the
            /// τ-quantile of the target.</para>
            /// <para>Gradient: ∂ℓ/∂input = −τ if u &gt; 0, 1 − τ if u &lt; 0, and −τ at u = 0 (a subgradient);
            /// ∂ℓ/∂target = −∂ℓ/∂input.</para>
            /// <para>Relations: τ = 0.5 gives half of L1 (|u|/2).</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the element count (NaN for none); sum adds.</para>
            /// </summary>
            /// <param name="input">Prediction, floating point, any shape.</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/> (a warning is raised when the sizes differ).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="quantile">τ. Range: 0 &lt; τ &lt; 1 (open, as scikit-learn's check).</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentOutOfRangeException">τ is not in (0, 1).</exception>
            /// <exception cref="ArgumentException">The shapes cannot be broadcast.</exception>
            /// <exception cref="ArgumentException">A tensor is not floating point (naming it).</exception>
            public static Tensor quantile_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
                double quantile = 0.5) =>
                Pointwise(input, target, reduction, "quantile_loss", (_, _) =>
                    {
                        if (!(quantile > 0 && quantile < 1))
                            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "quantile_loss: quantile must be in the open interval (0, 1).");
                    },
                    (x, y) => Pinball(y - x, Tensors.Constant(quantile, x)));

            /// <summary>
            /// Quantile (pinball) loss for several quantiles at once: the input's last dimension holds one prediction per
            /// quantile, τ_q = <paramref name="quantiles"/>[q]; per element ℓ = u·(τ_q − 1{u &lt; 0}), u = target − input.
            /// See the scalar overload for the gradient and the relations.
            /// </summary>
            /// <param name="input">Predictions, shape (…, Q), floating point.</param>
            /// <param name="target">Targets: shape (…) (one target per row, shared by its Q predictions), or broadcastable to
            /// <paramref name="input"/>.</param>
            /// <param name="quantiles">τ, a 1-D floating tensor of Q values, each in (0, 1) (in any order).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentException">quantiles is not 1-D of the input's last size, holds a value outside (0, 1),
            /// or the shapes cannot be broadcast.</exception>
            /// <exception cref="ArgumentException">A tensor is not floating point (naming it).</exception>
            public static Tensor quantile_loss(Tensor input, Tensor target, Tensor quantiles,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, nameof(input));
                Check.Defined(target, nameof(target));
                Check.Defined(quantiles, nameof(quantiles));
                Check.Floating(quantiles, nameof(quantiles), "quantile_loss");
                if (quantiles.dim() != 1 || input.dim() == 0 || Tensors.Shape(input)[^1] != quantiles.size(0))
                    throw new ArgumentException(
                        $"quantile_loss: quantiles must be 1-D with one value per prediction in the input's last dimension; got quantiles of shape {Check.TorchSize(quantiles)} for an input of shape {Check.TorchSize(input)}.",
                        nameof(quantiles));
                using (torch.NewDisposeScope())
                {
                    var q = quantiles.detach();
                    if (!q.gt(Tensors.Constant(0, q)).logical_and(q.lt(Tensors.Constant(1, q))).all().item<bool>())
                        throw new ArgumentException("quantile_loss: every quantile must be in the open interval (0, 1).", nameof(quantiles));
                }
                bool perRow = target.dim() == input.dim() - 1 && Check.SameShape(Tensors.Shape(target), Tensors.Shape(input)[..^1]);
                using var scope = torch.NewDisposeScope();
                var expanded = perRow ? target.unsqueeze(-1).expand(Tensors.Shape(input)) : target;
                var result = Pointwise(input, expanded, reduction, "quantile_loss", null, (x, y) => Pinball(y - x, Tensors.InType(quantiles, x.dtype)));
                return scope.MoveToOuter(result);
            }

            /// <summary>u·(τ − 1{u &lt; 0}).</summary>
            private static Tensor Pinball(Tensor u, Tensor tau) => u * (tau - u.detach().lt(Tensors.Constant(0, u)).to(u.dtype));
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>Quantile (pinball) loss as a module, for one quantile or for one per prediction in the input's last dimension; see
    /// <see cref="nn.functional.quantile_loss(Tensor, Tensor, torch.nn.Reduction, double)"/>.</summary>
    public sealed class QuantileLoss : Loss<Tensor, Tensor, Tensor>
    {
        private readonly Tensor? quantilesBuffer;

        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="quantile">τ. Range: 0 &lt; τ &lt; 1 (checked when the loss is computed).</param>
        public QuantileLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double quantile = 0.5) : base(reduction) =>
            this.quantile = quantile;

        /// <param name="quantiles">τ₁ … τ_Q, 1-D, each in (0, 1); copied into a registered buffer named "quantiles".</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public QuantileLoss(Tensor quantiles, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction)
        {
            Check.Defined(quantiles, nameof(quantiles));
            quantile = double.NaN;
            quantilesBuffer = quantiles.detach().clone();
            register_buffer("quantiles", quantilesBuffer);
        }

        /// <summary>The single quantile τ (NaN when the module holds a tensor of quantiles).</summary>
        public double quantile { get; }

        /// <summary>The quantiles, one per prediction in the input's last dimension (null for a single quantile).</summary>
        public Tensor? quantiles => quantilesBuffer;

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => quantilesBuffer is null
            ? nn.functional.quantile_loss(input, target, reduction, quantile)
            : nn.functional.quantile_loss(input, target, quantilesBuffer, reduction);

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing) quantilesBuffer?.Dispose();
            base.Dispose(disposing);
        }
    }
}
