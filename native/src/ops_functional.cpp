// torch.nn.functional: activations and the other non-loss functions (distances, one_hot, linear).
#include "shim.h"

using namespace tl;

// An activation with an in-place form: inplace != 0 overwrites a and returns a new handle on it.
#define TL_ACTIVATION(name, fn)                                                   \
  TL_API tl_tensor tl_functional_##name(tl_tensor a, int32_t inplace) {           \
    return make_tensor([&] { return inplace ? at::fn##_(*a) : at::fn(*a); });     \
  }

TL_ACTIVATION(relu, relu)
TL_ACTIVATION(tanh, tanh)
TL_ACTIVATION(sigmoid, sigmoid)


TL_API tl_tensor tl_functional_one_hot(tl_tensor a, int64_t num_classes) {
  return make_tensor([&] { return at::one_hot(*a, num_classes); });
}
TL_API tl_tensor tl_functional_cosine_similarity(tl_tensor x1, tl_tensor x2, int64_t dim, double eps) {
  return make_tensor([&] { return at::cosine_similarity(*x1, *x2, dim, eps); });
}
TL_API tl_tensor tl_functional_pairwise_distance(tl_tensor x1, tl_tensor x2, double p, double eps, int32_t keepdim) {
  return make_tensor([&] { return at::pairwise_distance(*x1, *x2, p, eps, keepdim != 0); });
}
TL_API tl_tensor tl_functional_linear(tl_tensor input, tl_tensor weight, tl_tensor bias) {
  return make_tensor([&] { return at::linear(*input, *weight, optional_tensor(bias)); });
}
