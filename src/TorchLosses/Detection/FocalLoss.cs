using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.SigmoidFocalLoss"/> (torchvision's defaults: α = 0.25, γ = 2, reduction none).</summary>
        /// <param name="alpha">Range: [0, 1] weights the positives by α and the negatives by 1 − α; a negative α disables the weighting.</param>
        /// <param name="gamma">Range: γ ≥ 0; γ = 0 gives (α-weighted) binary cross entropy.</param>
        /// <param name="reduction">none (default, as torchvision), mean or sum.</param>
        public static SigmoidFocalLoss SigmoidFocalLoss(double alpha = 0.25, double gamma = 2.0,
            torch.nn.Reduction reduction = torch.nn.Reduction.None) => new(alpha, gamma, reduction);

        /// <summary>Creates a <see cref="Modules.SoftmaxFocalLoss"/> (multi-class focal loss over class indices).</summary>
        /// <param name="weight">Optional per-class weights α_c, shape (C).</param>
        /// <param name="gamma">Range: γ ≥ 0; γ = 0 is cross entropy.</param>
        /// <param name="ignore_index">A class-index target value that contributes nothing (default −100).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static SoftmaxFocalLoss SoftmaxFocalLoss(Tensor? weight = null, double gamma = 2.0, long ignore_index = -100,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(weight, gamma, ignore_index, reduction);

        public static partial class functional
        {
            /// <summary>
            /// Sigmoid (binary) focal loss with torchvision's semantics (<c>torchvision.ops.sigmoid_focal_loss</c>).
            /// <para>With p = σ(x), p_t = p·y + (1 − p)(1 − y), α_t = α·y + (1 − α)(1 − y) and
            /// CE = binary_cross_entropy_with_logits(x, y) per element:
            /// ℓ = α_t·(1 − p_t)^γ·CE; for α &lt; 0 the factor α_t is left out.</para>
            /// <para>Gradient (for y ∈ {0, 1}, where CE = −log p_t): ∂ℓ/∂x = α_t·(2y − 1)·(1 − p_t)^γ·(γ·p_t·log p_t + p_t − 1).
            /// For soft targets the composition is differentiated as written (p_t is then not exp(−CE)); the target gets a gradient
            /// too when it requires one.</para>
            /// <para>Relations: γ = 0 and α &lt; 0 is <see cref="binary_cross_entropy_with_logits(Tensor, Tensor, Tensor?, torch.nn.Reduction, Tensor?)"/>
            /// exactly; ℓ ≤ CE for α ∈ [0, 1]. Easy examples (p_t → 1) are down-weighted by (1 − p_t)^γ.</para>
            /// <para>Reduction: none (default) keeps the shape; mean divides by the number of elements (NaN for an empty input, as
            /// torchvision's plain <c>mean</c>); sum adds.</para>
            /// <para>Provenance: T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, "Focal Loss for Dense Object Detection",
            /// ICCV 2017 (arXiv:1708.02002), eq. 5; semantics of torchvision 0.14's <c>ops/focal_loss.py</c> (which follows fvcore's),
            /// checked against vectors recorded from it.</para>
            /// </summary>
            /// <param name="inputs">Logits, any shape, floating point.</param>
            /// <param name="targets">Binary labels (0 negative, 1 positive; soft values are accepted), the inputs' shape, floating point.</param>
            /// <param name="alpha">Range: [0, 1], or negative to disable the α weighting (default 0.25). NaN is rejected.</param>
            /// <param name="gamma">Range: γ ≥ 0, finite (default 2).</param>
            /// <param name="reduction">none (default), mean or sum.</param>
            /// <exception cref="ArgumentNullException">inputs or targets is null.</exception>
            /// <exception cref="ObjectDisposedException">inputs or targets has been disposed.</exception>
            /// <exception cref="ArgumentException">the shapes differ, or inputs or targets that are not floating point (each naming the argument).</exception>
            /// <exception cref="ArgumentOutOfRangeException">γ &lt; 0 or not finite, or beyond the range of the operands' type; α NaN or +∞;
            /// an undefined reduction.</exception>
            public static Tensor sigmoid_focal_loss(Tensor inputs, Tensor targets, double alpha = 0.25, double gamma = 2.0,
                torch.nn.Reduction reduction = torch.nn.Reduction.None)
            {
                Check.Defined(inputs, targets);
                var kind = Reductions.Parse(reduction);
                DetectionChecks.NonNegative(gamma, nameof(gamma));
                if (double.IsNaN(alpha) || double.IsPositiveInfinity(alpha))
                    throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"alpha must be in [0, 1] or negative, got {Check.PythonFloat(alpha)}");
                // The checks of the cross entropy below, made here so that they name this loss's arguments (inputs, targets).
                Check.Floating(inputs, nameof(inputs), "sigmoid_focal_loss");
                Check.Floating(targets, nameof(targets), "sigmoid_focal_loss");
                if (!Check.SameShape(inputs, targets))
                    throw new ArgumentException(
                        $"Target size ({Check.TorchSize(targets)}) must be the same as input size ({Check.TorchSize(inputs)})", nameof(targets));
                Check.ConvertsTo(gamma, torch.promote_types(inputs.dtype, targets.dtype), nameof(gamma));   // the exponent of a power in that type

                using var scope = torch.NewDisposeScope();
                var crossEntropy = binary_cross_entropy_with_logits(inputs, targets, reduction: torch.nn.Reduction.None);
                var one = Tensors.Constant(1.0, crossEntropy);
                var p = inputs.sigmoid();
                var pT = (p * targets).Plus((one - p) * (one - targets));
                using var exponent = gamma.ToScalar();
                var loss = crossEntropy * (one - pT).pow(exponent);
                if (alpha >= 0)
                {
                    var a = Tensors.Constant(alpha, crossEntropy);
                    loss = ((a * targets).Plus((one - a) * (one - targets))) * loss;
                }
                return scope.MoveToOuter(Reductions.Apply(loss, kind));
            }

            /// <summary>
            /// Multi-class (softmax) focal loss over class indices: cross entropy with each term scaled by (1 − p_y)^γ.
            /// <para>With lp = log_softmax(input) over the class dimension (0 for a 1-D input, else 1), p_y = exp(lp[i, yᵢ]) and
            /// w the class weights (1 without):
            /// ℓᵢ = −w[yᵢ]·(1 − p_y)^γ·lp[i, yᵢ], and 0 where yᵢ = ignore_index.</para>
            /// <para>Reduction: cross entropy's: mean divides the sum by W = Σ_{i not ignored} w[yᵢ] (NaN when W = 0, as
            /// cross entropy), sum adds, none keeps the target's shape. With γ = 0 the loss is
            /// <see cref="cross_entropy(Tensor, Tensor, Tensor?, long, torch.nn.Reduction, double)"/> exactly: the same composition
            /// (a test compares values and gradients bit for bit with cross_entropy's autograd path, and with libtorch's own op within
            /// the dtype's tolerance).</para>
            /// <para>Gradient: with q = 1 − p_y, ∂ℓᵢ/∂input[i, c] = w[yᵢ]·q^{γ−1}·(γ·p_y·log p_y − q)·(δ_{c,yᵢ} − p_c)·… in closed form
            /// ∂ℓᵢ/∂lp_y = −w·(q^γ − γ·q^{γ−1}·p_y·lp_y), then through log_softmax (∂lp_y/∂x_c = δ_{c,y} − p_c). Where p_y = 1 exactly
            /// (q = 0) the modulating factor is 0 with gradient 0, its limit, also for 0 &lt; γ &lt; 1 (where q^{γ−1} is infinite).</para>
            /// <para>Provenance: Lin et al., ICCV 2017 (arXiv:1708.02002), the α-balanced form −α_t(1 − p_t)^γ log p_t written over a
            /// softmax with per-class α = weight; ignore_index and the weighted mean follow PyTorch's <c>cross_entropy</c>. Unlike kornia's
            /// <c>focal_loss</c>, there is no scalar α mapped to [1 − α, α, α, …]: pass that vector as <paramref name="weight"/>.</para>
            /// </summary>
            /// <param name="input">Logits: (C), (N, C) or (N, C, d₁…d_k); float16, bfloat16, float32 or float64.</param>
            /// <param name="target">Class indices (int64 or uint8) shaped like the input without the class dimension.</param>
            /// <param name="weight">Optional per-class weights: 1-D with C entries, the input's dtype.</param>
            /// <param name="gamma">Range: γ ≥ 0, finite (default 2).</param>
            /// <param name="ignore_index">Class-index target value to ignore (default −100).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentException">shapes, dtypes or the weight do not fit (cross entropy's messages).</exception>
            /// <exception cref="ArgumentOutOfRangeException">a target outside [0, C) that is not ignore_index; γ &lt; 0 or not finite.</exception>
            public static Tensor softmax_focal_loss(Tensor input, Tensor target, Tensor? weight = null, double gamma = 2.0,
                long ignore_index = -100, torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, target);
                Check.Optional(weight);
                var kind = Reductions.Parse(reduction);
                DetectionChecks.NonNegative(gamma, nameof(gamma));
                if (gamma != 0.0) Check.ConvertsTo(gamma, input.dtype, nameof(gamma));   // the exponent of a power in the input's type
                if (Check.SameShape(input, target) && input.dim() > 0)
                    throw new ArgumentException(
                        $"softmax_focal_loss: target must hold class indices shaped like the input without the class dimension, got input {Check.TorchSize(input)} and target {Check.TorchSize(target)}",
                        nameof(target));
                long classDim = CheckNllShapes(input, target, weight);
                Check.KernelSupports("log_softmax_lastdim_kernel_impl", input.dtype, nameof(input), Check.AllFloating);

                using var scope = torch.NewDisposeScope();
                target = UnbatchedTarget(input, target);
                ClassTargets.CheckRange(target, Tensors.Shape(input)[classDim], ignore_index);
                var logProbabilities = input.log_softmax(classDim);
                var (picked, targetWeight) = ClassTargets.Pick(logProbabilities, target, weight, ignore_index, classDim);
                var terms = -(picked * targetWeight);
                if (gamma != 0.0)
                    terms = terms * ModulatingFactor(picked, gamma);
                return scope.MoveToOuter(ClassTargets.Reduce(terms, targetWeight, kind));
            }

            /// <summary>
            /// (1 − p)^γ from log p, with value and gradient 0 where p = 1 exactly (the limit; the plain power's gradient
            /// γ·q^{γ−1} is infinite there for γ &lt; 1 and would turn 0·∞ into NaN).
            /// </summary>
            private static Tensor ModulatingFactor(Tensor logProbability, double gamma)
            {
                var q = -logProbability.expm1();
                var positive = q > Tensors.Constant(0.0, q);
                var safe = torch.where(positive, q, torch.ones_like(q));
                using var exponent = gamma.ToScalar();
                return torch.where(positive, safe.pow(exponent), torch.zeros_like(q));
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Sigmoid focal loss as a module; see <see cref="nn.functional.sigmoid_focal_loss(Tensor, Tensor, double, double, torch.nn.Reduction)"/>.
    /// </summary>
    public sealed class SigmoidFocalLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="alpha">Range: [0, 1], or negative to disable the weighting (default 0.25).</param>
        /// <param name="gamma">Range: γ ≥ 0 (default 2).</param>
        /// <param name="reduction">none (default), mean or sum.</param>
        public SigmoidFocalLoss(double alpha = 0.25, double gamma = 2.0, torch.nn.Reduction reduction = torch.nn.Reduction.None)
            : base(reduction)
        {
            this.alpha = alpha;
            this.gamma = gamma;
        }

        /// <summary>The positive-class weight α (negative: no weighting).</summary>
        public double alpha { get; }

        /// <summary>The focusing exponent γ.</summary>
        public double gamma { get; }

        /// <summary>The loss of the logits <paramref name="input"/> against the binary <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.sigmoid_focal_loss(input, target, alpha, gamma, reduction);
    }

    /// <summary>
    /// Softmax focal loss as a module; see
    /// <see cref="nn.functional.softmax_focal_loss(Tensor, Tensor, Tensor?, double, long, torch.nn.Reduction)"/>.
    /// The weight is registered as a buffer, so it moves with <c>.to(device)</c>.
    /// </summary>
    public sealed class SoftmaxFocalLoss : WeightedLoss<Tensor, Tensor, Tensor>
    {
        /// <param name="weight">Optional per-class weights, shape (C).</param>
        /// <param name="gamma">Range: γ ≥ 0 (default 2).</param>
        /// <param name="ignore_index">Class-index target value to ignore (default −100).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public SoftmaxFocalLoss(Tensor? weight = null, double gamma = 2.0, long ignore_index = -100,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(weight, reduction)
        {
            this.gamma = gamma;
            this.ignore_index = ignore_index;
        }

        /// <summary>The focusing exponent γ.</summary>
        public double gamma { get; }

        /// <summary>The class-index target value that contributes nothing.</summary>
        public long ignore_index { get; }

        /// <summary>The loss of the logits <paramref name="input"/> against the class indices <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.softmax_focal_loss(input, target, weight, gamma, ignore_index, reduction);
    }
}
