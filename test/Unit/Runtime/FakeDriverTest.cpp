//===- FakeDriverTest.cpp - The driver layer over a fake libcuda.so.1 ------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The runtime's CUDA driver layer (runtime/lib/CUDA) over FakeCudaDriver.cpp
/// instead of a GPU: the errors for missing devices and out-of-memory, the
/// memory pool's set-up, uploads through page-locked memory, and the
/// shared-memory opt-in of launches. These paths otherwise run only on a
/// GPU machine (GpuTest.cpp), and some not even there (a failing cuInit, a
/// module built for another chip).
///
/// main() loads the fake by its full path before the runtime's first
/// dlopen("libcuda.so.1"), which then finds it by its soname. The driver's
/// state is loaded once per process, so the tests of a failed set-up run in
/// a child process of their own (death tests, "threadsafe" style: the child
/// runs this binary again).
///
//===----------------------------------------------------------------------===//

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Gpu.h"
#include "scn/Runtime/Status.h"

#include "UploadRoundTrip.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <string>
#include <vector>

#ifndef SCN_FAKE_CUDA_DRIVER
#error "SCN_FAKE_CUDA_DRIVER (the fake libcuda.so.1's path) must be defined"
#endif

namespace {

// The fake's controls (FakeCudaDriver.cpp), resolved in main().
int (*fakeSetKnob)(const char *, long long) = nullptr;
long long (*fakeCallsOf)(const char *) = nullptr;
long long (*fakeLastOf)(const char *) = nullptr;

void fakeSet(const char *knob, long long value) {
  ASSERT_EQ(fakeSetKnob(knob, value), 0) << "no knob " << knob;
}
long long calls(const char *entry) { return fakeCallsOf(entry); }
long long last(const char *what) { return fakeLastOf(what); }

std::string lastError() { return scn_last_error_message(); }

// CUresult values the knobs take (cuda.h is not included here: the test
// talks to the runtime's C API only).
constexpr long long kNoDevice = 100;        // CUDA_ERROR_NO_DEVICE
constexpr long long kNoBinaryForGpu = 209;  // CUDA_ERROR_NO_BINARY_FOR_GPU
constexpr long long kOutOfResources = 701;  // CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES

/// Runs `body` in a fresh process (the driver not yet loaded) and expects
/// it to exit 0; what it prints to stderr must match `expected`.
#define EXPECT_IN_A_FRESH_PROCESS(body, expected)                              \
  EXPECT_EXIT(                                                                 \
      {                                                                        \
        body;                                                                  \
        std::fflush(stderr);                                                   \
        std::_Exit(0);                                                         \
      },                                                                       \
      ::testing::ExitedWithCode(0), expected)

/// In a child process: prints `message` and exits 1 unless `condition`.
void require(bool condition, const std::string &message) {
  if (!condition) {
    std::fprintf(stderr, "FAILED: %s\n", message.c_str());
    std::_Exit(1);
  }
}

TEST(FakeDriver, AFailedInitNamesTheDriversError) {
  EXPECT_IN_A_FRESH_PROCESS(
      {
        fakeSet("init_result", kNoDevice);
        require(scn_gpu_init(0) == SCN_ERROR_NO_DEVICE, "status: " + lastError());
        std::fprintf(stderr, "%s\n", lastError().c_str());
        // Generated code's first call fails too, and keeps that error.
        require(mgpuStreamCreate() == nullptr, "a stream without a driver");
        require(scn_gpu_take_error() == SCN_ERROR_NO_DEVICE, "sticky: " + lastError());
      },
      "scn_gpu_init: cuInit failed with CUDA_ERROR_NO_DEVICE: the NVIDIA driver found no "
      "usable GPU");
}

TEST(FakeDriver, ADriverWithoutDevicesIsNamed) {
  EXPECT_IN_A_FRESH_PROCESS(
      {
        fakeSet("devices", 0);
        require(scn_gpu_init(0) == SCN_ERROR_NO_DEVICE, "status: " + lastError());
        std::fprintf(stderr, "%s\n", lastError().c_str());
        scn_gpu_device_info_t info;
        require(scn_gpu_get_device_info(&info) == SCN_ERROR_NO_DEVICE, "info: " + lastError());
      },
      "scn_gpu_init: device 0 does not exist \\(the driver sees 0 devices\\)");
}

TEST(FakeDriver, SetUpKeepsFreedBlocksInThePoolAndNamesTheDevice) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  // A release threshold of "never": freed blocks stay in the driver's pool
  // for the next run instead of going back at every synchronisation.
  EXPECT_EQ(static_cast<uint64_t>(last("pool_release_threshold")), UINT64_MAX);
  // And no waits between streams that the runtime did not ask for: the
  // pool does not make an allocation wait for another stream's free.
  EXPECT_EQ(last("pool_internal_dependencies"), 0);
  scn_gpu_device_info_t info;
  ASSERT_EQ(scn_gpu_get_device_info(&info), SCN_OK) << lastError();
  EXPECT_STREQ(info.name, "fake GPU");
  EXPECT_EQ(info.compute_major, 9);
  EXPECT_EQ(info.total_memory, int64_t(1) << 30);
}

// SCN_GPU_POOL_REUSE=driver keeps the driver's reuse policy (for the GPU
// check to time both); another value fails the set-up, naming the variable.
TEST(FakeDriver, ThePoolsReusePolicyCanBeTheDriversForTheCheck) {
  EXPECT_IN_A_FRESH_PROCESS(
      {
        setenv("SCN_GPU_POOL_REUSE", "driver", 1);
        require(scn_gpu_init(0) == SCN_OK, lastError());
        require(last("pool_internal_dependencies") == 1, "the driver's policy");
        std::fprintf(stderr, "driver's policy\n");
      },
      "driver's policy");
  EXPECT_IN_A_FRESH_PROCESS(
      {
        setenv("SCN_GPU_POOL_REUSE", "loose", 1);
        require(scn_gpu_init(0) == SCN_ERROR_INVALID_ARGUMENT, "status: " + lastError());
        std::fprintf(stderr, "%s\n", lastError().c_str());
      },
      "scn_gpu_init: SCN_GPU_POOL_REUSE = \"loose\" is neither \"ordered\" \\(the default\\) "
      "nor \"driver\"");
}

TEST(FakeDriver, ASecondDeviceThatIsNotThereIsNamedAndChangesNothing) {
  EXPECT_EQ(scn_gpu_init(1), SCN_ERROR_NO_DEVICE);
  EXPECT_NE(lastError().find("device 1 does not exist (the driver sees 1 device)"),
            std::string::npos)
      << lastError();
  EXPECT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
}

TEST(FakeDriver, OutOfMemoryNamesTheRequestAndWhatIsFree) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  // What earlier tests keep (an artifact's constants stay while it is
  // loaded): a few KiB, under the messages' tenth of a MiB.
  const long long heldBefore = last("allocated_bytes");
  ASSERT_LT(heldBefore, 100 << 10);
  fakeSet("device_memory_bytes", heldBefore + (3 << 20));
  void *stream = mgpuStreamCreate();
  void *kept = mgpuMemAlloc(1 << 20, stream, false);
  EXPECT_NE(kept, nullptr);
  EXPECT_EQ(mgpuMemAlloc(5 << 20, stream, false), nullptr);
  EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(lastError(), "scn_gpu_take_error: mgpuMemAlloc: out of device memory: 5.0 MiB "
                         "requested, 2.0 MiB of 3.0 MiB free on device 0");
  // The caller's uploads say the same.
  std::vector<char> features(4 << 20, 1);
  void *device = nullptr;
  EXPECT_EQ(scn_gpu_upload(features.data(), int64_t(features.size()), &device),
            SCN_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(device, nullptr);
  EXPECT_NE(lastError().find("out of device memory: 4.0 MiB requested"), std::string::npos)
      << lastError();
  // Nothing sticks: the next allocation that fits works.
  mgpuMemFree(kept, stream);
  fakeSet("device_memory_bytes", int64_t(1) << 30);
  void *fits = mgpuMemAlloc(5 << 20, stream, false);
  EXPECT_NE(fits, nullptr);
  mgpuMemFree(fits, stream);
  mgpuStreamDestroy(stream);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
  EXPECT_EQ(last("allocated_bytes"), heldBefore);
}

TEST(FakeDriver, UploadsArriveExactlyStagedOrNot) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  // 9 MiB and a bit goes through page-locked memory in 4 MiB chunks, 1 KiB
  // through the driver's pageable copy. The fake copies at once, so this
  // checks the chunks and contents, not that a staging block waits for its
  // copy (GpuTest's version, on a GPU, does).
  for (size_t count : {size_t(9 << 20) / 4 + 3, size_t(256)}) {
    const long long hostAllocsBefore = calls("cuMemHostAlloc");
    const long long copiesBefore = calls("cuMemcpyAsync");
    expectUploadRoundTrip(count, [&] {
      const bool staged = count * 4 >= (4u << 20);
      // 3 chunks of at most 4 MiB, or one copy; a page-locked block at
      // most once (the pool keeps it for the next upload).
      EXPECT_EQ(calls("cuMemcpyAsync") - copiesBefore, staged ? 3 : 1) << count * 4 << " bytes";
      EXPECT_LE(calls("cuMemHostAlloc") - hostAllocsBefore, staged ? 1 : 0);
    });
  }
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

// scn_gpu_upload_queued (the device builders' coordinates): the host does
// not wait, and a staged copy's page-locked block goes back to the pool
// after its event, for the next upload.
TEST(FakeDriver, QueuedUploadsArriveWithoutAWaitAndHandTheirBlockBack) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  for (size_t count : {size_t(9 << 20) / 4 + 3, size_t(256)}) {
    for (int round = 0; round < 2; ++round) {
      const long long waits = calls("cuStreamSynchronize") + calls("cuCtxSynchronize");
      const long long hostAllocs = calls("cuMemHostAlloc");
      const long long records = calls("cuEventRecord");
      expectUploadRoundTrip(
          count,
          [&] {
            const bool staged = count * 4 >= (4u << 20);
            EXPECT_EQ(calls("cuStreamSynchronize") + calls("cuCtxSynchronize"), waits)
                << count * 4 << " bytes";
            // The block's event (and none for the driver's own path); the
            // second round finds the first round's block back in the pool.
            EXPECT_EQ(calls("cuEventRecord") - records, staged ? 1 : 0);
            if (round == 1) {
              EXPECT_EQ(calls("cuMemHostAlloc"), hostAllocs);
            }
          },
          /*queued=*/true);
    }
  }
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

TEST(FakeDriver, ResidentParametersAreUploadedOnceAndFreedWhenReleased) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  std::vector<float> weights(1000, 0.5f);
  const int64_t bytes = int64_t(weights.size() * sizeof(float));
  const long long heldBefore = last("allocated_bytes");
  const long long copies = calls("cuMemcpyAsync");
  ASSERT_EQ(scn_gpu_keep_resident(weights.data(), bytes), SCN_OK) << lastError();
  EXPECT_EQ(calls("cuMemcpyAsync") - copies, 1);
  EXPECT_EQ(last("allocated_bytes") - heldBefore, bytes);
  // Every run's lookup finds the one copy: no upload, no allocation.
  void *first = nullptr;
  for (int run = 0; run < 3; ++run) {
    void *device = nullptr;
    ASSERT_EQ(scn_gpu_parameter(weights.data(), bytes, &device), SCN_OK) << lastError();
    if (run == 0)
      first = device;
    EXPECT_EQ(device, first);
    scn_gpu_parameter_done(weights.data(), device);
  }
  EXPECT_EQ(calls("cuMemcpyAsync") - copies, 1);
  // Another size is not the kept array: an upload for the call, freed after.
  void *half = nullptr;
  ASSERT_EQ(scn_gpu_parameter(weights.data(), bytes / 2, &half), SCN_OK) << lastError();
  EXPECT_NE(half, first);
  EXPECT_EQ(calls("cuMemcpyAsync") - copies, 2);
  scn_gpu_parameter_done(weights.data(), half);
  EXPECT_EQ(last("allocated_bytes") - heldBefore, bytes);
  // Released: the copy is freed, and the next lookup uploads for its call.
  scn_gpu_release_resident(weights.data());
  EXPECT_EQ(last("allocated_bytes"), heldBefore);
  void *upload = nullptr;
  ASSERT_EQ(scn_gpu_parameter(weights.data(), bytes, &upload), SCN_OK) << lastError();
  EXPECT_EQ(calls("cuMemcpyAsync") - copies, 3);
  scn_gpu_parameter_done(weights.data(), upload);
  EXPECT_EQ(last("allocated_bytes"), heldBefore);

  // An artifact's constants: one upload while it is loaded, forgotten when
  // its modules are unloaded (a module of unknown origin forgets them all).
  void *constant = nullptr, *same = nullptr, *after = nullptr;
  ASSERT_EQ(scn_gpu_constant(weights.data(), bytes, &constant), SCN_OK) << lastError();
  ASSERT_EQ(scn_gpu_constant(weights.data(), bytes, &same), SCN_OK) << lastError();
  EXPECT_EQ(constant, same);
  EXPECT_EQ(calls("cuMemcpyAsync") - copies, 4);
  mgpuModuleUnload(nullptr);
  ASSERT_EQ(scn_gpu_constant(weights.data(), bytes, &after), SCN_OK) << lastError();
  EXPECT_EQ(calls("cuMemcpyAsync") - copies, 5);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

/// scn_cg_gpu_prepared for one source: the block and whether to fill it.
std::pair<void *, int32_t> prepare(scn_run_t run, const char *site, const void *source,
                                   int64_t bytes) {
  int32_t fill = -1;
  void *block = scn_cg_gpu_prepared(run, site, &source, 1, bytes, &fill);
  return {block, fill};
}

TEST(FakeDriver, PreparedValuesAreKeptWhileTheirResidentSourcesAreTheSame) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  std::vector<float> variance(64, 2.0f);
  const int64_t bytes = int64_t(variance.size() * sizeof(float));
  const char *site = "prepared values of a test";
  const long long heldBefore = last("allocated_bytes");
  scn_run_t run = scn_run_create();
  ASSERT_NE(run, nullptr);

  // A per-call upload may hold other values next call: a block for this
  // call only, freed when it is done.
  void *upload = nullptr;
  ASSERT_EQ(scn_gpu_parameter(variance.data(), bytes, &upload), SCN_OK) << lastError();
  EXPECT_EQ(scn_gpu_copy_generation(upload), 0u);
  auto [once, fillOnce] = prepare(run, site, upload, 256);
  ASSERT_NE(once, nullptr) << scn_run_error_message(run);
  EXPECT_EQ(fillOnce, 1);
  scn_cg_gpu_prepared_done(run, site, once);
  scn_gpu_parameter_done(variance.data(), upload);
  EXPECT_EQ(last("allocated_bytes"), heldBefore);

  // A resident copy: filled by the first call, found by the next ones,
  // in this run or any other.
  ASSERT_EQ(scn_gpu_keep_resident(variance.data(), bytes), SCN_OK) << lastError();
  void *copy = nullptr;
  ASSERT_EQ(scn_gpu_parameter(variance.data(), bytes, &copy), SCN_OK) << lastError();
  EXPECT_NE(scn_gpu_copy_generation(copy), 0u);
  auto [block, fill] = prepare(run, site, copy, 256);
  EXPECT_EQ(fill, 1);
  // Not handed out before the call that fills it is done: a call meanwhile
  // fills a block of its own.
  auto [other, fillOther] = prepare(run, site, copy, 256);
  EXPECT_NE(other, block);
  EXPECT_EQ(fillOther, 1);
  scn_cg_gpu_prepared_done(run, site, other);
  scn_cg_gpu_prepared_done(run, site, block);
  scn_run_t another = scn_run_create();
  for (scn_run_t caller : {run, another}) {
    auto [again, fillAgain] = prepare(caller, site, copy, 256);
    EXPECT_EQ(again, block);
    EXPECT_EQ(fillAgain, 0);
    scn_cg_gpu_prepared_done(caller, site, again);
  }
  EXPECT_EQ(scn_run_prepared_hits(run), 1);
  EXPECT_EQ(scn_run_prepared_hits(another), 1);
  // Bad arguments fail the run and keep the sticky error (no kernel may
  // write through the null block).
  int32_t fillBad = -1;
  EXPECT_EQ(scn_cg_gpu_prepared(another, site, nullptr, 1, 256, &fillBad), nullptr);
  EXPECT_NE(scn_run_status(another), SCN_OK);
  EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_INVALID_ARGUMENT);
  scn_run_destroy(another);
  EXPECT_EQ(last("allocated_bytes") - heldBefore, bytes + 256);

  // Kept again: a new copy, whose number differs even where its address is
  // the old one's; the values are prepared again and the stale block freed.
  const uint64_t generation = scn_gpu_copy_generation(copy);
  ASSERT_EQ(scn_gpu_keep_resident(variance.data(), bytes), SCN_OK) << lastError();
  void *renewed = nullptr;
  ASSERT_EQ(scn_gpu_parameter(variance.data(), bytes, &renewed), SCN_OK) << lastError();
  EXPECT_NE(scn_gpu_copy_generation(renewed), generation);
  EXPECT_NE(scn_gpu_copy_generation(renewed), 0u);
  auto [fresh, fillFresh] = prepare(run, site, renewed, 256);
  EXPECT_EQ(fillFresh, 1);
  scn_cg_gpu_prepared_done(run, site, fresh);
  EXPECT_EQ(last("allocated_bytes") - heldBefore, bytes + 256);

  // A call reading the block while another replaces it: freed when the
  // reader is done, not before.
  auto [read, fillRead] = prepare(run, site, renewed, 256);
  EXPECT_EQ(fillRead, 0);
  ASSERT_EQ(scn_gpu_keep_resident(variance.data(), bytes), SCN_OK) << lastError();
  void *third = nullptr;
  ASSERT_EQ(scn_gpu_parameter(variance.data(), bytes, &third), SCN_OK) << lastError();
  auto [replacing, fillReplacing] = prepare(run, site, third, 256);
  EXPECT_EQ(fillReplacing, 1);
  EXPECT_EQ(last("allocated_bytes") - heldBefore, bytes + 512);
  scn_cg_gpu_prepared_done(run, site, read);
  EXPECT_EQ(last("allocated_bytes") - heldBefore, bytes + 256);

  // A call during which the GPU failed may not have filled it: not kept,
  // even when another thread took the error before the call was done.
  scn_gpu_constant(nullptr, 4, &upload); // a failure: the sticky error
  EXPECT_EQ(scn_gpu_failed(), 1);
  EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_INVALID_ARGUMENT);
  scn_cg_gpu_prepared_done(run, site, replacing);
  EXPECT_EQ(last("allocated_bytes") - heldBefore, bytes);
  // Nor a call that began with the error kept (its launches did nothing).
  scn_gpu_constant(nullptr, 4, &upload);
  auto [skipped, fillSkipped] = prepare(run, site, third, 256);
  EXPECT_EQ(fillSkipped, 1);
  EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_INVALID_ARGUMENT);
  scn_cg_gpu_prepared_done(run, site, skipped);
  EXPECT_EQ(last("allocated_bytes") - heldBefore, bytes);
  auto [retried, fillRetried] = prepare(run, site, third, 256);
  EXPECT_EQ(fillRetried, 1);
  scn_cg_gpu_prepared_done(run, site, retried);
  auto [found, fillFound] = prepare(run, site, third, 256);
  EXPECT_EQ(found, retried);
  EXPECT_EQ(fillFound, 0);
  scn_cg_gpu_prepared_done(run, site, found);

  // The block outlives runs and released weights (one per site), until
  // it is replaced or the artifact unloads.
  scn_run_destroy(run);
  scn_gpu_release_resident(variance.data());
  EXPECT_EQ(last("allocated_bytes") - heldBefore, 256);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

TEST(FakeDriver, ResidentBlocksFollowTheDevicesLimits) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  // The fake: 4 SMs, each 228 KiB of shared memory, 2048 threads, 64 Ki
  // registers; the runtime assumes 128 registers a thread and 1 KiB of
  // shared memory the driver keeps per block.
  EXPECT_EQ(scn_gpu_resident_blocks(216 * 1024, 512), 4);  // shared weights: 1 an SM
  EXPECT_EQ(scn_gpu_resident_blocks(0, 128), 16);          // registers: 4 an SM
  EXPECT_EQ(scn_gpu_resident_blocks(100 * 1024, 128), 8);  // shared memory: 2 an SM
  EXPECT_EQ(scn_gpu_resident_blocks(300 * 1024, 128), 4);  // none fits: still 1 an SM
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

/// Launches `function` with `sharedBytes` of dynamic shared memory.
void launch(void *function, int32_t sharedBytes, void *stream) {
  mgpuLaunchKernel(function, 4, 1, 1, 128, 1, 1, sharedBytes, stream, nullptr, nullptr, 0);
}

/// What generated code does for each launch (LLVM 22's gpu-to-llvm): looks
/// the kernel up in its module, then launches it.
void lookUpAndLaunch(void *module, const char *kernel, int32_t sharedBytes, void *stream) {
  launch(mgpuModuleGetFunction(module, kernel), sharedBytes, stream);
}

TEST(FakeDriver, KernelsAreLookedUpOncePerModuleLoad) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  // The generated code looks its kernel up before every launch, by a name
  // string of the artifact.
  static const char kName[] = "main_kernel";
  char image[] = "a module";
  void *first = mgpuModuleLoad(image, sizeof image);
  void *second = mgpuModuleLoad(image, sizeof image);
  const long long asked = calls("cuModuleGetFunction");
  void *kernel = mgpuModuleGetFunction(first, kName);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(mgpuModuleGetFunction(first, kName), kernel);
  EXPECT_EQ(calls("cuModuleGetFunction") - asked, 1);
  // Another module's kernel of the same name is its own.
  void *other = mgpuModuleGetFunction(second, kName);
  EXPECT_NE(other, kernel);
  EXPECT_EQ(calls("cuModuleGetFunction") - asked, 2);
  // After an unload, handles may be reused: asked again.
  mgpuModuleUnload(second);
  mgpuModuleUnload(first);
  first = mgpuModuleLoad(image, sizeof image);
  mgpuModuleGetFunction(first, kName);
  EXPECT_EQ(calls("cuModuleGetFunction") - asked, 3);
  mgpuModuleUnload(first);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

TEST(FakeDriver, LaunchesOptInToLargeSharedMemoryOnceAndAgainAfterAReload) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  // 16 static bytes, as MLIR's kernels with dynamic shared memory have.
  fakeSet("static_shared_bytes", 16);
  char image[] = "a module";
  void *stream = mgpuStreamCreate();
  void *module = mgpuModuleLoad(image, sizeof image);
  void *conv = mgpuModuleGetFunction(module, "tensor_core_conv");
  const long long asked = calls("cuFuncGetAttribute");
  const long long optIns = calls("cuFuncSetAttribute");
  const long long launches = calls("cuLaunchKernel");

  // Under 48 KiB with the static part: no opt-in; the static size is asked
  // once, not per launch.
  for (int i = 0; i < 3; ++i)
    lookUpAndLaunch(module, "tensor_core_conv", 48 * 1024 - 16, stream);
  EXPECT_EQ(calls("cuFuncGetAttribute") - asked, 1);
  EXPECT_EQ(calls("cuFuncSetAttribute") - optIns, 0);
  // 48 KiB of dynamic memory is past the limit with the static 16 (the
  // fake, like the driver, refuses the launch without the opt-in).
  for (int i = 0; i < 3; ++i)
    lookUpAndLaunch(module, "tensor_core_conv", 48 * 1024, stream);
  EXPECT_EQ(calls("cuFuncSetAttribute") - optIns, 1);
  launch(conv, 200 * 1024, stream); // more: a second opt-in
  launch(conv, 64 * 1024, stream);  // covered by it
  EXPECT_EQ(calls("cuFuncSetAttribute") - optIns, 2);
  EXPECT_EQ(calls("cuFuncGetAttribute") - asked, 1);
  EXPECT_EQ(calls("cuLaunchKernel") - launches, 8);
  EXPECT_EQ(last("last_launch_shared_bytes"), 64 * 1024);
  // No dynamic memory: nothing asked.
  launch(conv, 0, stream);
  EXPECT_EQ(calls("cuFuncGetAttribute") - asked, 1);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();

  // The module unloaded and loaded again: the fake hands out the same
  // function handle, without its opt-in, as a driver may. The runtime must
  // not trust what it knew of the old one.
  mgpuModuleUnload(module);
  module = mgpuModuleLoad(image, sizeof image);
  void *again = mgpuModuleGetFunction(module, "tensor_core_conv");
  ASSERT_EQ(again, conv);
  launch(again, 64 * 1024, stream);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
  EXPECT_EQ(calls("cuFuncGetAttribute") - asked, 2);
  EXPECT_EQ(calls("cuFuncSetAttribute") - optIns, 3);
  EXPECT_EQ(last("last_launch_shared_bytes"), 64 * 1024);
  mgpuModuleUnload(module);
  mgpuStreamDestroy(stream);
  fakeSet("static_shared_bytes", 0);
}

TEST(FakeDriver, KernelsOfTheSameNameInTwoModulesOptInApart) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  // An artifact's modules each hold a "main_kernel"; generated code looks
  // each kernel up before every launch.
  fakeSet("static_shared_bytes", 16);
  char image[] = "a module";
  void *stream = mgpuStreamCreate();
  void *first = mgpuModuleLoad(image, sizeof image);
  void *second = mgpuModuleLoad(image, sizeof image);
  ASSERT_NE(mgpuModuleGetFunction(first, "main_kernel"),
            mgpuModuleGetFunction(second, "main_kernel"));
  const long long optIns = calls("cuFuncSetAttribute");
  for (int i = 0; i < 3; ++i) {
    lookUpAndLaunch(first, "main_kernel", 64 * 1024, stream);
    lookUpAndLaunch(second, "main_kernel", 64 * 1024, stream);
  }
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
  EXPECT_EQ(calls("cuFuncSetAttribute") - optIns, 2); // once for each
  // The first module unloaded: the second's kernel still launches (the
  // runtime forgets what it knew of every kernel and asks again).
  mgpuModuleUnload(first);
  lookUpAndLaunch(second, "main_kernel", 64 * 1024, stream);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
  EXPECT_EQ(last("last_launch_shared_bytes"), 64 * 1024);
  mgpuModuleUnload(second);
  mgpuStreamDestroy(stream);
  fakeSet("static_shared_bytes", 0);
}

TEST(FakeDriver, ALaunchFailureNamesTheShapeAndLaterLaunchesDoNothing) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  char image[] = "a module";
  void *stream = mgpuStreamCreate();
  void *module = mgpuModuleLoad(image, sizeof image);
  void *kernel = mgpuModuleGetFunction(module, "main_kernel");
  fakeSet("launch_result", kOutOfResources);
  launch(kernel, 0, stream);
  fakeSet("launch_result", 0);
  const long long launches = calls("cuLaunchKernel");
  launch(kernel, 0, stream); // skipped: the first error sticks
  EXPECT_EQ(calls("cuLaunchKernel"), launches);
  EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_DEVICE);
  EXPECT_EQ(lastError(), "scn_gpu_take_error: mgpuLaunchKernel: cuLaunchKernel failed with "
                         "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (an error of the fake driver): "
                         "grid 4x1x1, block 128x1x1");
  mgpuModuleUnload(module);
  mgpuStreamDestroy(stream);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

TEST(FakeDriver, WorkAfterAFenceWaitsForTheDefaultStreamOnTheGpuOncePerStream) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  char image[] = "a module";
  void *module = mgpuModuleLoad(image, sizeof image);
  void *kernel = mgpuModuleGetFunction(module, "main_kernel");
  void *first = mgpuStreamCreate(), *second = mgpuStreamCreate();
  void *buffer = mgpuMemAlloc(64, first, false);
  const long long records = calls("cuEventRecord"), waits = calls("cuStreamWaitEvent"),
                  hostWaits = calls("cuStreamSynchronize") + calls("cuCtxSynchronize");
  // The builders' stream has finished: nothing to order.
  ASSERT_EQ(scn_gpu_fence_default_stream(), SCN_OK) << lastError();
  launch(kernel, 0, first);
  EXPECT_EQ(calls("cuEventRecord") - records, 0);
  EXPECT_EQ(calls("cuStreamWaitEvent") - waits, 0);
  // It has not: one event, which each stream's next work waits for once.
  fakeSet("default_stream_busy", 1);
  ASSERT_EQ(scn_gpu_fence_default_stream(), SCN_OK) << lastError();
  EXPECT_EQ(calls("cuEventRecord") - records, 1);
  launch(kernel, 0, first);
  launch(kernel, 0, first);
  mgpuMemset32(buffer, 0, 4, first);
  EXPECT_EQ(calls("cuStreamWaitEvent") - waits, 1);
  mgpuMemset32(buffer, 0, 4, second);
  mgpuMemcpy(buffer, static_cast<char *>(buffer) + 32, 16, second);
  EXPECT_EQ(calls("cuStreamWaitEvent") - waits, 2);
  // A later fence orders the work after it again, copies as launches.
  ASSERT_EQ(scn_gpu_fence_default_stream(), SCN_OK) << lastError();
  mgpuMemcpy(buffer, static_cast<char *>(buffer) + 32, 16, first);
  launch(kernel, 0, first);
  EXPECT_EQ(calls("cuStreamWaitEvent") - waits, 3);
  fakeSet("default_stream_busy", 0);
  // The host never waited.
  EXPECT_EQ(calls("cuStreamSynchronize") + calls("cuCtxSynchronize"), hostWaits);
  mgpuMemFree(buffer, first);
  mgpuStreamDestroy(first);
  mgpuStreamDestroy(second);
  mgpuModuleUnload(module);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

// Compiled networks build their geometry on a stream of the device's
// greatest priority, so that the GPU starts the builders' blocks before the
// pending blocks of the convolutions queued on other streams.
TEST(FakeDriver, GeometryHasOneNonBlockingStreamOfTheGreatestPriority) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  unsetenv("SCN_GPU_GEOMETRY_STREAM");
  void *first = nullptr, *again = nullptr;
  ASSERT_EQ(scn_gpu_geometry_stream(&first), SCN_OK) << lastError();
  ASSERT_EQ(scn_gpu_geometry_stream(&again), SCN_OK) << lastError();
  EXPECT_NE(first, nullptr);
  EXPECT_EQ(again, first);
  // Created once for the process (an earlier test may have made it).
  EXPECT_EQ(calls("cuStreamCreateWithPriority"), 1);
  EXPECT_EQ(last("last_stream_flags"), 1); // CU_STREAM_NON_BLOCKING
  EXPECT_EQ(last("last_stream_priority"), -5); // the fake's greatest
  // The choice is the process's: a later change of the variable is not
  // seen (sets, maps and their fences stay on one stream).
  setenv("SCN_GPU_GEOMETRY_STREAM", "default", 1);
  void *later = nullptr;
  EXPECT_EQ(scn_gpu_geometry_stream(&later), SCN_OK) << lastError();
  EXPECT_EQ(later, first);
  unsetenv("SCN_GPU_GEOMETRY_STREAM");
  EXPECT_EQ(scn_gpu_geometry_stream(nullptr), SCN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

// SCN_GPU_GEOMETRY_STREAM=default: the CUDA default stream, as before, to
// time the two; another value fails the call, naming the variable (in
// fresh processes: the choice is read once a process).
TEST(FakeDriver, TheGeometryStreamCanBeTheDefaultStreamForTheCheck) {
  EXPECT_IN_A_FRESH_PROCESS(
      {
        setenv("SCN_GPU_GEOMETRY_STREAM", "default", 1);
        require(scn_gpu_init(0) == SCN_OK, lastError());
        void *legacy = &legacy;
        require(scn_gpu_geometry_stream(&legacy) == SCN_OK, lastError());
        require(legacy == nullptr, "the CUDA default stream");
        std::fprintf(stderr, "default stream\n");
      },
      "default stream");
  EXPECT_IN_A_FRESH_PROCESS(
      {
        setenv("SCN_GPU_GEOMETRY_STREAM", "fastest", 1);
        require(scn_gpu_init(0) == SCN_OK, lastError());
        void *bad = &bad;
        require(scn_gpu_geometry_stream(&bad) == SCN_ERROR_INVALID_ARGUMENT, "status");
        require(bad == nullptr, "no stream");
        // Every call, not the first only.
        require(scn_gpu_geometry_stream(&bad) == SCN_ERROR_INVALID_ARGUMENT, "again");
        std::fprintf(stderr, "%s\n", lastError().c_str());
      },
      "scn_gpu_geometry_stream: SCN_GPU_GEOMETRY_STREAM = \"fastest\" is neither "
      "\"priority\" \\(the default\\) nor \"default\"");
}

// A fence of the geometry stream and one of the default stream (uploads of
// the runtime's own) both hold: each stream's next work waits for each of
// them once. Run in a fresh process, so that no other test's fences are
// there (a function: the macro's body cannot hold commas).
void expectFencesOfTwoStreamsToHold() {
  require(scn_gpu_init(0) == SCN_OK, lastError());
  char image[] = "a module";
  void *kernel = mgpuModuleGetFunction(mgpuModuleLoad(image, sizeof image), "main_kernel");
  void *geometry = nullptr;
  require(scn_gpu_geometry_stream(&geometry) == SCN_OK, lastError());
  void *first = mgpuStreamCreate();
  void *second = mgpuStreamCreate();
  fakeSet("streams_busy", 1);
  require(scn_gpu_fence_stream(geometry) == SCN_OK, lastError());
  require(scn_gpu_fence_default_stream() == SCN_OK, lastError());
  const long long before = calls("cuStreamWaitEvent");
  auto waits = [&] { return calls("cuStreamWaitEvent") - before; };
  launch(kernel, 0, first);
  require(waits() == 2, "the first stream waits for both fences");
  launch(kernel, 0, first);
  require(waits() == 2, "and only once");
  launch(kernel, 0, second);
  require(waits() == 4, "the second stream waits for both too");
  // A new fence of one stream: one more wait a stream.
  require(scn_gpu_fence_stream(geometry) == SCN_OK, lastError());
  launch(kernel, 0, first);
  launch(kernel, 0, second);
  require(waits() == 6, "one wait a stream for the new fence");
  // A free waits too: the geometry may still read the block (coordinates
  // its builders copy on their own stream).
  void *block = mgpuMemAlloc(4096, first, false);
  require(scn_gpu_fence_stream(geometry) == SCN_OK, lastError());
  mgpuMemFree(block, first);
  require(waits() == 7, "the free waits for the new fence");
  // An idle stream's fence records nothing.
  fakeSet("streams_busy", 0);
  const long long records = calls("cuEventRecord");
  require(scn_gpu_fence_stream(geometry) == SCN_OK, lastError());
  require(calls("cuEventRecord") == records, "no event for an idle stream");
  require(scn_gpu_take_error() == SCN_OK, lastError());
  std::fprintf(stderr, "fences held\n");
}

TEST(FakeDriver, FencesOfTwoStreamsEachHoldOncePerStream) {
  EXPECT_IN_A_FRESH_PROCESS(expectFencesOfTwoStreamsToHold(), "fences held");
}

// Parameters uploaded for one call (not resident) are queued without a host
// wait, and the call's next kernel waits for all of them by one fence of
// the default stream; the call's end waits once, so that the caller may
// change its arrays. In a fresh process (no other test's asks).
void expectParameterUploadsToWaitOnceOnTheGpu() {
  require(scn_gpu_init(0) == SCN_OK, lastError());
  char image[] = "a module";
  void *kernel = mgpuModuleGetFunction(mgpuModuleLoad(image, sizeof image), "main_kernel");
  void *stream = mgpuStreamCreate();
  std::vector<float> weights(256, 0.25f), scale(64, 2.0f);
  auto hostWaits = [] { return calls("cuStreamSynchronize") + calls("cuCtxSynchronize"); };
  const long long waitsBefore = hostWaits(), records = calls("cuEventRecord"),
                  gpuWaits = calls("cuStreamWaitEvent");
  fakeSet("default_stream_busy", 1);
  void *first = nullptr, *second = nullptr;
  require(scn_gpu_parameter(weights.data(), int64_t(weights.size() * 4), &first) == SCN_OK,
          lastError());
  require(scn_gpu_parameter(scale.data(), int64_t(scale.size() * 4), &second) == SCN_OK,
          lastError());
  require(first && second, "two device copies");
  require(hostWaits() == waitsBefore, "no host wait for the uploads");
  require(calls("cuEventRecord") == records, "no fence before a kernel needs one");
  launch(kernel, 0, stream);
  launch(kernel, 0, stream);
  require(calls("cuEventRecord") - records == 1, "one fence for both uploads");
  require(calls("cuStreamWaitEvent") - gpuWaits == 1, "one wait on the GPU");
  scn_gpu_parameter_done(weights.data(), first);
  scn_gpu_parameter_done(scale.data(), second);
  require(hostWaits() - waitsBefore == 1, "one host wait at the call's end");
  fakeSet("default_stream_busy", 0);
  require(scn_gpu_take_error() == SCN_OK, lastError());
  std::fprintf(stderr, "uploads waited once\n");
}

TEST(FakeDriver, ParameterUploadsOfACallWaitOnceOnTheGpuAndOnceAtItsEnd) {
  EXPECT_IN_A_FRESH_PROCESS(expectParameterUploadsToWaitOnceOnTheGpu(), "uploads waited once");
}

// Two launches and a wait for their stream, nothing else: test_timeline.py
// runs this test with SCN_GPU_PROFILE and SCN_GPU_PROFILE_TIMELINE set, and
// reads what the profile collected at the wait.
TEST(FakeDriver, TwoLaunchesAndAWaitForTheirStream) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  char image[] = "a module";
  void *module = mgpuModuleLoad(image, sizeof image);
  void *kernel = mgpuModuleGetFunction(module, "main_kernel");
  void *stream = mgpuStreamCreate();
  const long long launches = calls("cuLaunchKernel");
  launch(kernel, 0, stream);
  launch(kernel, 0, stream);
  mgpuStreamSynchronize(stream);
  EXPECT_EQ(calls("cuLaunchKernel") - launches, 2);
  mgpuStreamDestroy(stream);
  mgpuModuleUnload(module);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << lastError();
}

TEST(FakeDriver, AModuleForAnotherChipNamesThisGpusChip) {
  ASSERT_EQ(scn_gpu_init(0), SCN_OK) << lastError();
  fakeSet("module_load_result", kNoBinaryForGpu);
  char image[] = "an sm_90a cubin";
  EXPECT_EQ(mgpuModuleLoad(image, sizeof image), nullptr);
  fakeSet("module_load_result", 0);
  EXPECT_EQ(scn_gpu_take_error(), SCN_ERROR_DEVICE);
  EXPECT_NE(lastError().find("the embedded cubin does not load on this GPU (sm_90)"),
            std::string::npos)
      << lastError();
  EXPECT_NE(lastError().find("was the artifact built for another chip (--chip)?"),
            std::string::npos)
      << lastError();
  EXPECT_NE(lastError().find("CUDA_ERROR_NO_BINARY_FOR_GPU"), std::string::npos) << lastError();
}

} // namespace

int main(int argc, char **argv) {
  // Before anything reaches the runtime's driver layer.
  void *fake = dlopen(SCN_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_GLOBAL);
  if (!fake) {
    std::fprintf(stderr, "cannot load the fake driver %s: %s\n", SCN_FAKE_CUDA_DRIVER,
                 dlerror());
    return 1;
  }
  fakeSetKnob = reinterpret_cast<int (*)(const char *, long long)>(
      dlsym(fake, "scn_fake_cuda_set"));
  fakeCallsOf = reinterpret_cast<long long (*)(const char *)>(dlsym(fake, "scn_fake_cuda_calls"));
  fakeLastOf = reinterpret_cast<long long (*)(const char *)>(dlsym(fake, "scn_fake_cuda_last"));
  if (!fakeSetKnob || !fakeCallsOf || !fakeLastOf) {
    std::fprintf(stderr, "the fake driver %s has no controls\n", SCN_FAKE_CUDA_DRIVER);
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  return RUN_ALL_TESTS();
}
