// Custom autograd functions whose forward and backward are written in .NET (TorchSharp's
// torch.autograd.Function<T>). libtorch's own custom-function machinery (torch::autograd::Function)
// builds the graph node; its forward and backward call back into .NET through function pointers
// registered once by the binding. Saved tensors live in libtorch's AutogradContext (as
// SavedVariables, so saving an output creates no reference cycle); the .NET side keeps only the
// function object and its non-tensor data, released when libtorch destroys the node.
#include "shim.h"

#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/graph_task.h>

#include <stdexcept>

namespace {

// What a .NET forward hands back: outputs, tensors to save, outputs to mark non-differentiable.
struct ForwardResult {
  std::vector<at::Tensor> outputs;
  std::vector<at::Tensor> saved;
  std::vector<at::Tensor> non_differentiable;
  bool materialize_grads = true;
};

// What a .NET backward hands back: one gradient per tensor input (undefined = no gradient).
struct BackwardResult {
  std::vector<at::Tensor> gradients;
};

// Callbacks into .NET; each returns 0 on success, or -1 after tl_function_fail stored a message.
using ForwardCallback = int32_t (*)(int64_t id, ForwardResult* result);
// saved_released is 1 when the graph is not kept (no retain_graph/create_graph): the saved tensors are freed
// as soon as this backward returns.
using BackwardCallback = int32_t (*)(int64_t id, const tl_tensor* grads, int32_t n_grads, const tl_tensor* saved,
                                     int32_t n_saved, int32_t saved_released, BackwardResult* result);
using ReleaseCallback = void (*)(int64_t id);

ForwardCallback forward_callback = nullptr;
BackwardCallback backward_callback = nullptr;
ReleaseCallback release_callback = nullptr;

thread_local std::string managed_error;

[[noreturn]] void throw_managed_error(const char* stage) {
  std::string message = managed_error.empty() ? std::string("a .NET autograd function failed in ") + stage : managed_error;
  managed_error.clear();
  throw std::runtime_error(message);
}

struct ManagedFunction : public torch::autograd::Function<ManagedFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, at::TensorList inputs,
                                                int64_t id) {
    ctx->saved_data["id"] = id;
    // A zero-sized tensor whose deleter tells .NET that the node (and so this context) is gone.
    ctx->saved_data["release"] = at::from_blob(
        reinterpret_cast<void*>(id), {0}, [](void* p) { if (release_callback) release_callback(reinterpret_cast<int64_t>(p)); },
        at::TensorOptions().dtype(at::kByte));
    ForwardResult result;
    if (forward_callback(id, &result) != 0) throw_managed_error("forward");
    if (!result.saved.empty()) ctx->save_for_backward(result.saved);
    if (!result.non_differentiable.empty()) ctx->mark_non_differentiable(result.non_differentiable);
    ctx->set_materialize_grads(result.materialize_grads);
    (void)inputs;
    return result.outputs;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const int64_t id = ctx->saved_data["id"].toInt();
    auto saved = ctx->get_saved_variables();
    std::vector<tl_tensor> grad_handles, saved_handles;
    for (auto& g : grad_outputs) grad_handles.push_back(g.defined() ? &g : nullptr);
    for (auto& s : saved) saved_handles.push_back(s.defined() ? &s : nullptr);
    const int32_t saved_released = torch::autograd::get_current_graph_task_keep_graph() ? 0 : 1;
    BackwardResult result;
    if (backward_callback(id, grad_handles.data(), static_cast<int32_t>(grad_handles.size()), saved_handles.data(),
                          static_cast<int32_t>(saved_handles.size()), saved_released, &result) != 0)
      throw_managed_error("backward");
    result.gradients.emplace_back();  // the id argument has no gradient
    return result.gradients;
  }
};

}  // namespace

using namespace tl;

TL_API void tl_function_set_callbacks(ForwardCallback forward, BackwardCallback backward, ReleaseCallback release) {
  forward_callback = forward;
  backward_callback = backward;
  release_callback = release;
}

// Called by .NET inside a callback that is about to return -1.
TL_API void tl_function_fail(const char* message) { managed_error = message ? message : ""; }

TL_API int32_t tl_function_add_output(ForwardResult* r, tl_tensor t) {
  return run([&] { r->outputs.push_back(tensor_or_undefined(t)); });
}
TL_API int32_t tl_function_add_saved(ForwardResult* r, tl_tensor t) {
  return run([&] { r->saved.push_back(tensor_or_undefined(t)); });
}
TL_API int32_t tl_function_add_non_differentiable(ForwardResult* r, tl_tensor t) {
  return run([&] { r->non_differentiable.push_back(*t); });
}
TL_API void tl_function_set_materialize_grads(ForwardResult* r, int32_t value) { r->materialize_grads = value != 0; }
TL_API int32_t tl_function_add_gradient(BackwardResult* r, tl_tensor t) {
  return run([&] { r->gradients.push_back(tensor_or_undefined(t)); });
}

// Applies the .NET function registered under id to the tensor inputs (null entries are inputs that
// are not tensors or are absent). Writes up to capacity output handles; returns the output count, or -1.
TL_API int32_t tl_function_apply(int64_t id, const tl_tensor* inputs, int32_t n_inputs, tl_tensor* outputs,
                                 int32_t capacity) {
  int32_t count = -1;
  int32_t status = run([&] {
    TORCH_CHECK(forward_callback && backward_callback, "custom autograd functions are not initialised");
    std::vector<at::Tensor> tensors;
    for (int32_t k = 0; k < n_inputs; ++k) tensors.push_back(tensor_or_undefined(inputs[k]));
    auto result = ManagedFunction::apply(at::TensorList(tensors), id);
    TORCH_CHECK(static_cast<int32_t>(result.size()) <= capacity, "a custom function returned ", result.size(),
                " outputs, more than the ", capacity, " expected");
    for (size_t k = 0; k < result.size(); ++k) outputs[k] = result[k].defined() ? new at::Tensor(result[k]) : nullptr;
    count = static_cast<int32_t>(result.size());
  });
  return status == 0 ? count : -1;
}
