// Losses that exist in libtorch only in its C++ frontend (torch::nn::functional), not as ATen ops.
// Kept apart from losses.cpp because the frontend header is heavy to compile.
#include <torch/nn/functional/loss.h>

#include "shim.h"

using namespace tl;

namespace {

torch::nn::functional::MultilabelSoftMarginLossFuncOptions::reduction_t frontend_reduction(int64_t code) {
  switch (code) {
    case 0: return torch::kNone;
    case 1: return torch::kMean;
    case 2: return torch::kSum;
  }
  TORCH_CHECK(false, code, " is not a valid value for reduction");
}

}  // namespace

// libtorch 1.13 has no torch::nn::functional::gaussian_nll_loss (nor an ATen op), so only this one.
TL_API tl_tensor tl_multilabel_soft_margin_loss(tl_tensor input, tl_tensor target, tl_tensor weight,
                                                int64_t reduction) {
  return make_tensor([&] {
    auto options = torch::nn::functional::MultilabelSoftMarginLossFuncOptions().reduction(frontend_reduction(reduction));
    if (weight) options.weight(*weight);
    return torch::nn::functional::multilabel_soft_margin_loss(*input, *target, options);
  });
}
