using TorchLosses.Modules;
using static TorchLosses.EmbeddingGeometry;
using static TorchLosses.RobustFrame;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates an <see cref="Modules.ArcFaceLoss"/> with its class-weight matrix.</summary>
        /// <inheritdoc cref="Modules.ArcFaceLoss(long, long, double, double, torch.nn.Reduction, ScalarType, Device?)"/>
        public static ArcFaceLoss ArcFaceLoss(long num_classes, long embedding_size, double margin = 0.5, double scale = 64,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
            new(num_classes, embedding_size, margin, scale, reduction, dtype, device);

        /// <summary>Creates a <see cref="Modules.CosFaceLoss"/> with its class-weight matrix.</summary>
        /// <inheritdoc cref="Modules.CosFaceLoss(long, long, double, double, torch.nn.Reduction, ScalarType, Device?)"/>
        public static CosFaceLoss CosFaceLoss(long num_classes, long embedding_size, double margin = 0.35, double scale = 64,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
            new(num_classes, embedding_size, margin, scale, reduction, dtype, device);
    }

    /// <summary>The shared part of the margin softmax heads: checks, cosines to the class weights, the cross entropy.</summary>
    internal static class MarginSoftmax
    {
        /// <summary>Checks the embeddings (N, D) and labels (N) in [0, C).</summary>
        internal static void Validate(string loss, Tensor embeddings, Tensor labels, long classes, long size)
        {
            Matrix(loss, embeddings, nameof(embeddings));
            Check.Defined(labels, nameof(labels));
            if (embeddings.size(1) != size)
                throw new ArgumentException($"{loss}: embeddings must be (N, {size}); got {Check.TorchSize(embeddings)}.", nameof(embeddings));
            if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.size(0) != embeddings.size(0))
                throw new ArgumentException($"{loss}: labels must be int64 of shape ({embeddings.size(0)}); got {Check.TorchTypeName(labels.dtype)} {Check.TorchSize(labels)}.", nameof(labels));
            if (labels.numel() > 0 && (labels.min().item<long>() < 0 || labels.max().item<long>() >= classes))
                throw new ArgumentException($"{loss}: labels must be in [0, {classes}).", nameof(labels));
        }

        /// <summary>cos θ (N, C) between unit embeddings and unit class weights, clamped to [−1, 1] against rounding.</summary>
        internal static Tensor Cosines(Tensor embeddings, Tensor weight) =>
            torch.minimum(torch.maximum(UnitRows(embeddings.to(weight.dtype)).matmul(UnitRows(weight).t()), Tensors.Constant(-1, weight)), Tensors.Constant(1, weight));

        /// <summary>The cross entropy of s·(cos θ with the target column replaced by <paramref name="targetCosine"/>) against the labels.</summary>
        internal static Tensor Loss(Tensor cosines, Tensor labels, Tensor targetCosine, double scale, torch.nn.Reduction reduction)
        {
            var oneHot = torch.nn.functional.one_hot(labels, cosines.size(1)).to(cosines.dtype);
            var chosen = cosines.gather(1, labels.unsqueeze(1));
            var logits = (cosines.Plus(oneHot * (targetCosine - chosen))) * Tensors.Constant(scale, cosines);
            return Reductions.Apply(RowCrossEntropy(logits, labels), reduction);
        }

        /// <summary>Creates the (C, D) class-weight parameter, uniform in ±1/√D (its rows' directions are what matters).</summary>
        internal static TorchSharp.Modules.Parameter Weight(long classes, long size, ScalarType dtype, Device? device)
        {
            if (classes < 1 || size < 1) throw new ArgumentOutOfRangeException(nameof(classes), "num_classes and embedding_size must be at least 1.");
            using var scope = torch.NewDisposeScope();
            double bound = 1 / Math.Sqrt(size);
            var uniform = torch.rand(new[] { classes, size }, dtype, device);
            var values = uniform * Tensors.Constant(2 * bound, uniform) - Tensors.Constant(bound, uniform);
            return new TorchSharp.Modules.Parameter(scope.MoveToOuter(values.detach()));
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// The shared frame of the margin-softmax heads (<see cref="ArcFaceLoss"/>, <see cref="CosFaceLoss"/>): the class-weight
    /// matrix W (C, D) as the parameter <c>weight</c>, the scale s, the margin m, and the cross entropy of s·cos θ with the
    /// target class's cosine replaced by <see cref="TargetCosine"/>.
    /// </summary>
    public abstract class MarginSoftmaxLoss : Loss<Tensor, Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter weightParameter;
        private readonly string lossName;

        private protected MarginSoftmaxLoss(string name, long num_classes, long embedding_size, double margin, double scale,
            torch.nn.Reduction reduction, ScalarType dtype, Device? device) : base(reduction)
        {
            nn.functional.PositiveFinite(scale, nameof(scale), name);
            lossName = name;
            this.num_classes = num_classes;
            this.embedding_size = embedding_size;
            this.margin = margin;
            this.scale = scale;
            weightParameter = MarginSoftmax.Weight(num_classes, embedding_size, dtype, device);
            register_parameter("weight", weightParameter);
        }

        /// <summary>C.</summary>
        public long num_classes { get; }

        /// <summary>D.</summary>
        public long embedding_size { get; }

        /// <summary>m.</summary>
        public double margin { get; }

        /// <summary>s.</summary>
        public double scale { get; }

        /// <summary>The class-weight matrix W (C, D).</summary>
        public Tensor weight => weightParameter;

        /// <summary>The target class's cosine after the margin, from its cos θ_y (N, 1).</summary>
        private protected abstract Tensor TargetCosine(Tensor cosine);

        /// <summary>The loss of the embeddings (N, D) with their labels (N, int64).</summary>
        public override Tensor forward(Tensor embeddings, Tensor labels)
        {
            MarginSoftmax.Validate(lossName, embeddings, labels, num_classes, embedding_size);
            using var scope = torch.NewDisposeScope();
            var cosines = MarginSoftmax.Cosines(embeddings, weightParameter);
            var target = TargetCosine(cosines.gather(1, labels.unsqueeze(1)));
            return scope.MoveToOuter(MarginSoftmax.Loss(cosines, labels, target, scale, reduction));
        }
    }

    /// <summary>
    /// ArcFace (J. Deng, J. Guo, N. Xue, S. Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep Face Recognition",
    /// CVPR 2019, arXiv:1801.07698): a classification head that owns its class-weight matrix W (C, D) as a parameter
    /// (<c>weight</c>) and returns the cross entropy of s·cos(θ_y + m) against s·cos θ_j for the other classes, θ_j being the
    /// angle between the embedding and W_j.
    /// <para>The fallback: for θ_y &gt; π − m, cos(θ_y + m) would grow again with θ_y (θ_y + m passes π), rewarding an embedding
    /// that moves away from its class. As in the paper's implementation (insightface), the target cosine there is
    /// cos θ_y − m·sin m instead: decreasing in θ_y and below cos θ_y, with the penalty m·sin m, the first-order term of
    /// cos θ − cos(θ + m) ≈ m·sin θ taken at θ = π − m (sin(π − m) = sin m). It is not continuous at θ_y = π − m (−1 on the
    /// left, −cos m − m·sin m on the right).</para>
    /// <para>Gradient: ∂cos(θ + m)/∂cos θ = cos m + sin m·cos θ/sin θ (sin θ = √(1 − cos²θ), taken as 0 with gradient 0 at
    /// |cos θ| = 1), then through the normalisations of the embedding and of W. Margin in radians (pytorch-metric-learning
    /// takes degrees: its 28.6° is this 0.5). With m = 0 it is the softmax cross entropy of s·cos θ.</para>
    /// </summary>
    public sealed class ArcFaceLoss : MarginSoftmaxLoss
    {
        /// <param name="num_classes">C. Range: ≥ 1.</param>
        /// <param name="embedding_size">D. Range: ≥ 1.</param>
        /// <param name="margin">m, in radians. Range: 0 ≤ m &lt; π/2 (default 0.5).</param>
        /// <param name="scale">s. Range: 0 &lt; s &lt; ∞ (default 64).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="dtype">Type of W (default float32).</param>
        /// <param name="device">Device of W (default CPU).</param>
        public ArcFaceLoss(long num_classes, long embedding_size, double margin = 0.5, double scale = 64,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean, ScalarType dtype = ScalarType.Float32, Device? device = null)
            : base("ArcFaceLoss", num_classes, embedding_size, CheckMargin(margin), scale, reduction, dtype, device) { }

        private static double CheckMargin(double margin) => margin >= 0 && margin < Math.PI / 2
            ? margin
            : throw new ArgumentOutOfRangeException(nameof(margin), margin, "margin must be in [0, π/2) radians.");

        private protected override Tensor TargetCosine(Tensor c)
        {
            var sine = EmbeddingGeometry.SafeSqrt(torch.maximum(Tensors.Constant(1, c) - c.pow(Scalars.Two), Tensors.Constant(0, c)));
            var shifted = c * Tensors.Constant(Math.Cos(margin), c) - sine * Tensors.Constant(Math.Sin(margin), c);
            var beyond = c.detach().le(Tensors.Constant(Math.Cos(Math.PI - margin), c));
            return torch.where(beyond, c - Tensors.Constant(margin * Math.Sin(margin), c), shifted);
        }
    }

    /// <summary>
    /// CosFace / large margin cosine loss (H. Wang et al., "CosFace: Large Margin Cosine Loss for Deep Face Recognition", CVPR
    /// 2018, arXiv:1801.09414): the cross entropy of s·(cos θ_y − m) against s·cos θ_j, with the class weights W (C, D) owned
    /// as a parameter (<c>weight</c>). Gradient: that of softmax cross entropy, times s, into cos θ, then through the
    /// normalisations. With m = 0 it is the softmax cross entropy of s·cos θ.
    /// </summary>
    public sealed class CosFaceLoss : MarginSoftmaxLoss
    {
        /// <param name="num_classes">C. Range: ≥ 1.</param>
        /// <param name="embedding_size">D. Range: ≥ 1.</param>
        /// <param name="margin">m, subtracted from the target cosine. Range: 0 ≤ m &lt; ∞ (default 0.35).</param>
        /// <param name="scale">s. Range: 0 &lt; s &lt; ∞ (default 64).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="dtype">Type of W (default float32).</param>
        /// <param name="device">Device of W (default CPU).</param>
        public CosFaceLoss(long num_classes, long embedding_size, double margin = 0.35, double scale = 64,
            torch.nn.Reduction reduction = torch.nn.Reduction.Mean, ScalarType dtype = ScalarType.Float32, Device? device = null)
            : base("CosFaceLoss", num_classes, embedding_size, CheckMargin(margin), scale, reduction, dtype, device) { }

        private static double CheckMargin(double margin) => margin >= 0 && double.IsFinite(margin)
            ? margin
            : throw new ArgumentOutOfRangeException(nameof(margin), margin, "margin must be non-negative and finite.");

        private protected override Tensor TargetCosine(Tensor c) => c - Tensors.Constant(margin, c);
    }
}
