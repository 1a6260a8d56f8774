using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.GaussianNLLLoss"/>: the negative log-likelihood of the target under N(input, var).</summary>
        /// <param name="full">Whether to add the constant 0.5·log(2π).</param>
        /// <param name="eps">Lower clamp of the variance. Range: any double; default 1e-6 (TorchSharp's constructor uses 1e-8).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static GaussianNLLLoss GaussianNLLLoss(bool full = false, double eps = 1e-6,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(full, eps, reduction);

        public static partial class functional
        {
            /// <summary>
            /// Gaussian negative log-likelihood loss, PyTorch's <c>F.gaussian_nll_loss</c> (computed in Python
            /// there; this follows its steps in order). PyTorch has no legacy <c>size_average</c>/<c>reduce</c> for it.
            /// <para>Per element, with v = max(var, eps): ℓ = 0.5·(log v + (input − target)²/v), plus 0.5·log(2π)
            /// when <paramref name="full"/>. The clamp acts on a copy of var under no_grad, so it is straight-through.</para>
            /// <para>Shapes of var: the input's shape (heteroscedastic); the input's shape without its last dimension
            /// (then unsqueezed at the end); or that shape with a last dimension of 1 (homoscedastic). The target
            /// broadcasts silently.</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the number of elements of that
            /// shape (NaN for an empty input); sum adds.</para>
            /// <para>Gradient: ∂ℓ/∂input = (input − target)/v, ∂ℓ/∂target = −∂ℓ/∂input,
            /// ∂ℓ/∂var = 0.5·(1/v − (input − target)²/v²), all evaluated at the clamped v, also where var &lt; eps
            /// (no zeroing); a homoscedastic var gets its gradient summed over the last dimension.</para>
            /// <para>Relations: with var = 1 (≥ eps), ℓ = 0.5·(input − target)², so the loss is 0.5·mse_loss (plus
            /// 0.5·log(2π) per element with <paramref name="full"/>). With a constant var = σ², ℓ = 0.5·log σ² + mse/(2σ²).</para>
            /// <para>TorchSharp's own <c>GaussianNLLLoss</c> differs: it sums each sample over its features before reducing (mean over
            /// samples), its constructor defaults eps to 1e-8, and var receives no gradient; this one follows PyTorch
            /// (element-wise, mean over all elements, eps 1e-6, straight-through gradient for var).</para>
            /// </summary>
            /// <remarks>
            /// Gradient paths (see <see cref="LossGradients"/>). In <see cref="GradientMode.Analytic"/> (the default), with
            /// input and target of one shape and one dtype, float32 or float64, and var of that dtype with the input's shape
            /// (or that shape with a last dimension of 1), a custom autograd function computes ℓ = ½·(log v + d²/v) with
            /// d = input − target (7 kernels, 4 N-sized temporaries: d, v, log v and the loss; d and v kept for backward) and its backward evaluates
            /// ∂/∂input = (½g/v)·2d, ∂/∂target = −∂/∂input and ∂/∂var = ½g/v − ½g·((d²/v)/v) (summed over the last dimension
            /// for a homoscedastic var), with g the upstream gradient (÷ numel for mean), in the order PyTorch's autograd
            /// evaluates them, so float32 overflows (d² beyond 3.4e38) give PyTorch's ±∞. Under create_graph (a
            /// second derivative requested) the backward differentiates, with recorded ops, the form
            /// <see cref="GradientMode.Autograd"/> uses: the composition (the path also taken for a broadcasting target, other var shapes, float16, bfloat16 and mixed dtypes).
            /// </remarks>
            /// <param name="input">Expectation of the Gaussian, any shape.</param>
            /// <param name="target">Sample, broadcastable with <paramref name="input"/>.</param>
            /// <param name="var">Variances, non-negative, of one of the shapes listed above.</param>
            /// <param name="full">Whether to add the constant 0.5·log(2π) (default false).</param>
            /// <param name="eps">Lower clamp of the variance. Range: any double (not checked, as in PyTorch); default 1e-6.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentException">var has the wrong shape ("var is of incorrect size"), a negative entry
            /// ("var has negative entry/entries"), or shapes that do not broadcast.</exception>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value.</exception>
            public static Tensor gaussian_nll_loss(Tensor input, Tensor target, Tensor var, bool full = false, double eps = 1e-6,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, target, var);
                using var scope = torch.NewDisposeScope();
                // PyTorch 2.10's order: the sign of var, then its shape, then the reduction.
                if (var.device_type != DeviceType.META && var.lt(Scalars.Zero).any().item<bool>())
                    throw new ArgumentException("var has negative entry/entries", nameof(var));
                bool unsqueeze = VarNeedsUnsqueeze(Tensors.Shape(input), Tensors.Shape(var));
                var kind = Reductions.Parse(reduction);
                if (unsqueeze) var = var.unsqueeze(-1);
                Check.BroadcastShape(Check.BroadcastShape(Tensors.Shape(input), Tensors.Shape(target)), Tensors.Shape(var), nameof(var));
                // PyTorch's next steps, var.clamp_(min=eps) and input − target, and libtorch's errors in them.
                if (!torch.is_floating_point(var))
                    throw new ArgumentException($"result type Float can't be cast to the desired output type {Check.CTypeName(var.dtype)}", nameof(var));
                Check.ConvertsTo(eps, var.dtype, nameof(eps));
                Check.SubtractsNoBool(input, target, nameof(input), nameof(target));
                if (GaussianNllFunction.Applies(input, target, var))
                    return scope.MoveToOuter(GaussianNllFunction.Apply(input, target, var, full, eps, kind));
                return scope.MoveToOuter(GaussianNllComposite(input, target, var, full, eps, kind));
            }

            /// <summary>The autograd form of the Gaussian negative log likelihood (PyTorch's Python composition): recorded ops.</summary>
            internal static Tensor GaussianNllComposite(Tensor input, Tensor target, Tensor var, bool full, double eps, ReductionKind kind)
            {
                var v = var.clone();
                using var epsScalar = eps.ToScalar();
                using (torch.no_grad()) v.clamp_(min: epsScalar);
                var loss = (v.log().Plus((input - target).pow(Scalars.Two) / v)) * Scalars.Half;
                if (full) loss = loss.Plus(Scalars.HalfLogTwoPi);
                return Reductions.Apply(loss, kind);
            }

            /// <summary>
            /// PyTorch's var shape rule: false when var has the input's shape or the input's shape with the last
            /// dimension 1; true when var lacks the input's last dimension; otherwise "var is of incorrect size".
            /// </summary>
            private static bool VarNeedsUnsqueeze(long[] input, long[] var)
            {
                if (Check.SameShape(input, var)) return false;
                var inputLead = input.AsSpan(0, Math.Max(input.Length - 1, 0));
                if (inputLead.SequenceEqual(var)) return true;
                if (var.Length > 0 && inputLead.SequenceEqual(var.AsSpan(0, var.Length - 1)) && var[^1] == 1) return false;
                throw new ArgumentException("var is of incorrect size", nameof(var));
            }
        }
    }
}

namespace TorchLosses
{
    /// <summary>
    /// The analytic-gradient form of <see cref="nn.functional.gaussian_nll_loss(Tensor, Tensor, Tensor, bool, double, torch.nn.Reduction)"/>
    /// for input and target of one float32/float64 dtype and shape and a var of that dtype with the input's shape or
    /// that shape with a last dimension of 1. With d = x − y and v = max(var, eps) the forward is PyTorch's
    /// ℓ = ½·(log v + d²/v) (+ ½·log 2π): 7 kernels (8 with full) and a reduction, 4 N-sized temporaries (d, v, log v, the loss),
    /// d and v kept for backward. Backward (g the upstream gradient, ÷ numel for mean, h = ½g), in the order of PyTorch's
    /// autograd so that float32 overflow and underflow land alike: ∂/∂x = (h/v)·2d, ∂/∂y = −∂/∂x (4 kernels) and
    /// ∂/∂var = h/v − h·((d²/v)/v) (6 kernels after h/v; summed over the last dimension for a homoscedastic var), all at the clamped
    /// v, as PyTorch's straight-through clamp. Under create_graph the backward differentiates
    /// <see cref="nn.functional.GaussianNllComposite"/> of the saved operands instead.
    /// </summary>
    internal sealed class GaussianNllFunction : torch.autograd.SingleTensorFunction<GaussianNllFunction>
    {
        public override string Name => nameof(GaussianNllFunction);

        /// <summary>Analytic mode, input and target of one float32/float64 dtype and shape, var of that dtype, of the input's
        /// shape or that shape with a last dimension of 1 (so the loss has the input's shape).</summary>
        internal static bool Applies(Tensor input, Tensor target, Tensor var)
        {
            if (!LossGradients.AnalyticApplies(input, target) || var.dtype != input.dtype) return false;
            long[] inputShape = Tensors.Shape(input), varShape = Tensors.Shape(var);
            return Check.SameShape(inputShape, varShape)
                || (inputShape.Length > 0 && varShape.Length == inputShape.Length && varShape[^1] == 1
                    && inputShape.AsSpan(0, inputShape.Length - 1).SequenceEqual(varShape.AsSpan(0, varShape.Length - 1)));
        }

        /// <summary>The loss; through the custom function when autograd records it.</summary>
        internal static Tensor Apply(Tensor input, Tensor target, Tensor var, bool full, double eps, ReductionKind reduction) =>
            AnalyticGradient.Recorded(input, target, var)
                ? apply(input, target, var, full, eps, reduction)
                : Forward(input, target, var, full, eps, reduction).loss;

        private static (Tensor loss, Tensor difference, Tensor variance) Forward(Tensor x, Tensor y, Tensor var, bool full, double eps,
            ReductionKind reduction)
        {
            var d = x - y;
            using var epsScalar = eps.ToScalar();
            var v = var.clamp(min: epsScalar);
            var loss = d.pow(Scalars.Two).div_(v).add_(v.log(), Scalars.One).mul_(Scalars.Half);   // d² first, as PyTorch's (input − target)**2 / var
            if (full) loss.add_(Scalars.HalfLogTwoPi, Scalars.One);
            return (Reductions.Apply(loss, reduction), d, v);
        }

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var (x, y, var) = ((Tensor)vars[0]!, (Tensor)vars[1]!, (Tensor)vars[2]!);
            var (full, eps, reduction) = ((bool)vars[3]!, (double)vars[4]!, (ReductionKind)vars[5]!);
            var (loss, d, v) = Forward(x, y, var, full, eps, reduction);
            ctx.save_for_backward(new() { d, v, x, y, var });
            ctx.save_data("options", (full, eps, reduction));
            ctx.save_data("factor", AnalyticGradient.Factor(reduction, x));
            ctx.save_data("needs", (x.requires_grad, y.requires_grad, var.requires_grad));
            return loss;
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
            => AnalyticGradient.Backward(grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (d, v) = (saved[0]!, saved[1]!);
                var (needInput, needTarget, needVar) = ((bool, bool, bool))ctx.get_data("needs")!;
                if (AnalyticGradient.GraphRequested)
                {
                    var (x, y, variance) = (saved[2]!, saved[3]!, saved[4]!);
                    var (full, eps, reduction) = ((bool, double, ReductionKind))ctx.get_data("options")!;
                    return AnalyticGradient.Differentiable(grad_output, 6,
                        new[] { needInput ? x : null, needTarget ? y : null, needVar ? variance : null },
                        () => nn.functional.GaussianNllComposite(x, y, variance, full, eps, reduction));
                }
                var h = AnalyticGradient.Upstream(grad_output, 0.5 * (double)ctx.get_data("factor")!);
                var hOverV = h / v;
                Tensor? dx = null, dy = null, dv = null;
                if (needInput || needTarget)
                {
                    var slope = hOverV.mul(d * Scalars.Two);   // PowBackward: (h/v)·(2·d)
                    dx = needInput ? slope : null;
                    dy = needTarget ? (needInput ? slope.neg() : slope.neg_()) : null;
                }
                if (needVar)
                {
                    // LogBackward h/v, DivBackward −h·((d²/v)/v); a homoscedastic var sums over the last dimension.
                    dv = d.pow(Scalars.Two).div_(v).div_(v).mul_(h).neg_().add_(hOverV, Scalars.One);
                    if (!Check.SameShape(v, d)) dv = dv.sum(new long[] { -1 }, keepdim: true);
                }
                return new() { dx, dy, dv, null, null, null };
            }, slots: 6, operands: 3);
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Gaussian negative log-likelihood loss as a module (PyTorch's <c>nn.GaussianNLLLoss</c>), called with
    /// (input, target, var); see
    /// <see cref="nn.functional.gaussian_nll_loss(Tensor, Tensor, Tensor, bool, double, torch.nn.Reduction)"/>.
    /// </summary>
    public sealed class GaussianNLLLoss : Loss<Tensor, Tensor, Tensor, Tensor>
    {
        /// <param name="full">Whether to add the constant 0.5·log(2π).</param>
        /// <param name="eps">Lower clamp of the variance (default 1e-6, as in PyTorch).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public GaussianNLLLoss(bool full = false, double eps = 1e-6, torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            : base(reduction)
        {
            this.full = full;
            this.eps = eps;
        }

        /// <summary>Whether the constant 0.5·log(2π) is added.</summary>
        public bool full { get; }

        /// <summary>Lower clamp of the variance.</summary>
        public double eps { get; }

        /// <summary>The loss of the target under N(<paramref name="input"/>, <paramref name="var"/>).</summary>
        public override Tensor forward(Tensor input, Tensor target, Tensor var) =>
            nn.functional.gaussian_nll_loss(input, target, var, full, eps, reduction);
    }
}
