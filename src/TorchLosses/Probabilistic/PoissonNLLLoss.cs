using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.PoissonNLLLoss"/>: the negative log-likelihood of a Poisson-distributed target.</summary>
        /// <param name="log_input">Whether the input is log λ (default) or λ itself.</param>
        /// <param name="full">Whether to add Stirling's approximation of log(y!).</param>
        /// <param name="eps">Added to λ before the log when <paramref name="log_input"/> is false. Range: any double (default 1e-8).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static PoissonNLLLoss PoissonNLLLoss(bool log_input = true, bool full = false, double eps = 1e-8,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(log_input, full, eps, reduction);

        /// <summary>Creates a <see cref="Modules.PoissonNLLLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair
        /// (PyTorch's parameter order; they override <paramref name="reduction"/>).</summary>
        /// <param name="log_input">Whether the input is log λ or λ.</param>
        /// <param name="full">Whether to add Stirling's term.</param>
        /// <param name="size_average">Deprecated: false sums instead of averaging.</param>
        /// <param name="eps">Added to λ before the log when <paramref name="log_input"/> is false.</param>
        /// <param name="reduce">Deprecated: false returns per-element losses.</param>
        /// <param name="reduction">Used only when both legacy arguments are null.</param>
        public static PoissonNLLLoss PoissonNLLLoss(bool log_input, bool full, bool? size_average, double eps = 1e-8,
            bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(log_input, full, eps, Reductions.LegacyOr(size_average, reduce, reduction, "poisson_nll_loss"));

        public static partial class functional
        {
            /// <summary>
            /// Poisson negative log-likelihood loss, PyTorch's <c>F.poisson_nll_loss</c> (an ATen composite in 1.13,
            /// whose operations this mirrors one for one, so values and gradients match it).
            /// <para>Per element, with x = input and y = target: ℓ = exp(x) − y·x when <paramref name="log_input"/>
            /// (x = log λ), otherwise ℓ = x − y·log(x + eps) (x = λ; a negative x gives NaN). This is −log P(y | λ)
            /// without the log(y!) term. With <paramref name="full"/>, Stirling's approximation
            /// y·log y − y + 0.5·log(2πy) is added where y &gt; 1 (0 where y ≤ 1, by masked_fill).</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the element count (NaN for
            /// none); sum adds.</para>
            /// <para>Gradient: ∂ℓ/∂x = exp(x) − y, or 1 − y/(x + eps); ∂ℓ/∂y = −x, or −log(x + eps), plus
            /// log y + 1/(2y) where y &gt; 1 with <paramref name="full"/>. With <paramref name="full"/>, ∂ℓ/∂y is
            /// NaN at y = 0 and for y &lt; 0, exactly as in PyTorch (0·log 0 leaks through the masked branch).</para>
            /// <para>Relations: <c>poisson_nll_loss(exp(x), y, log_input: false)</c> equals
            /// <c>poisson_nll_loss(x, y)</c> up to the eps inside the log.</para>
            /// <para>No checks on the signs of input or target, and broadcasting is silent, as in PyTorch. TorchSharp
            /// passes <c>eps</c> as a float; here it is a double, as in PyTorch.</para>
            /// </summary>
            /// <param name="input">log λ (or λ when <paramref name="log_input"/> is false), any shape.</param>
            /// <param name="target">Observed counts, broadcastable with <paramref name="input"/>.</param>
            /// <param name="log_input">Whether the input is log λ (default true).</param>
            /// <param name="full">Whether to add Stirling's term (default false).</param>
            /// <param name="eps">Added to λ before the log when <paramref name="log_input"/> is false. Range: any double; default 1e-8.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">input and target cannot be broadcast together.</exception>
            public static Tensor poisson_nll_loss(Tensor input, Tensor target, bool log_input = true, bool full = false,
                double eps = 1e-8, torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                var kind = Reductions.Parse(reduction);
                Check.BroadcastShape(input.shape, target.shape);

                using var scope = torch.NewDisposeScope();
                var loss = log_input ? input.exp() - target * input : input - target * (input + eps).log();
                if (full)
                {
                    var stirling = target * target.log() - target + (target * (2 * Math.PI)).log() * 0.5;
                    loss = loss + stirling.masked_fill(target <= 1, 0);
                }
                return scope.MoveToOuter(Reductions.Apply(loss, kind));
            }

            /// <summary>Poisson NLL loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments, in PyTorch's
            /// parameter order (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="poisson_nll_loss(Tensor, Tensor, bool, bool, double, torch.nn.Reduction)"/>
            public static Tensor poisson_nll_loss(Tensor input, Tensor target, bool log_input, bool full, bool? size_average,
                double eps = 1e-8, bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                poisson_nll_loss(input, target, log_input, full, eps,
                    Reductions.LegacyOr(size_average, reduce, reduction, "poisson_nll_loss"));
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Poisson negative log-likelihood loss as a module (PyTorch's <c>nn.PoissonNLLLoss</c>); see
    /// <see cref="nn.functional.poisson_nll_loss(Tensor, Tensor, bool, bool, double, torch.nn.Reduction)"/>.
    /// </summary>
    public sealed class PoissonNLLLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="log_input">Whether the input is log λ (default) or λ.</param>
        /// <param name="full">Whether to add Stirling's term.</param>
        /// <param name="eps">Added to λ before the log when <paramref name="log_input"/> is false (default 1e-8).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public PoissonNLLLoss(bool log_input = true, bool full = false, double eps = 1e-8,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction)
        {
            this.log_input = log_input;
            this.full = full;
            this.eps = eps;
        }

        /// <summary>Whether the input is log λ.</summary>
        public bool log_input { get; }

        /// <summary>Whether Stirling's term is added.</summary>
        public bool full { get; }

        /// <summary>Added to λ before the log when <see cref="log_input"/> is false.</summary>
        public double eps { get; }

        /// <summary>The loss of the rate <paramref name="input"/> against the counts <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.poisson_nll_loss(input, target, log_input, full, eps, reduction);
    }
}
