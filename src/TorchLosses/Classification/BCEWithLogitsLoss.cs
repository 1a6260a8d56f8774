using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.BCEWithLogitsLoss"/>: binary cross entropy of sigmoid(input), computed stably from the logits.</summary>
        /// <param name="weight">Optional per-element rescaling weight, broadcastable to the input's shape.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="pos_weight">Optional weight of the positive term, broadcastable to the input's shape (typically one per class,
        /// along the last dimension). PyTorch's name; TorchSharp calls it <c>pos_weights</c>.</param>
        public static BCEWithLogitsLoss BCEWithLogitsLoss(Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
            Tensor? pos_weight = null) => new(weight, reduction, pos_weight);

        /// <summary>Creates a <see cref="Modules.BCEWithLogitsLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        /// <param name="weight">Optional per-element rescaling weight.</param>
        /// <param name="size_average">Deprecated: false sums instead of averaging.</param>
        /// <param name="reduce">Deprecated: false returns per-element losses.</param>
        /// <param name="reduction">Used only when both legacy arguments are null.</param>
        /// <param name="pos_weight">Optional weight of the positive term.</param>
        public static BCEWithLogitsLoss BCEWithLogitsLoss(Tensor? weight, bool? size_average, bool? reduce = null,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean, Tensor? pos_weight = null) =>
            new(weight, Reductions.LegacyOr(size_average, reduce, reduction, "binary_cross_entropy_with_logits"), pos_weight);

        public static partial class functional
        {
            /// <summary>
            /// Binary cross entropy with logits, PyTorch's <c>F.binary_cross_entropy_with_logits</c>.
            /// <para>Per element, with x = input (logits), y = target, p = pos_weight (1 without) and w = weight (1 without):
            /// ℓ = w·(−p·y·log σ(x) − (1 − y)·log σ(−x)) = w·((1 − y)·x − (1 + (p − 1)·y)·log σ(x)), both through log σ,
            /// which is finite for every finite x. The default (analytic) mode evaluates the second form as libtorch 2.10 does,
            /// its values bit for bit (where y = 0 and x ≪ 0 its two terms cancel, leaving an absolute error up to an ulp of
            /// |x|, as in PyTorch); the autograd mode composes the first, which does not cancel; the two agree to that
            /// rounding. At the edges the values are libtorch 2.10's: x = +∞ gives +∞ for y &lt; 1, NaN for y = 1 and −∞
            /// for y &gt; 1; x = −∞ gives +∞ for y &gt; 1 and NaN for y ∈ [0, 1] (∞ − ∞; with pos_weight, +∞ for y &gt; 1 and
            /// −∞ for y &lt; 1 where 1 + (p − 1)·y has the sign of y − 1, NaN otherwise); NaN stays NaN. (PyTorch 1.13
            /// gave NaN at x = −∞ for every y.)</para>
            /// <para>Reduction: none keeps the input's shape; mean divides the sum by the element count (the weights do
            /// not normalise; NaN for an empty input); sum adds.</para>
            /// <para>Gradient (libtorch's formulas, on both gradient paths): ∂ℓ/∂x = w·((1 + (p − 1)·y)·σ(x) − p·y),
            /// which is σ(x) − y without weights and stays finite at x = ±∞; ∂ℓ/∂y = w·(log σ(−x) − p·log σ(x)), which is
            /// −w·x without pos_weight. Weight and pos_weight get no gradient (PyTorch rejects them requiring grad while
            /// grad mode is on).</para>
            /// <para>Relations: equals <c>binary_cross_entropy(sigmoid(x), y)</c> away from saturation; with p the
            /// positive examples count p times (p &gt; 1 raises recall, p &lt; 1 precision).</para>
            /// <para>The output has the target's dtype, as libtorch builds the loss in place on 1 − target. TorchSharp
            /// calls the last parameter <c>pos_weights</c>; this follows PyTorch's <c>pos_weight</c>.</para>
            /// </summary>
            /// <remarks>
            /// Gradient paths (see <see cref="LossGradients"/>). In <see cref="GradientMode.Analytic"/> (the default), with
            /// input and target of one dtype, float32 or float64, and weight and pos_weight (if given) of that dtype, a custom
            /// autograd function computes the loss and its gradient. Its forward is libtorch 2.10's own sequence,
            /// (1 − y)·x − (1 + (p − 1)·y)·log σ(x) in libtorch's in-place steps, so the value is libtorch's bit for bit, at
            /// x = ±∞ and for non-finite targets and weights too. Its cost is libtorch's: log_sigmoid, 1 − y, two in-place ops and
            /// the reduction (3 more kernels with pos_weight, one more with a weight); the N-sized temporaries libtorch makes
            /// (log σ(x) with the kernel's buffer, 1 − y; lw with pos_weight), nothing N-sized kept for backward. Its backward
            /// evaluates the formulas above:
            /// (σ(x) − y)·w·g, 3 kernels, with g the upstream gradient (÷ numel for mean). Under create_graph (a second derivative
            /// requested) the backward differentiates, with recorded ops, the form <see cref="GradientMode.Autograd"/> uses: the
            /// composition (−p·y·log σ(x) − (1 − y)·log σ(−x), plus libtorch's value at x = −∞ as a constant; libtorch's own
            /// sequence, each step rounded as its in-place ops store it, for mixed dtypes and for a non-finite target, weight or
            /// pos_weight); that path is also taken for mixed dtypes. For float16 and bfloat16 in the analytic mode the value is
            /// libtorch's sequence and the backward the formulas above.
            /// </remarks>
            /// <param name="input">Logits, floating point (float16, bfloat16, float32, float64).</param>
            /// <param name="target">Targets, the input's shape, floating point. Values outside [0, 1] are accepted, as in PyTorch.</param>
            /// <param name="weight">Optional weight broadcastable to the input's shape (not larger); must not require grad.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="pos_weight">Optional positive-term weight broadcastable to the input's shape (not larger), usually one
            /// per class along the last dimension. Range: any value (negative ones are accepted, as in PyTorch); must not require grad.</param>
            /// <exception cref="ArgumentException">a size mismatch ("Target size (...) must be the same as input size (...)"),
            /// a weight that does not broadcast or requires grad, or an integral or bool target.</exception>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">an input that is not floating ("log_sigmoid_cpu" not implemented for 'Long').</exception>
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, Tensor? pos_weight = null)
            {
                Check.Defined(input, target);
                Check.Optional(weight);
                Check.Optional(pos_weight);
                var kind = Reductions.Parse(reduction);
                if (!Check.SameShape(input, target))
                    throw new ArgumentException(
                        $"Target size ({Check.TorchSize(target)}) must be the same as input size ({Check.TorchSize(input)})", nameof(target));
                // The shape as an array only where a weight broadcasts against it.
                var shape = weight is null && pos_weight is null ? null : Tensors.Shape(input);
                const string function = "binary_cross_entropy_with_logits";
                Check.NotDifferentiable(function, weight, nameof(weight));
                Check.NotDifferentiable(function, pos_weight, nameof(pos_weight));
                // libtorch 2.10's steps, in its order: log_sigmoid(x); log σ(x)·(1 + (p − 1)·y) in place; the loss built in
                // place on 1 − target; then multiplied by the weight in place.
                Check.KernelSupports("log_sigmoid_cpu", input.dtype, nameof(input), Check.AllFloating);
                if (pos_weight is not null)
                {
                    Check.SubtractsNoBool(pos_weight, nameof(pos_weight));   // p − 1
                    CheckOutputShape(shape!, Check.BroadcastShape(Tensors.Shape(pos_weight), shape!, nameof(pos_weight)), nameof(pos_weight));
                }
                if (target.dtype == torch.ScalarType.Bool)
                    throw new ArgumentException(
                        "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.",
                        nameof(target));
                if (IsIntegral(target.dtype)) ThrowCast(torch.promote_types(target.dtype, input.dtype), target.dtype, nameof(target));
                if (weight is not null) CheckOutputShape(shape!, Check.BroadcastShape(shape!, Tensors.Shape(weight), nameof(weight)), nameof(weight));

                using var scope = torch.NewDisposeScope();
                if (BceWithLogitsFunction.Applies(input, target, weight, pos_weight))
                    return scope.MoveToOuter(BceWithLogitsFunction.Apply(input, target, weight, pos_weight, kind));
                return scope.MoveToOuter(BceWithLogitsComposite(input, target, weight, pos_weight, kind));
            }

            /// <summary>
            /// The autograd form of binary cross entropy with logits: recorded ops, so autograd gives every derivative, and
            /// libtorch's gradient formulas: −p·y·log σ(x) − (1 − y)·log σ(−x), whose derivatives are w·(lw·σ(x) − p·y) and
            /// w·(log σ(−x) − p·log σ(x)) term by term, finite at x = ±∞ (libtorch's value at x = −∞ is added as a constant).
            /// With input, target and weights of different floating types, or a target, weight or pos_weight holding ±∞ or NaN,
            /// it is libtorch's own sequence instead (<see cref="BceWithLogitsAsLibtorch"/>): its value is then libtorch's, where
            /// this form would compute in the promoted type and round once (measured by the sweep: up to 1.2e-3 apart for a
            /// bfloat16 target) or meet ∞ − ∞ = NaN where libtorch gives ±∞.
            /// </summary>
            internal static Tensor BceWithLogitsComposite(Tensor input, Tensor target, Tensor? weight, Tensor? pos_weight, ReductionKind kind)
            {
                var type = input.dtype;
                if (target.dtype != type || weight is not null && weight.dtype != type || pos_weight is not null && pos_weight.dtype != type
                    || AnyInfinite(target, weight, pos_weight))   // a NaN keeps this form: its gradients are libtorch's there
                    return BceWithLogitsAsLibtorch(input, target, weight, pos_weight, kind);
                var logSigmoid = input.log_sigmoid();
                // p·y first: log σ(x)·p overflows in float32 for x below −3.4e38/p, and y = 0 would then give 0·∞ = NaN
                // where libtorch's value is finite (e.g. 0 at x = −3e38, y = 0, p = 2).
                var positive = (pos_weight is null ? target : target * pos_weight) * logSigmoid;
                var loss = -positive - (Scalars.One.Minus(target)) * (-input).log_sigmoid();
                // A constant: libtorch's value where x = −∞ (the gradient, finite there, is the log σ form's).
                var (x, y) = (input.detach(), target.detach());
                if (MayHoldNegativeInfinity(x))
                    loss = loss.Plus(ValueAtNegativeInfinity(x, Scalars.One.Minus(y), pos_weight is null ? null : ((pos_weight - Scalars.One) * y).Plus(Scalars.One)));
                if (weight is not null) loss = loss * weight;
                return Reductions.Apply(loss, kind);
            }

            /// <summary>
            /// libtorch 2.10's own sequence, each step rounded to the type its in-place op writes: log σ(x) in the input's type;
            /// times lw = (p − 1)·y + 1 in place (computed in the promoted type, stored in the input's type); (1 − y)·x in place
            /// on 1 − y and minus log σ(x)·lw in place (stored in the target's type); times the weight in place (the target's
            /// type). Its value is libtorch's for every dtype mix and every ±∞ (at x = ±∞ as documented above). Its autograd
            /// derivative in x, (1 − y) − lw·σ(−x), is libtorch's lw·σ(x) − p·y; in y, −x − (p − 1)·log σ(x), the same but
            /// for ∞ − ∞ at x = −∞ with p &lt; 1, so <see cref="BceWithLogitsComposite"/> uses it only where its own form fails.
            /// </summary>
            internal static Tensor BceWithLogitsAsLibtorch(Tensor input, Tensor target, Tensor? weight, Tensor? pos_weight, ReductionKind kind)
            {
                var logSigmoid = input.log_sigmoid();
                var type = input.dtype;
                if (target.dtype == type && (weight is null || weight.dtype == type) && (pos_weight is null || pos_weight.dtype == type)
                    && !(torch.is_grad_enabled() && (input.requires_grad || target.requires_grad)))
                {
                    // One dtype and nothing recorded: libtorch's in-place steps themselves, on its temporaries (log σ(x) and
                    // 1 − y, computed as −y + 1 with the same rounding), so the value is libtorch's with its N-sized allocations.
                    if (pos_weight is not null) logSigmoid.mul_(((pos_weight - Scalars.One) * target).add_(Scalars.One, Scalars.One));
                    var inPlace = target.neg().add_(Scalars.One, Scalars.One).mul_(input).sub_(logSigmoid);
                    return Reductions.Apply(weight is null ? inPlace : inPlace.mul_(weight), kind);
                }
                if (pos_weight is not null)
                {
                    using var one = torch.tensor(1.0, pos_weight.dtype, pos_weight.device);
                    logSigmoid = Tensors.InType(logSigmoid * ((pos_weight - one) * target).Plus(one), input.dtype);
                }
                using var unit = torch.tensor(1.0, target.dtype, target.device);
                var loss = Tensors.InType((unit - target) * input, target.dtype);
                loss = Tensors.InType(loss - logSigmoid, target.dtype);
                if (weight is not null) loss = Tensors.InType(loss * weight, target.dtype);
                return Reductions.Apply(loss, kind);
            }


            /// <summary>Whether any of the tensors (null ones skipped) holds ±∞ (NaN does not count).</summary>
            internal static bool AnyInfinite(params Tensor?[] tensors)
            {
                using var noGrad = torch.no_grad();
                using var scope = torch.NewDisposeScope();
                foreach (var t in tensors)
                {
                    if (t is null || t.numel() == 0 || t.device_type == DeviceType.META) continue;
                    if (t.isinf().any().item<bool>()) return true;
                }
                return false;
            }

            /// <summary>
            /// libtorch 2.10's loss, before the weight, at the entries where x = −∞ (0 elsewhere): its form
            /// (1 − y)·x − lw·log σ(x), lw = 1 + (p − 1)·y, reads (1 − y)·x − lw·x there, which is +∞ for y &gt; 1 with lw &gt; 0,
            /// −∞ for y &lt; 1 with lw &lt; 0, and NaN otherwise (∞ − ∞, 0·∞). The log σ forms give p·y·∞ at x = −∞, the same
            /// infinity wherever libtorch's value is infinite, so adding this term gives libtorch's value there and changes no
            /// other entry. <paramref name="lw"/> is null without pos_weight (lw = 1).
            /// </summary>
            /// <remarks>4 kernels (5 with <paramref name="lw"/>); its temporaries (the products and the mask, at most 3 N-sized
            /// tensors at once) are freed before it returns. Callers compute it only where <see cref="MayHoldNegativeInfinity"/> says so.</remarks>
            internal static Tensor ValueAtNegativeInfinity(Tensor x, Tensor oneMinusY, Tensor? lw)
            {
                Tensor value;
                using (var first = oneMinusY * x)
                using (var second = lw is null ? null : lw * x)
                    value = first - (second ?? x);
                using (var finite = x.ne(Scalars.NegativeInfinity))
                    return value.masked_fill_(finite, Scalars.Zero);
            }

            /// <summary>
            /// Whether <paramref name="x"/> may hold −∞, so that <see cref="ValueAtNegativeInfinity"/> is needed: one reduction
            /// (its minimum, read once) says it, true also for a NaN minimum (NaN hides the minimum). False for an empty x; true
            /// on the meta device, which has no values.
            /// </summary>
            internal static bool MayHoldNegativeInfinity(Tensor x)
            {
                if (x.numel() == 0) return false;
                if (x.device_type == DeviceType.META) return true;
                using var noGrad = torch.no_grad();
                using var minimum = x.min();
                using var lowest = minimum.ToScalar();
                double value = lowest.ToDouble();
                return double.IsNegativeInfinity(value) || double.IsNaN(value);
            }

            private static void ThrowCast(torch.ScalarType result, torch.ScalarType output, string name) =>
                throw new ArgumentException(
                    $"result type {Check.TorchTypeName(result)} can't be cast to the desired output type {Check.TorchTypeName(output)}", name);

            /// <summary>Binary cross entropy with logits and PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="binary_cross_entropy_with_logits(Tensor, Tensor, Tensor?, torch.nn.Reduction, Tensor?)"/>
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight, bool? size_average,
                bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean, Tensor? pos_weight = null) =>
                binary_cross_entropy_with_logits(input, target, weight,
                    Reductions.LegacyOr(size_average, reduce, reduction, "binary_cross_entropy_with_logits"), pos_weight);
        }
    }
}

namespace TorchLosses
{
    /// <summary>
    /// The analytic-gradient form of <see cref="nn.functional.binary_cross_entropy_with_logits(Tensor, Tensor, Tensor?, torch.nn.Reduction, Tensor?)"/>
    /// for a float32/float64 input and target of one dtype (weight and pos_weight, if any, of that dtype; they broadcast
    /// into the loss in place). With lw = 1 + (p − 1)·y and py = p·y the forward is libtorch's sequence
    /// ℓ = w·((1 − y)·x − lw·log σ(x)) (<see cref="nn.functional.BceWithLogitsAsLibtorch"/>: log_sigmoid, 1 − y, times x
    /// and minus lw·log σ(x) in place, times the weight in place, the reduction), whose value is libtorch's bit for bit,
    /// ±∞ and NaN included; nothing N-sized is kept for backward. Backward (libtorch's formulas):
    /// ∂/∂x = w·(σ(x) − y)·g, or w·(lw·σ(x) − py)·g with pos_weight (3 kernels, 1 allocation without pos_weight);
    /// ∂/∂y = −w·x·g, or w·(log σ(−x) − p·log σ(x))·g with pos_weight; g is the upstream gradient, ÷ numel for mean.
    /// Under create_graph the backward differentiates <see cref="nn.functional.BceWithLogitsComposite"/> of the saved operands
    /// instead, so the gradient can be differentiated again.
    /// </summary>
    internal sealed class BceWithLogitsFunction : torch.autograd.SingleTensorFunction<BceWithLogitsFunction>
    {
        public override string Name => nameof(BceWithLogitsFunction);

        /// <summary>Analytic mode, input and target of one floating dtype and shape, weights of that dtype. For float16 and
        /// bfloat16 too the value is libtorch's sequence and the gradient libtorch's formulas below, so that
        /// the edges (an infinite weight: ±∞ where two infinite terms of the composition's gradient would meet as NaN; an
        /// infinite pos_weight: libtorch's NaN) are libtorch's in the default mode too. Input and target have one shape
        /// (checked before).</summary>
        internal static bool Applies(Tensor input, Tensor target, Tensor? weight, Tensor? posWeight)
        {
            torch.ScalarType inputType = input.dtype, targetType = target.dtype;
            return (LossGradients.AnalyticApplies(inputType, targetType, sameShape: true)
                    || LossGradients.Current == GradientMode.Analytic && IsHalf(inputType) && inputType == targetType)
                   && AnalyticGradient.Fits(input, weight) && AnalyticGradient.Fits(input, posWeight);
        }

        private static bool IsHalf(torch.ScalarType type) => type is torch.ScalarType.Float16 or torch.ScalarType.BFloat16;

        /// <summary>The loss; through the custom function when autograd records it.</summary>
        internal static Tensor Apply(Tensor input, Tensor target, Tensor? weight, Tensor? posWeight, ReductionKind reduction) =>
            AnalyticGradient.Recorded(input, target)
                ? apply(input, target, weight, posWeight, reduction)
                : Forward(input, target, weight, posWeight, reduction);

        /// <summary>The value: libtorch's own sequence, so it is libtorch's bit for bit, at ±∞ and NaN too.</summary>
        private static Tensor Forward(Tensor x, Tensor y, Tensor? w, Tensor? p, ReductionKind reduction) =>
            nn.functional.BceWithLogitsAsLibtorch(x, y, w, p, reduction);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var (x, y, w, p) = ((Tensor)vars[0]!, (Tensor)vars[1]!, (Tensor?)vars[2], (Tensor?)vars[3]);
            var reduction = (ReductionKind)vars[4]!;
            ctx.save_for_backward(new() { x, y, w, p });
            ctx.save_data("factor", AnalyticGradient.Factor(reduction, x));
            ctx.save_data("reduction", reduction);
            ctx.save_data("input", x.requires_grad);
            ctx.save_data("target", y.requires_grad);
            return Forward(x, y, w, p, reduction);
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
            => AnalyticGradient.Backward(grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, y, w, p) = (saved[0]!, saved[1]!, saved[2], saved[3]);
                bool needInput = (bool)ctx.get_data("input")!, needTarget = (bool)ctx.get_data("target")!;
                if (AnalyticGradient.GraphRequested)
                    return AnalyticGradient.Differentiable(grad_output, 5, new[] { needInput ? x : null, needTarget ? y : null },
                        () => nn.functional.BceWithLogitsComposite(x, y, w, p, (ReductionKind)ctx.get_data("reduction")!));
                var g = AnalyticGradient.Upstream(grad_output, (double)ctx.get_data("factor")!);
                Tensor? dx = null, dy = null;
                if (needInput)
                {
                    var s = x.sigmoid();
                    if (p is null) dx = s.sub_(y);
                    else
                    {
                        var py = y * p;
                        dx = s.mul_((py.Plus(Scalars.One)).sub_(y)).sub_(py);
                    }
                    dx.mul_(g);
                    if (w is not null) dx.mul_(w);
                }
                if (needTarget)
                {
                    if (p is null) dy = AnalyticGradient.NegatedProduct(x, g);
                    else
                    {
                        // log σ(−x) − p·log σ(x), with log σ(±x) = min(±x, 0) + log σ(|x|), finite or −∞ at x = ±∞ as libtorch's.
                        var logSigmoidAbs = x.abs().sigmoid_().log_();
                        var logSigmoid = x.clamp_max(Scalars.Zero).add_(logSigmoidAbs, Scalars.One);
                        dy = x.neg().clamp_(max: Scalars.Zero).add_(logSigmoidAbs, Scalars.One).addcmul_(p, logSigmoid, Scalars.MinusOne).mul_(g);
                    }
                    if (w is not null) dy.mul_(w);
                }
                return new() { dx, dy, null, null, null };
            }, slots: 5, operands: 2);
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Binary cross entropy with logits as a module (PyTorch's <c>nn.BCEWithLogitsLoss</c>); see
    /// <see cref="nn.functional.binary_cross_entropy_with_logits(Tensor, Tensor, Tensor?, torch.nn.Reduction, Tensor?)"/>.
    /// weight and pos_weight are registered buffers ("weight", "pos_weight"), as in PyTorch, owned by the module: they move
    /// with <c>.to(device)</c> and <c>.to(dtype)</c> and appear in <c>state_dict()</c> (see <see cref="BufferedLoss{T1, T2, TResult}"/>).
    /// </summary>
    public sealed class BCEWithLogitsLoss : BufferedLoss<Tensor, Tensor, Tensor>
    {
        /// <param name="weight">Optional per-element rescaling weight.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="pos_weight">Optional weight of the positive term (TorchSharp: <c>pos_weights</c>).</param>
        public BCEWithLogitsLoss(Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean, Tensor? pos_weight = null)
            : base(weight, reduction)
        {
            Keep(nameof(pos_weight), pos_weight);
        }

        /// <summary>The weight of the positive term (the registered buffer "pos_weight", after any conversion by <c>.to()</c>),
        /// or null.</summary>
        public Tensor? pos_weight
        {
            get => get_buffer(nameof(pos_weight));
            private set => ConditionallyRegisterBuffer(nameof(pos_weight), value);   // TorchSharp's .to() sets the converted buffer here
        }

        /// <summary>The loss of the logits <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight);
    }
}
