// Diagnostics for benchmarks and tests, not part of TorchSharp's API: libtorch's intra-op thread
// count, a byte-counting wrapper around the CPU allocator, and a C++ timing loop that gives the
// per-op cost of an ATen call without any binding in between.
#include "shim.h"

#include <ATen/Parallel.h>
#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <chrono>
#include <mutex>

namespace {

// Live and peak bytes handed out through the counting allocator (never decreases below zero:
// every counted block is subtracted exactly once, by its own deleter).
std::atomic<int64_t> current_bytes{0};
std::atomic<int64_t> peak_bytes{0};

void raise_peak(int64_t candidate) {
  int64_t peak = peak_bytes.load(std::memory_order_relaxed);
  while (candidate > peak &&
         !peak_bytes.compare_exchange_weak(peak, candidate, std::memory_order_relaxed)) {
  }
}

// What a counted block carries to its deleter: the wrapped allocator's own DataPtr (whose
// destruction frees the memory through the original deleter) and the size to subtract.
struct CountedBlock {
  c10::DataPtr original;
  int64_t bytes;
};

void free_counted(void* context) {
  auto* block = static_cast<CountedBlock*>(context);
  current_bytes.fetch_sub(block->bytes, std::memory_order_relaxed);
  delete block;  // runs the original deleter
}

// Forwards every request to the allocator that was installed before it and counts the bytes.
// raw_deleter() stays null: a counted block's context is not its data pointer.
class CountingAllocator final : public c10::Allocator {
 public:
  explicit CountingAllocator(c10::Allocator* wrapped) : wrapped_(wrapped) {}

  c10::DataPtr allocate(size_t n) const override {
    c10::DataPtr original = wrapped_->allocate(n);
    if (n == 0 || original.get() == nullptr) return original;
    void* data = original.get();
    const c10::Device device = original.device();
    auto* block = new CountedBlock{std::move(original), static_cast<int64_t>(n)};
    raise_peak(current_bytes.fetch_add(block->bytes, std::memory_order_relaxed) + block->bytes);
    return c10::DataPtr(data, block, &free_counted, device);
  }

  c10::Allocator* wrapped() const { return wrapped_; }

 private:
  c10::Allocator* wrapped_;
};

// Installation is reference-counted so that nested or concurrent users share one wrapper; the
// original allocator comes back when the last one leaves. Blocks counted while installed keep
// their counting deleter after uninstallation, so Current stays exact.
std::mutex install_mutex;
int install_count = 0;
CountingAllocator* installed = nullptr;

}  // namespace

using namespace tl;

// ---- threads --------------------------------------------------------------------------------

TL_API int32_t tl_set_num_threads(int32_t threads) {
  return run([&] {
    TORCH_CHECK(threads > 0, "set_num_threads expects a positive number of threads, got ", threads);
    at::set_num_threads(threads);
  });
}

TL_API int32_t tl_get_num_threads() { return at::get_num_threads(); }

// ---- native memory accounting ---------------------------------------------------------------

// Installs the counting allocator (first call) or adds a reference to it; returns 0 / -1.
TL_API int32_t tl_diagnostics_memory_track() {
  return run([&] {
    std::lock_guard<std::mutex> lock(install_mutex);
    if (install_count++ > 0) return;
    // The wrapper lives for the rest of the process: blocks it counted may outlive its installation.
    static CountingAllocator* wrapper = nullptr;
    if (wrapper == nullptr) wrapper = new CountingAllocator(c10::GetCPUAllocator());
    installed = wrapper;
    c10::SetCPUAllocator(installed, /*priority=*/0);
  });
}

// Drops a reference; the last one puts the wrapped allocator back.
TL_API int32_t tl_diagnostics_memory_untrack() {
  return run([&] {
    std::lock_guard<std::mutex> lock(install_mutex);
    TORCH_CHECK(install_count > 0, "native memory tracking is not installed");
    if (--install_count > 0) return;
    c10::SetCPUAllocator(installed->wrapped(), /*priority=*/0);
    installed = nullptr;
  });
}

TL_API int32_t tl_diagnostics_memory_is_tracking() {
  std::lock_guard<std::mutex> lock(install_mutex);
  return install_count > 0 && c10::GetCPUAllocator() == installed ? 1 : 0;
}

TL_API int64_t tl_diagnostics_memory_current() { return current_bytes.load(std::memory_order_relaxed); }

TL_API int64_t tl_diagnostics_memory_peak() { return peak_bytes.load(std::memory_order_relaxed); }

// Starts a new peak window at the current level.
TL_API void tl_diagnostics_memory_reset_peak() {
  peak_bytes.store(current_bytes.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

// ---- per-op cost of ATen itself ---------------------------------------------------------------

// Runs at::add(x, 1) on a 1-element float32 tensor `iterations` times and returns the mean wall
// time per call in nanoseconds, or -1 on failure. No warm-up: callers time repeated calls.
TL_API double tl_diagnostics_time_add(int64_t iterations) {
  double result = -1;
  const int32_t status = run([&] {
    TORCH_CHECK(iterations > 0, "iterations must be positive, got ", iterations);
    const at::Tensor x = at::ones({1}, at::kFloat);
    const at::Scalar one(1.0);
    const auto start = std::chrono::steady_clock::now();
    for (int64_t k = 0; k < iterations; ++k) {
      at::Tensor y = at::add(x, one);
      (void)y;
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    result = std::chrono::duration<double, std::nano>(elapsed).count() / static_cast<double>(iterations);
  });
  return status == 0 ? result : -1;
}
