using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

// native/src/losses.cpp and losses_frontend.cpp. Optional tensors are passed as an invalid (null) handle;
// booleans cross as int (0/1); reductions as libtorch's codes.
internal static partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle tl_l1_loss(TensorHandle input, TensorHandle target, long reduction);
    [LibraryImport(Library)] internal static partial TensorHandle tl_mse_loss(TensorHandle input, TensorHandle target, long reduction);
    [LibraryImport(Library)] internal static partial TensorHandle tl_smooth_l1_loss(TensorHandle input, TensorHandle target, long reduction, double beta);
    [LibraryImport(Library)] internal static partial TensorHandle tl_huber_loss(TensorHandle input, TensorHandle target, long reduction, double delta);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight, long ignore_index,
        long reduction, double label_smoothing);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_nll_loss(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction, long ignore_index);
    [LibraryImport(Library)] internal static partial TensorHandle tl_kl_div(TensorHandle input, TensorHandle target, long reduction, int log_target);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_binary_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_binary_cross_entropy_with_logits(TensorHandle input, TensorHandle target, TensorHandle weight,
        long reduction, TensorHandle pos_weight);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_margin_ranking_loss(TensorHandle input1, TensorHandle input2, TensorHandle target, double margin, long reduction);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_hinge_embedding_loss(TensorHandle input, TensorHandle target, double margin, long reduction);
    [LibraryImport(Library)] internal static partial TensorHandle tl_multilabel_margin_loss(TensorHandle input, TensorHandle target, long reduction);
    [LibraryImport(Library)] internal static partial TensorHandle tl_soft_margin_loss(TensorHandle input, TensorHandle target, long reduction);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_multilabel_soft_margin_loss(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_cosine_embedding_loss(TensorHandle input1, TensorHandle input2, TensorHandle target, double margin, long reduction);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_multi_margin_loss(TensorHandle input, TensorHandle target, long p, double margin, TensorHandle weight,
        long reduction);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_triplet_margin_loss(TensorHandle anchor, TensorHandle positive, TensorHandle negative, double margin,
        double p, double eps, int swap, long reduction);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_poisson_nll_loss(TensorHandle input, TensorHandle target, int log_input, int full, double eps, long reduction);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_ctc_loss(TensorHandle log_probs, TensorHandle targets, TensorHandle input_lengths,
        TensorHandle target_lengths, long blank, long reduction, int zero_infinity);
}
