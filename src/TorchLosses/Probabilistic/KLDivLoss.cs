using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.KLDivLoss"/>: the Kullback–Leibler divergence of the target from the input distribution.</summary>
        /// <param name="reduction">none, mean (default; divides by the element count, with PyTorch's warning) or sum.
        /// For <c>batchmean</c> use the overload that takes a string.</param>
        /// <param name="log_target">Whether the target holds log-probabilities (default false, as in PyTorch; TorchSharp defaults to true).</param>
        public static KLDivLoss KLDivLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, bool log_target = false) =>
            new(reduction, log_target);

        /// <summary>Creates a <see cref="Modules.KLDivLoss"/> with PyTorch's reduction string.</summary>
        /// <param name="reduction">"none", "mean", "sum", "batchmean" (sum / input.size(0)), or the deprecated "elementwise_mean".
        /// Checked when the loss is computed, as in PyTorch.</param>
        /// <param name="log_target">Whether the target holds log-probabilities (default false).</param>
        public static KLDivLoss KLDivLoss(string reduction, bool log_target = false) => new(reduction, log_target);

        /// <summary>Creates a <see cref="Modules.KLDivLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        /// <param name="size_average">Deprecated: false sums instead of averaging.</param>
        /// <param name="reduce">Deprecated: false returns per-element losses.</param>
        /// <param name="reduction">Used only when both legacy arguments are null.</param>
        /// <param name="log_target">Whether the target holds log-probabilities (default false).</param>
        public static KLDivLoss KLDivLoss(bool? size_average, bool? reduce, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
            bool log_target = false) =>
            new(Reductions.LegacyOr(size_average, reduce, reduction, "kl_div"), log_target);

        /// <summary>
        /// Creates a <see cref="Modules.KLDivLoss"/> from the legacy pair and a reduction string. As in PyTorch, a set legacy
        /// argument wins even over "batchmean" (<c>KLDivLoss(size_average: true, reduce: null, "batchmean")</c> averages).
        /// </summary>
        /// <param name="size_average">Deprecated: false sums instead of averaging.</param>
        /// <param name="reduce">Deprecated: false returns per-element losses.</param>
        /// <param name="reduction">Used only when both legacy arguments are null.</param>
        /// <param name="log_target">Whether the target holds log-probabilities (default false).</param>
        public static KLDivLoss KLDivLoss(bool? size_average, bool? reduce, string reduction, bool log_target = false) =>
            size_average is null && reduce is null
                ? new Modules.KLDivLoss(reduction, log_target)
                : new Modules.KLDivLoss(Reductions.FromLegacy(size_average, reduce, "kl_div"), log_target);

        public static partial class functional
        {
            private const string KlMeanWarning =
                "reduction: 'mean' divides the total loss by both the batch size and the support size." +
                "'batchmean' divides only by the batch size, and aligns with the KL div math definition." +
                "'mean' will be changed to behave the same as 'batchmean' in the next major release.";

            /// <summary>
            /// Kullback–Leibler divergence loss, PyTorch's <c>F.kl_div</c>. The input holds log-probabilities
            /// log q; the target holds probabilities p (or log p with <paramref name="log_target"/>).
            /// <para>Per element, as ATen's composite computes it (libtorch 2.10, as 1.13):
            /// ℓ = xlogy(y, y) − y·x, i.e. y·(log y − x) with 0·log 0 = 0; with <paramref name="log_target"/>,
            /// ℓ = exp(y)·(y − x). A negative y gives NaN; x = −∞ with y = 0 gives NaN (0·∞);
            /// with <paramref name="log_target"/>, y = −∞ gives NaN.</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the element count
            /// (not the KL divergence per sample: PyTorch's warning is raised on <see cref="LossWarnings"/>);
            /// sum adds; batchmean (string overload) divides the sum by input.size(0), the mathematical KL
            /// per sample (no division for a 0-d input; NaN for an empty batch).</para>
            /// <para>Gradient (autograd of the composite, as in libtorch): ∂ℓ/∂x = −y (also for y ≤ 0);
            /// ∂ℓ/∂y = log y + 1 − x for y &gt; 0 and NaN at y = 0 (xlogy's 0/0). With <paramref name="log_target"/>:
            /// ∂ℓ/∂x = −exp(y), ∂ℓ/∂y = exp(y)·(y − x + 1).</para>
            /// <para>Relations: <c>kl_div(x, log y, log_target: true)</c> equals <c>kl_div(x, y)</c> where y &gt; 0;
            /// the sum over a distribution is KL(p ‖ q) = Σ p·(log p − log q) ≥ 0; minus the entropy term
            /// Σ y·log y it is the cross entropy −Σ y·x.</para>
            /// <para>TorchSharp's own <c>kl_div</c> differs: it defaults <c>log_target</c> to true and has no batchmean; this one
            /// follows PyTorch (false, batchmean through the string overload).</para>
            /// </summary>
            /// <remarks>
            /// Gradient paths (see <see cref="LossGradients"/>). In <see cref="GradientMode.Analytic"/> (the default), with
            /// input and target of one shape and one dtype, float32 or float64, a custom autograd function computes the
            /// forward above (xlogy(y, y) − y·x: 2 kernels, 1 N-sized temporary; e^y·(y − x): 3 kernels, e^y kept for
            /// backward) and its backward evaluates the formulas above: −y·g (1 kernel) and g·log y + (g·y)/y − g·x (7 kernels;
            /// (g·y)/y reproduces xlogy's NaN at y = 0), or −e^y·g and (g·(y − x))·e^y + g·e^y with log_target, with g the
            /// upstream gradient (÷ numel for mean, ÷ input.size(0) for batchmean), in the order of autograd's, so subnormal
            /// and overflowing intermediates round as in PyTorch. Under create_graph (a second
            /// derivative requested) the backward differentiates, with recorded ops, the composite <see cref="GradientMode.Autograd"/>
            /// uses (the path
            /// also taken for broadcasting, float16, bfloat16 and mixed dtypes).
            /// </remarks>
            /// <param name="input">Log-probabilities, any floating shape.</param>
            /// <param name="target">Probabilities (or log-probabilities), broadcastable with <paramref name="input"/> (silently, as in PyTorch).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="log_target">Whether <paramref name="target"/> holds log-probabilities.</param>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">integral inputs, or shapes that do not broadcast.</exception>
            public static Tensor kl_div(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
                bool log_target = false)
            {
                Check.Defined(input, target);
                var kind = Reductions.Parse(reduction);
                if (kind == ReductionKind.Mean) LossWarnings.Raise("kl_div", KlMeanWarning);
                return KlDiv(input, target, kind, log_target);
            }

            /// <summary>Kullback–Leibler divergence loss with PyTorch's reduction string, which also offers <c>batchmean</c>.</summary>
            /// <inheritdoc cref="kl_div(Tensor, Tensor, torch.nn.Reduction, bool)"/>
            /// <param name="input">Log-probabilities.</param>
            /// <param name="target">Probabilities (or log-probabilities).</param>
            /// <param name="reduction">"none", "mean" (with PyTorch's warning), "sum", "batchmean", or the deprecated
            /// "elementwise_mean" (= mean, with the deprecation warning instead). Case-sensitive.</param>
            /// <param name="log_target">Whether <paramref name="target"/> holds log-probabilities.</param>
            /// <exception cref="ArgumentException">an unknown reduction ("MEAN is not a valid value for reduction"),
            /// integral inputs, or shapes that do not broadcast.</exception>
            public static Tensor kl_div(Tensor input, Tensor target, string reduction, bool log_target = false)
            {
                Check.Defined(input, target);
                if (reduction == "mean") LossWarnings.Raise("kl_div", KlMeanWarning);
                return KlDiv(input, target, Reductions.Parse(reduction, "kl_div", allowBatchMean: true), log_target);
            }

            /// <summary>
            /// Kullback–Leibler divergence loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments: a set
            /// one overrides <paramref name="reduction"/> (and then no mean warning is raised, as in PyTorch).
            /// </summary>
            /// <inheritdoc cref="kl_div(Tensor, Tensor, torch.nn.Reduction, bool)"/>
            public static Tensor kl_div(Tensor input, Tensor target, bool? size_average, bool? reduce,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, bool log_target = false) =>
                size_average is null && reduce is null
                    ? kl_div(input, target, reduction, log_target)
                    : KlDiv(input, target, Reductions.Parse(Reductions.FromLegacy(size_average, reduce, "kl_div")), log_target);

            /// <summary>
            /// Kullback–Leibler divergence loss with the legacy pair and a reduction string; a set legacy argument overrides
            /// the string, even "batchmean" (which is then not checked, as in PyTorch).
            /// </summary>
            /// <inheritdoc cref="kl_div(Tensor, Tensor, string, bool)"/>
            public static Tensor kl_div(Tensor input, Tensor target, bool? size_average, bool? reduce, string reduction,
                bool log_target = false) =>
                size_average is null && reduce is null
                    ? kl_div(input, target, reduction, log_target)
                    : KlDiv(input, target, Reductions.Parse(Reductions.FromLegacy(size_average, reduce, "kl_div")), log_target);

            private static Tensor KlDiv(Tensor input, Tensor target, ReductionKind kind, bool log_target)
            {
                if (IsIntegral(input.dtype) || IsIntegral(target.dtype))
                    throw new ArgumentException("kl_div: Integral inputs not supported.", IsIntegral(input.dtype) ? nameof(input) : nameof(target));
                // libtorch's first broadcasting op multiplies target by input: its message names the target as tensor a.
                Check.BroadcastShape(Tensors.Shape(target), Tensors.Shape(input));

                using var scope = torch.NewDisposeScope();
                if (LossGradients.AnalyticApplies(input, target))
                    return scope.MoveToOuter(KlDivFunction.Apply(input, target, kind, log_target));
                return scope.MoveToOuter(KlDivComposite(input, target, kind, log_target));
            }

            /// <summary>The autograd form of the KL divergence: recorded ops, so autograd gives every derivative.</summary>
            internal static Tensor KlDivComposite(Tensor input, Tensor target, ReductionKind kind, bool log_target)
            {
                var loss = log_target ? target.exp() * (target - input) : target.xlogy(target) - target * input;
                return Reductions.Apply(loss, kind, input);
            }

            /// <summary>True for the integral element types and bool.</summary>
            internal static bool IsIntegral(torch.ScalarType type) => type is torch.ScalarType.Bool or torch.ScalarType.Byte
                or torch.ScalarType.Int8 or torch.ScalarType.Int16 or torch.ScalarType.Int32 or torch.ScalarType.Int64;
        }
    }
}

namespace TorchLosses
{
    /// <summary>
    /// The analytic-gradient form of <see cref="nn.functional.kl_div(Tensor, Tensor, string, bool)"/> for an input and
    /// target of one float32/float64 dtype and shape. Forward, ATen's composite: ℓ = xlogy(y, y) − y·x (2 kernels,
    /// 1 N-sized temporary), or ℓ = e^y·(y − x) with log_target (3 kernels, 2 temporaries; e^y is kept for backward).
    /// Backward (g the upstream gradient, ÷ numel for mean, ÷ input.size(0) for batchmean): ∂/∂x = −y·g (1 kernel)
    /// and ∂/∂y = g·log y + (g·y)/y − g·x (7 kernels: (g·y)/y makes it NaN at y = 0 as xlogy's 0/0, and at y = ∞);
    /// with log_target ∂/∂x = −e^y·g and ∂/∂y = (g·(y − x))·e^y + g·e^y (5 kernels). Both in autograd's order of operations,
    /// so a subnormal g·y or an e^y·(y − x) beyond the range rounds as in PyTorch. Under create_graph the backward
    /// differentiates <see cref="nn.functional.KlDivComposite"/> of the saved operands instead.
    /// </summary>
    internal sealed class KlDivFunction : torch.autograd.SingleTensorFunction<KlDivFunction>
    {
        public override string Name => nameof(KlDivFunction);

        /// <summary>The loss; through the custom function when autograd records it.</summary>
        internal static Tensor Apply(Tensor input, Tensor target, ReductionKind reduction, bool logTarget) =>
            AnalyticGradient.Recorded(input, target)
                ? apply(input, target, reduction, logTarget)
                : Forward(input, target, reduction, logTarget).loss;

        private static (Tensor loss, Tensor? expTarget) Forward(Tensor x, Tensor y, ReductionKind reduction, bool logTarget)
        {
            if (!logTarget) return (Reductions.Apply(y.xlogy(y).addcmul_(y, x, Scalars.MinusOne), reduction, x), null);
            var expTarget = y.exp();
            return (Reductions.Apply((y - x).mul_(expTarget), reduction, x), expTarget);
        }

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var (x, y) = ((Tensor)vars[0]!, (Tensor)vars[1]!);
            var (reduction, logTarget) = ((ReductionKind)vars[2]!, (bool)vars[3]!);
            var (loss, expTarget) = Forward(x, y, reduction, logTarget);
            bool needTarget = y.requires_grad;
            ctx.save_for_backward(new() { x, y, expTarget });
            ctx.save_data("options", (reduction, logTarget));
            ctx.save_data("factor", AnalyticGradient.Factor(reduction, x));
            ctx.save_data("input", x.requires_grad);
            ctx.save_data("target", needTarget);
            return loss;
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
            => AnalyticGradient.Backward(grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, y, expTarget) = (saved[0]!, saved[1]!, saved[2]);
                bool needInput = (bool)ctx.get_data("input")!, needTarget = (bool)ctx.get_data("target")!;
                if (AnalyticGradient.GraphRequested)
                {
                    var (reduction, logTarget) = ((ReductionKind, bool))ctx.get_data("options")!;
                    return AnalyticGradient.Differentiable(grad_output, 4, new[] { needInput ? x : null, needTarget ? y : null },
                        () => nn.functional.KlDivComposite(x, y, reduction, logTarget));
                }
                var g = AnalyticGradient.Upstream(grad_output, (double)ctx.get_data("factor")!);
                var dx = needInput ? AnalyticGradient.NegatedProduct(expTarget ?? y, g) : null;
                Tensor? dy = null;
                if (needTarget)
                    // Autograd's order: xlogy's g·log y + (g·y)/y, then −g·x; with log_target (g·(y − x))·e^y + g·e^y. (g·y)/y is
                    // NaN at y = 0 as xlogy's 0/0, and rounds as autograd does where g·y is subnormal; multiplying by g before
                    // e^y keeps a finite gradient where e^y·(y − x) alone would overflow.
                    dy = expTarget is null
                        ? y.log().mul_(g).add_((y * g).div_(y), Scalars.One).sub_(x * g)
                        : (y - x).mul_(g).mul_(expTarget).add_(expTarget * g, Scalars.One);
                return new() { dx, dy, null, null };
            }, slots: 4, operands: 2);
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Kullback–Leibler divergence loss as a module (PyTorch's <c>nn.KLDivLoss</c>); see
    /// <see cref="nn.functional.kl_div(Tensor, Tensor, string, bool)"/>.
    /// </summary>
    /// <remarks>
    /// TorchSharp's <see cref="torch.nn.Reduction"/> has no batchmean, so a module made with a reduction string keeps
    /// PyTorch's string in <see cref="reduction_name"/> and uses it in <see cref="forward"/>; its inherited
    /// <c>reduction</c> is then the nearest enum value: Sum for "batchmean" (the sum that batchmean divides by the
    /// batch size, which is also what PyTorch hands to ATen), Mean for "mean"/"elementwise_mean", None for "none",
    /// and Mean for a string PyTorch rejects (the error comes from <see cref="forward"/>, as PyTorch checks at call time).
    /// </remarks>
    public sealed class KLDivLoss : Loss<Tensor, Tensor, Tensor>
    {
        private readonly bool fromString;

        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="log_target">Whether the target holds log-probabilities (default false).</param>
        public KLDivLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, bool log_target = false) : base(reduction)
        {
            this.log_target = log_target;
            reduction_name = Reductions.Name(reduction);
        }

        /// <param name="reduction">"none", "mean", "sum", "batchmean" or "elementwise_mean"; checked when the loss is computed.</param>
        /// <param name="log_target">Whether the target holds log-probabilities (default false).</param>
        public KLDivLoss(string reduction, bool log_target = false) : base(NearestEnum(reduction))
        {
            this.log_target = log_target;
            reduction_name = reduction;
            fromString = true;
        }

        /// <summary>Whether the target holds log-probabilities.</summary>
        public bool log_target { get; }

        /// <summary>PyTorch's name of the reduction ("none", "mean", "sum", "batchmean", ...), as PyTorch's <c>KLDivLoss.reduction</c>.</summary>
        public string reduction_name { get; }

        /// <summary>The divergence loss of the log-probabilities <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => fromString
            ? nn.functional.kl_div(input, target, reduction_name, log_target)
            : nn.functional.kl_div(input, target, reduction, log_target);

        private static torch.nn.Reduction NearestEnum(string reduction) => reduction switch
        {
            "none" => torch.nn.Reduction.None,
            "sum" or "batchmean" => torch.nn.Reduction.Sum,
            _ => torch.nn.Reduction.Mean,
        };
    }
}
