// The forward kernels of the binding's own modules (Linear, ReLU, Tanh) and parameter creation.
#include "shim.h"

using namespace tl;

// y = x W^T + b (b may be null).
TL_API tl_tensor tl_nn_linear(tl_tensor input, tl_tensor weight, tl_tensor bias) {
  return make_tensor([&] { return at::linear(*input, *weight, optional_tensor(bias)); });
}

// Out-of-place, or in place on x (then the result is a new handle on x itself).
#define TL_NN_ACTIVATION(name)                                              \
  TL_API tl_tensor tl_nn_##name(tl_tensor x, int32_t inplace) {            \
    return make_tensor([&] { return inplace ? at::name##_(*x) : at::name(*x); }); \
  }

TL_NN_ACTIVATION(relu)
TL_NN_ACTIVATION(tanh)

// A parameter: a leaf that shares data's storage, with its own autograd identity.
TL_API tl_tensor tl_nn_make_parameter(tl_tensor data, int32_t requires_grad) {
  return make_tensor([&] {
    at::Tensor leaf = data->detach();
    leaf.set_requires_grad(requires_grad != 0);
    return leaf;
  });
}
