// Element-wise arithmetic, comparisons and unary math.
#include "shim.h"

using namespace tl;

#define TL_UNARY(name) \
  TL_API tl_tensor tl_##name(tl_tensor a) { return make_tensor([&] { return a->name(); }); }

#define TL_BINARY(name)                                                      \
  TL_API tl_tensor tl_##name(tl_tensor a, tl_tensor b) {                     \
    return make_tensor([&] { return a->name(*b); });                         \
  }                                                                          \
  TL_API tl_tensor tl_##name##_scalar(tl_tensor a, tl_scalar b) {            \
    return make_tensor([&] { return a->name(to_scalar(b)); });               \
  }

TL_API tl_tensor tl_add(tl_tensor a, tl_tensor b, tl_scalar alpha) {
  return make_tensor([&] { return a->add(*b, to_scalar(alpha)); });
}
TL_API tl_tensor tl_add_scalar(tl_tensor a, tl_scalar b, tl_scalar alpha) {
  return make_tensor([&] { return a->add(to_scalar(b), to_scalar(alpha)); });
}
TL_API tl_tensor tl_sub(tl_tensor a, tl_tensor b, tl_scalar alpha) {
  return make_tensor([&] { return a->sub(*b, to_scalar(alpha)); });
}
TL_API tl_tensor tl_sub_scalar(tl_tensor a, tl_scalar b, tl_scalar alpha) {
  return make_tensor([&] { return a->sub(to_scalar(b), to_scalar(alpha)); });
}
// scalar - tensor, without the negate-then-add detour.
TL_API tl_tensor tl_rsub_scalar(tl_tensor a, tl_scalar b) {
  return make_tensor([&] { return at::rsub(*a, to_scalar(b)); });
}
TL_BINARY(mul)
TL_BINARY(div)
// scalar / tensor.
TL_API tl_tensor tl_rdiv_scalar(tl_tensor a, tl_scalar b) {
  return make_tensor([&] { return a->reciprocal().mul(to_scalar(b)); });
}

TL_UNARY(abs)
TL_UNARY(neg)
TL_UNARY(sign)
TL_UNARY(sqrt)
TL_UNARY(square)
TL_UNARY(exp)
TL_UNARY(log)

TL_API tl_tensor tl_sum(tl_tensor a) { return make_tensor([&] { return a->sum(); }); }
TL_API tl_tensor tl_mean(tl_tensor a) { return make_tensor([&] { return a->mean(); }); }
