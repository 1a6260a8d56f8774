using TorchLosses.Modules;
using static TorchLosses.EmbeddingGeometry;
using static TorchLosses.RobustFrame;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates an <see cref="Modules.InfoNCELoss"/>.</summary>
        /// <param name="temperature">τ. Range: 0 &lt; τ &lt; ∞ (default 0.07).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static InfoNCELoss InfoNCELoss(double temperature = 0.07, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(temperature, reduction);

        /// <summary>Creates an <see cref="Modules.NTXentLoss"/>.</summary>
        /// <param name="temperature">τ. Range: 0 &lt; τ &lt; ∞ (default 0.07).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public static NTXentLoss NTXentLoss(double temperature = 0.07, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
            new(temperature, reduction);

        public static partial class functional
        {
            /// <summary>
            /// InfoNCE (A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive Predictive Coding", 2018,
            /// arXiv:1807.03748), on cosine similarities.
            /// <para>Per query i, with unit rows q̂, p̂, n̂ and τ the temperature:
            /// ℓᵢ = −log( exp(q̂ᵢ·p̂ᵢ/τ) / (exp(q̂ᵢ·p̂ᵢ/τ) + Σⱼ exp(q̂ᵢ·n̂ⱼ/τ)) ),
            /// a cross entropy over the logits [q̂ᵢ·p̂ᵢ, q̂ᵢ·n̂₁, …]/τ whose class is the positive. Without negative keys the other
            /// rows' positives are the negatives (logits q̂ᵢ·p̂ⱼ/τ over j, class i).</para>
            /// <para>Computed with log_softmax, which subtracts each row's maximum (the log-sum-exp guard): at τ = 0.07 the logits
            /// reach ±14.3 and exp would overflow float16 beyond 11.1.</para>
            /// <para>Gradient: ∂ℓᵢ/∂(logit k) = softmaxₖ − 1{k = positive}, divided by τ into the cosine, then through the
            /// normalisation (the component along the row is removed). τ sets how sharply hard negatives are weighted: the
            /// softmax concentrates on the most similar negatives as τ → 0.</para>
            /// <para>Relations: with one negative, ℓ = softplus((q̂·n̂ − q̂·p̂)/τ) (the logistic loss of the logit difference).</para>
            /// <para>Reduction: none gives one loss per query (N); mean divides by N; sum adds.</para>
            /// </summary>
            /// <param name="query">Queries, (N, D).</param>
            /// <param name="positive_key">The positive of each query, (N, D).</param>
            /// <param name="negative_keys">Null (in-batch negatives), negatives shared by all queries (M, D), or per query (N, M, D).</param>
            /// <param name="temperature">τ. Range: 0 &lt; τ &lt; ∞ (default 0.07, as pytorch-metric-learning and optax).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentNullException">query or positive_key is null.</exception>
            /// <exception cref="ArgumentException">Shapes that do not fit the description above.</exception>
            /// <exception cref="ArgumentOutOfRangeException">τ not in (0, ∞).</exception>
            /// <exception cref="ArgumentException">A tensor is not floating point (naming it).</exception>
            public static Tensor info_nce_loss(Tensor query, Tensor positive_key, Tensor? negative_keys = null, double temperature = 0.07,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                const string loss = "info_nce_loss";
                MatrixPair(loss, query, nameof(query), positive_key, nameof(positive_key));
                if (negative_keys is not null)
                {
                    Check.Defined(negative_keys, nameof(negative_keys));
                    Check.Floating(negative_keys, nameof(negative_keys), loss);
                    bool shared = negative_keys.dim() == 2 && negative_keys.size(1) == query.size(1);
                    bool perQuery = negative_keys.dim() == 3 && negative_keys.size(0) == query.size(0) && negative_keys.size(2) == query.size(1);
                    if (!shared && !perQuery)
                        throw new ArgumentException($"{loss}: negative_keys must be (M, D) or (N, M, D) for a query of shape {Check.TorchSize(query)}; got {Check.TorchSize(negative_keys)}.", nameof(negative_keys));
                }
                Temperature(loss, temperature);
                var kind = Reductions.Parse(reduction);
                using var scope = torch.NewDisposeScope();
                var q = UnitRows(query);
                var p = UnitRows(positive_key);
                var scale = Tensors.Constant(1 / temperature, q);
                Tensor losses;
                if (negative_keys is null)
                {
                    using var querySize = query.size(0).ToScalar();
                    losses = RowCrossEntropy(q.matmul(p.t()) * scale, torch.arange(Scalars.Zero, querySize, Scalars.One, device: query.device));
                }
                else
                {
                    var n = UnitRows(negative_keys.to(q.dtype));
                    var negatives = n.dim() == 2 ? q.matmul(n.t()) : (q.unsqueeze(1) * n).sum(-1);
                    var logits = torch.cat(new[] { (q * p).sum(-1, keepdim: true), negatives }, 1) * scale;
                    losses = RowCrossEntropy(logits, torch.zeros(query.size(0), ScalarType.Int64, query.device));
                }
                return scope.MoveToOuter(Reductions.Apply(losses, kind));
            }

            /// <summary>
            /// NT-Xent, the normalized temperature-scaled cross entropy of SimCLR (T. Chen, S. Kornblith, M. Norouzi, G. Hinton,
            /// "A Simple Framework for Contrastive Learning of Visual Representations", ICML 2020, arXiv:2002.05709).
            /// <para>The 2N views z = [z1; z2] are scaled to unit rows; for each view k its positive is the other view of the same
            /// sample (k ± N) and its negatives are the other 2N − 2 views:
            /// ℓₖ = −log( exp(ẑₖ·ẑ₊/τ) / Σ_{j≠k} exp(ẑₖ·ẑⱼ/τ) ), the diagonal masked out (−∞ before log_softmax).</para>
            /// <para>Gradient: as InfoNCE's, per view, the softmax over the 2N − 1 others minus the positive's indicator, over τ.</para>
            /// <para>Reduction: none gives the 2N per-view losses (views of z1 first); mean divides by 2N; sum adds.</para>
            /// </summary>
            /// <param name="z1">First views, (N, D), N ≥ 1.</param>
            /// <param name="z2">Second views, (N, D).</param>
            /// <param name="temperature">τ. Range: 0 &lt; τ &lt; ∞ (default 0.07).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentException">z1 and z2 are not (N, D) of one shape.</exception>
            /// <exception cref="ArgumentOutOfRangeException">τ not in (0, ∞).</exception>
            public static Tensor nt_xent_loss(Tensor z1, Tensor z2, double temperature = 0.07,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
            {
                const string loss = "nt_xent_loss";
                MatrixPair(loss, z1, nameof(z1), z2, nameof(z2));
                Temperature(loss, temperature);
                var kind = Reductions.Parse(reduction);
                using var scope = torch.NewDisposeScope();
                long n = z1.size(0);
                var z = UnitRows(torch.cat(new[] { z1, z2.to(z1.dtype) }, 0));
                var logits = torch.where(torch.eye(2 * n, dtype: ScalarType.Bool, device: z.device), Tensors.Constant(double.NegativeInfinity, z),
                    z.matmul(z.t()) * Tensors.Constant(1 / temperature, z));
                using var nScalar = n.ToScalar();
                using var nTerm = (2 * n).ToScalar();
                var partner = torch.cat(new[] { torch.arange(nScalar, nTerm, Scalars.One, device: z.device), torch.arange(Scalars.Zero, nScalar, Scalars.One, device: z.device) });
                return scope.MoveToOuter(Reductions.Apply(RowCrossEntropy(logits, partner), kind));
            }
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>InfoNCE as a module; see <see cref="nn.functional.info_nce_loss"/>. forward(query, positive_key) uses in-batch negatives.</summary>
    public sealed class InfoNCELoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="temperature">τ. Range: 0 &lt; τ &lt; ∞ (checked when the loss is computed).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public InfoNCELoss(double temperature = 0.07, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) =>
            this.temperature = temperature;

        /// <summary>The temperature τ.</summary>
        public double temperature { get; }

        /// <summary>InfoNCE with in-batch negatives.</summary>
        public override Tensor forward(Tensor query, Tensor positive_key) =>
            nn.functional.info_nce_loss(query, positive_key, null, temperature, reduction);

        /// <summary>InfoNCE with explicit negatives, (M, D) or (N, M, D).</summary>
        public Tensor forward(Tensor query, Tensor positive_key, Tensor negative_keys) =>
            nn.functional.info_nce_loss(query, positive_key, negative_keys, temperature, reduction);
    }

    /// <summary>NT-Xent (SimCLR) as a module; see <see cref="nn.functional.nt_xent_loss"/>.</summary>
    public sealed class NTXentLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="temperature">τ. Range: 0 &lt; τ &lt; ∞ (checked when the loss is computed).</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        public NTXentLoss(double temperature = 0.07, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) =>
            this.temperature = temperature;

        /// <summary>The temperature τ.</summary>
        public double temperature { get; }

        /// <summary>The loss of the two views.</summary>
        public override Tensor forward(Tensor z1, Tensor z2) => nn.functional.nt_xent_loss(z1, z2, temperature, reduction);
    }
}
