// Shapes and views, indexing, joining and splitting, matrix products, and the softmax family.
#include "shim.h"

using namespace tl;

namespace {

// A list of tensors produced by the shim (chunk, split, unbind, ...). The C# side reads its size,
// then takes the elements as separate handles, which frees the list.
typedef std::vector<at::Tensor>* tl_tensor_list;

template <typename F>
tl_tensor_list make_list(F&& f) noexcept {
  tl_tensor_list result = nullptr;
  if (run([&] { result = new std::vector<at::Tensor>(f()); }) != 0) return nullptr;
  return result;
}

}  // namespace

// Ops of the form op(self, int-list).
#define TL_INT_LIST_OP(name, call)                                              \
  TL_API tl_tensor tl_##name(tl_tensor a, const int64_t* values, int32_t n) {   \
    return make_tensor([&] { return call(int_list(values, n)); });              \
  }

TL_INT_LIST_OP(reshape, a->reshape)
TL_INT_LIST_OP(view, a->view)
TL_INT_LIST_OP(permute, a->permute)
TL_INT_LIST_OP(repeat, a->repeat)
TL_INT_LIST_OP(flip, a->flip)

TL_API tl_tensor tl_expand(tl_tensor a, const int64_t* sizes, int32_t n, int32_t implicit) {
  return make_tensor([&] { return a->expand(int_list(sizes, n), implicit != 0); });
}
TL_API tl_tensor tl_flatten(tl_tensor a, int64_t start_dim, int64_t end_dim) {
  return make_tensor([&] { return a->flatten(start_dim, end_dim); });
}
TL_API tl_tensor tl_unsqueeze(tl_tensor a, int64_t dim) { return make_tensor([&] { return a->unsqueeze(dim); }); }
TL_API tl_tensor tl_squeeze(tl_tensor a) { return make_tensor([&] { return a->squeeze(); }); }
TL_API tl_tensor tl_squeeze_dim(tl_tensor a, int64_t dim) { return make_tensor([&] { return a->squeeze(dim); }); }
TL_API tl_tensor tl_transpose(tl_tensor a, int64_t dim0, int64_t dim1) {
  return make_tensor([&] { return a->transpose(dim0, dim1); });
}
TL_API tl_tensor tl_t(tl_tensor a) { return make_tensor([&] { return a->t(); }); }
TL_API tl_tensor tl_movedim(tl_tensor a, const int64_t* source, int32_t n_source, const int64_t* destination,
                            int32_t n_destination) {
  return make_tensor([&] { return a->movedim(int_list(source, n_source), int_list(destination, n_destination)); });
}
TL_API tl_tensor tl_narrow(tl_tensor a, int64_t dim, int64_t start, int64_t length) {
  return make_tensor([&] { return a->narrow(dim, start, length); });
}
TL_API tl_tensor tl_select(tl_tensor a, int64_t dim, int64_t index) {
  return make_tensor([&] { return a->select(dim, index); });
}
TL_API tl_tensor tl_diagonal(tl_tensor a, int64_t offset, int64_t dim1, int64_t dim2) {
  return make_tensor([&] { return a->diagonal(offset, dim1, dim2); });
}
TL_API tl_tensor tl_tril(tl_tensor a, int64_t diagonal) { return make_tensor([&] { return a->tril(diagonal); }); }
TL_API tl_tensor tl_triu(tl_tensor a, int64_t diagonal) { return make_tensor([&] { return a->triu(diagonal); }); }

// ---- products -----------------------------------------------------------------------------------

TL_API tl_tensor tl_matmul(tl_tensor a, tl_tensor b) { return make_tensor([&] { return a->matmul(*b); }); }
TL_API tl_tensor tl_mm(tl_tensor a, tl_tensor b) { return make_tensor([&] { return a->mm(*b); }); }

// ---- gathering and scattering ---------------------------------------------------------------------

TL_API tl_tensor tl_index_select(tl_tensor a, int64_t dim, tl_tensor index) {
  return make_tensor([&] { return a->index_select(dim, *index); });
}
TL_API tl_tensor tl_gather(tl_tensor a, int64_t dim, tl_tensor index) {
  return make_tensor([&] { return a->gather(dim, *index); });
}
TL_API tl_tensor tl_scatter(tl_tensor a, int64_t dim, tl_tensor index, tl_tensor src) {
  return make_tensor([&] { return a->scatter(dim, *index, *src); });
}
TL_API tl_tensor tl_scatter_add(tl_tensor a, int64_t dim, tl_tensor index, tl_tensor src) {
  return make_tensor([&] { return a->scatter_add(dim, *index, *src); });
}
TL_API tl_tensor tl_masked_select(tl_tensor a, tl_tensor mask) {
  return make_tensor([&] { return a->masked_select(*mask); });
}
TL_API tl_tensor tl_nonzero(tl_tensor a) { return make_tensor([&] { return a->nonzero(); }); }

// ---- joining ----------------------------------------------------------------------------------------

TL_API tl_tensor tl_cat(const tl_tensor* tensors, int32_t count, int64_t dim) {
  return make_tensor([&] { return at::cat(tensor_list(tensors, count), dim); });
}
TL_API tl_tensor tl_stack(const tl_tensor* tensors, int32_t count, int64_t dim) {
  return make_tensor([&] { return at::stack(tensor_list(tensors, count), dim); });
}

// ---- splitting (results are lists) ------------------------------------------------------------------

TL_API tl_tensor_list tl_chunk(tl_tensor a, int64_t chunks, int64_t dim) {
  return make_list([&] { return a->chunk(chunks, dim); });
}
TL_API tl_tensor_list tl_split(tl_tensor a, int64_t split_size, int64_t dim) {
  return make_list([&] { return a->split(split_size, dim); });
}
TL_API tl_tensor_list tl_split_with_sizes(tl_tensor a, const int64_t* sizes, int32_t n, int64_t dim) {
  return make_list([&] { return a->split_with_sizes(int_list(sizes, n), dim); });
}
TL_API tl_tensor_list tl_unbind(tl_tensor a, int64_t dim) {
  return make_list([&] { return a->unbind(dim); });
}

TL_API int32_t tl_tensor_list_size(tl_tensor_list list) { return static_cast<int32_t>(list->size()); }

// Moves every element into its own new handle in out (which holds tl_tensor_list_size entries) and
// frees the list.
// Moves the list's tensors into new handles (all or none) and frees the list; 0, or -1 with the message stored.
TL_API int32_t tl_tensor_list_take(tl_tensor_list list, tl_tensor* out) {
  std::unique_ptr<std::vector<at::Tensor>> owned(list);
  return run([&] {
    std::vector<std::unique_ptr<at::Tensor>> handles;
    handles.reserve(owned->size());
    for (auto& tensor : *owned) handles.push_back(std::make_unique<at::Tensor>(std::move(tensor)));
    for (size_t k = 0; k < handles.size(); ++k) out[k] = handles[k].release();
  });
}

// ---- the softmax family ------------------------------------------------------------------------------

TL_API tl_tensor tl_softmax(tl_tensor a, int64_t dim, int8_t dtype) {
  return make_tensor([&] { return a->softmax(dim, optional_dtype(dtype)); });
}
TL_API tl_tensor tl_log_softmax(tl_tensor a, int64_t dim, int8_t dtype) {
  return make_tensor([&] { return a->log_softmax(dim, optional_dtype(dtype)); });
}
TL_API tl_tensor tl_logsumexp(tl_tensor a, int64_t dim, int32_t keepdim) {
  return make_tensor([&] { return a->logsumexp({dim}, keepdim != 0); });
}

// ---- Python-style indexing ----------------------------------------------------------------------------

// One index per entry: kinds[k] selects what the entry is, the other arrays carry its values.
//   0 None (a new axis of size 1)   1 a single integer (starts[k])   2 Ellipsis
//   3 a boolean (starts[k] != 0)     4 a tensor (tensors[k])
//   5 a slice: starts/stops/steps[k], each present only when bit 8/9/10 of kinds[k] is set.
namespace {
constexpr int32_t kSliceHasStart = 1 << 8;
constexpr int32_t kSliceHasStop = 1 << 9;
constexpr int32_t kSliceHasStep = 1 << 10;

c10::optional<int64_t> slice_bound(int32_t kind, int32_t flag, int64_t value) {
  return (kind & flag) ? c10::optional<int64_t>(value) : c10::nullopt;
}

std::vector<at::indexing::TensorIndex> decode_indices(const int32_t* kinds, const int64_t* starts,
                                                      const int64_t* stops, const int64_t* steps,
                                                      const tl_tensor* tensors, int32_t n) {
  using namespace at::indexing;
  std::vector<TensorIndex> indices;
  indices.reserve(static_cast<size_t>(n));
  for (int32_t k = 0; k < n; ++k) {
    const int32_t kind = kinds[k];
    switch (kind & 0xff) {
      case 0: indices.emplace_back(None); break;
      case 1: indices.emplace_back(starts[k]); break;
      case 2: indices.emplace_back(Ellipsis); break;
      case 3: indices.emplace_back(starts[k] != 0); break;
      case 4:
        TORCH_CHECK(tensors[k] != nullptr, "tensor index ", k, " is null");
        indices.emplace_back(*tensors[k]);
        break;
      case 5:
        indices.emplace_back(Slice(slice_bound(kind, kSliceHasStart, starts[k]),
                                   slice_bound(kind, kSliceHasStop, stops[k]),
                                   slice_bound(kind, kSliceHasStep, steps[k])));
        break;
      default: TORCH_CHECK(false, "invalid tensor index kind ", kind);
    }
  }
  return indices;
}
}  // namespace

#define TL_INDEX_ARGS \
  const int32_t *kinds, const int64_t *starts, const int64_t *stops, const int64_t *steps, const tl_tensor *tensors, int32_t n
#define TL_INDICES decode_indices(kinds, starts, stops, steps, tensors, n)

TL_API tl_tensor tl_index(tl_tensor a, TL_INDEX_ARGS) {
  return make_tensor([&] { return a->index(TL_INDICES); });
}
// In place: writes value into the indexed part of a; returns a new handle on a.
TL_API tl_tensor tl_index_put_(tl_tensor a, TL_INDEX_ARGS, tl_tensor value) {
  return make_tensor([&] { return a->index_put_(TL_INDICES, *value); });
}
TL_API tl_tensor tl_index_put_scalar_(tl_tensor a, TL_INDEX_ARGS, tl_scalar value) {
  return make_tensor([&] { return a->index_put_(TL_INDICES, to_scalar(value)); });
}
