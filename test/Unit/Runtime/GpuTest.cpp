//===- GpuTest.cpp - The CUDA layer: errors without a GPU, kernels with one ===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Without a GPU or driver (CI) the calls must fail cleanly: a status, a
/// message naming what is missing, no crash, and the mgpu* ABI of generated
/// code keeping its first error for the host. With a GPU the same binary
/// runs a PTX kernel through the mgpu* functions and checks device errors.
///
//===----------------------------------------------------------------------===//

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Gpu.h"

#include "UploadRoundTrip.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

bool haveGpu() { return scn_gpu_init(0) == SCN_OK; }

std::string lastError() { return scn_last_error_message(); }

/// PTX of an entry `name` that doubles `count` floats in place
/// (hand-written, checked by ptxas), `extra` (PTX) after its load.
std::string doublingEntry(const std::string &name, const std::string &extra) {
  return ".visible .entry " + name + R"((.param .u64 data, .param .u32 count)
{
  .reg .pred %done;
  .reg .b32 %r<5>;
  .reg .f32 %f<3>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [data];
  ld.param.u32 %r1, [count];
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, %tid.x;
  mad.lo.s32 %r2, %r2, %r3, %r4;
  setp.ge.u32 %done, %r2, %r1;
  @%done bra DONE;
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r2, 4;
  add.s64 %rd4, %rd2, %rd3;
  ld.global.f32 %f1, [%rd4];
)" + extra + R"(
  add.f32 %f2, %f1, %f1;
  st.global.f32 [%rd4], %f2;
DONE:
  ret;
}
)";
}

/// scn_test_double, and scn_test_double_static_shared, the same with 16
/// bytes of static shared memory, as MLIR's kernels with dynamic shared
/// memory have.
const std::string kDoublePtxText =
    ".version 7.0\n.target sm_70\n.address_size 64\n" +
    doublingEntry("scn_test_double", "") + ".shared .align 16 .b8 scn_test_static[16];\n" +
    doublingEntry("scn_test_double_static_shared", "  st.shared.f32 [scn_test_static], %f1;");
const char *kDoublePtx = kDoublePtxText.c_str();

TEST(Gpu, WithoutADeviceEveryCallFailsCleanly) {
  if (haveGpu())
    GTEST_SKIP() << "a GPU is present; the device tests below cover it";
  EXPECT_EQ(scn_gpu_init(0), SCN_ERROR_NO_DEVICE);
  EXPECT_NE(lastError().find("scn_gpu_init: "), std::string::npos) << lastError();
  EXPECT_TRUE(lastError().find("libcuda.so.1") != std::string::npos ||
              lastError().find("cuInit") != std::string::npos ||
              lastError().find("CUDA toolkit") != std::string::npos)
      << lastError();
  scn_gpu_device_info_t info;
  EXPECT_EQ(scn_gpu_get_device_info(&info), SCN_ERROR_NO_DEVICE);
  float weights[4] = {1, 2, 3, 4};
  EXPECT_EQ(scn_gpu_keep_resident(weights, sizeof weights), SCN_ERROR_NO_DEVICE);
  EXPECT_NE(lastError().find("scn_gpu_keep_resident: "), std::string::npos) << lastError();
  scn_gpu_release_resident(weights); // nothing kept: a no-op
  void *constant = weights;
  EXPECT_EQ(scn_gpu_constant(weights, sizeof weights, &constant), SCN_ERROR_NO_DEVICE);
  EXPECT_EQ(constant, nullptr);
  // Also the sticky error of generated code, so that no kernel runs.
  EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_NO_DEVICE);
  EXPECT_EQ(lastError().rfind("scn_gpu_take_error: scn_gpu_constant: scn_gpu_upload: ", 0), 0u)
      << lastError();
#ifdef SCN_TEST_HAVE_MGPU
  // Generated code: the first failure is kept, the rest are no-ops.
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_EQ(mgpuMemAlloc(1024, nullptr, false), nullptr);
  mgpuMemFree(nullptr, nullptr);
  mgpuStreamSynchronize(nullptr);
  // Grid sizing after the failure: one block (no launch will run anyway).
  EXPECT_EQ(scn_gpu_resident_blocks(200 * 1024, 512), 1);
  EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_NO_DEVICE);
  EXPECT_EQ(lastError().rfind("scn_gpu_take_error: mgpuStreamCreate: ", 0), 0u) << lastError();
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK);
#endif
}

#ifdef SCN_TEST_HAVE_MGPU
/// `host` doubled by kDoublePtx through the mgpu* ABI (module, stream,
/// memory, launch with `sharedBytes` of dynamic shared memory).
static std::vector<float> doubledOnTheGpu(const std::vector<float> &host, int32_t sharedBytes,
                                          const char *kernel = "scn_test_double") {
  const size_t bytes = host.size() * sizeof(float);
  void *stream = mgpuStreamCreate();
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kDoublePtx), 2);
  void *function = mgpuModuleGetFunction(module, kernel);
  void *device = mgpuMemAlloc(bytes, stream, false);
  mgpuMemcpy(device, const_cast<float *>(host.data()), bytes, stream);
  uint32_t count = uint32_t(host.size());
  void *params[] = {&device, &count};
  mgpuLaunchKernel(function, 4, 1, 1, 256, 1, 1, sharedBytes, stream, params, nullptr, 2);
  std::vector<float> result(host.size());
  mgpuMemcpy(result.data(), device, bytes, stream);
  mgpuStreamSynchronize(stream);
  mgpuMemFree(device, stream);
  mgpuModuleUnload(module);
  mgpuStreamDestroy(stream);
  return result;
}

TEST(Gpu, PtxKernelThroughTheMgpuAbi) {
  if (!haveGpu())
    GTEST_SKIP() << "no GPU: " << lastError();
  scn_gpu_device_info_t info;
  ASSERT_EQ(scn_gpu_get_device_info(&info), SCN_OK) << lastError();
  EXPECT_GT(std::strlen(info.name), 0u);
  EXPECT_GE(info.compute_major, 7);
  EXPECT_GT(info.total_memory, 0);

  std::vector<float> host(1000);
  for (size_t i = 0; i < host.size(); ++i)
    host[i] = float(i) - 3.5f;
  std::vector<float> result = doubledOnTheGpu(host, 0);
  ASSERT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
  for (size_t i = 0; i < host.size(); ++i)
    ASSERT_EQ(result[i], 2 * host[i]) << i;
}

// Tensor-core kernels with weights in shared memory ask for up to 227 KiB
// of dynamic shared memory, past the 48 KiB a kernel gets without opting in
// (mgpuLaunchKernel sets CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES),
// and size their grids by scn_gpu_resident_blocks: SMs x blocks an SM, so a
// block that fills an SM's shared memory gives one a multiprocessor.
TEST(Gpu, LargeDynamicSharedMemoryAndResidentBlocks) {
  if (!haveGpu())
    GTEST_SKIP() << "no GPU: " << lastError();
  scn_gpu_device_info_t info;
  ASSERT_EQ(scn_gpu_get_device_info(&info), SCN_OK) << lastError();
  int64_t shared = info.compute_major >= 9 ? 200 * 1024 : 90 * 1024;
  int64_t full = scn_gpu_resident_blocks(shared, 512);
  int64_t small = scn_gpu_resident_blocks(0, 128);
  ASSERT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
  EXPECT_GE(full, 1);
  EXPECT_GT(small, full);
  EXPECT_EQ(small % full, 0) << "one block an SM for " << shared << " bytes: " << full;
  // 512 threads at 128 registers take an SM's 64K registers, so `full` is
  // one block an SM; 128-thread blocks without shared memory fit 4 (their
  // registers again), whatever the SM count.
  EXPECT_EQ(small, 4 * full) << "SMs x 4 blocks of 128 threads, SMs x 1 of 512";

  std::vector<float> host(1000, 1.5f);
  std::vector<float> result = doubledOnTheGpu(host, int32_t(shared));
  ASSERT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
  EXPECT_EQ(result[999], 3.0f);

  // Exactly 48 KiB of dynamic memory beside static memory is past the
  // default limit too (the H200 refused such launches of the async
  // tensor-core kernels before mgpuLaunchKernel counted the static part).
  result = doubledOnTheGpu(host, 48 * 1024, "scn_test_double_static_shared");
  ASSERT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
  EXPECT_EQ(result[999], 3.0f);
}

// The generated code's chain (scn-gpu-async-chain): a managed block that a
// queued kernel uses is freed on the kernel's stream before the host waits;
// the block must outlive the kernel (it is released at the wait), and the
// host touches another managed block meanwhile.
TEST(Gpu, ManagedBlockFreedOnAStreamOutlivesItsKernels) {
  if (!haveGpu())
    GTEST_SKIP() << "no GPU: " << lastError();
  const uint32_t count = 1 << 20;
  const size_t bytes = count * sizeof(float);
  void *stream = mgpuStreamCreate();
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kDoublePtx), 2);
  void *function = mgpuModuleGetFunction(module, "scn_test_double");
  void *managed = mgpuMemAlloc(bytes, nullptr, true);
  void *device = mgpuMemAlloc(bytes, stream, false);
  ASSERT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
  for (uint32_t i = 0; i < count; ++i)
    static_cast<float *>(managed)[i] = 1.0f;
  void *params[] = {&managed, const_cast<uint32_t *>(&count)};
  for (int i = 0; i < 10; ++i) // long enough to be running at the free
    mgpuLaunchKernel(function, count / 256, 1, 1, 256, 1, 1, 0, stream, params, nullptr, 2);
  mgpuMemcpy(device, managed, bytes, stream);
  mgpuMemFree(managed, stream);
  void *other = mgpuMemAlloc(64, nullptr, true);
  scn_gpu_before_host_access();
  static_cast<float *>(other)[0] = 3.0f;
  std::vector<float> result(count);
  mgpuMemcpy(result.data(), device, bytes, stream);
  mgpuStreamSynchronize(stream);
  mgpuMemFree(device, stream);
  mgpuMemFree(other, nullptr);
  mgpuStreamSynchronize(stream);
  mgpuModuleUnload(module);
  mgpuStreamDestroy(stream);
  ASSERT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
  EXPECT_EQ(result.front(), 1024.0f);
  EXPECT_EQ(result.back(), 1024.0f);
}

// Weights kept on the device: generated code gets the resident copy of
// exactly (array, size) and leaves it alone at the end of the call; any
// other request is an upload that the end of the call frees.
TEST(Gpu, ResidentParametersAreUploadedOnce) {
  if (!haveGpu())
    GTEST_SKIP() << "no GPU: " << lastError();
  std::vector<float> weights(1000, 0.5f);
  const int64_t bytes = int64_t(weights.size() * sizeof(float));
  ASSERT_EQ(scn_gpu_keep_resident(weights.data(), bytes), SCN_OK) << lastError();
  void *first = nullptr, *second = nullptr, *smaller = nullptr;
  ASSERT_EQ(scn_gpu_parameter(weights.data(), bytes, &first), SCN_OK) << lastError();
  ASSERT_EQ(scn_gpu_parameter(weights.data(), bytes, &second), SCN_OK) << lastError();
  EXPECT_EQ(first, second);
  ASSERT_EQ(scn_gpu_parameter(weights.data(), bytes / 2, &smaller), SCN_OK) << lastError();
  EXPECT_NE(smaller, first);
  std::vector<float> back(weights.size());
  void *stream = mgpuStreamCreate();
  mgpuMemcpy(back.data(), first, size_t(bytes), stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  EXPECT_EQ(back, weights);
  scn_gpu_parameter_done(weights.data(), first);
  scn_gpu_parameter_done(weights.data(), second);
  scn_gpu_parameter_done(weights.data(), smaller);
  void *again = nullptr;
  ASSERT_EQ(scn_gpu_parameter(weights.data(), bytes, &again), SCN_OK) << lastError();
  EXPECT_EQ(again, first); // still resident
  scn_gpu_release_resident(weights.data());
  void *upload = nullptr;
  ASSERT_EQ(scn_gpu_parameter(weights.data(), bytes, &upload), SCN_OK) << lastError();
  scn_gpu_parameter_done(weights.data(), upload);

  // Constants of an artifact: one upload while it is loaded; an artifact's
  // unloading (mgpuModuleUnload) forgets them.
  void *constant = nullptr, *same = nullptr, *after = nullptr;
  ASSERT_EQ(scn_gpu_constant(weights.data(), bytes, &constant), SCN_OK) << lastError();
  ASSERT_EQ(scn_gpu_constant(weights.data(), bytes, &same), SCN_OK) << lastError();
  EXPECT_EQ(constant, same);
  mgpuModuleUnload(nullptr);
  ASSERT_EQ(scn_gpu_constant(weights.data(), bytes, &after), SCN_OK) << lastError();
  EXPECT_NE(after, constant);
  EXPECT_EQ(scn_gpu_synchronize(), SCN_OK) << lastError();
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

/// Uploads of 9 MiB + 12 bytes (page-locked staging: two whole 4 MiB chunks
/// and a partial one, unless SCN_GPU_PAGEABLE_UPLOADS is set) and of 1 KiB
/// (the driver's path) arrive exactly.
TEST(Gpu, UploadsArriveExactlyStagedOrNot) {
  if (!haveGpu())
    GTEST_SKIP() << "no GPU: " << lastError();
  // Queued too (the device builders' coordinates): read back on another
  // stream after a fence, with the source overwritten on return and a
  // staged copy's block handed back by its event; twice, so that the
  // second takes the first's block.
  for (bool queued : {false, true, true})
    for (size_t count : {size_t(9 << 20) / 4 + 3, size_t(256)})
      expectUploadRoundTrip(count, [] {}, queued);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

TEST(Gpu, DeviceErrorsNameTheCallAndTheCause) {
  if (!haveGpu())
    GTEST_SKIP() << "no GPU: " << lastError();
  EXPECT_EQ(scn_gpu_init(4096), SCN_ERROR_NO_DEVICE);
  EXPECT_NE(lastError().find("device 4096 does not exist"), std::string::npos) << lastError();
  EXPECT_EQ(scn_gpu_init(0), SCN_OK) << lastError(); // unchanged by the failure

  EXPECT_EQ(mgpuMemAlloc(uint64_t(1) << 50, nullptr, false), nullptr);
  EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_OUT_OF_MEMORY);
  EXPECT_NE(lastError().find("out of device memory"), std::string::npos) << lastError();

  EXPECT_EQ(mgpuModuleLoadJIT(const_cast<char *>("not ptx"), 2), nullptr);
  EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_DEVICE);
  EXPECT_NE(lastError().find("cuModuleLoadDataEx"), std::string::npos) << lastError();
}
#endif

} // namespace

#ifdef SCN_TEST_HAVE_MGPU
// GPU code of convert-scn-to-gpu reads runtime arrays through the run's
// managed copies. With a GPU: one copy per (array, size), equal bytes,
// freed with the run. Without: the run fails with the reason, the host
// still gets readable memory (the array itself), and generated code that
// writes a host_shared allocation gets a host block instead of null.
TEST(Gpu, RunDeviceCopiesOfRuntimeArrays) {
  std::vector<int32_t> table = {4, -1, 7, 9};
  scn_run_t run = scn_run_create();
  ASSERT_NE(run, nullptr);
  void *copy = scn_cg_device_copy(run, table.data(), 16);
  if (haveGpu()) {
    ASSERT_NE(copy, nullptr) << scn_run_error_message(run);
    EXPECT_NE(copy, static_cast<void *>(table.data()));
    EXPECT_EQ(std::memcmp(copy, table.data(), 16), 0);
    EXPECT_EQ(scn_cg_device_copy(run, table.data(), 16), copy);
    EXPECT_EQ(scn_cg_device_copy(run, table.data(), 0), nullptr);
    EXPECT_EQ(scn_run_status(run), SCN_OK);
    // A failed run (a NaN feature) still runs its kernels: still copies.
    scn_cg_fail(run, "scn.input", "input features contain NaN");
    std::vector<int32_t> rows = {1, 2};
    void *rowsCopy = scn_cg_device_copy(run, rows.data(), 8);
    ASSERT_NE(rowsCopy, nullptr);
    EXPECT_NE(rowsCopy, static_cast<void *>(rows.data()));
    EXPECT_EQ(std::memcmp(rowsCopy, rows.data(), 8), 0);
  } else {
    EXPECT_EQ(copy, static_cast<void *>(table.data()));
    EXPECT_EQ(scn_run_status(run), SCN_ERROR_NO_DEVICE);
    EXPECT_NE(std::string(scn_run_error_message(run)).find("copying geometry to the GPU"),
              std::string::npos)
        << scn_run_error_message(run);
    // The sticky error of the failed copy: no kernel would run after it.
    EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_NO_DEVICE);
    // host_shared allocations of generated code stay writable.
    auto *block = static_cast<float *>(mgpuMemAlloc(64, nullptr, true));
    ASSERT_NE(block, nullptr);
    block[15] = 1.0f;
    mgpuMemFree(block, nullptr);
    EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_NO_DEVICE);
    EXPECT_EQ(scn_gpu_take_error(), SCN_OK);
  }
  scn_run_destroy(run);
}
#endif

/// Result buffers of compiled networks (scn_cg_*result_buffer): aligned,
/// writable, and freed by scn_result_free whatever they are. Without a GPU
/// the CUDA form falls back to malloc memory; with one, a block handed back
/// serves the next request of a size it fits (the pool kept across runs).
TEST(Results, ResultBuffersAreFreedByScnResultFree) {
  scn_run_t run = scn_run_create();
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(scn_cg_result_buffer(run, 0), nullptr);
  EXPECT_EQ(scn_cg_gpu_result_buffer(run, -1), nullptr);
  for (auto allocate : {scn_cg_result_buffer, scn_cg_gpu_result_buffer}) {
    auto *block = static_cast<float *>(allocate(run, 1000 * sizeof(float)));
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % 64, 0u);
    for (int i = 0; i < 1000; ++i)
      block[i] = float(i);
    EXPECT_EQ(block[999], 999.0f);
    scn_result_free(block);
  }
  scn_result_free(nullptr);
  EXPECT_EQ(scn_run_status(run), SCN_OK);
  // malloc memory is not a pooled block.
  void *host = std::malloc(64);
  EXPECT_EQ(scn_gpu_pinned_release(host), 0);
  scn_result_free(host);
  if (haveGpu()) {
    void *first = scn_cg_gpu_result_buffer(run, 3 << 20);
    scn_result_free(first);
    void *again = scn_cg_gpu_result_buffer(run, 3 << 20);
    EXPECT_EQ(again, first) << "a block handed back serves the next request";
    void *other = scn_cg_gpu_result_buffer(run, 3 << 20);
    EXPECT_NE(other, again);
    scn_result_free(again);
    scn_result_free(other);
    // A second release of a block is ignored: the pool must not hand the
    // block to two results.
    scn_result_free(other);
    void *x = scn_cg_gpu_result_buffer(run, 3 << 20);
    void *y = scn_cg_gpu_result_buffer(run, 3 << 20);
    EXPECT_NE(x, y);
    scn_result_free(x);
    scn_result_free(y);
  }
  scn_run_destroy(run);
}
