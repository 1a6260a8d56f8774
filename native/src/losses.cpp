// libtorch's own loss kernels and ATen loss functions: the references the parity suite compares
// the composed losses against. Reduction codes are libtorch's: 0 none, 1 mean, 2 sum.
#include "shim.h"

using namespace tl;

TL_API tl_tensor tl_smooth_l1_loss(tl_tensor input, tl_tensor target, int64_t reduction, double beta) {
  return make_tensor([&] { return at::smooth_l1_loss(*input, *target, reduction, beta); });
}
