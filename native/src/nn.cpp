// Parameter creation for the binding's modules (their forward passes call torch.nn.functional).
#include "shim.h"

using namespace tl;

// A parameter: a leaf that shares data's storage, with its own autograd identity.
TL_API tl_tensor tl_nn_make_parameter(tl_tensor data, int32_t requires_grad) {
  return make_tensor([&] {
    at::Tensor leaf = data->detach();
    leaf.set_requires_grad(requires_grad != 0);
    return leaf;
  });
}
