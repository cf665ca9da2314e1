//===- GeneratedCallTest.cpp - Calls abandoned where memory runs out ------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// GeneratedCall.h through the deployment API: a model over an entry
/// written here (EntryModel.h) that allocates buffers of the sizes a test
/// gives with the generated code's function, writes each (as the generated
/// code does, without checking it for null), frees every other one and
/// returns its input doubled. SCN_RUNTIME_FAIL_ALLOCATIONS_FROM
/// makes the system refuse the large ones.
///
//===----------------------------------------------------------------------===//

#include "EntryModel.h"
#include "Sanitizers.h"

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Model.h"

#include <gtest/gtest.h>

#include <malloc.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

/// The sizes the entry allocates, in order (one thread's call at a time).
thread_local std::vector<size_t> sizes;
/// How many of them the last call got.
thread_local size_t allocated = 0;

/// The entry: the buffers of `sizes`, then its input doubled (EntryModel.h).
void entry(void **args) {
  // Like generated code, it holds no C++ object with a destructor across
  // an allocation (an abandoned call would skip it).
  allocated = 0;
  void *held[16];
  size_t numHeld = 0;
  for (size_t i = 0; i < sizes.size() && i < 16; ++i) {
    void *p = scn_cg_alloc(sizes[i]);
    std::memset(p, int(i), sizes[i]); // through null, were the call not abandoned
    ++allocated;
    if (i % 2)
      scn_cg_free(p);
    else
      held[numHeld++] = p;
  }
  for (size_t i = 0; i < numHeld; ++i)
    scn_cg_free(held[i]);
  scn::test::returnDoubled(args);
}

struct Model : scn::test::EntryModel {
  Model() : EntryModel(entry) {}
};

/// One call on 1000 values: its status, with the result checked and freed.
scn_status_t call(const Model &m) {
  std::vector<float> x(1000);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(i);
  scn_tensor_t in{};
  in.data = x.data();
  in.dtype = SCN_DTYPE_F32;
  in.rank = 1;
  in.shape[0] = int64_t(x.size());
  scn_tensor_t out{};
  scn_status_t status = scn_model_run(m.model, &in, 1, &out, 1);
  if (status != SCN_OK)
    return status;
  auto *y = static_cast<float *>(out.data);
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_EQ(y[i], 2.0f * float(i)) << i;
  scn_result_free(y);
  return status;
}

/// Sets an environment variable for a scope.
struct ScopedEnvironment {
  std::string name;
  ScopedEnvironment(const char *name, const char *value) : name(name) {
    setenv(name, value, 1);
  }
  ~ScopedEnvironment() { unsetenv(name.c_str()); }
};

const std::vector<size_t> kLayers = {1 << 20, 3 << 20, 1 << 20, 2 << 20, 5 << 20, 1 << 20};

TEST(GeneratedCall, ARefusedBufferFailsTheCallWithItsSizeAndTheNextCallRuns) {
  Model m;
  sizes = kLayers;
  {
    ScopedEnvironment refuse("SCN_RUNTIME_FAIL_ALLOCATIONS_FROM", "4194304"); // 4 MiB
    EXPECT_EQ(call(m), SCN_ERROR_OUT_OF_MEMORY);
    const std::string message = scn_last_error_message();
    EXPECT_NE(message.find("a buffer of 5.0 MiB"), std::string::npos) << message;
    EXPECT_NE(message.find("abandoned"), std::string::npos) << message;
    EXPECT_EQ(allocated, 4u) << "the call stops at the refused buffer";
  }
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(call(m), SCN_OK) << scn_last_error_message();
    EXPECT_EQ(allocated, kLayers.size());
  }
}

TEST(GeneratedCall, AnAbandonedCallPlansNothingAndLaterCallsUseTheBlock) {
  Model m;
  sizes = kLayers;
  {
    ScopedEnvironment refuse("SCN_RUNTIME_FAIL_ALLOCATIONS_FROM", "4194304");
    EXPECT_EQ(call(m), SCN_ERROR_OUT_OF_MEMORY);
  }
  EXPECT_EQ(m.info().plans, 0) << "a record cut short is no plan";
  for (int round = 0; round < 3; ++round)
    ASSERT_EQ(call(m), SCN_OK);
  const scn_model_memory_info_t info = m.info();
#ifndef SCN_UNDER_ADDRESS_SANITIZER
  EXPECT_EQ(info.plans, 1);
  EXPECT_EQ(info.calls_in_block, 2);
#endif
}

/// Bytes malloc has handed out and not had back (mmapped blocks included).
size_t heapInUse() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

TEST(GeneratedCall, AnAbandonedCallFreesWhatItHeldOnTheHeapAndInTheBlock) {
#ifdef SCN_UNDER_ADDRESS_SANITIZER
  GTEST_SKIP() << "AddressSanitizer's allocator is not malloc's: its leak check covers this";
#endif
  for (const char *arena : {"plan", "heap"}) {
    ScopedEnvironment mode("SCN_RUNTIME_RUN_ARENA", arena);
    Model m;
    sizes = kLayers;
    ASSERT_EQ(call(m), SCN_OK); // the plan and the block, if any
    ASSERT_EQ(call(m), SCN_OK);
    // Each abandoned call held 5 MiB when it stopped: 20 of them leaking
    // would hold 100 MiB.
    ScopedEnvironment refuse("SCN_RUNTIME_FAIL_ALLOCATIONS_FROM", "4194304");
    EXPECT_EQ(call(m), SCN_ERROR_OUT_OF_MEMORY);
    const size_t before = heapInUse();
    for (int round = 0; round < 20; ++round)
      ASSERT_EQ(call(m), SCN_ERROR_OUT_OF_MEMORY) << arena;
    const size_t after = heapInUse();
    EXPECT_LT(after, before + (1 << 20)) << arena << ": " << (after - before) << " bytes kept";
  }
}

TEST(GeneratedCall, CallsOnOtherThreadsRunWhileOneIsAbandoned) {
  Model m;
  ScopedEnvironment refuse("SCN_RUNTIME_FAIL_ALLOCATIONS_FROM", "4194304");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&m, t] {
      // Even threads stay under the limit, odd ones ask for 5 MiB.
      sizes = t % 2 ? kLayers : std::vector<size_t>{1 << 20, 3 << 20, 2 << 20};
      for (int round = 0; round < 10; ++round)
        EXPECT_EQ(call(m), t % 2 ? SCN_ERROR_OUT_OF_MEMORY : SCN_OK) << t;
    });
  for (std::thread &thread : threads)
    thread.join();
}

TEST(GeneratedCall, AnEmptyBufferRefusedFailsTheCallToo) {
  // The runtime gives an empty buffer a byte; refused, it is out of memory
  // all the same, not a call taken for finished.
  Model m;
  sizes = {1 << 20, 0, 1 << 20};
  {
    ScopedEnvironment refuse("SCN_RUNTIME_FAIL_ALLOCATION", "2");
    EXPECT_EQ(call(m), SCN_ERROR_OUT_OF_MEMORY);
    EXPECT_NE(std::string(scn_last_error_message()).find("a buffer of 0 bytes"),
              std::string::npos)
        << scn_last_error_message();
    EXPECT_EQ(allocated, 1u);
  }
  ASSERT_EQ(call(m), SCN_OK);
}

TEST(GeneratedCall, ABadTestVariableIsAnErrorNamingIt) {
  Model m;
  sizes = kLayers;
  {
    ScopedEnvironment refuse("SCN_RUNTIME_FAIL_ALLOCATION", "two");
    EXPECT_EQ(call(m), SCN_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(scn_last_error_message())
                  .find("SCN_RUNTIME_FAIL_ALLOCATION = \"two\" is not a count"),
              std::string::npos)
        << scn_last_error_message();
  }
  // The plan the first good call makes is not disturbed by the failed one.
  ASSERT_EQ(call(m), SCN_OK);
  ASSERT_EQ(call(m), SCN_OK);
#ifndef SCN_UNDER_ADDRESS_SANITIZER
  EXPECT_EQ(m.info().plans, 1);
  EXPECT_EQ(m.info().calls_in_block, 1);
#endif
}

TEST(GeneratedCall, OutsideACallARefusedBufferIsNull) {
  // The generated code's functions called from elsewhere (a test, a
  // program that calls an entry itself) keep malloc's answer.
  EXPECT_EQ(scn_cg_alloc(SIZE_MAX), nullptr);
  EXPECT_EQ(scn_cg_aligned_alloc(64, SIZE_MAX - 63), nullptr);
}

} // namespace
