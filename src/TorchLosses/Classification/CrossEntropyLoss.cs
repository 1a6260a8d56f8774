using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.CrossEntropyLoss"/>.</summary>
        /// <param name="weight">Optional per-class weights, shape (C).</param>
        /// <param name="ignore_index">A class-index target value that contributes nothing (default −100).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="label_smoothing">Range: [0, 1]; mixes the target with the uniform distribution.</param>
        /// <remarks>Unlike TorchSharp's factory, this one has <paramref name="label_smoothing"/>, as PyTorch's.</remarks>
        public static CrossEntropyLoss CrossEntropyLoss(Tensor? weight = null, long ignore_index = -100,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double label_smoothing = 0.0) =>
            new(weight, ignore_index, reduction, label_smoothing);

        /// <summary>Creates a <see cref="Modules.CrossEntropyLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        public static CrossEntropyLoss CrossEntropyLoss(Tensor? weight, bool? size_average, long ignore_index = -100,
            bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double label_smoothing = 0.0) =>
            new(weight, ignore_index, Reductions.LegacyOr(size_average, reduce, reduction, "cross_entropy"), label_smoothing);

        public static partial class functional
        {
            /// <summary>
            /// Cross entropy between logits and a target, PyTorch's <c>F.cross_entropy</c>: log-softmax over
            /// the class dimension followed by a negative log-likelihood.
            /// <para>With lp = log_softmax(input) over the class dimension (0 for 1-D input, else 1),
            /// w the class weights (1 without) and ε = <paramref name="label_smoothing"/>:</para>
            /// <para>Class-index target (its shape is the input's without the class dimension):
            /// ℓᵢ = (1 − ε)·(−w[yᵢ]·lp[i, yᵢ]) + (ε/C)·(−Σ_c w[c]·lp[i, c]), and 0 where yᵢ = ignore_index.
            /// mean divides both sums by W = Σ_{i not ignored} w[yᵢ].</para>
            /// <para>Probability target (same shape as the input, floating): with t' = (1 − ε)·t + ε/C,
            /// ℓᵢ = −Σ_c w[c]·t'[i, c]·lp[i, c]; mean divides by the number of rows (N·d₁…d_k), not by the weights.</para>
            /// <para>Gradient: ∂ℓᵢ/∂input[i, c] = w·(softmax(input)[i, c] − target'[i, c]) with the
            /// weights and denominators above; the target is differentiable only on the probability path:
            /// ∂ℓᵢ/∂t[i, c] = −(1 − ε)·w[c]·lp[i, c].</para>
            /// <para>Stable form: log_softmax subtracts the row maximum before exponentiating, so logits of
            /// ±10⁴ are handled exactly.</para>
            /// </summary>
            /// <param name="input">Logits: (C), (N, C) or (N, C, d₁…d_k); float16, bfloat16, float32 or float64.</param>
            /// <param name="target">Class indices (int64 or uint8) shaped like the input without the class dimension (for a
            /// 1-D input also (1), read as the 0-d target, as libtorch 2.10 does; not with label smoothing, which libtorch
            /// rejects there), or class probabilities shaped exactly like the input.</param>
            /// <param name="weight">Optional per-class weights: 1-D with C entries. With class-index targets it is not
            /// differentiable, as in libtorch: a weight that requires grad is rejected while grad mode is on ("The function
            /// 'nll_loss_forward' is not differentiable with respect to argument 'weight'. …"); with probability targets it is.</param>
            /// <param name="ignore_index">Class-index target value to ignore; must be negative with probability targets.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="label_smoothing">Range: ε ≤ 1 (ε &gt; 1 is an error); a negative or NaN ε is treated as 0, as in PyTorch.</param>
            /// <exception cref="ArgumentException">shapes, dtypes, the weight or ignore_index do not fit, or the input is 0-d
            /// (PyTorch's messages).</exception>
            /// <exception cref="ArgumentOutOfRangeException">a target lies outside [0, C), or ε &gt; 1.</exception>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double label_smoothing = 0.0)
            {
                Check.Defined(input, target);
                Check.Optional(weight);
                var kind = Reductions.Parse(reduction);
                if (Check.SameShape(input, target))   // the ranks first: a class-index target has one dimension fewer
                    return CrossEntropyWithProbabilities(input, target, weight, ignore_index, kind, label_smoothing);
                if (label_smoothing > 1.0)
                    throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing,
                        $"label_smoothing must be between 0.0 and 1.0. Got: {Check.CppDouble(label_smoothing)}");

                // libtorch's order: log_softmax over the class dimension (its dimension and dtype checks), then NLL's checks.
                if (input.dim() == 0)
                    throw new ArgumentException("Dimension out of range (expected to be in range of [-1, 0], but got 1)", nameof(input));
                Check.KernelSupports("log_softmax_lastdim_kernel_impl", input.dtype, nameof(input), Check.AllFloating);
                long classDim = CheckNllShapes(input, target, weight, out long classes);
                bool targetOfSizeOne = input.dim() == 1 && target.dim() == 1;

                using var scope = torch.NewDisposeScope();   // before the first tensor made here, so a throw releases it too
                target = UnbatchedTarget(input, target);
                bool anyIgnored = ClassTargets.CheckRange(target, classes, ignore_index);
                // libtorch 2.10 zeroes the ignored entries of the uniform term in place (masked_fill_), and that 0-d term
                // cannot take the (1) mask of a target of shape (1).
                if (label_smoothing > 0.0 && targetOfSizeOne)
                    throw new ArgumentException("output with shape [] doesn't match the broadcast shape [1]", nameof(target));
                if (label_smoothing > 0.0 && weight is not null && kind == ReductionKind.Mean)
                    CheckSmoothingNormaliserIndex(target, ignore_index);

                if (!(label_smoothing > 0.0) && ClassIndexGradientFunction.Applies(input, weight))
                    return scope.MoveToOuter(ClassIndexGradientFunction.Apply(input, target, weight, ignore_index, kind, classDim, logSoftmax: true, anyIgnored));
                var logProbabilities = input.log_softmax(classDim);
                var (picked, targetWeight) = ClassTargets.Pick(logProbabilities, target, weight, ignore_index, classDim);
                var nll = ClassTargets.Reduce(-(picked * targetWeight), targetWeight, kind);
                if (!(label_smoothing > 0.0)) return scope.MoveToOuter(nll);

                // The uniform part: sᵢ = −Σ_c w[c]·lp[i, c], zero at ignored targets, reduced with the same denominator.
                var weighted = weight is null ? logProbabilities : logProbabilities * ClassWeightView(weight, input.dim(), classDim);
                using var ignore_indexScalar = ignore_index.ToScalar();
                var valid = target.to(torch.ScalarType.Int64) != ignore_indexScalar;
                var uniform = torch.where(valid, -weighted.sum(classDim), torch.zeros_like(picked));
                var smooth = ClassTargets.Reduce(uniform, targetWeight, kind);
                using var keptShare = (1 - label_smoothing).ToScalar();
                using var spreadShare = (label_smoothing / classes).ToScalar();
                var loss = (nll * keptShare).Plus(smooth * spreadShare);
                return scope.MoveToOuter(loss);
            }

            /// <summary>Cross entropy with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="cross_entropy(Tensor, Tensor, Tensor?, long, torch.nn.Reduction, double)"/>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight, bool? size_average, long ignore_index = -100,
                bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double label_smoothing = 0.0) =>
                cross_entropy(input, target, weight, ignore_index, Reductions.LegacyOr(size_average, reduce, reduction, "cross_entropy"),
                    label_smoothing);

            /// <summary>The probability-target path of <see cref="cross_entropy(Tensor, Tensor, Tensor?, long, torch.nn.Reduction, double)"/>.</summary>
            private static Tensor CrossEntropyWithProbabilities(Tensor input, Tensor target, Tensor? weight, long ignoreIndex,
                ReductionKind reduction, double labelSmoothing)
            {
                if (!torch.is_floating_point(target.dtype))
                    throw new ArgumentException(
                        $"Expected floating point type for target with class probabilities, got {Check.TorchTypeName(target.dtype)}",
                        nameof(target));
                if (ignoreIndex >= 0)
                    throw new ArgumentException("ignore_index is not supported for floating point target", nameof(ignoreIndex));
                long classDim = input.dim() == 1 ? 0 : 1;
                if (input.dim() == 0)   // libtorch reads the class count input.size(1) here
                    throw new ArgumentException("Dimension specified as 1 but tensor has no dimensions", nameof(input));
                long classes = Tensors.Shape(input)[classDim];
                ClassTargets.CheckWeight(weight, classes, "cross_entropy: ");
                if (labelSmoothing > 1.0)
                    throw new ArgumentOutOfRangeException("label_smoothing", labelSmoothing,
                        $"label_smoothing must be between 0.0 and 1.0. Got: {Check.CppDouble(labelSmoothing)}");
                Check.KernelSupports("log_softmax_lastdim_kernel_impl", input.dtype, nameof(input), Check.AllFloating);

                using var scope = torch.NewDisposeScope();
                var logProbabilities = input.log_softmax(classDim);
                using var keptShare = (1 - labelSmoothing).ToScalar();
                using var spreadShare = (labelSmoothing / classes).ToScalar();
                var smoothed = labelSmoothing > 0.0 ? (target * keptShare).Plus(spreadShare) : target;
                var terms = logProbabilities * smoothed;
                if (weight is not null) terms = terms * ClassWeightView(weight, input.dim(), classDim);
                // Mean divides by the number of rows (N·d₁…d_k); an empty input gives NaN.
                long rows = input.numel() == 0 ? 0 : input.numel() / classes;
                using var rowCount = rows.ToScalar();
                Tensor loss = reduction switch
                {
                    ReductionKind.None => -terms.sum(classDim),
                    ReductionKind.Sum => -terms.sum(),
                    _ => rows == 0 ? -terms.sum() * Scalars.NaN : -terms.sum() / rowCount,
                };
                return scope.MoveToOuter(loss);
            }

            /// <summary>
            /// libtorch normalises the smoothed, weighted mean with <c>weight.gather(0, valid targets)</c>, and gather
            /// takes int32 and int64 indices only: a uint8 target is rejected there, unless every target is ignored (nothing
            /// to gather). (int32 targets never get that far: NLL rejects them first.)
            /// </summary>
            private static void CheckSmoothingNormaliserIndex(Tensor target, long ignoreIndex)
            {
                if (target.dtype == torch.ScalarType.Int64 || target.device_type == DeviceType.META) return;
                using var scope = torch.NewDisposeScope();
                using var ignoreIndexScalar = ignoreIndex.ToScalar();
                if ((target.to(torch.ScalarType.Int64) != ignoreIndexScalar).any().item<bool>())
                    throw new ArgumentException("gather(): Expected dtype int32/int64 for index", nameof(target));
            }

            /// <summary>The class weights shaped to broadcast along the class dimension of a <paramref name="rank"/>-D input.</summary>
            private static Tensor ClassWeightView(Tensor weight, long rank, long classDim)
            {
                var shape = Enumerable.Repeat(1L, (int)rank).ToArray();
                shape[classDim] = weight.size(0);
                return weight.reshape(shape);
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Cross entropy as a module (PyTorch's <c>nn.CrossEntropyLoss</c>); see
    /// <see cref="nn.functional.cross_entropy(Tensor, Tensor, Tensor?, long, torch.nn.Reduction, double)"/>.
    /// The weight is registered as a buffer, so it moves with <c>.to(device)</c>.
    /// </summary>
    public sealed class CrossEntropyLoss : BufferedLoss<Tensor, Tensor, Tensor>
    {
        /// <param name="weight">Optional per-class weights, shape (C).</param>
        /// <param name="ignore_index">Class-index target value to ignore (default −100).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="label_smoothing">Range: ε ≤ 1; checked when the loss is computed, as in PyTorch.</param>
        public CrossEntropyLoss(Tensor? weight = null, long ignore_index = -100,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double label_smoothing = 0.0) : base(weight, reduction)
        {
            this.ignore_index = ignore_index;
            this.label_smoothing = label_smoothing;
        }

        /// <summary>The class-index target value that contributes nothing.</summary>
        public long ignore_index { get; }

        /// <summary>The label-smoothing factor ε.</summary>
        public double label_smoothing { get; }

        /// <summary>The loss of the logits <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing);
    }
}
