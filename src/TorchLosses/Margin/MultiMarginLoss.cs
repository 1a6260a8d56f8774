using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.MultiMarginLoss"/>.</summary>
        /// <param name="p">The exponent of the hinge. Range: 1 or 2.</param>
        /// <param name="margin">The margin Δ. Range: any real number.</param>
        /// <param name="weight">Optional per-class weights, 1-D with C entries, the input's dtype.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <exception cref="ArgumentOutOfRangeException">p is neither 1 nor 2.</exception>
        /// <exception cref="ArgumentException">the weight is not one-dimensional.</exception>
        public static MultiMarginLoss MultiMarginLoss(int p = 1, double margin = 1.0, Tensor? weight = null,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) => new(p, margin, weight, reduction);

        /// <summary>Creates a <see cref="Modules.MultiMarginLoss"/> from PyTorch's deprecated <c>size_average</c>/<c>reduce</c> pair (they override <paramref name="reduction"/>).</summary>
        public static MultiMarginLoss MultiMarginLoss(int p, double margin, Tensor? weight, bool? size_average, bool? reduce = null,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(p, margin, weight, Reductions.LegacyOr(size_average, reduce, reduction, "multi_margin_loss"));

        public static partial class functional
        {
            /// <summary>
            /// Multi-class hinge loss (Weston–Watkins / Crammer–Singer style), PyTorch's <c>F.multi_margin_loss</c>.
            /// <para>Per sample i with target class c = yᵢ, C classes and Δ the margin:
            /// ℓᵢ = Σ_{j ≠ c} w[c]·max(0, Δ − x[i, c] + x[i, j])^p / C. The weight is indexed by the
            /// <b>target</b> class (1 without weights). A term counts only where z = Δ − x[c] + x[j] &gt; 0;
            /// a NaN z counts as inactive, as in libtorch's kernel (so a NaN score adds nothing).</para>
            /// <para>Gradient: for every active j, ∂ℓ/∂x[j] = w[c]/C (p = 1) or 2·w[c]·z/C (p = 2), and
            /// ∂ℓ/∂x[c] is minus their sum. The test z &gt; 0 is <b>strict</b>: at z = 0 there is no gradient,
            /// as in libtorch's kernel (not a clamp, which would pass it). Neither target nor weight is
            /// differentiable.</para>
            /// <para>Reduction: none gives one loss per sample, shape (N) (a 0-d result for a 0-d target);
            /// mean divides the sum by N (not by the total weight); sum adds. An empty batch gives NaN for
            /// mean and 0 for sum, what a mean and a sum over nothing are (libtorch's kernel, 1.13 and 2.10 alike,
            /// returns uninitialised memory there).</para>
            /// <para>Shapes: input (N, C) with target (N); input (C) with a 0-d or (1) target; a 0-d input
            /// is one sample with one class, whose loss is 0. N may be 0, C may not.</para>
            /// <para>Relations: with p = 1, Δ = 1 and C = 2 it is half the binary hinge max(0, 1 − (x[c] − x[other]));
            /// multilabel_margin_loss is the same hinge with Δ = 1 summed over a set of target classes.</para>
            /// </summary>
            /// <param name="input">Class scores, float32 or float64 (libtorch's CPU kernel has neither float16 nor bfloat16).</param>
            /// <param name="target">Class indices, int64, each in [0, C).</param>
            /// <param name="p">The exponent of the hinge. Range: 1 or 2.</param>
            /// <param name="margin">Δ, default 1.0. Range: any real number.</param>
            /// <param name="weight">Optional per-class weights: 1-D, C entries, the input's dtype, must not require grad.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <remarks>A weight with fewer or more than C entries is rejected, as libtorch 2.10 does ("inconsistent
            /// weight size, expected 3 but got [2]"; PyTorch 1.13 accepted it and read out of bounds). A weight that is
            /// not 1-D is rejected first with PyTorch's Python message ("weight must be one-dimensional").
            /// TorchSharp's <c>MultiMarginLoss</c> keeps the weight as a plain property; here it is a registered buffer.</remarks>
            /// <exception cref="ArgumentOutOfRangeException">reduction is not a defined value; p is neither 1 nor 2;
            /// a target lies outside [0, C) ("target out of range").</exception>
            /// <exception cref="ArgumentException">shapes, dtypes or the weight do not fit (PyTorch's messages), or the
            /// weight requires grad while grad mode is on.</exception>
            /// <exception cref="ArgumentException">the input is not float32 or float64.</exception>
            public static Tensor multi_margin_loss(Tensor input, Tensor target, int p = 1, double margin = 1.0, Tensor? weight = null,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                Check.Defined(input, target);
                Check.Optional(weight);
                var kind = Reductions.Parse(reduction);
                MarginChecks.CheckP(p);
                MarginChecks.CheckWeightIsVector(weight);
                if (weight is not null) Check.NotDifferentiable("multi_margin_loss", weight, nameof(weight));
                var (frames, classes) = MarginChecks.Frames(input);
                if (target.dim() > 1 || target.numel() != frames)
                    throw new ArgumentException(
                        $"inconsistent target size, expected {frames} but got {Check.Brackets(target)}", nameof(target));
                if (weight is not null && weight.numel() != classes)
                    throw new ArgumentException(
                        $"inconsistent weight size, expected {classes} but got {Check.Brackets(weight)}", nameof(weight));
                if (input.numel() != 0)
                {
                    Check.KernelSupports("multi_margin_loss_cpu_kernel", input.dtype, nameof(input), Check.FloatDouble);
                    Check.ConvertsTo(margin, input.dtype, nameof(margin));   // the kernel holds margin as scalar_t
                    MarginChecks.CheckLongTarget(target);
                    ClassTargets.CheckWeightDtype(weight, input);
                    if (MarginChecks.ReadRange(target) is { } range && (range.min < 0 || range.max >= classes))
                        throw new ArgumentOutOfRangeException(nameof(target), "target out of range");
                }

                using var scope = torch.NewDisposeScope();
                var x = input.reshape(frames, classes);
                var y = target.reshape(frames, 1).to(torch.ScalarType.Int64);
                using var marginScalar = margin.ToScalar();
                // z = Δ − x[c] + x[j] in libtorch's order; the target class itself and z ≤ 0 (or NaN) are inactive.
                var z = (marginScalar.Minus(x.gather(1, y))).Plus(x);
                using var classesScalar = classes.ToScalar();
                var others = torch.arange(Scalars.Zero, classesScalar, Scalars.One, torch.ScalarType.Int64, input.device)!= y;
                var active = (z > Scalars.Zero).logical_and(others);
                var zeros = torch.zeros_like(z);
                var hinge = torch.where(active, z, zeros);
                var terms = p == 1 ? hinge : hinge * hinge;
                if (weight is not null)
                    terms = terms * torch.where(active, weight.index_select(0, y.reshape(frames)).unsqueeze(1), zeros);
                var perSample = terms.sum(1L) / classesScalar;
                return scope.MoveToOuter(MarginChecks.Reduce(perSample, kind, keepSamples: target.dim() > 0));
            }

            /// <summary>Multi-margin loss with PyTorch's deprecated <c>size_average</c>/<c>reduce</c> arguments (they override <paramref name="reduction"/>).</summary>
            /// <inheritdoc cref="multi_margin_loss(Tensor, Tensor, int, double, Tensor?, torch.nn.Reduction)"/>
            public static Tensor multi_margin_loss(Tensor input, Tensor target, int p, double margin, Tensor? weight, bool? size_average,
                bool? reduce = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                multi_margin_loss(input, target, p, margin, weight, Reductions.LegacyOr(size_average, reduce, reduction, "multi_margin_loss"));
        }
    }

    /// <summary>
    /// Checks and helpers shared by the margin losses (multi-margin, multilabel-margin, soft margin):
    /// libtorch's frame/class shape rule for its margin kernels, its target checks and messages, and the
    /// per-sample reduction those kernels use.
    /// </summary>
    internal static class MarginChecks
    {
        /// <summary>PyTorch's check of the exponent (raised by the module and by the function).</summary>
        internal static void CheckP(int p)
        {
            if (p != 1 && p != 2) throw new ArgumentOutOfRangeException(nameof(p), p, "only p == 1 and p == 2 supported");
        }

        /// <summary>PyTorch's check that a multi-margin weight is one-dimensional.</summary>
        internal static void CheckWeightIsVector(Tensor? weight)
        {
            if (weight is not null && weight.dim() != 1) throw new ArgumentException("weight must be one-dimensional", nameof(weight));
        }

        /// <summary>
        /// The (samples, classes) view libtorch's margin kernels take: (N, C) as is, (C) as one sample,
        /// 0-d as one sample of one class. Anything else, or C = 0, is refused with libtorch's message.
        /// </summary>
        internal static (long frames, long classes) Frames(Tensor input)
        {
            var shape = Tensors.Shape(input);
            bool valid = shape.Length == 0 || (shape.Length == 1 && shape[0] != 0) || (shape.Length == 2 && shape[1] != 0);
            if (!valid)
                throw new ArgumentException(
                    $"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {Check.Brackets(shape)}", nameof(input));
            return shape.Length switch
            {
                0 => (1, 1),
                1 => (1, shape[0]),
                _ => (shape[0], shape[1]),
            };
        }

        /// <summary>The margin kernels read their targets as int64 and refuse any other type.</summary>
        internal static void CheckLongTarget(Tensor target)
        {
            if (target.dtype != torch.ScalarType.Int64)
                throw new ArgumentException($"expected scalar type Long but found {Check.TorchTypeName(target.dtype)}", nameof(target));
        }

        /// <summary>
        /// The smallest and largest target (converted to int64 as libtorch reads them), or null where
        /// there are no values to read (the meta device, or no targets).
        /// </summary>
        internal static (long min, long max)? ReadRange(Tensor target)
        {
            if (target.device_type == DeviceType.META || target.numel() == 0) return null;
            using var scope = torch.NewDisposeScope();
            return (target.min().to(torch.ScalarType.Int64).item<long>(), target.max().to(torch.ScalarType.Int64).item<long>());
        }

        /// <summary>
        /// The reduction of the margin kernels over per-sample losses: none keeps shape (N) when
        /// <paramref name="keepSamples"/> is set and is 0-d otherwise; mean is the sum over N (NaN for
        /// N = 0); sum adds (0 for N = 0).
        /// </summary>
        internal static Tensor Reduce(Tensor perSample, ReductionKind kind, bool keepSamples) =>
            kind == ReductionKind.None && !keepSamples ? perSample.reshape(Array.Empty<long>()) : Reductions.Apply(perSample, kind);
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Multi-class hinge loss as a module (PyTorch's <c>nn.MultiMarginLoss</c>); see
    /// <see cref="nn.functional.multi_margin_loss(Tensor, Tensor, int, double, Tensor?, torch.nn.Reduction)"/>.
    /// The weight is registered as a buffer, so it moves with <c>.to(device)</c>.
    /// </summary>
    public sealed class MultiMarginLoss : BufferedLoss<Tensor, Tensor, Tensor>
    {
        /// <param name="p">The exponent of the hinge. Range: 1 or 2 (checked here, as PyTorch's constructor does).</param>
        /// <param name="margin">The margin Δ. Range: any real number.</param>
        /// <param name="weight">Optional per-class weights, 1-D (checked here; PyTorch's constructor asserts it).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <exception cref="ArgumentOutOfRangeException">p is neither 1 nor 2.</exception>
        /// <exception cref="ArgumentException">the weight is not one-dimensional.</exception>
        public MultiMarginLoss(int p = 1, double margin = 1.0, Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            : base(Validated(p, weight), reduction)
        {
            this.p = p;
            this.margin = margin;
        }

        private static Tensor? Validated(int p, Tensor? weight)
        {
            MarginChecks.CheckP(p);
            MarginChecks.CheckWeightIsVector(Check.Optional(weight));
            return weight;
        }

        /// <summary>The exponent of the hinge, 1 or 2.</summary>
        public int p { get; }

        /// <summary>The margin Δ.</summary>
        public double margin { get; }

        /// <summary>The loss of the class scores <paramref name="input"/> against the class indices <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.multi_margin_loss(input, target, p, margin, weight, reduction);
    }
}
