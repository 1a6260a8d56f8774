using TorchLosses.Modules;
using static TorchLosses.EmbeddingGeometry;
using static TorchLosses.RobustFrame;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.ContrastiveLoss"/>.</summary>
        /// <param name="margin">m. Range: 0 &lt; m &lt; ∞ (default 1).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static ContrastiveLoss ContrastiveLoss(double margin = 1.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(margin, reduction);

        /// <summary>Creates a <see cref="Modules.SupConLoss"/>.</summary>
        /// <param name="temperature">τ. Range: 0 &lt; τ &lt; ∞ (default 0.07).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static SupConLoss SupConLoss(double temperature = 0.07, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(temperature, reduction);

        public static partial class functional
        {
            /// <summary>
            /// The pairwise contrastive loss (R. Hadsell, S. Chopra, Y. LeCun, "Dimensionality Reduction by Learning an Invariant
            /// Mapping", CVPR 2006), in the form of TensorFlow Addons' <c>contrastive_loss</c> (no factor ½).
            /// <para>Per pair, with d = ‖input1 − input2‖₂ and y = 1 for a similar pair, 0 for a dissimilar one:
            /// ℓ = y·d² + (1 − y)·max(m − d, 0)².</para>
            /// <para>Gradient with respect to input1: 2(input1 − input2) for a similar pair; −2·max(m − d, 0)·(input1 − input2)/d
            /// for a dissimilar one (0 at d = 0, a subgradient: the direction is undefined there); input2 gets the opposite.</para>
            /// <para>Reduction: none gives one loss per pair (N); mean divides by N; sum adds.</para>
            /// </summary>
            /// <param name="input1">First embeddings, (N, D).</param>
            /// <param name="input2">Second embeddings, (N, D).</param>
            /// <param name="target">1 (similar) or 0 (dissimilar) per pair, (N), any numeric or bool type.</param>
            /// <param name="margin">m. Range: 0 &lt; m &lt; ∞ (default 1).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentException">Shapes other than (N, D), (N, D), (N), or a target value other than 0 and 1.</exception>
            /// <exception cref="ArgumentOutOfRangeException">m not in (0, ∞).</exception>
            public static Tensor contrastive_loss(Tensor input1, Tensor input2, Tensor target, double margin = 1.0,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                const string loss = "contrastive_loss";
                Matrix(loss, input1, nameof(input1));
                Matrix(loss, input2, nameof(input2));
                Check.Defined(target, nameof(target));
                if (!Check.SameShape(input1, input2) || target.dim() != 1 || target.size(0) != input1.size(0))
                    throw new ArgumentException($"{loss}: expects input1 and input2 of one shape (N, D) and target (N); got {Check.TorchSize(input1)}, {Check.TorchSize(input2)} and {Check.TorchSize(target)}.", nameof(target));
                PositiveFinite(margin, nameof(margin), loss);
                var kind = Reductions.Parse(reduction);
                using var scope = torch.NewDisposeScope();
                var y = target.detach().to(ScalarType.Float64);
                if (!y.eq(Tensors.Constant(0, y)).logical_or(y.eq(Tensors.Constant(1, y))).all().item<bool>())
                    throw new ArgumentException($"{loss}: target must be 0 (dissimilar) or 1 (similar).", nameof(target));
                var squared = (input1 - input2.to(input1.dtype)).pow(Scalars.Two).sum(1);
                var similar = y.to(squared.dtype);
                var gap = (Tensors.Constant(margin, squared) - SafeSqrt(squared)).relu();
                var losses = (similar * squared).Plus((Tensors.Constant(1, squared) - similar) * gap.pow(Scalars.Two));
                return scope.MoveToOuter(Reductions.Apply(losses, kind));
            }

            /// <summary>
            /// Supervised contrastive loss, L_out (P. Khosla et al., "Supervised Contrastive Learning", NeurIPS 2020,
            /// arXiv:2004.11362), on one view per row.
            /// <para>With unit rows ẑ, for an anchor i, its positives P(i) = {p ≠ i : label p = label i} and all others A(i) = {a ≠ i}:
            /// ℓᵢ = −(1/|P(i)|)·Σ_{p∈P(i)} log( exp(ẑᵢ·ẑₚ/τ) / Σ_{a∈A(i)} exp(ẑᵢ·ẑₐ/τ) ).</para>
            /// <para>An anchor without positives has no loss: 0 under none, and it is not counted by mean (mean = sum over anchors
            /// with positives / their number; NaN when there is none). The paper's extra factor τ/τ_base is not applied.</para>
            /// <para>Gradient: per anchor, Σ_a softmaxₐ·ẑₐ/τ − (1/|P|)·Σ_p ẑₚ/τ into ẑᵢ, then through the normalisation;
            /// log_softmax supplies the log-sum-exp guard.</para>
            /// <para>Relations: with exactly one positive per anchor (two views per label) it is NT-Xent.</para>
            /// </summary>
            /// <param name="features">Embeddings, (N, D).</param>
            /// <param name="labels">Class of each row, (N), integer.</param>
            /// <param name="temperature">τ. Range: 0 &lt; τ &lt; ∞ (default 0.07, the paper's).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentException">features not (N, D), or labels not an integer (N).</exception>
            /// <exception cref="ArgumentOutOfRangeException">τ not in (0, ∞).</exception>
            public static Tensor supcon_loss(Tensor features, Tensor labels, double temperature = 0.07,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                const string loss = "supcon_loss";
                Matrix(loss, features, nameof(features));
                Check.Defined(labels, nameof(labels));
                if (labels.dim() != 1 || labels.size(0) != features.size(0) || !torch.is_integral(labels.dtype) || labels.dtype == ScalarType.Bool)
                    throw new ArgumentException($"{loss}: labels must be an integer tensor of shape (N) = ({features.size(0)}); got {Check.TorchTypeName(labels.dtype)} {Check.TorchSize(labels)}.", nameof(labels));
                Temperature(loss, temperature);
                var kind = Reductions.Parse(reduction);
                using var scope = torch.NewDisposeScope();
                long n = features.size(0);
                var z = UnitRows(features);
                var self = torch.eye(n, dtype: ScalarType.Bool, device: z.device);
                var logits = torch.where(self, Tensors.Constant(double.NegativeInfinity, z), z.matmul(z.t()) * Tensors.Constant(1 / temperature, z));
                var logProbabilities = logits.log_softmax(1);
                var positives = labels.unsqueeze(0).eq(labels.unsqueeze(1)).logical_and(self.logical_not());
                var counts = positives.sum(1).to(z.dtype);
                var hasPositive = counts.gt(Tensors.Constant(0, counts));
                var summed = torch.where(positives, logProbabilities, Tensors.Constant(0, z)).sum(1);
                var losses = torch.where(hasPositive, -summed / Only(hasPositive, counts, 1), Tensors.Constant(0, z));
                var result = kind == ReductionKind.Mean ? losses.sum() / hasPositive.sum().to(z.dtype) : Reductions.Apply(losses, kind);
                return scope.MoveToOuter(result);
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>The pairwise contrastive loss as a module; see <see cref="nn.functional.contrastive_loss"/>.</summary>
    public sealed class ContrastiveLoss : Loss<Tensor, Tensor, Tensor, Tensor>
    {
        /// <param name="margin">m. Range: 0 &lt; m &lt; ∞ (checked when the loss is computed).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public ContrastiveLoss(double margin = 1.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) =>
            this.margin = margin;

        /// <summary>The margin m.</summary>
        public double margin { get; }

        /// <summary>The loss of the pairs.</summary>
        public override Tensor forward(Tensor input1, Tensor input2, Tensor target) =>
            nn.functional.contrastive_loss(input1, input2, target, margin, reduction);
    }

    /// <summary>The supervised contrastive loss as a module; see <see cref="nn.functional.supcon_loss"/>.</summary>
    public sealed class SupConLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="temperature">τ. Range: 0 &lt; τ &lt; ∞ (checked when the loss is computed).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public SupConLoss(double temperature = 0.07, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) =>
            this.temperature = temperature;

        /// <summary>The temperature τ.</summary>
        public double temperature { get; }

        /// <summary>The loss of the features with their labels.</summary>
        public override Tensor forward(Tensor features, Tensor labels) => nn.functional.supcon_loss(features, labels, temperature, reduction);
    }
}
