// Error channel, handle lifetime, tensor metadata, raw data in and out, and factories.
#include "shim.h"

#include <ATen/core/grad_mode.h>
#include <c10/util/Logging.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/version.h>

#include <cstring>

namespace tl {

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;

// libtorch symbolizes a C++ stack trace into every c10::Error it constructs (milliseconds per
// error); the shim only ever reports what_without_backtrace(), so that work is skipped once, when
// the library loads.
[[maybe_unused]] const bool no_error_backtraces = [] {
  c10::SetStackTraceFetcher([] { return std::string(); });
  return true;
}();
}  // namespace

void set_error(const char* message) {
  last_error = message ? message : "";
  has_error = true;
}

at::Scalar to_scalar(const tl_scalar& s) {
  switch (s.kind) {
    case 0: return at::Scalar(s.d);
    case 1: return at::Scalar(static_cast<int64_t>(s.i));
    case 2: return at::Scalar(s.i != 0);
    default: TORCH_CHECK(false, "invalid scalar kind ", s.kind);
  }
}

c10::optional<at::Scalar> to_optional_scalar(const tl_scalar* s) {
  return s ? c10::optional<at::Scalar>(to_scalar(*s)) : c10::nullopt;
}

std::vector<at::Tensor> tensor_list(const tl_tensor* tensors, int32_t count) {
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int32_t k = 0; k < count; ++k) {
    TORCH_CHECK(tensors[k] != nullptr, "tensor list entry ", k, " is null");
    list.push_back(*tensors[k]);
  }
  return list;
}

at::ScalarType checked_dtype(int8_t dtype) {
  TORCH_CHECK(dtype >= 0 && dtype < static_cast<int8_t>(at::ScalarType::Undefined), "invalid dtype ",
              static_cast<int>(dtype), ": not one of libtorch's scalar types");
  return static_cast<at::ScalarType>(dtype);
}

}  // namespace tl

using namespace tl;

// ---- error channel --------------------------------------------------------------------------

// Copies the pending error message (if any) into buffer and clears it. Returns the message's full
// length in bytes (0 when there is no pending error), so the caller can retry with a larger buffer.
TL_API int32_t tl_take_error(char* buffer, int32_t capacity) {
  if (!has_error) return 0;
  const auto length = static_cast<int32_t>(last_error.size());
  if (buffer && capacity > 0) {
    const auto n = std::min(length, capacity - 1);
    std::memcpy(buffer, last_error.data(), static_cast<size_t>(n));
    buffer[n] = '\0';
    if (length < capacity) {
      has_error = false;
      last_error.clear();
    }
  }
  return length;
}

TL_API const char* tl_libtorch_version() { return TORCH_VERSION; }

// torch.promote_types: writes the promoted type's code; -1 (message stored) for an unknown code.
TL_API int32_t tl_promote_types(int8_t a, int8_t b, int8_t* result) {
  return run([&] {
    *result = static_cast<int8_t>(c10::promoteTypes(checked_dtype(a), checked_dtype(b)));
  });
}

// ---- lifetime -------------------------------------------------------------------------------

TL_API void tl_tensor_free(tl_tensor t) { delete t; }

// A second handle on the same tensor (shares storage and autograd identity).
TL_API tl_tensor tl_tensor_alias(tl_tensor t) {
  return make_tensor([&] { return *t; });
}

// ---- metadata -------------------------------------------------------------------------------

TL_API int64_t tl_tensor_dim(tl_tensor t) { return t->dim(); }
TL_API int64_t tl_tensor_numel(tl_tensor t) { return t->numel(); }
TL_API void tl_tensor_shape(tl_tensor t, int64_t* out) {
  const auto sizes = t->sizes();
  std::copy(sizes.begin(), sizes.end(), out);
}
TL_API int64_t tl_tensor_size(tl_tensor t, int64_t dim) {
  int64_t result = -1;
  if (run([&] { result = t->size(dim); }) != 0) return -1;
  return result;
}
TL_API int8_t tl_tensor_dtype(tl_tensor t) { return static_cast<int8_t>(t->scalar_type()); }
TL_API int8_t tl_tensor_device_type(tl_tensor t) { return static_cast<int8_t>(t->device().type()); }
TL_API int32_t tl_tensor_device_index(tl_tensor t) { return t->device().index(); }
TL_API int32_t tl_tensor_requires_grad(tl_tensor t) { return t->requires_grad() ? 1 : 0; }
// Turning requires_grad off is only meaningful on a leaf (a non-leaf keeps its grad_fn, so the
// flag would silently stay on); refuse it with PyTorch's requires_grad_ message.
TL_API int32_t tl_tensor_set_requires_grad(tl_tensor t, int32_t value) {
  return run([&] {
    TORCH_CHECK(value != 0 || t->is_leaf(),
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
    t->set_requires_grad(value != 0);
  });
}
TL_API int32_t tl_tensor_is_leaf(tl_tensor t) { return t->is_leaf() ? 1 : 0; }
TL_API int32_t tl_tensor_is_contiguous(tl_tensor t) { return t->is_contiguous() ? 1 : 0; }
TL_API int32_t tl_tensor_same(tl_tensor a, tl_tensor b) { return a->is_same(*b) ? 1 : 0; }

// ---- data in and out ------------------------------------------------------------------------

// Copies nbytes of host memory into a new CPU tensor of the given shape and dtype.
TL_API tl_tensor tl_tensor_from_data(const void* data, const int64_t* shape, int32_t ndim,
                                     int8_t dtype, int32_t requires_grad) {
  return make_tensor([&] {
    auto options = at::TensorOptions().dtype(checked_dtype(dtype));
    auto result = at::empty(int_list(shape, ndim), options);
    if (result.numel() > 0) {
      std::memcpy(result.data_ptr(), data, static_cast<size_t>(result.nbytes()));
    }
    if (requires_grad) result.set_requires_grad(true);
    return result;
  });
}

// Copies the elements (in row-major order) into dst, which holds capacity bytes. The tensor is
// moved to the CPU and made contiguous first when needed. Returns 0, or -1 with an error.
TL_API int32_t tl_tensor_copy_to(tl_tensor t, void* dst, int64_t capacity) {
  return run([&] {
    TORCH_CHECK(t->device().type() != at::kMeta,
                "cannot read the data of a tensor on the meta device: it has no data");
    at::Tensor cpu = t->detach().to(at::kCPU).contiguous();
    TORCH_CHECK(static_cast<int64_t>(cpu.nbytes()) <= capacity, "destination holds ", capacity,
                " bytes, the tensor has ", cpu.nbytes());
    if (cpu.numel() > 0) std::memcpy(dst, cpu.data_ptr(), static_cast<size_t>(cpu.nbytes()));
  });
}

// ---- factories ------------------------------------------------------------------------------

namespace {
// dtype and device kind arrive as .NET enum values, which may hold any number: reject the ones
// libtorch does not define before they reach a static_cast (libtorch's own failure for them reads
// "Unsupported TypeMeta in ATen: nullptr (uninitialized)").
at::TensorOptions options_of(int8_t dtype, int8_t device_type, int32_t device_index) {
  const at::ScalarType type = checked_dtype(dtype);
  TORCH_CHECK(device_type >= 0 && device_type < static_cast<int8_t>(c10::DeviceType::COMPILE_TIME_MAX_DEVICE_TYPES),
              "invalid device type ", static_cast<int>(device_type), ": not one of libtorch's device types");
  return at::TensorOptions()
      .dtype(type)
      .device(at::Device(static_cast<at::DeviceType>(device_type),
                         static_cast<c10::DeviceIndex>(device_index)));
}
at::Tensor finish(at::Tensor t, int32_t requires_grad) {
  if (requires_grad) t.set_requires_grad(true);
  return t;
}
}  // namespace

#define TL_FACTORY_ARGS int8_t dtype, int8_t device_type, int32_t device_index, int32_t requires_grad
#define TL_FACTORY_OPTIONS options_of(dtype, device_type, device_index)

TL_API tl_tensor tl_zeros(const int64_t* shape, int32_t ndim, TL_FACTORY_ARGS) {
  return make_tensor([&] { return finish(at::zeros(int_list(shape, ndim), TL_FACTORY_OPTIONS), requires_grad); });
}
TL_API tl_tensor tl_ones(const int64_t* shape, int32_t ndim, TL_FACTORY_ARGS) {
  return make_tensor([&] { return finish(at::ones(int_list(shape, ndim), TL_FACTORY_OPTIONS), requires_grad); });
}
TL_API tl_tensor tl_empty(const int64_t* shape, int32_t ndim, TL_FACTORY_ARGS) {
  return make_tensor([&] { return finish(at::empty(int_list(shape, ndim), TL_FACTORY_OPTIONS), requires_grad); });
}
TL_API tl_tensor tl_full(const int64_t* shape, int32_t ndim, tl_scalar value, TL_FACTORY_ARGS) {
  return make_tensor([&] {
    return finish(at::full(int_list(shape, ndim), to_scalar(value), TL_FACTORY_OPTIONS), requires_grad);
  });
}
TL_API tl_tensor tl_randn(const int64_t* shape, int32_t ndim, TL_FACTORY_ARGS) {
  return make_tensor([&] { return finish(at::randn(int_list(shape, ndim), TL_FACTORY_OPTIONS), requires_grad); });
}
TL_API tl_tensor tl_rand(const int64_t* shape, int32_t ndim, TL_FACTORY_ARGS) {
  return make_tensor([&] { return finish(at::rand(int_list(shape, ndim), TL_FACTORY_OPTIONS), requires_grad); });
}
TL_API tl_tensor tl_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, TL_FACTORY_ARGS) {
  return make_tensor([&] {
    return finish(at::randint(low, high, int_list(shape, ndim), TL_FACTORY_OPTIONS), requires_grad);
  });
}
TL_API tl_tensor tl_arange(tl_scalar start, tl_scalar end, tl_scalar step, TL_FACTORY_ARGS) {
  return make_tensor([&] {
    return finish(at::arange(to_scalar(start), to_scalar(end), to_scalar(step), TL_FACTORY_OPTIONS),
                  requires_grad);
  });
}
TL_API tl_tensor tl_linspace(double start, double end, int64_t steps, TL_FACTORY_ARGS) {
  return make_tensor([&] { return finish(at::linspace(start, end, steps, TL_FACTORY_OPTIONS), requires_grad); });
}
TL_API int32_t tl_manual_seed(int64_t seed) {
  return run([&] { at::manual_seed(static_cast<uint64_t>(seed)); });
}

// ---- dtype, device, copies --------------------------------------------------------------------

TL_API tl_tensor tl_to(tl_tensor t, int8_t dtype, int8_t device_type, int32_t device_index, int32_t copy) {
  return make_tensor([&] {
    return t->to(options_of(dtype, device_type, device_index), /*non_blocking=*/false, copy != 0);
  });
}
TL_API tl_tensor tl_clone(tl_tensor t) { return make_tensor([&] { return t->clone(); }); }
TL_API tl_tensor tl_detach(tl_tensor t) { return make_tensor([&] { return t->detach(); }); }
TL_API tl_tensor tl_contiguous(tl_tensor t) { return make_tensor([&] { return t->contiguous(); }); }

// ---- autograd -------------------------------------------------------------------------------

TL_API int32_t tl_is_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
TL_API void tl_set_grad_enabled(int32_t enabled) { at::GradMode::set_enabled(enabled != 0); }

TL_API tl_tensor tl_tensor_grad(tl_tensor t) { return make_tensor([&] { return t->grad(); }); }
// Assigning .grad: the checks PyTorch's Python setter makes (the C++ mutable_grad() makes none, and
// a mismatched gradient would only fail later, obscurely, when backward accumulates into it).
TL_API int32_t tl_tensor_set_grad(tl_tensor t, tl_tensor grad) {
  return run([&] {
    if (grad) {
      TORCH_CHECK(!t->is_same(*grad), "can't assign Variable as its own grad");
      TORCH_CHECK(grad->options().type_equal(t->options()), "assigned grad has data of a different type");
      TORCH_CHECK(grad->device() == t->device(), "assigned grad has data located on a different device");
      TORCH_CHECK(grad->sizes() == t->sizes(), "assigned grad has data of a different size");
    }
    t->mutable_grad() = tensor_or_undefined(grad);
  });
}
TL_API int32_t tl_tensor_retain_grad(tl_tensor t) { return run([&] { t->retain_grad(); }); }

// backward(grad_tensors, retain_graph, create_graph, inputs); grad_tensors entries may be null.
TL_API int32_t tl_backward(const tl_tensor* tensors, int32_t n_tensors, const tl_tensor* grad_tensors,
                           int32_t n_grad_tensors, int32_t retain_graph, int32_t create_graph,
                           const tl_tensor* inputs, int32_t n_inputs) {
  return run([&] {
    std::vector<at::Tensor> grads;
    for (int32_t k = 0; k < n_grad_tensors; ++k) grads.push_back(tensor_or_undefined(grad_tensors[k]));
    torch::autograd::backward(tensor_list(tensors, n_tensors), grads,
                              retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0),
                              create_graph != 0, tensor_list(inputs, n_inputs));
  });
}

// torch.autograd.grad: results[k] receives the gradient of inputs[k] (null when unused).
TL_API int32_t tl_autograd_grad(const tl_tensor* outputs, int32_t n_outputs, const tl_tensor* inputs,
                                int32_t n_inputs, const tl_tensor* grad_outputs, int32_t n_grad_outputs,
                                int32_t retain_graph, int32_t create_graph, int32_t allow_unused,
                                tl_tensor* results) {
  return run([&] {
    std::vector<at::Tensor> grads;
    for (int32_t k = 0; k < n_grad_outputs; ++k) grads.push_back(tensor_or_undefined(grad_outputs[k]));
    auto result = torch::autograd::grad(tensor_list(outputs, n_outputs), tensor_list(inputs, n_inputs), grads,
                                        retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0),
                                        create_graph != 0, allow_unused != 0);
    for (int32_t k = 0; k < n_inputs; ++k) {
      results[k] = result[k].defined() ? new at::Tensor(result[k]) : nullptr;
    }
  });
}
