using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.SoftMarginLoss"/>.</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static SoftMarginLoss SoftMarginLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(reduction);

        /// <summary>Creates a <see cref="Modules.SoftMarginLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        public static SoftMarginLoss SoftMarginLoss(bool? size_average, bool? reduce, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(Reductions.LegacyOr(size_average, reduce, reduction, "soft_margin_loss"));

        public static partial class functional
        {
            /// <summary>
            /// Soft margin loss (two-class logistic loss on ±1 labels), PyTorch's <c>F.soft_margin_loss</c>.
            /// <para>Per element: ℓ = log(1 + exp(−y·x)), evaluated as libtorch 2.10 does, log1p(exp(−y·x)):
            /// for large y·x it is exp(−y·x) to full precision (float32 at y·x = 17: 4.1e-8; PyTorch 1.13's
            /// log(1 + exp) gave exactly 0 there), and ℓ = +∞ once −y·x &gt; ≈ 88.7 (float32) or ≈ 709.8 (float64),
            /// where exp overflows. The product −y·x is rounded to the input's dtype before exp, as libtorch's
            /// in-place kernel does.</para>
            /// <para>Gradient: ∂ℓ/∂x = −y·e/(1 + e) with e = exp(−y·x). It is NaN where e overflows (∞/∞),
            /// exactly as libtorch's backward, and tiny but non-zero for large positive y·x. The loss is not
            /// differentiable with respect to the target (see the exception below).</para>
            /// <para>When the target's dtype is wider than the input's (a float32 input with a float64 target, a bfloat16
            /// input with a float32 one), libtorch's backward forms e in the wider dtype and rounds y·e to the input's dtype
            /// before dividing by 1 + e: the gradient is then ±∞ (not NaN) where y·e exceeds the input dtype's range but e
            /// does not overflow, although the forward value is already +∞ there. That gradient is not the derivative of the
            /// composed forward, so it comes from a custom autograd function, which under create_graph recomputes that
            /// gradient with recorded ops: double backward works for such a pair of dtypes too (libtorch's, up to rounding).</para>
            /// <para>Reduction: none has the input's shape; mean divides the sum by the number of elements
            /// (NaN for an empty input); sum adds.</para>
            /// <para>Relations: with y ∈ {1, −1}, ℓ = softplus(−y·x) = BCE-with-logits of x against (1 + y)/2;
            /// it is the smooth counterpart of the hinge max(0, 1 − y·x).</para>
            /// </summary>
            /// <param name="input">Scores, any shape; float64, float32, bfloat16 or float16 (libtorch 2.10 has float16 CPU
            /// kernels; 1.13's <c>exp</c> had none).</param>
            /// <param name="target">Labels, normally 1 or −1 (any value is used as given); it may broadcast up
            /// to the input's shape but not beyond it. It must not require grad.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value.</exception>
            /// <exception cref="ArgumentException">the target requires grad while grad mode is on ("The function
            /// 'soft_margin_loss' is not differentiable with respect to argument 'target'. …"); the target does not
            /// broadcast to the input's shape ("output with shape [4] doesn't match the broadcast shape [3, 4]");
            /// the input is integral or bool (libtorch's casting and negation messages).</exception>
            public static Tensor soft_margin_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, target);
                var kind = Reductions.Parse(reduction);
                Check.NotDifferentiable("soft_margin_loss", target, nameof(target));
                var inputShape = Tensors.Shape(input);
                var shape = Check.BroadcastShape(inputShape, Tensors.Shape(target));
                if (!Check.SameShape(shape, inputShape))
                    throw new ArgumentException(
                        $"output with shape {Check.Brackets(inputShape)} doesn't match the broadcast shape {Check.Brackets(shape)}", nameof(target));
                CheckSoftMarginInputType(input.dtype, target.dtype);

                using var scope = torch.NewDisposeScope();
                var product = (-input) * target;
                // A target whose dtype widens the input's: libtorch's backward forms exp(−y·x) in the wider type (see SoftMarginWidenedTarget).
                var loss = product.dtype != input.dtype && input.requires_grad && torch.is_grad_enabled()
                    ? SoftMarginWidenedTarget.apply(input, target)
                    : SoftMarginElementwise(product, input.dtype);
                return scope.MoveToOuter(Reductions.Apply(loss, kind));
            }

            /// <summary>log1p(exp(−y·x)) from the product −y·x, rounded to the input's dtype first as libtorch's in-place forward does.</summary>
            internal static Tensor SoftMarginElementwise(Tensor product, torch.ScalarType inputType)
            {
                if (product.dtype != inputType) product = product.to(inputType);
                return product.exp().log1p();
            }

            /// <summary>Soft margin loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="soft_margin_loss(Tensor, Tensor, torch.nn.Reduction)"/>
            public static Tensor soft_margin_loss(Tensor input, Tensor target, bool? size_average, bool? reduce,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                soft_margin_loss(input, target, Reductions.LegacyOr(size_average, reduce, reduction, "soft_margin_loss"));

            /// <summary>
            /// libtorch computes the loss in place in a tensor of the input's type: a bool input cannot be
            /// negated, and an integral one cannot hold the floating result.
            /// </summary>
            private static void CheckSoftMarginInputType(torch.ScalarType input, torch.ScalarType target)
            {
                if (input == torch.ScalarType.Bool)
                    throw new ArgumentException(
                        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, " +
                        "use the `~` or `logical_not()` operator instead.", nameof(input));
                if (!torch.is_floating_point(input))
                {
                    var promoted = torch.promote_types(input, target);
                    var result = torch.is_floating_point(promoted) ? promoted : torch.ScalarType.Float32;
                    throw new ArgumentException(
                        $"result type {Check.TorchTypeName(result)} can't be cast to the desired output type {Check.TorchTypeName(input)}",
                        nameof(input));
                }
            }
        }
    }
}

namespace TorchLosses
{
    /// <summary>
    /// soft_margin_loss's per-element loss for a target whose dtype widens the input's, with libtorch's gradient:
    /// e = exp(−y·x) in the wider dtype, ∂ℓ/∂x = −(y·e rounded to the input's dtype)/(1 + e), rounded to the input's
    /// dtype. The forward is <c>SoftMarginElementwise</c> (the product rounded to the input's dtype before exp).
    /// </summary>
    internal sealed class SoftMarginWidenedTarget : torch.autograd.SingleTensorFunction<SoftMarginWidenedTarget>
    {
        public override string Name => nameof(SoftMarginWidenedTarget);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var input = (Tensor)vars[0]!;
            var target = (Tensor)vars[1]!;
            var product = (-input) * target;
            ctx.save_for_backward(new() { Slope(input, target), input, target });
            return nn.functional.SoftMarginElementwise(product, input.dtype);
        }

        /// <summary>−(y·e rounded to the input's dtype)/(1 + e), e = exp(−y·x) in the wider dtype; recorded when grad mode is on.</summary>
        private static Tensor Slope(Tensor input, Tensor target)
        {
            var e = ((-input) * target).exp();
            return (target * e).to(input.dtype).neg().div(e.Plus(Scalars.One)).to(input.dtype);
        }

        /// <remarks>Under create_graph (grad mode on in backward) the slope is recomputed from the saved input with recorded ops,
        /// so the gradient can be differentiated again (libtorch's soft_margin_loss double backward, y²·e/(1 + e)², up to
        /// rounding).</remarks>
        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) =>
            AnalyticGradient.Backward(grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var slope = AnalyticGradient.GraphRequested ? Slope(saved[1]!, saved[2]!) : saved[0]!;
                return new() { slope * grad_output, null };
            }, slots: 2, operands: 2);
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Soft margin loss as a module (PyTorch's <c>nn.SoftMarginLoss</c>); see
    /// <see cref="nn.functional.soft_margin_loss(Tensor, Tensor, torch.nn.Reduction)"/>.
    /// </summary>
    public sealed class SoftMarginLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        public SoftMarginLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) { }

        /// <summary>The loss of the scores <paramref name="input"/> against the ±1 labels <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => nn.functional.soft_margin_loss(input, target, reduction);
    }
}
