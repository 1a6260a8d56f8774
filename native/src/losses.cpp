// libtorch's own loss kernels and ATen loss functions: the references the parity suite compares
// the composed losses against. Reduction codes are libtorch's: 0 none, 1 mean, 2 sum. Each export
// calls exactly one ATen loss op; the only work done here is what PyTorch's own functional layer
// does before that call (broadcasting input and target for the four point-wise regression losses).
// multilabel_soft_margin_loss has no ATen op; it lives in losses_frontend.cpp.
#include "shim.h"

using namespace tl;

// PyTorch's F.l1_loss / mse_loss / smooth_l1_loss / huber_loss (and libtorch's C++ frontend) call
// broadcast_tensors(input, target) before the kernel; the kernel then sees equal shapes. `extra` is
// the parameter list after the reduction and `args` the same names as call arguments.
#define TL_BROADCAST_LOSS(name, extra, args)                                                      \
  TL_API tl_tensor tl_##name(tl_tensor input, tl_tensor target, int64_t reduction TL_UNPACK extra) { \
    return make_tensor([&] {                                                                      \
      auto both = at::broadcast_tensors({*input, *target});                                       \
      return at::name(both[0], both[1], reduction TL_UNPACK args);                                \
    });                                                                                           \
  }
#define TL_UNPACK(...) __VA_ARGS__

TL_BROADCAST_LOSS(l1_loss, (), ())
TL_BROADCAST_LOSS(mse_loss, (), ())
TL_BROADCAST_LOSS(smooth_l1_loss, (, double beta), (, beta))
TL_BROADCAST_LOSS(huber_loss, (, double delta), (, delta))

// Class-index targets (N), (N, d1..dk) or () go through nll_loss_nd(log_softmax(input)); a target
// with the input's shape is read as class probabilities. ATen picks the path.
TL_API tl_tensor tl_cross_entropy(tl_tensor input, tl_tensor target, tl_tensor weight, int64_t ignore_index,
                                  int64_t reduction, double label_smoothing) {
  return make_tensor([&] {
    return at::cross_entropy_loss(*input, *target, optional_tensor(weight), reduction, ignore_index,
                                  label_smoothing);
  });
}

// nll_loss_nd accepts (C)+(), (N,C)+(N) and (N,C,d1..dk)+(N,d1..dk), as F.nll_loss does.
TL_API tl_tensor tl_nll_loss(tl_tensor input, tl_tensor target, tl_tensor weight, int64_t reduction,
                             int64_t ignore_index) {
  return make_tensor(
      [&] { return at::nll_loss_nd(*input, *target, optional_tensor(weight), reduction, ignore_index); });
}

TL_API tl_tensor tl_kl_div(tl_tensor input, tl_tensor target, int64_t reduction, int32_t log_target) {
  return make_tensor([&] { return at::kl_div(*input, *target, reduction, log_target != 0); });
}

TL_API tl_tensor tl_binary_cross_entropy(tl_tensor input, tl_tensor target, tl_tensor weight, int64_t reduction) {
  return make_tensor(
      [&] { return at::binary_cross_entropy(*input, *target, optional_tensor(weight), reduction); });
}

TL_API tl_tensor tl_binary_cross_entropy_with_logits(tl_tensor input, tl_tensor target, tl_tensor weight,
                                                     int64_t reduction, tl_tensor pos_weight) {
  return make_tensor([&] {
    return at::binary_cross_entropy_with_logits(*input, *target, optional_tensor(weight),
                                                optional_tensor(pos_weight), reduction);
  });
}

TL_API tl_tensor tl_margin_ranking_loss(tl_tensor input1, tl_tensor input2, tl_tensor target, double margin,
                                        int64_t reduction) {
  return make_tensor([&] { return at::margin_ranking_loss(*input1, *input2, *target, margin, reduction); });
}

TL_API tl_tensor tl_hinge_embedding_loss(tl_tensor input, tl_tensor target, double margin, int64_t reduction) {
  return make_tensor([&] { return at::hinge_embedding_loss(*input, *target, margin, reduction); });
}

TL_API tl_tensor tl_multilabel_margin_loss(tl_tensor input, tl_tensor target, int64_t reduction) {
  return make_tensor([&] { return at::multilabel_margin_loss(*input, *target, reduction); });
}

TL_API tl_tensor tl_soft_margin_loss(tl_tensor input, tl_tensor target, int64_t reduction) {
  return make_tensor([&] { return at::soft_margin_loss(*input, *target, reduction); });
}

TL_API tl_tensor tl_cosine_embedding_loss(tl_tensor input1, tl_tensor input2, tl_tensor target, double margin,
                                          int64_t reduction) {
  return make_tensor([&] { return at::cosine_embedding_loss(*input1, *input2, *target, margin, reduction); });
}

TL_API tl_tensor tl_multi_margin_loss(tl_tensor input, tl_tensor target, int64_t p, double margin, tl_tensor weight,
                                      int64_t reduction) {
  return make_tensor([&] {
    return at::multi_margin_loss(*input, *target, at::Scalar(p), at::Scalar(margin), optional_tensor(weight),
                                 reduction);
  });
}

TL_API tl_tensor tl_triplet_margin_loss(tl_tensor anchor, tl_tensor positive, tl_tensor negative, double margin,
                                        double p, double eps, int32_t swap, int64_t reduction) {
  return make_tensor([&] {
    return at::triplet_margin_loss(*anchor, *positive, *negative, margin, p, eps, swap != 0, reduction);
  });
}

TL_API tl_tensor tl_poisson_nll_loss(tl_tensor input, tl_tensor target, int32_t log_input, int32_t full, double eps,
                                     int64_t reduction) {
  return make_tensor(
      [&] { return at::poisson_nll_loss(*input, *target, log_input != 0, full != 0, eps, reduction); });
}

// The tensor-lengths overload: lengths must be integral tensors (int32 or int64).
TL_API tl_tensor tl_ctc_loss(tl_tensor log_probs, tl_tensor targets, tl_tensor input_lengths,
                             tl_tensor target_lengths, int64_t blank, int64_t reduction, int32_t zero_infinity) {
  return make_tensor([&] {
    return at::ctc_loss(*log_probs, *targets, *input_lengths, *target_lengths, blank, reduction,
                        zero_infinity != 0);
  });
}
