// Shape-and-dtype ("meta") kernels for the ops that libtorch 1.13 implements for the meta device
// only in Python (torch/_meta_registrations.py), so that losses composed from them can run on the
// meta device from C# too. A kernel is registered only where the loaded libtorch has none of its
// own, so a newer libtorch keeps its native meta kernels.
#include "shim.h"

#include <ATen/ExpandUtils.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/WrapDimUtilsMulti.h>
#include <torch/library.h>

#include <memory>

namespace {

at::Tensor same_shape(const at::Tensor& self) { return at::empty(self.sizes(), self.options()); }

// An in-place op on the meta device changes nothing that exists: it returns self.
at::Tensor& in_place(at::Tensor& self) { return self; }

at::Tensor same_shape_bool(const at::Tensor& self) {
  return at::empty(self.sizes(), self.options().dtype(at::kBool));
}

at::Tensor broadcast_bool(const at::Tensor& self, const at::Tensor& other) {
  return at::empty(at::infer_size(self.sizes(), other.sizes()), self.options().dtype(at::kBool));
}

at::Tensor where_meta(const at::Tensor& condition, const at::Tensor& self, const at::Tensor& other) {
  auto shape = at::infer_size(at::infer_size(condition.sizes(), self.sizes()), other.sizes());
  return at::empty(shape, self.options().dtype(at::result_type(self, other)));
}

at::Tensor index_select_meta(const at::Tensor& self, int64_t dim, const at::Tensor& index) {
  TORCH_CHECK_INDEX(index.dim() <= 1, "index_select(): Index is supposed to be a vector");
  auto sizes = self.sizes().vec();
  if (self.dim() > 0) {
    dim = at::maybe_wrap_dim(dim, self.dim());
    sizes[static_cast<size_t>(dim)] = index.numel();
  }
  return at::empty(sizes, self.options());
}

at::Tensor logsumexp_meta(const at::Tensor& self, at::IntArrayRef dims, bool keepdim) {
  auto mask = at::dim_list_to_bitset(dims, self.dim());
  std::vector<int64_t> sizes;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (!mask[static_cast<size_t>(d)]) sizes.push_back(self.size(d));
    else if (keepdim) sizes.push_back(1);
  }
  auto dtype = at::isIntegralType(self.scalar_type(), /*includeBool=*/true) ? at::kFloat : self.scalar_type();
  return at::empty(sizes, self.options().dtype(dtype));
}

std::tuple<at::Tensor, at::Tensor> log_sigmoid_forward_meta(const at::Tensor& self) {
  return {same_shape(self), at::empty({0}, self.options())};
}

at::Tensor min_all_meta(const at::Tensor& self) {
  TORCH_CHECK(self.numel() > 0,
              "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
  return at::empty({}, self.options());
}

// Registers f as the meta kernel of op, unless the loaded libtorch already has one.
template <typename Func>
void register_if_missing(torch::Library& library, const char* name, const char* overload, Func&& f) {
  auto op = c10::Dispatcher::singleton().findSchema({std::string("aten::") + name, overload});
  if (!op || op->hasKernelForDispatchKey(c10::DispatchKey::Meta)) return;
  const std::string qualified = *overload ? std::string(name) + "." + overload : std::string(name);
  library.impl(qualified.c_str(), std::forward<Func>(f));
}

std::unique_ptr<torch::Library> register_meta_kernels() {
  try {
    auto library = std::make_unique<torch::Library>(torch::Library::IMPL, "aten", c10::DispatchKey::Meta, __FILE__,
                                                    static_cast<uint32_t>(__LINE__));
    register_if_missing(*library, "abs", "", TORCH_FN(same_shape));
    register_if_missing(*library, "abs_", "", TORCH_FN(in_place));
    register_if_missing(*library, "relu", "", TORCH_FN(same_shape));
    register_if_missing(*library, "isnan", "", TORCH_FN(same_shape_bool));
    register_if_missing(*library, "isinf", "", TORCH_FN(same_shape_bool));
    register_if_missing(*library, "logical_not", "", TORCH_FN(same_shape_bool));
    register_if_missing(*library, "logical_and", "", TORCH_FN(broadcast_bool));
    register_if_missing(*library, "logical_or", "", TORCH_FN(broadcast_bool));
    register_if_missing(*library, "logical_xor", "", TORCH_FN(broadcast_bool));
    register_if_missing(*library, "where", "self", TORCH_FN(where_meta));
    register_if_missing(*library, "index_select", "", TORCH_FN(index_select_meta));
    register_if_missing(*library, "logsumexp", "", TORCH_FN(logsumexp_meta));
    register_if_missing(*library, "log_sigmoid_forward", "", TORCH_FN(log_sigmoid_forward_meta));
    register_if_missing(*library, "min", "", TORCH_FN(min_all_meta));
    return library;
  } catch (const std::exception&) {
    return nullptr;  // meta support is an extra: never let it stop the library from loading
  }
}

const std::unique_ptr<torch::Library> meta_library = register_meta_kernels();

}  // namespace
