using TorchSharp.PInvoke;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Functions on tensors. The losses here call libtorch's own kernels (or its ATen loss
        /// functions); they are the references the parity suite holds the composed losses to.
        /// Parameter order follows TorchSharp's <c>torch.nn.functional</c>; names and defaults follow
        /// PyTorch 1.13 where TorchSharp deviates from it. Invalid arguments surface as an
        /// <see cref="System.Runtime.InteropServices.ExternalException"/> carrying libtorch's message.
        /// </summary>
        public static partial class functional
        {
            /// <summary>libtorch's reduction code, after checking the enum holds a defined value (libtorch would assert).</summary>
            private static long ReductionCode(Reduction reduction) =>
                reduction is Reduction.None or Reduction.Mean or Reduction.Sum
                    ? (long)reduction
                    : throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{(long)reduction} is not a valid value for reduction");

            /// <summary>The "no tensor" handle passed for an optional tensor argument that is null.</summary>
            private static readonly TensorHandle NoTensor = new();

            private static TensorHandle Optional(Tensor? tensor) => tensor?.Native ?? NoTensor;

            private static int Flag(bool value) => value ? 1 : 0;

            /// <summary>libtorch's <c>l1_loss</c>: |input − target|, input and target broadcast first.</summary>
            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_l1_loss(input.Native, target.Native, ReductionCode(reduction)));

            /// <summary>libtorch's <c>mse_loss</c>: (input − target)², input and target broadcast first.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_mse_loss(input.Native, target.Native, ReductionCode(reduction)));

            /// <summary>
            /// libtorch's <c>smooth_l1_loss</c> kernel: 0.5·d²/beta where |d| &lt; beta, |d| − 0.5·beta
            /// elsewhere (d = input − target, broadcast first). Range: beta ≥ 0 (beta = 0 is L1).
            /// </summary>
            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
                Tensor.FromNative(tl_smooth_l1_loss(input.Native, target.Native, ReductionCode(reduction), beta));

            /// <summary>
            /// libtorch's <c>huber_loss</c> kernel: 0.5·d² where |d| &lt; delta, delta·(|d| − 0.5·delta)
            /// elsewhere; equals delta · smooth_l1_loss(beta: delta). Range: delta &gt; 0. The parameter
            /// order (delta, reduction) is TorchSharp's.
            /// </summary>
            public static Tensor huber_loss(Tensor input, Tensor target, double delta = 1.0, Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_huber_loss(input.Native, target.Native, ReductionCode(reduction), delta));

            /// <summary>
            /// libtorch's <c>cross_entropy_loss</c>. A target with the input's shape holds class
            /// probabilities; otherwise it holds class indices (int64), the class dimension being 1
            /// (0 for a 1-D input). Range: 0 ≤ label_smoothing ≤ 1; ignore_index applies to index targets.
            /// </summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) =>
                Tensor.FromNative(tl_cross_entropy(input.Native, target.Native, Optional(weight), ignore_index, ReductionCode(reduction), label_smoothing));

            /// <summary>
            /// libtorch's <c>nll_loss_nd</c>: −weight[y]·input[y] per target, for inputs (C), (N, C) or
            /// (N, C, d1, …, dk). The weighted mean divides by the summed weight of the non-ignored
            /// targets. <paramref name="ignore_index"/> is PyTorch's parameter, absent from TorchSharp's
            /// <c>nll_loss</c>; it comes last so TorchSharp's positional calls still bind.
            /// </summary>
            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
                long ignore_index = -100) =>
                Tensor.FromNative(tl_nll_loss(input.Native, target.Native, Optional(weight), ReductionCode(reduction), ignore_index));

            /// <summary>
            /// libtorch's <c>kl_div</c>: target·(log target − input) for a log-probability input; with
            /// <paramref name="log_target"/> the target is a log-probability too. PyTorch's default
            /// <c>log_target = false</c> (TorchSharp defaults to true). Mean divides by the element
            /// count; PyTorch's Python-only "batchmean" is sum / N.
            /// </summary>
            public static Tensor kl_div(Tensor input, Tensor target, bool log_target = false, Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_kl_div(input.Native, target.Native, ReductionCode(reduction), Flag(log_target)));

            /// <summary>
            /// libtorch's <c>binary_cross_entropy</c>: −weight·(t·log x + (1 − t)·log(1 − x)), each log
            /// clamped at −100. Range: every input element in [0, 1].
            /// </summary>
            public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_binary_cross_entropy(input.Native, target.Native, Optional(weight), ReductionCode(reduction)));

            /// <summary>
            /// libtorch's <c>binary_cross_entropy_with_logits</c>:
            /// −weight·(pos_weight·t·log σ(x) + (1 − t)·log(1 − σ(x))), computed stably from the logits.
            /// The parameter is PyTorch's <c>pos_weight</c> (TorchSharp: <c>pos_weights</c>).
            /// </summary>
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null,
                Reduction reduction = Reduction.Mean, Tensor? pos_weight = null) =>
                Tensor.FromNative(tl_binary_cross_entropy_with_logits(input.Native, target.Native, Optional(weight), ReductionCode(reduction), Optional(pos_weight)));

            /// <summary>libtorch's <c>margin_ranking_loss</c>: max(0, −y·(x1 − x2) + margin), y ∈ {1, −1}.</summary>
            public static Tensor margin_ranking_loss(Tensor input1, Tensor input2, Tensor target, double margin = 0.0,
                Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_margin_ranking_loss(input1.Native, input2.Native, target.Native, margin, ReductionCode(reduction)));

            /// <summary>
            /// libtorch's <c>hinge_embedding_loss</c>: x where y = 1, max(0, margin − x) where y = −1.
            /// PyTorch's default margin 1.0 (TorchSharp's functional defaults to 0.0).
            /// </summary>
            public static Tensor hinge_embedding_loss(Tensor input, Tensor target, double margin = 1.0, Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_hinge_embedding_loss(input.Native, target.Native, margin, ReductionCode(reduction)));

            /// <summary>
            /// libtorch's <c>multilabel_margin_loss</c>: Σ over target classes j and non-target classes i
            /// of max(0, 1 − (x[j] − x[i])) / C. The int64 target lists class indices, ended by the first −1.
            /// </summary>
            public static Tensor multilabel_margin_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_multilabel_margin_loss(input.Native, target.Native, ReductionCode(reduction)));

            /// <summary>TorchSharp's name for <see cref="multilabel_margin_loss"/>.</summary>
            public static Tensor multi_label_margin_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                multilabel_margin_loss(input, target, reduction);

            /// <summary>libtorch's <c>soft_margin_loss</c>: log(1 + exp(−y·x)), y ∈ {1, −1}.</summary>
            public static Tensor soft_margin_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_soft_margin_loss(input.Native, target.Native, ReductionCode(reduction)));

            /// <summary>
            /// libtorch's C++-frontend <c>multilabel_soft_margin_loss</c> (it has no ATen op):
            /// −mean over classes of weight·(y·log σ(x) + (1 − y)·log σ(−x)), one value per sample.
            /// </summary>
            public static Tensor multilabel_soft_margin_loss(Tensor input, Tensor target, Tensor? weight = null,
                Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_multilabel_soft_margin_loss(input.Native, target.Native, Optional(weight), ReductionCode(reduction)));

            /// <summary>
            /// libtorch's <c>cosine_embedding_loss</c>: 1 − cos(x1, x2) where y = 1,
            /// max(0, cos(x1, x2) − margin) where y = −1. Range: −1 ≤ margin ≤ 1 is meaningful.
            /// </summary>
            public static Tensor cosine_embedding_loss(Tensor input1, Tensor input2, Tensor target, double margin = 0.0,
                Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_cosine_embedding_loss(input1.Native, input2.Native, target.Native, margin, ReductionCode(reduction)));

            /// <summary>
            /// libtorch's <c>multi_margin_loss</c>: Σ over i ≠ y of weight[y]·max(0, margin − x[y] + x[i])^p / C.
            /// Range: p ∈ {1, 2}.
            /// </summary>
            public static Tensor multi_margin_loss(Tensor input, Tensor target, int p = 1, double margin = 1.0, Tensor? weight = null,
                Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_multi_margin_loss(input.Native, target.Native, p, margin, Optional(weight), ReductionCode(reduction)));

            /// <summary>
            /// libtorch's <c>triplet_margin_loss</c>: max(0, d(a, p) − d(a, n) + margin) with the
            /// p-norm pairwise distance (eps added to the difference); with <paramref name="swap"/>,
            /// d(a, n) is replaced by min(d(a, n), d(p, n)). <paramref name="p"/> is a double as in
            /// PyTorch (TorchSharp: long).
            /// </summary>
            public static Tensor triplet_margin_loss(Tensor anchor, Tensor positive, Tensor negative, double margin = 1.0, double p = 2.0,
                double eps = 1e-06, bool swap = false, Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_triplet_margin_loss(anchor.Native, positive.Native, negative.Native, margin, p, eps, Flag(swap), ReductionCode(reduction)));

            /// <summary>
            /// libtorch's <c>poisson_nll_loss</c>: exp(x) − t·x when <paramref name="log_input"/>,
            /// otherwise x − t·log(x + eps); <paramref name="full"/> adds Stirling's term for t &gt; 1.
            /// <paramref name="eps"/> is a double as in PyTorch (TorchSharp: float).
            /// </summary>
            public static Tensor poisson_nll_loss(Tensor input, Tensor target, bool log_input = true, bool full = false, double eps = 1e-8,
                Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_poisson_nll_loss(input.Native, target.Native, Flag(log_input), Flag(full), eps, ReductionCode(reduction)));

            /// <summary>
            /// libtorch's <c>ctc_loss</c> over log_probs (T, N, C) or (T, C). The lengths are integral
            /// tensors. Mean divides each sample's loss by its target length, then averages over the
            /// batch. The parameter order (blank, zero_infinity, reduction) is TorchSharp's.
            /// </summary>
            public static Tensor ctc_loss(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, long blank = 0,
                bool zero_infinity = false, Reduction reduction = Reduction.Mean) =>
                Tensor.FromNative(tl_ctc_loss(log_probs.Native, targets.Native, input_lengths.Native, target_lengths.Native, blank,
                    ReductionCode(reduction), Flag(zero_infinity)));
        }
    }
}
