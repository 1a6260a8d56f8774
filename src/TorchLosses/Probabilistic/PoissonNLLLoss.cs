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
            /// Poisson negative log-likelihood loss, PyTorch's <c>F.poisson_nll_loss</c> (an ATen composite in libtorch 2.10, as in 1.13,
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
            /// <para>No checks on the signs of input or target, and broadcasting is silent, as in PyTorch. TorchSharp's own
            /// <c>poisson_nll_loss</c> differs: it passes <c>eps</c> as a float where libtorch reads a double (an effective eps of
            /// about 4e-315 whatever is asked); here it is a double, as in PyTorch.</para>
            /// </summary>
            /// <remarks>
            /// Gradient paths (see <see cref="LossGradients"/>). In <see cref="GradientMode.Analytic"/> (the default), with
            /// input and target of one shape and one dtype, float32 or float64, a custom autograd function computes the
            /// composite's value (e^x − y·x: 3 kernels, e^x kept for backward when the input requires grad; x − y·log(x + eps):
            /// 4 kernels, log(x + eps) kept when the target requires grad; Stirling's term: 9 more) and its backward evaluates
            /// (e^x − y)·g or g − (y·g)/(x + eps), and −x·g or −log(x + eps)·g, plus [y &gt; 1]·(log y + 1/(2y))·g with full
            /// (autograd's NaN at y ≤ 0 and y = ∞ included), with g the upstream gradient (÷ numel for mean), in autograd's
            /// order of operations so that float32 overflow lands alike. Under
            /// create_graph (a second derivative requested) the backward differentiates, with recorded ops, the composite that
            /// <see cref="GradientMode.Autograd"/> uses (the path also taken for broadcasting, bfloat16 and mixed dtypes).
            /// </remarks>
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
                Check.Defined(input, target);
                var kind = Reductions.Parse(reduction);
                // libtorch's first broadcasting op multiplies target by input: its message names the target as tensor a.
                Check.BroadcastShape(Tensors.Shape(target), Tensors.Shape(input));
                // libtorch's bool refusals in its subtractions: input − target·log(input + eps), then y·log y − y.
                if (!log_input) Check.SubtractsNoBool(input, nameof(input));
                if (full) Check.SubtractsNoBool(target, nameof(target));

                using var scope = torch.NewDisposeScope();
                if (LossGradients.AnalyticApplies(input, target))
                    return scope.MoveToOuter(PoissonNllFunction.Apply(input, target, log_input, full, eps, kind));
                return scope.MoveToOuter(PoissonNllComposite(input, target, log_input, full, eps, kind));
            }

            /// <summary>The autograd form of the Poisson negative log likelihood: recorded ops, so autograd gives every derivative.</summary>
            internal static Tensor PoissonNllComposite(Tensor input, Tensor target, bool log_input, bool full, double eps, ReductionKind kind)
            {
                // The ops are recorded in libtorch's order (its C++ composite evaluates the right operand of each operator first:
                // y·x before exp(x), ½·log(2πy) before y·log y), so autograd accumulates the gradients in the same order and
                // bfloat16 rounds them alike.
                Tensor loss;
                using var epsScalar = eps.ToScalar();
                if (log_input)
                {
                    var product = target * input;
                    loss = input.exp() - product;
                }
                else loss = input - target * (input.Plus(epsScalar)).log();
                if (full)
                {
                    var halfLog = (target * Scalars.TwoPi).log() * Scalars.Half;
                    var stirling = (target * target.log() - target).Plus(halfLog);
                    // libtorch adds in place (loss +=): the sum keeps the loss's type (bfloat16 against an integer target's float32).
                    var total = loss.Plus(stirling.masked_fill(target <= Scalars.One, Scalars.Zero));
                    loss = Tensors.InType(total, loss.dtype);
                }
                return Reductions.Apply(loss, kind);
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

namespace TorchLosses
{
    /// <summary>
    /// The analytic-gradient form of <see cref="nn.functional.poisson_nll_loss(Tensor, Tensor, bool, bool, double, torch.nn.Reduction)"/>
    /// for an input and target of one float32/float64 dtype and shape. Forward, ATen's composite: ℓ = e^x − y·x
    /// (3 kernels, 2 N-sized temporaries, 3 when the input requires grad: e^x is kept for backward), or
    /// ℓ = x − y·log(x + eps) (4 kernels, 3 temporaries; log(x + eps) is kept when the target requires grad), the
    /// products separate as in ATen (no fused multiply-add, which would not overflow where ATen's product does); with
    /// full, Stirling's term y·log y − y + ½·log(2πy), zeroed where y ≤ 1, is added (9 kernels, 2 N-sized temporaries and a bool mask).
    /// Backward (g the upstream gradient, ÷ numel for mean), in autograd's order of operations: ∂/∂x = (e^x − y)·g (2 kernels)
    /// or g − (y·g)/(x + eps) (5 kernels); ∂/∂y = −x·g or −log(x + eps)·g (1 kernel), plus, with full and gm = g masked to 0
    /// where y ≤ 1, gm·log y + (gm·y)/y − gm + ((½gm)/(2πy))·2π (the value of [y &gt; 1]·(log y + 1/(2y))·g),
    /// which keeps autograd's NaN where the masked branch is NaN (y ≤ 0, y = ∞). Under create_graph the backward
    /// differentiates <see cref="nn.functional.PoissonNllComposite"/> of the saved operands instead.
    /// </summary>
    internal sealed class PoissonNllFunction : torch.autograd.SingleTensorFunction<PoissonNllFunction>
    {
        public override string Name => nameof(PoissonNllFunction);

        /// <summary>The loss; through the custom function when autograd records it.</summary>
        internal static Tensor Apply(Tensor input, Tensor target, bool logInput, bool full, double eps, ReductionKind reduction) =>
            AnalyticGradient.Recorded(input, target)
                ? apply(input, target, logInput, full, eps, reduction)
                : Forward(input, target, logInput, full, eps, reduction, keep: false).loss;

        /// <summary>The reduced loss and, when <paramref name="keep"/> is set, e^x (log form) or log(x + eps) (rate form).</summary>
        private static (Tensor loss, Tensor? kept) Forward(Tensor x, Tensor y, bool logInput, bool full, double eps,
            ReductionKind reduction, bool keep)
        {
            using var epsScalar = eps.ToScalar();
            var kept = logInput ? x.exp() : (x.Plus(epsScalar)).log_();
            // y·x (y·log(x + eps)) as a product of its own, as ATen's composite: a fused multiply-add would not overflow
            // where libtorch's product does (e^x − y·x at x = y = 1e30 in float32 is ∞ − ∞ = NaN there).
            var loss = logInput
                ? keep ? kept - y * x : kept.sub_(y * x)
                : x - y * kept;
            if (full)
                loss.add_(y.log().mul_(y).sub_(y).add_((y * Scalars.TwoPi).log_(), Scalars.Half).masked_fill_(y.le(Scalars.One), Scalars.Zero), Scalars.One);
            return (Reductions.Apply(loss, reduction), keep ? kept : null);
        }

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var (x, y) = ((Tensor)vars[0]!, (Tensor)vars[1]!);
            var (logInput, full, eps, reduction) = ((bool)vars[2]!, (bool)vars[3]!, (double)vars[4]!, (ReductionKind)vars[5]!);
            bool needInput = x.requires_grad, needTarget = y.requires_grad;
            // Kept: e^x when the input needs its gradient (log form), log(x + eps) when the target does (rate form).
            var (loss, kept) = Forward(x, y, logInput, full, eps, reduction, keep: logInput ? needInput : needTarget);
            ctx.save_for_backward(new() { x, y, kept });
            ctx.save_data("reduction", reduction);
            ctx.save_data("factor", AnalyticGradient.Factor(reduction, x));
            ctx.save_data("options", (logInput, full, eps));
            ctx.save_data("needs", (needInput, needTarget));
            return loss;
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
            => AnalyticGradient.Backward(grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, y, kept) = (saved[0]!, saved[1], saved[2]);
                var (logInput, full, eps) = ((bool, bool, double))ctx.get_data("options")!;
                var (needInput, needTarget) = ((bool, bool))ctx.get_data("needs")!;
                if (AnalyticGradient.GraphRequested)
                    return AnalyticGradient.Differentiable(grad_output, 6, new[] { needInput ? x : null, needTarget ? y : null },
                        () => nn.functional.PoissonNllComposite(x, y!, logInput, full, eps, (ReductionKind)ctx.get_data("reduction")!));
                var g = AnalyticGradient.Upstream(grad_output, (double)ctx.get_data("factor")!);
                Tensor? dx = null, dy = null;
                using var epsScalar = eps.ToScalar();
                // In autograd's order of operations (products with g before the divisions), so that float32 overflow and
                // underflow of the intermediates land as in PyTorch.
                if (needInput)
                    dx = logInput ? kept!.sub(y!).mul_(g) : (y! * g).div_(x.Plus(epsScalar)).neg_().add_(g, Scalars.One);
                if (needTarget)
                {
                    var slope = logInput ? x : kept!; // ∂ℓ/∂y = −slope, plus Stirling's part with full
                    if (!full) dy = AnalyticGradient.NegatedProduct(slope, g);
                    else
                    {
                        // Stirling's part with the upstream masked where y ≤ 1: gm·log y + (gm·y)/y − gm + ((½gm)/(2πy))·2π, NaN at
                        // y ≤ 0 and y = ∞ as autograd's.
                        var gm = (g.dim() == 0 ? g.expand(Tensors.Shape(y!)) : g).masked_fill(y!.le(Scalars.One), Scalars.Zero);
                        dy = y!.log().mul_(gm).add_((y! * gm).div_(y!), Scalars.One).sub_(gm)
                            .add_((gm * Scalars.Half).div_(y! * Scalars.TwoPi).mul_(Scalars.TwoPi), Scalars.One).sub_(slope * g);
                    }
                }
                return new() { dx, dy, null, null, null, null };
            }, slots: 6, operands: 2);
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
