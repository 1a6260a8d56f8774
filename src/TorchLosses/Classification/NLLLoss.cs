using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates an <see cref="Modules.NLLLoss"/>.</summary>
        /// <param name="weight">Optional per-class weights, shape (C).</param>
        /// <param name="ignore_index">A target value that contributes nothing (default −100).</param>
        /// <param name="reduction">none, mean (default: weighted mean) or sum.</param>
        public static NLLLoss NLLLoss(Tensor? weight = null, long ignore_index = -100,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(weight, ignore_index, reduction);

        /// <summary>Creates an <see cref="Modules.NLLLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        public static NLLLoss NLLLoss(Tensor? weight, bool? size_average, long ignore_index = -100, bool? reduce = null,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(weight, ignore_index, Reductions.LegacyOr(size_average, reduce, reduction, "nll_loss"));

        public static partial class functional
        {
            /// <summary>
            /// Negative log-likelihood loss, PyTorch's <c>F.nll_loss</c>. The input holds log-probabilities
            /// (it is used as given, not normalised).
            /// <para>Per target, with c = yᵢ the target class and w the class weights (1 without):
            /// ℓᵢ = −w[c]·input[i, c], and ℓᵢ = 0 where yᵢ = ignore_index.</para>
            /// <para>Reduction: none has the target's shape; sum adds; mean is the weighted mean
            /// Σℓᵢ / Σ_{i not ignored} w[yᵢ] (NaN, with zero gradients, when every target is ignored).</para>
            /// <para>Gradient: ∂ℓ/∂input[i, c] = −w[c] (divided by the weight total for mean) at the target
            /// class, 0 elsewhere and at ignored targets.</para>
            /// <para>Shapes: input (C) with a 0-d target (or a 1-D target of size 1, read as the 0-d one, as
            /// libtorch 2.10 does); (N, C) with target (N); (N, C, d₁…d_k) with target (N, d₁…d_k). The class
            /// dimension is 0 for 1-D input and 1 otherwise.</para>
            /// </summary>
            /// <param name="input">Log-probabilities, float16, bfloat16, float32 or float64.</param>
            /// <param name="target">Class indices, int64 or uint8, each in [0, C) or equal to <paramref name="ignore_index"/>.</param>
            /// <param name="weight">Optional per-class weights: 1-D, C entries, the input's dtype. Negative weights are allowed. Not
            /// differentiable, as in libtorch: a weight that requires grad is rejected while grad mode is on.</param>
            /// <param name="ignore_index">Target value to ignore; it may lie outside [0, C).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <remarks>TorchSharp's <c>nll_loss</c> has no <c>ignore_index</c>; this one follows PyTorch.
            /// <para>Input (C) with a target of shape (1): libtorch 2.10 computes the loss but its backward rejects the
            /// pair ("size mismatch (got input: [5], target: [1])"), which on TorchSharp ends the process inside
            /// <c>autograd.grad</c>; here the gradient is that of the 0-d target.</para></remarks>
            /// <exception cref="ArgumentException">shapes, dtypes or the weight do not fit, or the weight requires grad
            /// (PyTorch's messages: "The function 'nll_loss_forward' is not differentiable with respect to argument 'weight'. …").</exception>
            /// <exception cref="ArgumentOutOfRangeException">a target lies outside [0, C) ("Target 4 is out of bounds.").</exception>
            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, target);
                Check.Optional(weight);
                var kind = Reductions.Parse(reduction);
                long classDim = CheckNllShapes(input, target, weight, out long classes);
                Check.KernelSupports(input.dim() == 4 ? "nll_loss2d_forward_out_frame" : "nll_loss_out_frame", input.dtype, nameof(input), Check.AllFloating);

                using var scope = torch.NewDisposeScope();   // before the first tensor made here, so a throw releases it too
                target = UnbatchedTarget(input, target);
                bool anyIgnored = ClassTargets.CheckRange(target, classes, ignore_index);
                if (ClassIndexGradientFunction.Applies(input, weight))
                    return scope.MoveToOuter(ClassIndexGradientFunction.Apply(input, target, weight, ignore_index, kind, classDim, logSoftmax: false, anyIgnored));
                return scope.MoveToOuter(ClassIndexGradientFunction.Composite(input, target, weight, ignore_index, kind, classDim, logSoftmax: false));
            }

            /// <summary>NLL loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="nll_loss(Tensor, Tensor, Tensor?, long, torch.nn.Reduction)"/>
            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight, bool? size_average, long ignore_index = -100,
                bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                nll_loss(input, target, weight, ignore_index, Reductions.LegacyOr(size_average, reduce, reduction, "nll_loss"));

            /// <summary>
            /// libtorch's shape checks for NLL (nll_loss_nd, nll_loss, nll_loss2d) in libtorch's order,
            /// with its messages; returns the class dimension.
            /// </summary>
            internal static long CheckNllShapes(Tensor input, Tensor target, Tensor? weight) => CheckNllShapes(input, target, weight, out _);

            /// <summary>The same checks, also giving the number of classes (the input's size along the class dimension) read with
            /// the shapes, so that callers need not read the shape again.</summary>
            /// <param name="input">The scores, as for nll_loss.</param>
            /// <param name="target">The class indices.</param>
            /// <param name="weight">The optional class weights.</param>
            /// <param name="classes">The number of classes.</param>
            internal static long CheckNllShapes(Tensor input, Tensor target, Tensor? weight, out long classes)
            {
                long dim = input.dim();
                if (dim < 1) throw new ArgumentException($"Expected 1 or more dimensions (got {dim})", nameof(input));
                var inputShape = Tensors.Shape(input);
                var targetShape = Tensors.Shape(target);
                if (dim != 1 && (targetShape.Length == 0 || inputShape[0] != targetShape[0]))
                    throw new ArgumentException(
                        $"Expected input batch_size ({inputShape[0]}) to match target batch_size ({(targetShape.Length == 0 ? 1 : targetShape[0])}).",
                        nameof(target));
                // libtorch's autograd rejects a weight that requires grad before the kernel's own checks (ATen has no
                // derivative for it); input of 3 or more dimensions runs the 2-d kernel.
                Check.NotDifferentiable(dim <= 2 ? "nll_loss_forward" : "nll_loss2d_forward", weight, nameof(weight));
                long classDim = dim == 1 ? 0 : 1;
                classes = inputShape[classDim];
                if (dim <= 2)
                {
                    if (targetShape.Length > 1)
                        throw new ArgumentException("0D or 1D target tensor expected, multi-target not supported", nameof(target));
                    if (dim == 1 && targetShape.Length == 1 && targetShape[0] != 1)
                        throw new ArgumentException($"For 1D input, 1D target must have size 1, but got target size: {targetShape[0]}", nameof(target));
                    if (dim == 2 && (targetShape.Length == 0 || inputShape[0] != targetShape[0]))
                        throw new ArgumentException(
                            $"size mismatch (got input: {Check.Brackets(inputShape)}, target: {Check.Brackets(targetShape)})", nameof(target));
                    ClassTargets.CheckWeight(weight, classes);
                }
                else if (dim == 4)
                {
                    if (targetShape.Length != 3)
                        throw new ArgumentException(
                            $"only batches of spatial targets supported (3D tensors) but got targets of dimension: {targetShape.Length}", nameof(target));
                    if (weight is not null && weight.numel() != classes)
                        throw new ArgumentException("weight tensor should be defined either for all or no classes", nameof(weight));
                    if (inputShape[0] != targetShape[0] || inputShape[2] != targetShape[1] || inputShape[3] != targetShape[2])
                        throw new ArgumentException(
                            $"size mismatch (got input: {Check.Brackets(inputShape)} , target: {Check.Brackets(targetShape)}", nameof(target));
                }
                else
                {
                    var expected = new long[dim - 1];
                    expected[0] = inputShape[0];
                    Array.Copy(inputShape, 2, expected, 1, dim - 2);
                    if (!Check.SameShape(expected, targetShape))
                        throw new ArgumentException(
                            $"Expected target size {Check.Brackets(expected)}, got {Check.Brackets(targetShape)}", nameof(target));
                    if (weight is not null && weight.numel() != classes)
                        throw new ArgumentException("weight tensor should be defined either for all or no classes", nameof(weight));
                }
                ClassTargets.CheckIndexDtype(target);
                if (dim > 2 && target.dtype != torch.ScalarType.Int64)   // nll_loss2d, behind every K-dimensional input, reads int64 only
                    throw new ArgumentException($"expected scalar type Long but found {Check.TorchTypeName(target.dtype)}", nameof(target));
                ClassTargets.CheckWeightDtype(weight, input);
                return classDim;
            }

            /// <summary>
            /// The target of a single sample (1-D input) as a 0-d tensor: libtorch 2.10 accepts a target of shape (1) there
            /// (<see cref="CheckNllShapes(Tensor, Tensor, Tensor?, out long)"/> rejects other sizes) and computes the 0-d target's loss.
            /// </summary>
            internal static Tensor UnbatchedTarget(Tensor input, Tensor target) =>
                input.dim() == 1 && target.dim() == 1 ? target.reshape(Array.Empty<long>()) : target;
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Negative log-likelihood loss as a module (PyTorch's <c>nn.NLLLoss</c>); see
    /// <see cref="nn.functional.nll_loss(Tensor, Tensor, Tensor?, long, torch.nn.Reduction)"/>.
    /// The weight is registered as a buffer, so it moves with <c>.to(device)</c>.
    /// </summary>
    public sealed class NLLLoss : BufferedLoss<Tensor, Tensor, Tensor>
    {
        /// <param name="weight">Optional per-class weights, shape (C).</param>
        /// <param name="ignore_index">Target value to ignore (default −100).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public NLLLoss(Tensor? weight = null, long ignore_index = -100, torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            : base(weight, reduction) => this.ignore_index = ignore_index;

        /// <summary>The target value that contributes nothing.</summary>
        public long ignore_index { get; }

        /// <summary>The loss of the log-probabilities <paramref name="input"/> against class indices <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.nll_loss(input, target, weight, ignore_index, reduction);
    }
}
