// The shim's shared plumbing: the exported-function attribute, the handle and scalar types that
// cross the C ABI, and the guards that turn every C++ exception into a stored message plus a
// failure value. No exception may leave an exported function.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#define TL_API extern "C" __attribute__((visibility("default")))

// A tensor handle is a heap-allocated at::Tensor (one reference on the TensorImpl); the C# side
// owns it through a SafeHandle and frees it with tl_tensor_free.
typedef at::Tensor* tl_tensor;

// A scalar as it crosses the ABI: kind 0 = floating (d), 1 = integral (i), 2 = boolean (i != 0).
struct tl_scalar {
  int32_t kind;
  double d;
  int64_t i;
};

namespace tl {

void set_error(const char* message);
at::Scalar to_scalar(const tl_scalar& s);
c10::optional<at::Scalar> to_optional_scalar(const tl_scalar* s);
inline c10::optional<at::Tensor> optional_tensor(tl_tensor t) {
  return t ? c10::optional<at::Tensor>(*t) : c10::nullopt;
}
inline at::Tensor tensor_or_undefined(tl_tensor t) { return t ? *t : at::Tensor(); }
inline at::IntArrayRef int_list(const int64_t* values, int32_t length) {
  return at::IntArrayRef(values, static_cast<size_t>(length));
}
std::vector<at::Tensor> tensor_list(const tl_tensor* tensors, int32_t count);
// A dtype code from C#, checked against libtorch's scalar types (TORCH_CHECK with a clear message).
at::ScalarType checked_dtype(int8_t dtype);
// An optional dtype: -1 means none (libtorch's default result type); other codes are checked.
inline c10::optional<at::ScalarType> optional_dtype(int8_t dtype) {
  return dtype < 0 ? c10::nullopt : c10::optional<at::ScalarType>(checked_dtype(dtype));
}

// Runs f and returns a new handle to the tensor it produces. An undefined result is returned as
// nullptr *without* an error (the C# side then reads "no tensor", e.g. a missing .grad).
template <typename F>
tl_tensor make_tensor(F&& f) noexcept {
  try {
    at::Tensor result = f();
    if (!result.defined()) return nullptr;
    return new at::Tensor(std::move(result));
  } catch (const c10::Error& e) {
    set_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception in the libtorch shim");
  }
  return nullptr;
}

// Runs f for its effect; returns 0 on success and -1 (with the message stored) on failure.
template <typename F>
int32_t run(F&& f) noexcept {
  try {
    f();
    return 0;
  } catch (const c10::Error& e) {
    set_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception in the libtorch shim");
  }
  return -1;
}

}  // namespace tl
