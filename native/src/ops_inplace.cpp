// In-place tensor operations (TorchSharp's trailing-underscore methods) and the few in-place
// helpers the optimizers and module conversions need. Each export mutates its first argument and
// returns 0, or -1 with libtorch's message stored.
#include "shim.h"

using namespace tl;

// tensor-tensor and tensor-scalar forms with an alpha multiplier: a += alpha * b, a -= alpha * b.
#define TL_INPLACE_ALPHA(name)                                                               \
  TL_API int32_t tl_inplace_##name(tl_tensor a, tl_tensor b, tl_scalar alpha) {              \
    return run([&] { a->name##_(*b, to_scalar(alpha)); });                                   \
  }                                                                                          \
  TL_API int32_t tl_inplace_##name##_scalar(tl_tensor a, tl_scalar b, tl_scalar alpha) {     \
    return run([&] { a->name##_(to_scalar(b), to_scalar(alpha)); });                         \
  }

// tensor-tensor and tensor-scalar forms without alpha.
#define TL_INPLACE_BINARY(name)                                                              \
  TL_API int32_t tl_inplace_##name(tl_tensor a, tl_tensor b) {                               \
    return run([&] { a->name##_(*b); });                                                     \
  }                                                                                          \
  TL_API int32_t tl_inplace_##name##_scalar(tl_tensor a, tl_scalar b) {                      \
    return run([&] { a->name##_(to_scalar(b)); });                                           \
  }

// a = a + value * op(t1, t2)
#define TL_INPLACE_TERNARY(name)                                                             \
  TL_API int32_t tl_inplace_##name(tl_tensor a, tl_tensor t1, tl_tensor t2, tl_scalar value) { \
    return run([&] { a->name##_(*t1, *t2, to_scalar(value)); });                             \
  }

#define TL_INPLACE_UNARY(name) \
  TL_API int32_t tl_inplace_##name(tl_tensor a) { return run([&] { a->name##_(); }); }

TL_INPLACE_ALPHA(add)
TL_INPLACE_ALPHA(sub)
TL_INPLACE_BINARY(mul)
TL_INPLACE_BINARY(div)
TL_INPLACE_TERNARY(addcmul)
TL_INPLACE_TERNARY(addcdiv)
TL_INPLACE_UNARY(zero)
TL_INPLACE_UNARY(sqrt)
TL_INPLACE_UNARY(exp)
TL_INPLACE_UNARY(neg)
TL_INPLACE_UNARY(abs)
TL_INPLACE_UNARY(log)
TL_INPLACE_UNARY(sigmoid)

TL_API int32_t tl_inplace_fill(tl_tensor a, tl_scalar value) {
  return run([&] { a->fill_(to_scalar(value)); });
}
TL_API int32_t tl_inplace_copy(tl_tensor a, tl_tensor src) {
  return run([&] { a->copy_(*src); });
}
// Draws from libtorch's default generator, so torch.manual_seed makes the draws reproducible.
TL_API int32_t tl_inplace_uniform(tl_tensor a, double from, double to) {
  return run([&] { a->uniform_(from, to); });
}
TL_API int32_t tl_inplace_normal(tl_tensor a, double mean, double std) {
  return run([&] { a->normal_(mean, std); });
}
// Either bound may be null (absent).
TL_API int32_t tl_inplace_clamp(tl_tensor a, const tl_scalar* min, const tl_scalar* max) {
  return run([&] { a->clamp_(to_optional_scalar(min), to_optional_scalar(max)); });
}
TL_API int32_t tl_inplace_masked_fill(tl_tensor a, tl_tensor mask, tl_scalar value) {
  return run([&] { a->masked_fill_(*mask, to_scalar(value)); });
}
// a[..., index[...], ...] += src along dim (entries landing on the same position add up).
TL_API int32_t tl_inplace_scatter_add(tl_tensor a, int64_t dim, tl_tensor index, tl_tensor src) {
  return run([&] { a->scatter_add_(dim, *index, *src); });
}
// a = max(a, b) element-wise (AMSGrad's running maximum).
TL_API int32_t tl_inplace_maximum(tl_tensor a, tl_tensor b) {
  return run([&] { at::maximum_out(*a, *a, *b); });
}

// ---- swapping a tensor's data (module dtype/device conversion) ------------------------------

// 1 when `data` can replace t's data in place (same kind of TensorImpl), 0 otherwise.
// 1 when t.data = data can keep t's TensorImpl, 0 when not, -1 (message stored) on an error.
TL_API int32_t tl_tensor_can_set_data(tl_tensor t, tl_tensor data) {
  bool compatible = false;
  if (run([&] { compatible = at::_has_compatible_shallow_copy_type(*t, *data); }) != 0) return -1;
  return compatible ? 1 : 0;
}
// t.data = data: t keeps its identity (and requires_grad) but takes data's storage, dtype and device.
TL_API int32_t tl_tensor_set_data(tl_tensor t, tl_tensor data) {
  return run([&] { t->set_data(*data); });
}
