// Element-wise arithmetic, comparisons, logical/bitwise ops and unary math. Every result is a new
// tensor (no in-place variants here); type promotion, broadcasting and error texts are libtorch's.
#include "shim.h"

using namespace tl;

// tl_<name>(a): a.name()
#define TL_UNARY(name) \
  TL_API tl_tensor tl_##name(tl_tensor a) { return make_tensor([&] { return a->name(); }); }

// tl_<name>(a, b): a.name(b) for a tensor b.
#define TL_BINARY_TENSOR(name)                                               \
  TL_API tl_tensor tl_##name(tl_tensor a, tl_tensor b) {                     \
    return make_tensor([&] { return a->name(*b); });                         \
  }

// The tensor form above plus tl_<name>_scalar(a, s): a.name(s).
#define TL_BINARY(name)                                                      \
  TL_BINARY_TENSOR(name)                                                     \
  TL_API tl_tensor tl_##name##_scalar(tl_tensor a, tl_scalar b) {            \
    return make_tensor([&] { return a->name(to_scalar(b)); });               \
  }

namespace {
// Rounding modes of div, numbered as TorchSharp's RoundingMode enum: 0 none, 1 trunc, 2 floor.
c10::optional<c10::string_view> rounding_mode(int32_t mode) {
  switch (mode) {
    case 0: return c10::nullopt;
    case 1: return c10::string_view("trunc");
    case 2: return c10::string_view("floor");
    default: TORCH_CHECK(false, "invalid rounding mode ", mode);
  }
}
}  // namespace

// ---- arithmetic -----------------------------------------------------------------------------

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
TL_API tl_tensor tl_div(tl_tensor a, tl_tensor b, int32_t mode) {
  return make_tensor([&] { return a->div(*b, rounding_mode(mode)); });
}
TL_API tl_tensor tl_div_scalar(tl_tensor a, tl_scalar b, int32_t mode) {
  return make_tensor([&] { return a->div(to_scalar(b), rounding_mode(mode)); });
}
// scalar / tensor.
TL_API tl_tensor tl_rdiv_scalar(tl_tensor a, tl_scalar b) {
  return make_tensor([&] { return a->reciprocal().mul(to_scalar(b)); });
}
TL_BINARY(remainder)
TL_BINARY(fmod)
TL_BINARY(pow)
TL_BINARY(xlogy)
TL_BINARY_TENSOR(atan2)
TL_BINARY_TENSOR(hypot)
TL_BINARY_TENSOR(maximum)
TL_BINARY_TENSOR(minimum)

TL_API tl_tensor tl_lerp(tl_tensor a, tl_tensor end, tl_tensor weight) {
  return make_tensor([&] { return a->lerp(*end, *weight); });
}

// a + value * t1 * t2 (element-wise, broadcasting).
TL_API tl_tensor tl_addcmul(tl_tensor a, tl_tensor t1, tl_tensor t2, tl_scalar value) {
  return make_tensor([&] { return a->addcmul(*t1, *t2, to_scalar(value)); });
}

// ---- comparisons ----------------------------------------------------------------------------

TL_BINARY(eq)
TL_BINARY(ne)
TL_BINARY(lt)
TL_BINARY(le)
TL_BINARY(gt)
TL_BINARY(ge)

TL_API tl_tensor tl_isclose(tl_tensor a, tl_tensor b, double rtol, double atol, int32_t equal_nan) {
  return make_tensor([&] { return a->isclose(*b, rtol, atol, equal_nan != 0); });
}
// 1 / 0 for the answer, -1 with a stored message on error.
TL_API int32_t tl_allclose(tl_tensor a, tl_tensor b, double rtol, double atol, int32_t equal_nan) {
  bool result = false;
  if (run([&] { result = a->allclose(*b, rtol, atol, equal_nan != 0); }) != 0) return -1;
  return result ? 1 : 0;
}
TL_API int32_t tl_equal(tl_tensor a, tl_tensor b) {
  bool result = false;
  if (run([&] { result = a->equal(*b); }) != 0) return -1;
  return result ? 1 : 0;
}

// ---- logical and bitwise --------------------------------------------------------------------

TL_BINARY_TENSOR(logical_and)
TL_BINARY_TENSOR(logical_or)
TL_BINARY_TENSOR(logical_xor)
TL_UNARY(logical_not)
TL_BINARY_TENSOR(bitwise_and)
TL_BINARY_TENSOR(bitwise_or)
TL_BINARY_TENSOR(bitwise_xor)
TL_UNARY(bitwise_not)

// ---- unary math -----------------------------------------------------------------------------

TL_UNARY(abs)
TL_UNARY(neg)
TL_UNARY(sign)
TL_UNARY(sgn)
TL_UNARY(sqrt)
TL_UNARY(rsqrt)
TL_UNARY(square)
TL_UNARY(reciprocal)
TL_UNARY(exp)
TL_UNARY(exp2)
TL_UNARY(expm1)
TL_UNARY(log)
TL_UNARY(log1p)
TL_UNARY(log2)
TL_UNARY(log10)
TL_UNARY(sigmoid)
TL_UNARY(tanh)
TL_UNARY(relu)
TL_UNARY(sin)
TL_UNARY(cos)
TL_UNARY(tan)
TL_UNARY(floor)
TL_UNARY(ceil)
TL_UNARY(trunc)
TL_UNARY(frac)
TL_UNARY(lgamma)
TL_UNARY(digamma)
TL_UNARY(erf)
TL_UNARY(erfc)
TL_UNARY(isnan)
TL_UNARY(isinf)
TL_UNARY(isfinite)
TL_UNARY(isposinf)
TL_UNARY(isneginf)

TL_API tl_tensor tl_log_sigmoid(tl_tensor a) { return make_tensor([&] { return at::log_sigmoid(*a); }); }
TL_API tl_tensor tl_softplus(tl_tensor a, double beta, double threshold) {
  return make_tensor([&] { return at::softplus(*a, beta, threshold); });
}
TL_API tl_tensor tl_round(tl_tensor a, int64_t decimals) {
  return make_tensor([&] { return decimals == 0 ? a->round() : a->round(decimals); });
}
// posinf / neginf are used only when their has_ flag is set (None otherwise: the dtype's extremes).
TL_API tl_tensor tl_nan_to_num(tl_tensor a, double nan, int32_t has_posinf, double posinf, int32_t has_neginf,
                               double neginf) {
  return make_tensor([&] {
    return a->nan_to_num(nan, has_posinf ? c10::optional<double>(posinf) : c10::nullopt,
                         has_neginf ? c10::optional<double>(neginf) : c10::nullopt);
  });
}

// ---- clamping and selection -----------------------------------------------------------------

// min / max may be null (no bound on that side).
TL_API tl_tensor tl_clamp_scalar(tl_tensor a, const tl_scalar* min, const tl_scalar* max) {
  return make_tensor([&] { return a->clamp(to_optional_scalar(min), to_optional_scalar(max)); });
}
TL_API tl_tensor tl_clamp(tl_tensor a, tl_tensor min, tl_tensor max) {
  return make_tensor([&] { return a->clamp(optional_tensor(min), optional_tensor(max)); });
}
TL_API tl_tensor tl_clamp_min(tl_tensor a, tl_scalar min) {
  return make_tensor([&] { return a->clamp_min(to_scalar(min)); });
}
TL_API tl_tensor tl_clamp_max(tl_tensor a, tl_scalar max) {
  return make_tensor([&] { return a->clamp_max(to_scalar(max)); });
}
TL_API tl_tensor tl_where(tl_tensor condition, tl_tensor x, tl_tensor y) {
  return make_tensor([&] { return at::where(*condition, *x, *y); });
}
TL_API tl_tensor tl_masked_fill(tl_tensor a, tl_tensor mask, tl_scalar value) {
  return make_tensor([&] { return a->masked_fill(*mask, to_scalar(value)); });
}

// ---- broadcasting and scalar read-out -------------------------------------------------------

// Writes count new handles into results (the inputs expanded to their common shape).
TL_API int32_t tl_broadcast_tensors(const tl_tensor* tensors, int32_t count, tl_tensor* results) {
  return run([&] {
    auto expanded = at::broadcast_tensors(tensor_list(tensors, count));
    for (int32_t k = 0; k < count; ++k) results[k] = new at::Tensor(expanded[static_cast<size_t>(k)]);
  });
}

// The value of a one-element tensor, converted by c10's checked conversions: kind 0 reads a double
// into *d, 1 an int64 into *i, 2 a bool (0/1) into *i, 3 an int32 into *i, 4 an int16, 5 an int8,
// 6 a uint8.
TL_API int32_t tl_tensor_item(tl_tensor t, int32_t kind, double* d, int64_t* i) {
  return run([&] {
    const at::Scalar value = t->item();
    switch (kind) {
      case 0: *d = value.toDouble(); break;
      case 1: *i = value.toLong(); break;
      case 2: *i = value.toBool() ? 1 : 0; break;
      case 3: *i = value.toInt(); break;
      case 4: *i = value.toShort(); break;
      case 5: *i = value.toChar(); break;
      case 6: *i = value.toByte(); break;
      default: TORCH_CHECK(false, "invalid item kind ", kind);
    }
  });
}
