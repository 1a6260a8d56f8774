using TorchLosses.Modules;

namespace TorchLosses
{
    /// <summary>How a segmentation loss reads its input and target (segmentation_models.pytorch's modes).</summary>
    public enum SegmentationMode
    {
        /// <summary>One foreground channel: input (N, 1, …) or (N, …) scores, target of the same number of elements per sample, 0/1.</summary>
        Binary,

        /// <summary>Exclusive classes: input (N, C, …) scores (softmax over C), target (N, …) class indices.</summary>
        Multiclass,

        /// <summary>Independent labels: input (N, C, …) scores (a sigmoid each), target (N, C, …) of 0/1.</summary>
        Multilabel,
    }

    /// <summary>The members of the soft-overlap family.</summary>
    internal enum SoftOverlapKind
    {
        Dice,
        Jaccard,
        Tversky,
    }

    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.DiceLoss"/>; see <see cref="functional.dice_loss"/> for the parameters.</summary>
        public static DiceLoss DiceLoss(SegmentationMode mode = SegmentationMode.Multiclass, long[]? classes = null, bool log_loss = false,
            bool from_logits = true, double smooth = 0.0, long? ignore_index = null, double eps = 1e-7,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(new SoftOverlapOptions(SoftOverlapKind.Dice, mode, classes, log_loss, from_logits, smooth, ignore_index, eps, 0.5, 0.5, 1.0, reduction));

        /// <summary>Creates a <see cref="Modules.DiceLoss"/> computing the soft Jaccard (IoU) loss; see <see cref="functional.jaccard_loss"/>.</summary>
        public static DiceLoss JaccardLoss(SegmentationMode mode = SegmentationMode.Multiclass, long[]? classes = null, bool log_loss = false,
            bool from_logits = true, double smooth = 0.0, long? ignore_index = null, double eps = 1e-7,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(new SoftOverlapOptions(SoftOverlapKind.Jaccard, mode, classes, log_loss, from_logits, smooth, ignore_index, eps, 1.0, 1.0, 1.0, reduction));

        /// <summary>Creates a <see cref="Modules.DiceLoss"/> computing the Tversky loss; see <see cref="functional.tversky_loss"/>.</summary>
        public static DiceLoss TverskyLoss(SegmentationMode mode = SegmentationMode.Multiclass, long[]? classes = null, bool log_loss = false,
            bool from_logits = true, double smooth = 0.0, long? ignore_index = null, double eps = 1e-7, double alpha = 0.5, double beta = 0.5,
            double gamma = 1.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(new SoftOverlapOptions(SoftOverlapKind.Tversky, mode, classes, log_loss, from_logits, smooth, ignore_index, eps, alpha, beta, gamma, reduction));

        /// <summary>Creates a <see cref="Modules.DiceLoss"/> computing the focal Tversky loss (γ = 0.75 by default); see <see cref="functional.focal_tversky_loss"/>.</summary>
        public static DiceLoss FocalTverskyLoss(SegmentationMode mode = SegmentationMode.Multiclass, long[]? classes = null, bool log_loss = false,
            bool from_logits = true, double smooth = 0.0, long? ignore_index = null, double eps = 1e-7, double alpha = 0.7, double beta = 0.3,
            double gamma = 0.75, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            TverskyLoss(mode, classes, log_loss, from_logits, smooth, ignore_index, eps, alpha, beta, gamma, reduction);

        public static partial class functional
        {
            /// <summary>
            /// Soft Dice loss for segmentation, with segmentation_models.pytorch's semantics (<c>smp.losses.DiceLoss</c>).
            /// <para>Scores s are probabilities: softmax over the class dimension (multiclass) or a sigmoid (binary, multilabel) of
            /// the input when <paramref name="from_logits"/>, the input itself otherwise. The target t is one-hot (multiclass) or
            /// 0/1. For each class c, summing over the batch and every spatial position (positions whose target is
            /// <paramref name="ignore_index"/> left out of both): TP_c = Σ s·t, |s|_c = Σ s, |t|_c = Σ t, and
            /// D_c = (2·TP_c + smooth)/max(|s|_c + |t|_c + smooth, eps); ℓ_c = 1 − D_c, or −log(max(D_c, eps)) with
            /// <paramref name="log_loss"/>.</para>
            /// <para>Absent classes: ℓ_c is set to 0 for every class with no target pixel (|t|_c = 0), whatever the prediction —
            /// segmentation_models.pytorch's rule (Dice is undefined there with smooth = 0); a class absent from both prediction and
            /// target therefore contributes 0, and so does a false positive of a class absent from the target.</para>
            /// <para>Reduction over the classes (after <paramref name="classes"/> selects a subset): mean (default, as
            /// segmentation_models.pytorch, zeroed classes included in the count), sum, or none for the per-class losses (C).</para>
            /// <para>Gradient: ∂D_c/∂s_i = (2·t_i·den − num)/den² with num = 2TP_c + smooth, den = |s|_c + |t|_c + smooth (0 where
            /// eps clamps den), then through the softmax or sigmoid. Flat (zero gradient) for classes absent from the target and
            /// where the clamp is active.</para>
            /// <para>Provenance: F. Milletari, N. Navab, S.-A. Ahmadi, "V-Net", 3DV 2016 (arXiv:1606.04797); semantics of
            /// segmentation_models.pytorch's <c>losses/dice.py</c> and <c>_functional.soft_dice_score</c> (no runnable reference here:
            /// tests check it against a float64 scalar loop, the Tversky identities and gradcheck).</para>
            /// </summary>
            /// <param name="input">Scores (logits or probabilities), floating point: (N, C, …) or, in binary mode, (N, 1, …) or (N, …).</param>
            /// <param name="target">Multiclass: class indices (N, …), int64 or uint8. Binary and multilabel: 0/1 values with the input's
            /// number of elements (multilabel: the input's shape), any real dtype.</param>
            /// <param name="mode">Binary, multiclass (default) or multilabel.</param>
            /// <param name="classes">Optional subset of class indices in [0, C) whose losses are kept (not in binary mode).</param>
            /// <param name="log_loss">−log(score) instead of 1 − score.</param>
            /// <param name="from_logits">Apply softmax/sigmoid to the input (default true).</param>
            /// <param name="smooth">Range: smooth ≥ 0 (default 0), added to numerator and denominator.</param>
            /// <param name="ignore_index">Optional target value whose positions are left out.</param>
            /// <param name="eps">Range: eps ≥ 0 (default 1e-7): the floor of the denominator (and of the score under log_loss).
            /// With eps = 0 and smooth = 0 a class empty in both gives 0/0 = NaN, as in segmentation_models.pytorch.</param>
            /// <param name="reduction">mean (default), sum, or none (per-class losses).</param>
            /// <exception cref="ArgumentException">shapes that do not fit the mode, wrong dtypes, a class subset in binary mode.</exception>
            /// <exception cref="ArgumentOutOfRangeException">a class index out of range, a negative smooth or eps, an undefined reduction.</exception>
            public static Tensor dice_loss(Tensor input, Tensor target, SegmentationMode mode = SegmentationMode.Multiclass, long[]? classes = null,
                bool log_loss = false, bool from_logits = true, double smooth = 0.0, long? ignore_index = null, double eps = 1e-7,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                SoftOverlap.Loss(new(SoftOverlapKind.Dice, mode, classes, log_loss, from_logits, smooth, ignore_index, eps, 0.5, 0.5, 1.0, reduction),
                    input, target, "dice_loss");

            /// <summary>
            /// Soft Jaccard (IoU) loss, segmentation_models.pytorch's <c>JaccardLoss</c>: as <see cref="dice_loss"/> with the score
            /// J_c = (TP_c + smooth)/max(|s|_c + |t|_c − TP_c + smooth, eps) (the soft union |s| + |t| − TP).
            /// <para>Gradient: ∂J_c/∂s_i = (t_i·den − num·(1 − t_i))/den² with num = TP_c + smooth and den the union + smooth.</para>
            /// <para>Relation: Tversky with α = β = 1 (a test shows it).</para>
            /// <para>Provenance: the Jaccard index (P. Jaccard, 1912) as a soft loss, e.g. M. Berman et al., CVPR 2018 (arXiv:1705.08790);
            /// semantics of segmentation_models.pytorch's <c>losses/jaccard.py</c> (its classic TP/(|s| + |t| − TP) form).</para>
            /// </summary>
            /// <inheritdoc cref="dice_loss"/>
            public static Tensor jaccard_loss(Tensor input, Tensor target, SegmentationMode mode = SegmentationMode.Multiclass, long[]? classes = null,
                bool log_loss = false, bool from_logits = true, double smooth = 0.0, long? ignore_index = null, double eps = 1e-7,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                SoftOverlap.Loss(new(SoftOverlapKind.Jaccard, mode, classes, log_loss, from_logits, smooth, ignore_index, eps, 1.0, 1.0, 1.0, reduction),
                    input, target, "jaccard_loss");

            /// <summary>
            /// Tversky loss, segmentation_models.pytorch's <c>TverskyLoss</c>: as <see cref="dice_loss"/> with the score
            /// T_c = (TP_c + smooth)/max(TP_c + α·FP_c + β·FN_c + smooth, eps), FP_c = Σ s·(1 − t), FN_c = Σ (1 − s)·t, and the reduced
            /// loss raised to γ: (reduce_c ℓ_c)^γ (segmentation_models.pytorch applies γ after the class mean; with reduction none it is
            /// the per-class (ℓ_c)^γ).
            /// <para>Relations (tests show both): α = β = ½ is <see cref="dice_loss"/> (for smooth = 0), α = β = 1 is
            /// <see cref="jaccard_loss"/>. α weighs false positives, β false negatives (β &gt; α favours recall).</para>
            /// <para>Gradient: ∂T_c/∂s_i = (t_i·den − num·(t_i + α(1 − t_i) − β·t_i))/den², then γ·(reduced)^{γ−1} times the reduced
            /// gradient. For γ &lt; 1 the gradient grows without bound as the loss goes to 0.</para>
            /// <para>Provenance: S. S. M. Salehi, D. Erdogmus, A. Gholipour, "Tversky loss function for image segmentation", MLMI 2017
            /// (arXiv:1706.05721); focal Tversky: N. Abraham, N. M. Khan, ISBI 2019 (arXiv:1810.07842); semantics of
            /// segmentation_models.pytorch's <c>losses/tversky.py</c>.</para>
            /// </summary>
            /// <param name="input">Scores (logits or probabilities), floating point: (N, C, …) or, in binary mode, (N, 1, …) or (N, …).</param>
            /// <param name="target">Multiclass: class indices (N, …), int64 or uint8. Binary and multilabel: 0/1 values with the input's
            /// number of elements (multilabel: the input's shape), any real dtype.</param>
            /// <param name="mode">Binary, multiclass (default) or multilabel.</param>
            /// <param name="classes">Optional subset of class indices in [0, C) whose losses are kept (not in binary mode).</param>
            /// <param name="log_loss">−log(score) instead of 1 − score.</param>
            /// <param name="from_logits">Apply softmax/sigmoid to the input (default true).</param>
            /// <param name="smooth">Range: smooth ≥ 0 (default 0), added to numerator and denominator.</param>
            /// <param name="ignore_index">Optional target value whose positions are left out.</param>
            /// <param name="eps">Range: eps ≥ 0 (default 1e-7): the floor of the denominator (and of the score under log_loss).
            /// With eps = 0 and smooth = 0 a class empty in both gives 0/0 = NaN, as in segmentation_models.pytorch.</param>
            /// <param name="reduction">mean (default), sum, or none (per-class losses).</param>
            /// <inheritdoc cref="dice_loss" path="/exception"/>
            /// <param name="alpha">Range: α ≥ 0 (default 0.5): weight of the false positives.</param>
            /// <param name="beta">Range: β ≥ 0 (default 0.5): weight of the false negatives.</param>
            /// <param name="gamma">Range: γ &gt; 0 (default 1): the exponent of the reduced loss.</param>
            public static Tensor tversky_loss(Tensor input, Tensor target, SegmentationMode mode = SegmentationMode.Multiclass, long[]? classes = null,
                bool log_loss = false, bool from_logits = true, double smooth = 0.0, long? ignore_index = null, double eps = 1e-7,
                double alpha = 0.5, double beta = 0.5, double gamma = 1.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                SoftOverlap.Loss(new(SoftOverlapKind.Tversky, mode, classes, log_loss, from_logits, smooth, ignore_index, eps, alpha, beta, gamma, reduction),
                    input, target, "tversky_loss");

            /// <summary>
            /// Focal Tversky loss: <see cref="tversky_loss"/> with Abraham and Khan's defaults α = 0.7, β = 0.3 and the exponent
            /// γ = 0.75 (their 1/γ with γ = 4/3), applied, as segmentation_models.pytorch does, to the reduced loss.
            /// </summary>
            /// <inheritdoc cref="tversky_loss" path="/param"/>
            /// <inheritdoc cref="tversky_loss" path="/exception"/>
            public static Tensor focal_tversky_loss(Tensor input, Tensor target, SegmentationMode mode = SegmentationMode.Multiclass, long[]? classes = null,
                bool log_loss = false, bool from_logits = true, double smooth = 0.0, long? ignore_index = null, double eps = 1e-7,
                double alpha = 0.7, double beta = 0.3, double gamma = 0.75, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
                tversky_loss(input, target, mode, classes, log_loss, from_logits, smooth, ignore_index, eps, alpha, beta, gamma, reduction);
        }
    }

    /// <summary>The parameters of a soft-overlap loss.</summary>
    internal sealed record SoftOverlapOptions(SoftOverlapKind Kind, SegmentationMode Mode, long[]? Classes, bool LogLoss, bool FromLogits,
        double Smooth, long? IgnoreIndex, double Eps, double Alpha, double Beta, double Gamma, torch.nn.Reduction Reduction);

    /// <summary>The one computation behind Dice, Jaccard, Tversky and focal Tversky.</summary>
    internal static class SoftOverlap
    {
        internal static Tensor Loss(SoftOverlapOptions o, Tensor input, Tensor target, string loss)
        {
            Check.Defined(input, target);
            var reduction = Reductions.Parse(o.Reduction);
            DetectionChecks.NonNegative(o.Smooth, "smooth");
            DetectionChecks.NonNegative(o.Eps, "eps");
            DetectionChecks.NonNegative(o.Alpha, "alpha");
            DetectionChecks.NonNegative(o.Beta, "beta");
            DetectionChecks.Positive(o.Gamma, "gamma");
            Check.Floating(input, nameof(input), loss);
            long classes = CheckShapes(o, input, target, loss);
            // eps is a clamp bound and γ an exponent in the input's type: libtorch refuses a value that type cannot hold.
            Check.ConvertsTo(o.Eps, input.dtype, "eps");
            if (o.Gamma != 1.0) Check.ConvertsTo(o.Gamma, input.dtype, "gamma");

            using var scope = torch.NewDisposeScope();
            long batch = input.size(0);
            // The positions per class, spelled out so an empty batch reshapes too (−1 is ambiguous for 0 elements).
            long positions = Tensors.Shape(input).Skip(o.Mode == SegmentationMode.Binary ? 1 : 2).Aggregate(1L, (a, b) => a * b);
            Tensor scores = o.FromLogits
                ? (o.Mode == SegmentationMode.Multiclass ? input.log_softmax(1).exp() : torch.nn.functional.logsigmoid(input).exp())
                : input;
            scores = scores.reshape(batch, classes, positions);
            Tensor truth;
            if (o.Mode == SegmentationMode.Multiclass)
            {
                var index = target.to(torch.ScalarType.Int64).reshape(batch, positions);
                Tensor valid;
                if (o.IgnoreIndex is long ignored)
                {
                    using var ignoredScalar = ignored.ToScalar();
                    valid = index != ignoredScalar;
                }
                else valid = torch.ones_like(index, torch.ScalarType.Bool);
                var safe = index.masked_fill(valid.logical_not(), Scalars.Zero);
                truth = torch.nn.functional.one_hot(safe, classes).permute(0, 2, 1).to(scores.dtype) * valid.unsqueeze(1).to(scores.dtype);
                scores = scores * valid.unsqueeze(1).to(scores.dtype);
            }
            else
            {
                truth = target.reshape(batch, classes, positions);
                if (o.IgnoreIndex is long ignored)
                {
                    using var ignoredScalar = ignored.ToScalar();
                    var valid = (truth != ignoredScalar).to(scores.dtype);
                    scores = scores * valid;
                    truth = truth.to(scores.dtype) * valid;
                }
                truth = truth.to(scores.dtype);
            }

            var dims = new long[] { 0, 2 };
            var overlap = (scores * truth).sum(dims);
            var smooth = Tensors.Constant(o.Smooth, overlap);
            using var eps = o.Eps.ToScalar();
            Tensor score = o.Kind switch
            {
                SoftOverlapKind.Dice => ((Tensors.Constant(2.0, overlap) * overlap).Plus(smooth)) / ((scores.Plus(truth)).sum(dims).Plus(smooth)).clamp_min(eps),
                SoftOverlapKind.Jaccard => (overlap.Plus(smooth)) / (((scores.Plus(truth)).sum(dims) - overlap).Plus(smooth)).clamp_min(eps),
                _ => (overlap.Plus(smooth)) / (overlap.Plus(Tensors.Constant(o.Alpha, overlap) * (scores * (Tensors.Constant(1.0, overlap) - truth)).sum(dims)).Plus(Tensors.Constant(o.Beta, overlap) * ((Tensors.Constant(1.0, overlap) - scores) * truth).sum(dims)).Plus(smooth))
                    .clamp_min(eps),
            };
            var perClass = o.LogLoss ? -score.clamp_min(eps).log() : Tensors.Constant(1.0, score) - score;
            perClass = perClass * (truth.sum(dims) > Tensors.Constant(0.0, overlap)).to(perClass.dtype);   // classes absent from the target: 0
            if (o.Classes is { } subset) perClass = perClass.index_select(0, torch.tensor(subset, device: perClass.device));
            var reduced = Reductions.Apply(perClass, reduction);
            if (o.Gamma != 1.0)
            {
                using var exponent = o.Gamma.ToScalar();
                reduced = reduced.pow(exponent);
            }
            return scope.MoveToOuter(reduced);
        }

        /// <summary>Checks the shapes and dtypes of the mode; returns the number of classes (1 in binary mode).</summary>
        private static long CheckShapes(SoftOverlapOptions o, Tensor input, Tensor target, string loss)
        {
            if (input.dim() < 2)
                throw new ArgumentException($"{loss}: input must be (N, C, ...) (binary: (N, ...)), got {Check.TorchSize(input)}", nameof(input));
            long batch = input.size(0);
            if (target.dim() == 0 || target.size(0) != batch)
                throw new ArgumentException(
                    $"{loss}: target batch size must match the input's ({batch}), got target {Check.TorchSize(target)}", nameof(target));
            if (target.dtype == torch.ScalarType.Bool || torch.is_complex(target.dtype))
                throw new ArgumentException($"{loss}: target must hold real numbers, got {Check.TorchTypeName(target.dtype)}", nameof(target));
            switch (o.Mode)
            {
                case SegmentationMode.Binary:
                    if (o.Classes is not null)
                        throw new ArgumentException($"{loss}: classes cannot be selected in binary mode", "classes");
                    if (input.numel() != target.numel())
                        throw new ArgumentException(
                            $"{loss}: in binary mode target must have the input's number of elements, got input {Check.TorchSize(input)} and target {Check.TorchSize(target)}",
                            nameof(target));
                    return 1;
                case SegmentationMode.Multiclass:
                {
                    long classes = input.size(1);
                    var expected = Tensors.Shape(input).Where((_, k) => k != 1).ToArray();
                    if (!Check.SameShape(expected, Tensors.Shape(target)))
                        throw new ArgumentException(
                            $"{loss}: in multiclass mode target must be the input's shape without the class dimension, {Check.TorchSize(expected)}, got {Check.TorchSize(target)}",
                            nameof(target));
                    ClassTargets.CheckIndexDtype(target);
                    ClassTargets.CheckRange(target, classes, o.IgnoreIndex ?? long.MinValue);
                    CheckSubset(o.Classes, classes);
                    return classes;
                }
                case SegmentationMode.Multilabel:
                    if (!Check.SameShape(input, target))
                        throw new ArgumentException(
                            $"{loss}: in multilabel mode target must have the input's shape {Check.TorchSize(input)}, got {Check.TorchSize(target)}",
                            nameof(target));
                    CheckSubset(o.Classes, input.size(1));
                    return input.size(1);
                default:
                    throw new ArgumentOutOfRangeException("mode", o.Mode, "mode must be Binary, Multiclass or Multilabel");
            }
        }

        private static void CheckSubset(long[]? subset, long classes)
        {
            if (subset is null) return;
            foreach (var c in subset)
                if (c < 0 || c >= classes)
                    throw new ArgumentOutOfRangeException("classes", c, $"class {c} is out of range for {classes} classes");
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// The soft-overlap segmentation losses as a module: Dice, Jaccard, Tversky or focal Tversky, made by the factories
    /// <see cref="nn.DiceLoss"/>, <see cref="nn.JaccardLoss"/>, <see cref="nn.TverskyLoss"/> and <see cref="nn.FocalTverskyLoss"/>; see
    /// <see cref="nn.functional.dice_loss"/> and its siblings.
    /// </summary>
    public sealed class DiceLoss : Loss<Tensor, Tensor, Tensor>
    {
        private readonly SoftOverlapOptions options;

        internal DiceLoss(SoftOverlapOptions options) : base(options.Reduction) => this.options = options;

        /// <summary>How input and target are read.</summary>
        public SegmentationMode mode => options.Mode;

        /// <summary>The loss of the scores <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => SoftOverlap.Loss(options, input, target, options.Kind switch
        {
            SoftOverlapKind.Dice => "dice_loss",
            SoftOverlapKind.Jaccard => "jaccard_loss",
            _ => "tversky_loss",
        });
    }
}
