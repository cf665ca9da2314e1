//===- BenchGpuHostCalls.cpp - The runtime's own host cost per GPU call ---===//
//
// Part of the SCN compiler benchmarks.
//
//===----------------------------------------------------------------------===//
///
/// What the runtime adds to each driver call that compiled code makes, over
/// the fake driver of the unit tests (test/Unit/Runtime/FakeCudaDriver.cpp),
/// whose entry points only count their calls under a lock. W1 makes 190
/// launches, 207 allocations and frees and 230 parameter lookups a run
/// (bench/gpu/README.md), and on the H200 about 5 ms of its 11.2 ms end to
/// end were host time the GPU did not overlap: this says how much of that
/// the runtime's wrappers can be, on any machine. The baseline of each is
/// the bare fake entry point, called the same way in the same run; the real
/// driver's own cost (microseconds a launch) is not here.
///
//===----------------------------------------------------------------------===//

#include "scn/Runtime/Gpu.h"
#include "scn/Runtime/Status.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <dlfcn.h>
#include <vector>

namespace {

void *fakeDriver() {
  static void *fake = dlopen(SCN_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_GLOBAL);
  return fake;
}

template <typename Function> Function fakeEntry(const char *name) {
  return reinterpret_cast<Function>(dlsym(fakeDriver(), name));
}

/// One module with one kernel, and a stream, as compiled code has them.
struct Launchable {
  void *stream = mgpuStreamCreate();
  char image[16] = "a module";
  void *module = mgpuModuleLoad(image, sizeof image);
  void *function = mgpuModuleGetFunction(module, "main_kernel");
  ~Launchable() {
    mgpuModuleUnload(module);
    mgpuStreamDestroy(stream);
  }
};

void reportFailure(benchmark::State &state) {
  if (scn_gpu_take_error() != SCN_OK)
    state.SkipWithError(scn_last_error_message());
}

// Baseline: the fake cuLaunchKernel itself.
void BM_FakeDriverLaunch(benchmark::State &state) {
  Launchable kernel;
  using Launch = int (*)(void *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                         unsigned, void *, void **, void **);
  auto launch = fakeEntry<Launch>("cuLaunchKernel");
  for (auto _ : state)
    benchmark::DoNotOptimize(launch(kernel.function, 4, 1, 1, 128, 1, 1,
                                    static_cast<unsigned>(state.range(0)), kernel.stream,
                                    nullptr, nullptr));
}
BENCHMARK(BM_FakeDriverLaunch)->Arg(0)->Arg(16 << 10);

// mgpuLaunchKernel over it: with no dynamic shared memory, and with 16 KiB
// (the static bytes asked once per kernel).
void BM_MgpuLaunchKernel(benchmark::State &state) {
  Launchable kernel;
  for (auto _ : state)
    mgpuLaunchKernel(kernel.function, 4, 1, 1, 128, 1, 1, static_cast<int32_t>(state.range(0)),
                     kernel.stream, nullptr, nullptr, 0);
  reportFailure(state);
}
BENCHMARK(BM_MgpuLaunchKernel)->Arg(0)->Arg(16 << 10);

// mgpuLaunchKernel once device geometry has taken a fence
// (scn_gpu_fence_default_stream, with the fake's default stream busy): every
// launch of the process then looks its stream up under a lock. Arg 0: one
// fence, waited for by the first launch only; arg 1: a fence before every
// launch (an event record, a query and a stream wait each), the most a
// network can cost, as W1 makes 103 geometry calls for 190 launches. Runs
// after BM_MgpuLaunchKernel, which therefore times the path of a process
// that never took one.
void BM_MgpuLaunchKernelAfterFence(benchmark::State &state) {
  Launchable kernel;
  auto setKnob = fakeEntry<int (*)(const char *, long long)>("scn_fake_cuda_set");
  setKnob("default_stream_busy", 1);
  scn_gpu_fence_default_stream();
  for (auto _ : state) {
    if (state.range(0))
      scn_gpu_fence_default_stream();
    mgpuLaunchKernel(kernel.function, 4, 1, 1, 128, 1, 1, 0, kernel.stream, nullptr, nullptr,
                     0);
  }
  setKnob("default_stream_busy", 0);
  reportFailure(state);
}
BENCHMARK(BM_MgpuLaunchKernelAfterFence)->Arg(0)->Arg(1);

// Baseline: the fake's stream-ordered allocation and free.
void BM_FakeDriverAllocFree(benchmark::State &state) {
  Launchable kernel;
  using Alloc = int (*)(uint64_t *, size_t, void *);
  using Free = int (*)(uint64_t, void *);
  auto alloc = fakeEntry<Alloc>("cuMemAllocAsync");
  auto release = fakeEntry<Free>("cuMemFreeAsync");
  for (auto _ : state) {
    uint64_t block = 0;
    alloc(&block, 4096, kernel.stream);
    release(block, kernel.stream);
  }
}
BENCHMARK(BM_FakeDriverAllocFree);

void BM_MgpuMemAllocFree(benchmark::State &state) {
  Launchable kernel;
  for (auto _ : state)
    mgpuMemFree(mgpuMemAlloc(4096, kernel.stream, false), kernel.stream);
  reportFailure(state);
}
BENCHMARK(BM_MgpuMemAllocFree);

// A weight array kept resident: what scn_gpu_parameter costs when it only
// looks the device copy up (the common case in W1's 230 lookups).
void BM_ResidentParameterLookup(benchmark::State &state) {
  std::vector<float> weights(27 * 64 * 64, 0.5f);
  const int64_t bytes = static_cast<int64_t>(weights.size() * sizeof(float));
  if (scn_gpu_keep_resident(weights.data(), bytes) != SCN_OK) {
    state.SkipWithError(scn_last_error_message());
    return;
  }
  for (auto _ : state) {
    void *device = nullptr;
    scn_gpu_parameter(weights.data(), bytes, &device);
    scn_gpu_parameter_done(weights.data(), device);
    benchmark::DoNotOptimize(device);
  }
  scn_gpu_release_resident(weights.data());
  reportFailure(state);
}
BENCHMARK(BM_ResidentParameterLookup);

// A call's scn_gpu_prepared + _done when the block is kept, for `sources`
// resident arrays: what replaces the preparing kernels of a call (W1 f16
// reads 224 parameter copies in one group; 112 launches skipped).
void BM_PreparedBlockFound(benchmark::State &state) {
  const int64_t n = state.range(0);
  std::vector<std::vector<float>> arrays(n, std::vector<float>(64, 1.0f));
  std::vector<const void *> copies;
  for (auto &a : arrays) {
    void *device = nullptr;
    if (scn_gpu_keep_resident(a.data(), 256) != SCN_OK ||
        scn_gpu_parameter(a.data(), 256, &device) != SCN_OK) {
      state.SkipWithError(scn_last_error_message());
      return;
    }
    copies.push_back(device);
  }
  static const char kSite[] = "bench site";
  void *block = nullptr;
  int32_t fill = 1;
  scn_gpu_prepared(kSite, copies.data(), int32_t(n), 4096, &block, &fill);
  scn_gpu_prepared_done(kSite, block, 1);
  for (auto _ : state) {
    scn_gpu_prepared(kSite, copies.data(), int32_t(n), 4096, &block, &fill);
    scn_gpu_prepared_done(kSite, block, 1);
    benchmark::DoNotOptimize(block);
  }
  if (fill != 0)
    state.SkipWithError("the block was not found kept");
  for (auto &a : arrays)
    scn_gpu_release_resident(a.data());
  reportFailure(state);
}
BENCHMARK(BM_PreparedBlockFound)->Arg(1)->Arg(224);

} // namespace

int main(int argc, char **argv) {
  if (!fakeDriver()) {
    std::fprintf(stderr, "cannot load the fake driver %s: %s\n", SCN_FAKE_CUDA_DRIVER, dlerror());
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
