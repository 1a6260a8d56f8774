using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.MultiLabelSoftMarginLoss"/>.</summary>
        /// <param name="weight">Optional per-class weights, broadcast against the per-element loss.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static MultiLabelSoftMarginLoss MultiLabelSoftMarginLoss(Tensor? weight = null,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(weight, reduction);

        /// <summary>Creates a <see cref="Modules.MultiLabelSoftMarginLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        public static MultiLabelSoftMarginLoss MultiLabelSoftMarginLoss(Tensor? weight, bool? size_average, bool? reduce = null,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(weight, Reductions.LegacyOr(size_average, reduce, reduction, "multilabel_soft_margin_loss"));

        public static partial class functional
        {
            /// <summary>
            /// Multi-label one-versus-all logistic loss, PyTorch's <c>F.multilabel_soft_margin_loss</c>
            /// (computed in Python in PyTorch, so the formula below is the whole definition).
            /// <para>Per element, with σ the logistic function and w the weight (1 without):
            /// ℓ = −w·(y·log σ(x) + (1 − y)·log σ(−x)); then per sample the classes are averaged,
            /// Lᵢ = Σ_c ℓ[i, c] / C, over the <b>last</b> dimension of the input, C = input.size(−1)
            /// (for any number of dimensions ≥ 1; the result has the shape input.shape[:−1] when the target
            /// does not add dimensions). C = 0 gives NaN (0/0) per sample.</para>
            /// <para>Gradient: ∂L/∂x = w·(σ(x) − y)/C; ∂L/∂y = −w·(log σ(x) − log σ(−x))/C = −w·x/C; the weight
            /// gets the unweighted per-element loss /C (all by autograd through the composition, as in PyTorch).</para>
            /// <para>Reduction: none returns the per-sample losses; mean divides their sum by their number
            /// (NaN for an empty input); sum adds.</para>
            /// <para>Relations: Lᵢ is the class-mean of <c>binary_cross_entropy_with_logits(x, y, reduction: none)</c>
            /// over the last dimension (up to rounding: that kernel uses a different but equivalent form).
            /// x = +∞ with y = 1 gives NaN (0·−∞), as in PyTorch.</para>
            /// </summary>
            /// <param name="input">Logits, at least 1-D; float64, float32, bfloat16 or float16 (libtorch 2.10's <c>log_sigmoid</c> has a
            /// float16 CPU kernel; 1.13's had none).</param>
            /// <param name="target">Labels in [0, 1] (any value is used as given; int64 is accepted), broadcastable with the input.</param>
            /// <param name="weight">Optional weights (normally per class, shape (C)), broadcastable with the per-element loss.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <remarks>TorchSharp calls the C++ frontend's copy of the same formula.</remarks>
            /// <exception cref="ArgumentException">input, target and weight cannot be broadcast together; the input is 0-d
            /// ("Dimension specified as -1 but tensor has no dimensions", PyTorch's IndexError).</exception>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value ("5 is not valid", checked last as in PyTorch).</exception>
            public static Tensor multilabel_soft_margin_loss(Tensor input, Tensor target, Tensor? weight = null,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, target);
                Check.Optional(weight);
                // PyTorch's order: the broadcasts of target·logσ(input) and of ·weight, the class dimension, the reduction.
                var lossShape = Check.BroadcastShape(Tensors.Shape(target), Tensors.Shape(input));
                if (weight is not null) Check.BroadcastShape(lossShape, Tensors.Shape(weight), nameof(weight));
                if (input.dim() == 0)
                    throw new ArgumentException("Dimension specified as -1 but tensor has no dimensions", nameof(input));
                var kind = reduction switch
                {
                    torch.nn.Reduction.None => ReductionKind.None,
                    torch.nn.Reduction.Mean => ReductionKind.Mean,
                    torch.nn.Reduction.Sum => ReductionKind.Sum,
                    _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{(long)reduction} is not valid"),
                };

                // libtorch's refusals in the expression below: log σ of a non-floating input, 1 − target of a bool target.
                Check.KernelSupports("log_sigmoid_cpu", input.dtype, nameof(input), Check.AllFloating);
                Check.SubtractsNoBool(input, target, nameof(input), nameof(target));

                using var scope = torch.NewDisposeScope();
                var loss = -((target * input.log_sigmoid()).Plus((Scalars.One.Minus(target)) * (-input).log_sigmoid()));
                if (weight is not null) loss = loss * weight;
                long classDim = input.dim() - 1;
                using var inputSize = Tensors.Shape(input)[classDim].ToScalar();
                var perSample = loss.sum(new[] { classDim }) / inputSize;
                return scope.MoveToOuter(Reductions.Apply(perSample, kind));
            }

            /// <summary>Multilabel soft margin loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="multilabel_soft_margin_loss(Tensor, Tensor, Tensor?, torch.nn.Reduction)"/>
            public static Tensor multilabel_soft_margin_loss(Tensor input, Tensor target, Tensor? weight, bool? size_average, bool? reduce = null,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                multilabel_soft_margin_loss(input, target, weight,
                    Reductions.LegacyOr(size_average, reduce, reduction, "multilabel_soft_margin_loss"));
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Multi-label one-versus-all logistic loss as a module (PyTorch's <c>nn.MultiLabelSoftMarginLoss</c>); see
    /// <see cref="nn.functional.multilabel_soft_margin_loss(Tensor, Tensor, Tensor?, torch.nn.Reduction)"/>.
    /// The weight is registered as a buffer, so it moves with <c>.to(device)</c>.
    /// </summary>
    public sealed class MultiLabelSoftMarginLoss : BufferedLoss<Tensor, Tensor, Tensor>
    {
        /// <param name="weight">Optional per-class weights.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public MultiLabelSoftMarginLoss(Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            : base(weight, reduction) { }

        /// <summary>The loss of the logits <paramref name="input"/> against the 0/1 labels <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.multilabel_soft_margin_loss(input, target, weight, reduction);
    }
}
