using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.BCELoss"/>: binary cross entropy between probabilities and targets.</summary>
        /// <param name="weight">Optional per-element rescaling weight, broadcastable to the target's shape.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static BCELoss BCELoss(Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(weight, reduction);

        /// <summary>Creates a <see cref="Modules.BCELoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        /// <param name="weight">Optional per-element rescaling weight.</param>
        /// <param name="size_average">Deprecated: false sums instead of averaging.</param>
        /// <param name="reduce">Deprecated: false returns per-element losses.</param>
        /// <param name="reduction">Used only when both legacy arguments are null.</param>
        public static BCELoss BCELoss(Tensor? weight, bool? size_average, bool? reduce = null,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(weight, Reductions.LegacyOr(size_average, reduce, reduction, "binary_cross_entropy"));

        public static partial class functional
        {
            /// <summary>
            /// Binary cross entropy, PyTorch's <c>F.binary_cross_entropy</c>, with the value and the gradients of
            /// libtorch 2.10's native kernel.
            /// <para>Per element, with x = input ∈ [0, 1], y = target ∈ [0, 1] and w = weight (1 without):
            /// ℓ = −w·(y·max(log x, −100) + (1 − y)·max(log1p(−x), −100)). The logs are clamped at −100, so x = 0 with
            /// y = 1 gives 100. (PyTorch 1.13 computed log(1 − x) and accepted any target.)</para>
            /// <para>Reduction: none keeps the input's shape; mean divides the sum by the element count (the weights
            /// do not normalise; NaN for an empty input); sum adds.</para>
            /// <para>Gradient, as libtorch's kernel (not the derivative of the clamped formula):
            /// ∂ℓ/∂x = w·(x − y)/max((1 − x)·x, ε) with ε = 1e-12 as a C++ float (9.999999960041972e-13, also in
            /// float64), so ±1e12 at x ∈ {0, 1} where y differs (in float16 ε rounds to 0: ±∞ there, NaN where y = x);
            /// ∂ℓ/∂y = −w·logit(x) = w·(log(1 − x) − log x), unclamped, so ±∞ at x ∈ {0, 1}.</para>
            /// <para>Second derivatives, libtorch's double backward (in both gradient modes): ∂²ℓ/∂x² = w·(x² − 2xy + y)/((x + ε′)²·(1 − x + ε′)²)
            /// with ε′ = 1e-12 (a double), ∂²ℓ/∂x∂y = −w/max(x·(1 − x), ε), ∂²ℓ/∂y² = 0; exact to second order only (the third
            /// derivative of this form is 0, libtorch's is not), and where x ∈ {0, 1} with a target that requires grad the infinite
            /// target slope makes the second derivatives there NaN or ±∞ (and in float16/bfloat16, where ε′ and ε round to 0, ∂²ℓ/∂x²
            /// and ∂²ℓ/∂x∂y at x ∈ {0, 1} are 0 where libtorch's are ±∞ or NaN). The weight gets no gradient: as in PyTorch, a weight that requires grad is rejected while grad mode is on.</para>
            /// <para>Relations: <c>binary_cross_entropy(sigmoid(z), y)</c> equals
            /// <c>binary_cross_entropy_with_logits(z, y)</c> away from saturation (where the −100 clamp and the
            /// rounding of sigmoid near 0 and 1 do not act); the logits form is the numerically stable one.</para>
            /// </summary>
            /// <remarks>
            /// Gradient paths (see <see cref="LossGradients"/>). In <see cref="GradientMode.Analytic"/> (the default), with a
            /// weight (if given) of the input's dtype, a custom autograd function computes the kernel's value
            /// (y − 1)·max(log1p(−x), −100) − y·max(log x, −100), times w (8 elementwise kernels and a reduction, at most 2
            /// N-sized temporaries at once; 3 plus −logit(x), kept for backward, when the target requires grad), and its
            /// backward evaluates the two formulas above: w·(x − y)/max((1 − x)·x, ε)·g (6 kernels) and
            /// −w·logit(x)·g (1 kernel), g the upstream gradient (÷ numel for mean); under create_graph it differentiates the
            /// autograd mode's form instead (<see cref="AnalyticGradient.Differentiable"/>). In <see cref="GradientMode.Autograd"/>
            /// (and for float16, bfloat16 or a weight of another dtype) the slopes and libtorch's second derivatives are attached
            /// straight-through to the value: ℓ + s_x·∂ℓ/∂x + s_y·∂ℓ/∂y + ½·s_x²·∂²ℓ/∂x² + s_x·s_y·∂²ℓ/∂x∂y with s = a − a.detach()
            /// (0 in value), the derivatives taken as constants.
            /// </remarks>
            /// <param name="input">Probabilities, float16, bfloat16, float32 or float64, every element in [0, 1] (NaN is rejected).</param>
            /// <param name="target">Targets of the same shape and dtype as the input, every element in [0, 1] (NaN is rejected).</param>
            /// <param name="weight">Optional weight broadcastable to the target's shape (not larger than the input); any dtype
            /// that casts to the input's; must not require grad.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentException">a size mismatch (PyTorch's deprecation text), a weight that does not
            /// broadcast or requires grad, or a target dtype that differs from the input's ("Found dtype Double but expected Float").</exception>
            /// <exception cref="ArgumentOutOfRangeException">an input or target element outside [0, 1] or NaN (libtorch checks element by
            /// element, the input before the target, and names the first that fails); an undefined reduction.</exception>
            /// <exception cref="ArgumentException">an input dtype that is not floating ("binary_cross_entropy" not implemented for 'Long').</exception>
            public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, target);
                Check.Optional(weight);
                var kind = Reductions.Parse(reduction);
                var inputShape = Tensors.Shape(input);
                var targetShape = Tensors.Shape(target);
                if (!Check.SameShape(inputShape, targetShape))
                    throw new ArgumentException(
                        $"Using a target size ({Check.TorchSize(targetShape)}) that is different to the input size ({Check.TorchSize(inputShape)}) is deprecated. " +
                        "Please ensure they have the same size.", nameof(target));
                var weightShape = weight is null ? null : Check.BroadcastShape(targetShape, Tensors.Shape(weight), nameof(weight));
                Check.NotDifferentiable("binary_cross_entropy", weight, nameof(weight));
                if (target.dtype != input.dtype)
                    throw new ArgumentException(
                        $"Found dtype {Check.TorchTypeName(target.dtype)} but expected {Check.TorchTypeName(input.dtype)}", nameof(target));
                Check.KernelSupports("binary_cross_entropy", input.dtype, nameof(input), Check.AllFloating);

                using var scope = torch.NewDisposeScope();
                CheckUnitInterval(input, target);
                CheckOutputShape(inputShape, weightShape, nameof(weight));
                if (BceFunction.Applies(input, target, weight))
                    return scope.MoveToOuter(BceFunction.Apply(input, target, weight, kind));

                return scope.MoveToOuter(BceComposite(input, target, weight, kind));
            }

            /// <summary>
            /// The autograd form of binary cross entropy (see the remarks of <see cref="binary_cross_entropy(Tensor, Tensor, Tensor?, torch.nn.Reduction)"/>):
            /// libtorch's value, with its first and second derivatives attached straight-through.
            /// </summary>
            internal static Tensor BceComposite(Tensor input, Tensor target, Tensor? weight, ReductionKind kind)
            {
                var x = input.detach();
                var y = target.detach();
                var value = (y - Scalars.One) * x.neg().log1p().clamp_min(Scalars.Minus100) - y * x.log().clamp_min(Scalars.Minus100);
                var inputSlope = (x - y) / ((Scalars.One.Minus(x)) * x).clamp_min(Scalars.Epsilon);
                var targetSlope = x.logit().neg();
                // libtorch's double backward: (x² − 2xy + y)/((x + ε′)²(1 − x + ε′)²) and −1/max(x(1 − x), ε), ε′ = 1e-12 as a double.
                // Scalars owned here, alive until the ops that read them return (TorchSharp 0.107 leaves implicit ones to the GC).
                using Scalar two = 2.0, epsilonPrime = 1e-12, half = 0.5;
                var inputCurvature = ((x * x - x.mul(two).mul_(y)).Plus(y)) / (x.add(epsilonPrime, Scalars.One).pow(Scalars.Two)* (Scalars.One.Minus(x)).add_(epsilonPrime, Scalars.One).pow(Scalars.Two));
                var mixedCurvature = ((Scalars.One.Minus(x)) * x).clamp_min(Scalars.Epsilon).reciprocal().neg();
                if (weight is not null)
                {
                    value = value * weight;
                    inputSlope = inputSlope * weight;
                    targetSlope = targetSlope * weight;
                    inputCurvature = inputCurvature * weight;
                    mixedCurvature = mixedCurvature * weight;
                }

                var loss = value.to(input.dtype);
                // In float16/bfloat16, ε′ rounds to 0 and the curvature at x ∈ {0, 1} is ±∞ or NaN, which would make the
                // zero-valued term NaN in value: it is 0 there instead (libtorch's second derivative there is ±∞ or NaN).
                static Tensor Finite(Tensor curvature, torch.ScalarType type)
                {
                    var rounded = curvature.to(type);
                    return rounded.masked_fill(rounded.isfinite().logical_not(), Scalars.Zero);
                }
                inputCurvature = Finite(inputCurvature, input.dtype);
                mixedCurvature = Finite(mixedCurvature, input.dtype);
                var sx = input - x;
                var sy = target - y;
                if (input.requires_grad)
                    loss = loss.Plus(ZeroWithSlope(input, inputSlope.to(input.dtype))).Plus(sx * sx * half * inputCurvature);
                if (target.requires_grad) loss = loss.Plus(ZeroWithSlope(target, targetSlope.to(input.dtype)));
                if (input.requires_grad && target.requires_grad) loss = loss.Plus(sx * sy * mixedCurvature);
                return Reductions.Apply(loss, kind);
            }

            /// <summary>Binary cross entropy with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="binary_cross_entropy(Tensor, Tensor, Tensor?, torch.nn.Reduction)"/>
            public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight, bool? size_average,
                bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                binary_cross_entropy(input, target, weight,
                    Reductions.LegacyOr(size_average, reduce, reduction, "binary_cross_entropy"));

            /// <summary>
            /// libtorch 2.10's range check: every input and every target element in [0, 1] (NaN fails), element by element,
            /// the input before the target, so the first failing element decides the message. When everything is in range
            /// (the common case) that is two reading passes (aminmax of each; a NaN propagates into both bounds) and one host
            /// read of the four bounds, without recording; the masks that find the first failing element are built only when
            /// something is out of range. Skipped on the meta device, which has no values.
            /// </summary>
            private static void CheckUnitInterval(Tensor input, Tensor target)
            {
                if (input.device_type == DeviceType.META || input.numel() == 0) return;
                using var noGrad = torch.no_grad();
                using var scope = torch.NewDisposeScope();
                var (inputMin, inputMax) = input.aminmax();
                var (targetMin, targetMax) = target.aminmax();
                // float64 holds every floating dtype's values exactly; NaN compares false, so it fails.
                var bounds = torch.stack(new[] { inputMin, inputMax, targetMin, targetMax }).to(torch.ScalarType.Float64, torch.CPU)
                    .data<double>().ToArray();
                if (bounds[0] >= 0 && bounds[1] <= 1 && bounds[2] >= 0 && bounds[3] <= 1) return;
                static long FirstOutside(Tensor t)
                {
                    var outside = t.ge(Scalars.Zero).logical_and(t.le(Scalars.One)).logical_not().flatten();
                    return outside.any().item<bool>() ? outside.to(torch.ScalarType.Byte).argmax().item<long>() : long.MaxValue;
                }
                if (FirstOutside(input) <= FirstOutside(target))
                    throw new ArgumentOutOfRangeException(nameof(input), "all elements of input should be between 0 and 1");
                throw new ArgumentOutOfRangeException(nameof(target), "all elements of target should be between 0 and 1");
            }

            /// <summary>
            /// A tensor that is 0 in value and whose gradient with respect to <paramref name="argument"/> is
            /// <paramref name="slope"/>·upstream, element by element, also where the slope is ±∞ or NaN (a plain
            /// (a − a.detach())·slope would be 0·∞ = NaN in value there). A finite slope rides on the linear term; an
            /// infinite one on ±√s at s = 0, whose backward upstream/(2·√0) is ±∞ with the upstream's sign (NaN for a zero
            /// upstream, as libtorch's ∞·0); a NaN slope on 0·√s (gradient 0/0 = NaN). The √ of the unselected branch
            /// is taken at 1, so nothing infinite leaks through the <c>where</c>. Its own second derivative is 0 where the
            /// slope is finite (the caller adds the curvature).
            /// </summary>
            private static Tensor ZeroWithSlope(Tensor argument, Tensor slope)
            {
                var s = argument - argument.detach();
                var finite = slope.isfinite();
                var linear = s * slope.masked_fill(finite.logical_not(), Scalars.Zero);
                var direction = slope.sign().masked_fill(slope.isnan(), Scalars.Zero);
                var steep = (s.Plus(finite.to(s.dtype))).sqrt() * direction;
                return torch.where(finite, linear, steep);
            }

            /// <summary>
            /// libtorch's in-place multiplication rule: an operand that broadcasts to a shape larger than the
            /// loss's ("output with shape [3, 4] doesn't match the broadcast shape [2, 3, 4]").
            /// </summary>
            private static void CheckOutputShape(long[] outputShape, long[]? broadcastShape, string name)
            {
                if (broadcastShape is not null && !Check.SameShape(outputShape, broadcastShape))
                    throw new ArgumentException(
                        $"output with shape {Check.Brackets(outputShape)} doesn't match the broadcast shape {Check.Brackets(broadcastShape)}", name);
            }
        }
    }
}

namespace TorchLosses
{
    /// <summary>
    /// The analytic-gradient form of <see cref="nn.functional.binary_cross_entropy(Tensor, Tensor, Tensor?, torch.nn.Reduction)"/>
    /// for float32/float64 operands (a weight of the input's dtype, broadcast into the loss in place). Forward, as
    /// libtorch's kernel: ℓ = w·((y − 1)·max(log1p(−x), −100) − y·max(log x, −100)); 8 elementwise kernels and a
    /// reduction, at most 2 N-sized temporaries live at once (the loss and one log; 3 plus −logit(x), kept for
    /// backward, when the target requires grad). Backward, libtorch's formulas: ∂/∂x = w·(x − y)/max((1 − x)·x, ε)·g
    /// (6 kernels, 2 allocations) and ∂/∂y = −w·logit(x)·g (1 kernel), g the upstream gradient (÷ numel for
    /// mean). Under create_graph the backward differentiates <see cref="nn.functional.BceComposite"/> of the saved operands
    /// instead, so the gradient can be differentiated again.
    /// </summary>
    internal sealed class BceFunction : torch.autograd.SingleTensorFunction<BceFunction>
    {
        /// <summary>The floor of x·(1 − x) in the gradient of libtorch's BCE kernel: the C++ float 1e-12, in every dtype.</summary>
        internal const double Epsilon = (double)1e-12f;

        public override string Name => nameof(BceFunction);

        /// <summary>Analytic mode, float32/float64 operands of one dtype and shape, a weight of that dtype.</summary>
        internal static bool Applies(Tensor input, Tensor target, Tensor? weight) =>
            LossGradients.AnalyticApplies(input, target) && AnalyticGradient.Fits(input, weight);

        /// <summary>The loss; through the custom function when autograd records it.</summary>
        internal static Tensor Apply(Tensor input, Tensor target, Tensor? weight, ReductionKind reduction) =>
            AnalyticGradient.Recorded(input, target)
                ? apply(input, target, weight, reduction)
                : Forward(input, target, weight, reduction, keepTargetSlope: false).loss;

        private static (Tensor loss, Tensor? targetSlope) Forward(Tensor x, Tensor y, Tensor? w, ReductionKind reduction,
            bool keepTargetSlope)
        {
            // Each log is freed as soon as it is folded in, so two N-sized tensors live at a time (the loss and one log).
            // When the target requires grad, backward keeps its slope −logit(x), libtorch's (unclamped) formula.
            Tensor loss;
            using (var logOneMinusX = x.neg().log1p_())
                loss = (y - Scalars.One).mul_(logOneMinusX.clamp_(min: Scalars.Minus100));
            using (var logX = x.log())
                loss.addcmul_(y, logX.clamp_(min: Scalars.Minus100), Scalars.MinusOne);
            var targetSlope = keepTargetSlope ? x.logit().neg_() : null;
            if (w is not null) loss.mul_(w);
            return (Reductions.Apply(loss, reduction), targetSlope);
        }

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var (x, y, w) = ((Tensor)vars[0]!, (Tensor)vars[1]!, (Tensor?)vars[2]);
            var reduction = (ReductionKind)vars[3]!;
            var (loss, targetSlope) = Forward(x, y, w, reduction, keepTargetSlope: y.requires_grad);
            ctx.save_for_backward(new() { x, y, w, targetSlope });
            ctx.save_data("factor", AnalyticGradient.Factor(reduction, x));
            ctx.save_data("reduction", reduction);
            ctx.save_data("needs", (x.requires_grad, y.requires_grad));
            return loss;
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
            => AnalyticGradient.Backward(grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, y, w, targetSlope) = (saved[0]!, saved[1]!, saved[2], saved[3]);
                var (needInput, needTarget) = ((bool, bool))ctx.get_data("needs")!;
                if (AnalyticGradient.GraphRequested)
                    return AnalyticGradient.Differentiable(grad_output, 4, new[] { needInput ? x : null, needTarget ? y : null },
                        () => nn.functional.BceComposite(x, y, w, (ReductionKind)ctx.get_data("reduction")!));
                var g = AnalyticGradient.Upstream(grad_output, (double)ctx.get_data("factor")!);
                var dx = needInput ? (x - y).div_((Scalars.One.Minus(x)).mul_(x).clamp_(min: Scalars.Epsilon)).mul_(g) : null;
                var dy = targetSlope?.mul(g);
                if (w is not null)
                {
                    dx?.mul_(w);
                    dy?.mul_(w);
                }
                return new() { dx, dy, null, null };
            }, slots: 4, operands: 2);
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Binary cross entropy as a module (PyTorch's <c>nn.BCELoss</c>); see
    /// <see cref="nn.functional.binary_cross_entropy(Tensor, Tensor, Tensor?, torch.nn.Reduction)"/>.
    /// The weight is registered as a buffer, so it moves with <c>.to(device)</c>. Twice differentiable in both gradient modes.
    /// </summary>
    public sealed class BCELoss : BufferedLoss<Tensor, Tensor, Tensor>
    {
        /// <param name="weight">Optional per-element rescaling weight.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public BCELoss(Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(weight, reduction) { }

        /// <summary>The loss of the probabilities <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.binary_cross_entropy(input, target, weight, reduction);
    }
}
