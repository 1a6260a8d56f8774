// Reductions: sums, means, products, extrema, norms, moments, truth tests. A dtype argument of -1
// means "none" (libtorch's default result type); dims arrive as (pointer, length).
#include "shim.h"

using namespace tl;

namespace {
// The tensor converted to dtype first (std/var take no dtype argument of their own).
at::Tensor as_dtype(const at::Tensor& t, int8_t dtype) {
  return dtype < 0 ? t : t.to(checked_dtype(dtype));
}
}  // namespace

// tl_<name>(a, dtype) over all elements, and tl_<name>_dims(a, dims, n, keepdim, dtype).
#define TL_REDUCE_WITH_DTYPE(name)                                                                  \
  TL_API tl_tensor tl_##name(tl_tensor a, int8_t dtype) {                                           \
    return make_tensor([&] { return a->name(optional_dtype(dtype)); });                             \
  }                                                                                                 \
  TL_API tl_tensor tl_##name##_dims(tl_tensor a, const int64_t* dims, int32_t n, int32_t keepdim,   \
                                    int8_t dtype) {                                                 \
    return make_tensor([&] { return a->name(int_list(dims, n), keepdim != 0, optional_dtype(dtype)); }); \
  }

TL_REDUCE_WITH_DTYPE(sum)
TL_REDUCE_WITH_DTYPE(mean)

TL_API tl_tensor tl_prod(tl_tensor a, int8_t dtype) {
  return make_tensor([&] { return a->prod(optional_dtype(dtype)); });
}
TL_API tl_tensor tl_prod_dim(tl_tensor a, int64_t dim, int32_t keepdim, int8_t dtype) {
  return make_tensor([&] { return a->prod(dim, keepdim != 0, optional_dtype(dtype)); });
}
TL_API tl_tensor tl_cumsum(tl_tensor a, int64_t dim, int8_t dtype) {
  return make_tensor([&] { return a->cumsum(dim, optional_dtype(dtype)); });
}

// ---- extrema --------------------------------------------------------------------------------

// tl_<name>_all(a): the extreme value; tl_<name>_dim(a, dim, keepdim, values, indices): the values
// and their positions along dim, as two new handles.
#define TL_EXTREMUM(name)                                                                       \
  TL_API tl_tensor tl_##name##_all(tl_tensor a) { return make_tensor([&] { return a->name(); }); } \
  TL_API int32_t tl_##name##_dim(tl_tensor a, int64_t dim, int32_t keepdim, tl_tensor* values,   \
                                 tl_tensor* indices) {                                          \
    return run([&] {                                                                            \
      auto result = a->name(dim, keepdim != 0);                                                 \
      *values = new at::Tensor(std::get<0>(result));                                            \
      *indices = new at::Tensor(std::get<1>(result));                                           \
    });                                                                                         \
  }

TL_EXTREMUM(max)
TL_EXTREMUM(min)

// tl_<name>(a, has_dim, dim, keepdim): over all elements (flattened) when has_dim is 0.
#define TL_ARG_EXTREMUM(name)                                                                     \
  TL_API tl_tensor tl_##name(tl_tensor a, int32_t has_dim, int64_t dim, int32_t keepdim) {        \
    return make_tensor([&] {                                                                      \
      return a->name(has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0);         \
    });                                                                                           \
  }

TL_ARG_EXTREMUM(argmax)
TL_ARG_EXTREMUM(argmin)

// ---- truth tests ----------------------------------------------------------------------------

#define TL_TRUTH(name)                                                                        \
  TL_API tl_tensor tl_##name(tl_tensor a) { return make_tensor([&] { return a->name(); }); }    \
  TL_API tl_tensor tl_##name##_dim(tl_tensor a, int64_t dim, int32_t keepdim) {               \
    return make_tensor([&] { return a->name(dim, keepdim != 0); });                           \
  }

TL_TRUTH(any)
TL_TRUTH(all)

// dims may be null (count over all elements).
TL_API tl_tensor tl_count_nonzero(tl_tensor a, const int64_t* dims, int32_t n) {
  return make_tensor([&] { return dims ? a->count_nonzero(int_list(dims, n)) : a->count_nonzero(); });
}

// ---- norms and moments ----------------------------------------------------------------------

TL_API tl_tensor tl_norm(tl_tensor a, double p) {
  return make_tensor([&] { return a->norm(at::Scalar(p)); });
}
TL_API tl_tensor tl_norm_dim(tl_tensor a, int64_t dim, int32_t keepdim, double p) {
  return make_tensor([&] { return a->norm(at::Scalar(p), at::IntArrayRef(&dim, 1), keepdim != 0); });
}
// dims may be null (all dimensions).
TL_API tl_tensor tl_linalg_vector_norm(tl_tensor a, double ord, const int64_t* dims, int32_t n, int32_t keepdim) {
  return make_tensor([&] {
    return at::linalg_vector_norm(*a, at::Scalar(ord),
                                  dims ? at::OptionalIntArrayRef(int_list(dims, n)) : c10::nullopt,
                                  keepdim != 0, c10::nullopt);
  });
}

// tl_<name>(a, unbiased) over all elements; tl_<name>_dims(a, dims, n, unbiased, keepdim, dtype).
#define TL_MOMENT(name)                                                                             \
  TL_API tl_tensor tl_##name(tl_tensor a, int32_t unbiased) {                                       \
    return make_tensor([&] { return a->name(unbiased != 0); });                                     \
  }                                                                                                 \
  TL_API tl_tensor tl_##name##_dims(tl_tensor a, const int64_t* dims, int32_t n, int32_t unbiased,  \
                                    int32_t keepdim, int8_t dtype) {                                \
    return make_tensor([&] {                                                                        \
      return as_dtype(*a, dtype).name(at::OptionalIntArrayRef(int_list(dims, n)), unbiased != 0,    \
                                      keepdim != 0);                                                \
    });                                                                                             \
  }

TL_MOMENT(std)
TL_MOMENT(var)
