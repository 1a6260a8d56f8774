using TorchLosses.Modules;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.CTCLoss"/>.</summary>
        /// <param name="blank">The blank class. Range: 0 ≤ blank &lt; C (checked when the loss is computed).</param>
        /// <param name="reduction">none, mean (default: each loss divided by its target length, then averaged) or sum.</param>
        /// <param name="zero_infinity">Replace infinite losses (impossible alignments) and their gradients by 0.</param>
        /// <remarks>PyTorch's parameter order (blank, reduction, zero_infinity); TorchSharp's takes
        /// (blank, zero_infinity, reduction). Like PyTorch, CTCLoss has no legacy <c>size_average</c>/<c>reduce</c>.</remarks>
        public static CTCLoss CTCLoss(long blank = 0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean, bool zero_infinity = false) =>
            new(blank, reduction, zero_infinity);

        public static partial class functional
        {
            /// <summary>
            /// Connectionist temporal classification loss (Graves et al., 2006), PyTorch's <c>F.ctc_loss</c>:
            /// the negative log-probability of a target label sequence summed over all its alignments to the
            /// input frames.
            /// <para>Per sample n, with Tₙ = input_lengths[n], Lₙ = target_lengths[n] and the extended labels
            /// l' = (blank, l₁, blank, l₂, …, l_Lₙ, blank): an alignment is a path π over the first Tₙ frames that
            /// collapses to the target (merge repeats, then drop blanks), and
            /// ℓₙ = −log Σ_π Π_{t&lt;Tₙ} exp(log_probs[t, n, πₜ]). It is computed by the α recursion in log space
            /// (−∞ for impossible states), a loop over the frames with tensor ops on (N, 2S+1) states.
            /// Repeated consecutive labels need a blank between them, so [2, 2, 2] needs 5 frames; with fewer
            /// the loss is +∞. Lₙ = 0 gives the all-blank path, −Σ_{t&lt;Tₙ} log_probs[t, n, blank]; Tₙ = 0 gives 0 for
            /// Lₙ = 0 (the empty alignment) and +∞ otherwise, as in libtorch 2.10.</para>
            /// <para>Reduction: none gives (N), or a 0-d tensor for unbatched input; sum adds;
            /// mean is mean_n(ℓₙ / max(Lₙ, 1)).</para>
            /// <para>Gradient (libtorch's, not the plain partial derivative): ∂ℓₙ/∂log_probs[t, n, c] =
            /// exp(log_probs[t, n, c]) − γₜ(c) for t &lt; Tₙ, where γₜ(c) = Σ_{s: l'ₛ = c} αₜ(s)βₜ(s) / (pₙ·exp(log_probs[t, n, c]))
            /// is the posterior of class c at frame t; 0 for t ≥ Tₙ. This is the gradient with respect to the
            /// logits when log_probs = log_softmax(logits); the partial derivative with respect to log_probs
            /// lacks the exp(log_probs) term. To reproduce it, the loss adds Σ_{t&lt;Tₙ, c} exp(lp)·(lp − lp.detach())
            /// (zero in value; entries where lp is ±∞ are excluded by a <c>where</c>), so autograd returns
            /// libtorch's form. No second derivative, as in libtorch ("derivative for aten::_ctc_loss_backward is not
            /// implemented"): a gradient taken with create_graph raises a <see cref="LossWarnings"/> warning, and
            /// differentiating it again fails in libtorch's engine (a .NET exception from <c>backward</c>; TorchSharp 0.107's
            /// <c>autograd.grad</c> ends the process on that native error, for libtorch's own CTC too).
            /// A sample with loss +∞ gets a NaN gradient for t &lt; Tₙ (0 after), as in libtorch, unless
            /// <paramref name="zero_infinity"/>; then its loss and gradient are 0. A NaN loss (NaN in log_probs)
            /// also gets a NaN gradient for t &lt; Tₙ, with or without zero_infinity, as in libtorch; a NaN entry that no
            /// alignment uses leaves the loss finite and gets a NaN gradient itself (t &lt; Tₙ), as in libtorch.</para>
            /// <para>Where log_probs[t, n, c] = −∞ (t &lt; Tₙ) the gradient is NaN, as libtorch's (its backward evaluates
            /// exp(−∞ + ∞) there), although the limit exp(lp) − γ is 0 − 0: a NaN that says the entry was −∞ rather than a
            /// number libtorch does not give. (PyTorch 1.13 also returned an undefined value for Tₙ = 0, which libtorch 2.10
            /// answers as above.)</para>
            /// <para>Relations: with Tₙ = Lₙ = 1 it is <see cref="nll_loss(Tensor, Tensor, Tensor?, long, torch.nn.Reduction)"/>
            /// of log_probs[0] at the label; cross entropy is the one-frame, label-known special case.</para>
            /// <para>Checks: libtorch 2.10's, with its messages, in its order (an empty log_probs, a batch of 0 included,
            /// is rejected: "log_probs tensor must not be empty"; negative lengths are rejected); then the labels that
            /// libtorch does not check are rejected here: a label outside [0, C) (libtorch reads outside log_probs) and a
            /// label equal to blank (PyTorch's documentation forbids it; libtorch's gradient then does not match its
            /// loss). Checks that read values (lengths, labels) are skipped for tensors on the meta device.</para>
            /// </summary>
            /// <param name="log_probs">Log-probabilities (T, N, C), or (T, C) unbatched; float32 or float64
            /// (normally the output of log_softmax over C; used as given). Range: not empty (T, N, C ≥ 1).</param>
            /// <param name="targets">Labels: padded (N, S) with S ≥ max target length (slots past a sample's
            /// length are ignored), or concatenated 1-D of length Σ target_lengths, or (S) unbatched.
            /// Any real dtype; converted to int64 (truncation), as PyTorch does. Range: each used label in [0, C), ≠ blank.</param>
            /// <param name="input_lengths">(N) integer tensor (one element, any shape, when unbatched). Range: 0 ≤ Tₙ ≤ T.</param>
            /// <param name="target_lengths">(N) integer tensor (one element when unbatched). Range: Lₙ ≥ 0.</param>
            /// <param name="blank">The blank class. Range: 0 ≤ blank &lt; C.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="zero_infinity">Replace +∞ losses by 0 and zero their gradients.</param>
            /// <remarks>PyTorch's parameter order (blank, reduction, zero_infinity). TorchSharp's <c>ctc_loss</c>
            /// takes (blank, zero_infinity, reduction); a positional call written for it does not compile here.</remarks>
            /// <exception cref="ArgumentException">shapes, lengths or labels do not fit (PyTorch's messages where it has one).</exception>
            /// <exception cref="ArgumentOutOfRangeException">blank outside [0, C); a label outside [0, C); a negative length; an unknown reduction.</exception>
            /// <exception cref="ArgumentException">log_probs is not float32/float64 (<c>"ctc_loss_cpu" not implemented for 'Half'</c>).</exception>
            public static Tensor ctc_loss(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, long blank = 0,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, bool zero_infinity = false)
            {
                Check.Defined(log_probs, targets);
                Check.Defined(input_lengths, target_lengths);
                var kind = Reductions.Parse(reduction);
                CtcChecks.Integral(input_lengths, nameof(input_lengths));
                CtcChecks.Integral(target_lengths, nameof(target_lengths));
                return CtcLoss(log_probs, targets, input_lengths, target_lengths, blank, kind, zero_infinity);
            }

            /// <summary>CTC loss with the lengths as arrays (PyTorch accepts Python sequences there); otherwise as the
            /// tensor overload. The arrays are always read, so their checks also run when log_probs is on the meta device.</summary>
            /// <param name="log_probs">Log-probabilities (T, N, C) or (T, C); float32 or float64. Range: not empty.</param>
            /// <param name="targets">Padded (N, S), concatenated 1-D, or (S) unbatched; each used label in [0, C), ≠ blank.</param>
            /// <param name="input_lengths">Tₙ per sample (one entry when unbatched). Range: 0 ≤ Tₙ ≤ T.</param>
            /// <param name="target_lengths">Lₙ per sample (one entry when unbatched). Range: Lₙ ≥ 0.</param>
            /// <param name="blank">The blank class. Range: 0 ≤ blank &lt; C.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="zero_infinity">Replace +∞ losses by 0 and zero their gradients.</param>
            /// <exception cref="ArgumentNullException"><paramref name="input_lengths"/> or <paramref name="target_lengths"/> is null.</exception>
            /// <inheritdoc cref="ctc_loss(Tensor, Tensor, Tensor, Tensor, long, torch.nn.Reduction, bool)"/>
            public static Tensor ctc_loss(Tensor log_probs, Tensor targets, long[] input_lengths, long[] target_lengths, long blank = 0,
                torch.nn.Reduction reduction = torch.nn.Reduction.Mean, bool zero_infinity = false)
            {
                ArgumentNullException.ThrowIfNull(input_lengths);
                ArgumentNullException.ThrowIfNull(target_lengths);
                var kind = Reductions.Parse(reduction);
                using var lengths = torch.NewDisposeScope();
                return lengths.MoveToOuter(CtcLoss(log_probs, targets, torch.tensor(input_lengths), torch.tensor(target_lengths), blank, kind,
                    zero_infinity));
            }

            private static Tensor CtcLoss(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, long blank,
                ReductionKind kind, bool zero_infinity)
            {
                Check.Defined(log_probs, targets);
                var shape = CtcChecks.Validate(log_probs, targets, input_lengths, target_lengths, blank);

                using var scope = torch.NewDisposeScope();
                var device = log_probs.device;
                // libtorch differentiates CTC only once: a second derivative fails as libtorch's does (see OnceDifferentiable).
                var marked = OnceDifferentiable.Mark(log_probs, "ctc_loss");
                var lp = shape.Batched ? marked : marked.unsqueeze(1);
                var il = input_lengths.flatten().to(ScalarType.Int64, device);
                var tl = target_lengths.flatten().to(ScalarType.Int64, device);
                var labels = CtcChecks.PaddedLabels(targets.to(ScalarType.Int64, device), tl, shape.Slots, blank);
                var loss = CtcForward.NegativeLogLikelihood(new CtcForward.Problem(lp, labels, il, tl, blank), zero_infinity);
                var result = kind switch
                {
                    ReductionKind.Mean => Reductions.Apply(loss / tl.to(lp.dtype).clamp_min(Scalars.One), kind),
                    ReductionKind.None when !shape.Batched => loss.squeeze(0),
                    _ => Reductions.Apply(loss, kind),
                };
                return scope.MoveToOuter(result);
            }
        }
    }

    /// <summary>ctc_loss's argument checks and the conversion of targets to padded labels.</summary>
    internal static class CtcChecks
    {
        private const string Where = " (while checking arguments for ctc_loss_allocate_outputs)";

        /// <summary>What validation learned: batched or not, and the label slots S the recursion needs.</summary>
        internal readonly record struct Shape(bool Batched, long Slots);

        /// <summary>
        /// PyTorch's check that a length tensor has an integer type. Bool is not one in PyTorch
        /// (isIntegralType(type, includeBool: false)); TorchSharp's <c>torch.is_integral</c> counts it, so it is excluded here.
        /// </summary>
        internal static void Integral(Tensor lengths, string name)
        {
            if (lengths.dtype == ScalarType.Bool || !torch.is_integral(lengths.dtype))
                throw new ArgumentException($"{name} must be integral", name);
        }

        /// <summary>
        /// libtorch 2.10's checks in its order, with its messages, then the label checks libtorch omits. Values are
        /// read only from tensors that are not on the meta device.
        /// </summary>
        internal static Shape Validate(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, long blank)
        {
            long dim = log_probs.dim();
            if (dim == 0)
                throw new ArgumentException("Dimension out of range (expected to be in range of [-1, 0], but got 1)", nameof(log_probs));
            bool batched = dim == 3;
            Check.KernelSupports("ctc_loss_cpu", log_probs.dtype, nameof(log_probs), Check.FloatDouble);
            if (log_probs.numel() == 0) throw new ArgumentException("log_probs tensor must not be empty", nameof(log_probs));
            long effective = batched ? dim : dim + 1;
            if (effective != 3)
                throw new ArgumentException(
                    $"Expected 3-dimensional tensor, but got {effective}-dimensional tensor for argument #1 'log_probs'{Where}", nameof(log_probs));
            long targetDim = targets.dim();
            if (targetDim is < 1 or > 2)
                throw new ArgumentException(
                    $"Expected 1 to 2 dimensions, but got {targetDim}-dimensional tensor for argument #2 'targets'{Where}", nameof(targets));

            var lpShape = Tensors.Shape(log_probs);
            long frames = lpShape[0], batch = batched ? lpShape[1] : 1, classes = lpShape[^1];
            if (blank < 0 || blank >= classes)
                throw new ArgumentOutOfRangeException(nameof(blank), blank, "blank must be in label range");
            if (input_lengths.numel() != batch) throw new ArgumentException("input_lengths must be of size batch_size", nameof(input_lengths));
            if (target_lengths.numel() != batch) throw new ArgumentException("target_lengths must be of size batch_size", nameof(target_lengths));

            var il = Read(input_lengths);
            var tl = Read(target_lengths);
            foreach (var length in tl ?? Array.Empty<long>())
                if (length < 0) throw Negative("target_lengths", length);
            var targetShape = Tensors.Shape(targets);
            long maxLength = tl?.Aggregate(0L, Math.Max) ?? 0;
            if (targetDim == 1)
            {
                if (tl is not null && targetShape[0] != tl.Sum()) throw TargetSize(tl.Sum(), targetShape[0]);
            }
            else
            {
                if (targetShape[0] != batch) throw TargetSize(batch, targetShape[0]);
                if (targetShape[1] < maxLength)
                    throw new ArgumentException(
                        $"Expected tensor to have size at least {maxLength} at dimension 1, but got size {targetShape[1]} for argument #2 'targets'{Where}",
                        nameof(targets));
            }
            foreach (var length in il ?? Array.Empty<long>())
            {
                if (length < 0) throw Negative("input_lengths", length);
                if (length > frames)
                    throw new ArgumentException(
                        $"Expected input_lengths to have value at most {frames}, but got value {length}{Where}", nameof(input_lengths));
            }

            CheckLabels(targets, tl, classes, blank);
            long slots = tl is not null ? maxLength : targetShape[targetDim - 1];
            return new Shape(batched, slots);
        }

        private static ArgumentOutOfRangeException Negative(string name, long length) =>
            new(name, length, $"Expected {name} to have value at least 0, but got value {length}{Where}");

        private static ArgumentException TargetSize(long expected, long actual) => new(
            $"Expected tensor to have size {expected} at dimension 0, but got size {actual} for argument #2 'targets'{Where}", "targets");

        /// <summary>The values of a tensor as int64, or null on the meta device.</summary>
        private static long[]? Read(Tensor tensor)
        {
            if (tensor.device_type == DeviceType.META) return null;
            using var scope = torch.NewDisposeScope();
            return tensor.flatten().to(ScalarType.Int64).contiguous().data<long>().ToArray();
        }

        /// <summary>
        /// The labels libtorch does not check: one outside [0, C), with which its kernel reads outside log_probs, and one
        /// equal to blank, which PyTorch's documentation forbids and for which libtorch's gradient does not match its loss
        /// (it overwrites the blank's share of the last frame when the last label is blank).
        /// </summary>
        private static void CheckLabels(Tensor targets, long[]? tl, long classes, long blank)
        {
            if (tl is null) return;
            var labels = Read(targets);
            if (labels is null) return;
            long width = targets.dim() == 2 ? targets.size(1) : 0, offset = 0;
            for (int n = 0; n < tl.Length; n++)
            {
                long start = targets.dim() == 2 ? n * width : offset;
                for (long k = 0; k < tl[n]; k++)
                {
                    long label = labels[start + k];
                    if (label < 0 || label >= classes)
                        throw new ArgumentOutOfRangeException("targets", label,
                            $"target label {label} (sample {n}, position {k}) is out of the label range [0, {classes}) " +
                            "(libtorch does not check this and reads outside log_probs)");
                    if (label == blank)
                        throw new ArgumentException(
                            $"target label {label} (sample {n}, position {k}) is the blank label; targets must not contain blank " +
                            "(libtorch does not check this, and its gradient then does not match its loss)", "targets");
                }
                offset += tl[n];
            }
        }

        /// <summary>
        /// The targets as (N, S) labels: a padded (N, ≥S) tensor is narrowed, a concatenated one is split
        /// by the target lengths (cumulative offsets). Slots past a sample's length hold blank, so that
        /// whatever padding the caller used never reaches an index.
        /// </summary>
        internal static Tensor PaddedLabels(Tensor targets, Tensor targetLengths, long slots, long blank)
        {
            long batch = targetLengths.size(0);
            using var slotsScalar = slots.ToScalar();
            var position = arange(Scalars.Zero, slotsScalar, Scalars.One, ScalarType.Int64, targetLengths.device).unsqueeze(0);
            var used = position.lt(targetLengths.unsqueeze(1));
            Tensor labels;
            if (targets.dim() == 2)
            {
                labels = targets.narrow(1, 0, slots);
            }
            else
            {
                var offsets = (targetLengths.cumsum(0) - targetLengths).unsqueeze(1);
                var index = (offsets.Plus(position)).masked_fill(used.logical_not(), Scalars.Zero);
                labels = targets.index_select(0, index.flatten()).reshape(batch, slots);
            }
            using var blankScalar = blank.ToScalar();
            return labels.masked_fill(used.logical_not(), blankScalar);
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// Connectionist temporal classification loss as a module (PyTorch's <c>nn.CTCLoss</c>); see
    /// <see cref="nn.functional.ctc_loss(Tensor, Tensor, Tensor, Tensor, long, torch.nn.Reduction, bool)"/> for the
    /// formula, the gradient (libtorch's form) and the ranges.
    /// </summary>
    public sealed class CTCLoss : Loss<Tensor, Tensor, Tensor, Tensor, Tensor>
    {
        /// <param name="blank">The blank class. Range: 0 ≤ blank &lt; C, checked when the loss is computed.</param>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="zero_infinity">Replace infinite losses and their gradients by 0.</param>
        /// <remarks>PyTorch's parameter order; TorchSharp's constructor takes (blank, zero_infinity, reduction).</remarks>
        public CTCLoss(long blank = 0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean, bool zero_infinity = false) : base(reduction)
        {
            this.blank = blank;
            this.zero_infinity = zero_infinity;
        }

        /// <summary>The blank class.</summary>
        public long blank { get; }

        /// <summary>Whether infinite losses (and their gradients) are replaced by 0.</summary>
        public bool zero_infinity { get; }

        /// <summary>The loss of <paramref name="log_probs"/> (T, N, C) against <paramref name="targets"/>, with the per-sample lengths.</summary>
        public override Tensor forward(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths) =>
            nn.functional.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity);
    }
}
