//===- CheckFlagsTest.cpp - Words that kernels set on bad input ------------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// scn_cg_check_flag / scn_cg_gpu_check_flag: a word per (op, message) that
/// the generated code's kernels set when they find bad input (a NaN
/// feature), zeroed when asked for, and read when the caller asks for the
/// run's status. The GPU form is a mapped page-locked word: without a GPU
/// the run fails with the reason; with one, a write to its device address
/// (a DMA here, a kernel in a network) fails the run.
///
//===----------------------------------------------------------------------===//

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Gpu.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

struct RunGuard {
  scn_run_t run = scn_run_create();
  ~RunGuard() { scn_run_destroy(run); }
};

const char *kOp = "scn.input (net.mlir:3:8)";
const char *kNaN = "input features contain NaN";

TEST(CheckFlags, AWordSetByAKernelFailsTheRunWhenTheStatusIsRead) {
  RunGuard r;
  int32_t *word = scn_cg_check_flag(r.run, kOp, kNaN);
  ASSERT_NE(word, nullptr);
  EXPECT_EQ(*word, 0);
  EXPECT_EQ(scn_run_status(r.run), SCN_OK); // armed, not set: no error
  // Another (op, message) has its own word; the same one the same word.
  int32_t *other = scn_cg_check_flag(r.run, kOp, "another check");
  EXPECT_NE(other, word);
  EXPECT_EQ(scn_cg_check_flag(r.run, kOp, kNaN), word);
  *word = 1; // what the kernel does on a NaN row
  EXPECT_EQ(scn_run_status(r.run), SCN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(scn_run_error_message(r.run)), std::string(kOp) + ": " + kNaN);
}

TEST(CheckFlags, TheNextCallStartsFromAZeroWord) {
  RunGuard r;
  int32_t *word = scn_cg_check_flag(r.run, kOp, kNaN);
  ASSERT_NE(word, nullptr);
  *word = 1;
  ASSERT_EQ(scn_run_status(r.run), SCN_ERROR_INVALID_ARGUMENT);
  scn_run_clear_error(r.run);
  EXPECT_EQ(scn_run_status(r.run), SCN_OK);
  // The next call of the network asks again: zeroed, so a good input passes.
  EXPECT_EQ(scn_cg_check_flag(r.run, kOp, kNaN), word);
  EXPECT_EQ(*word, 0);
  EXPECT_EQ(scn_run_status(r.run), SCN_OK);
}

TEST(CheckFlags, AnotherOpWithTheSameWordDoesNotZeroIt) {
  // Two ops of one call with the same description and message share the
  // word: the second's request must not forget what the first's kernel
  // found.
  RunGuard r;
  int32_t *word = scn_cg_check_flag(r.run, kOp, kNaN);
  ASSERT_NE(word, nullptr);
  *word = 1;
  EXPECT_EQ(scn_cg_check_flag(r.run, kOp, kNaN), word);
  EXPECT_EQ(*word, 1);
  EXPECT_EQ(scn_run_status(r.run), SCN_ERROR_INVALID_ARGUMENT);
}

TEST(CheckFlags, AWordSetAfterClearingDoesNotFailTheRun) {
  // Cleared errors disarm the words: a stale word must not fail a run that
  // did not ask for it.
  RunGuard r;
  int32_t *word = scn_cg_check_flag(r.run, kOp, kNaN);
  ASSERT_NE(word, nullptr);
  scn_run_clear_error(r.run);
  *word = 1;
  EXPECT_EQ(scn_run_status(r.run), SCN_OK);
}

TEST(CheckFlags, TheFirstErrorOfTheRunIsKept) {
  RunGuard r;
  int32_t *word = scn_cg_check_flag(r.run, kOp, kNaN);
  ASSERT_NE(word, nullptr);
  scn_cg_fail(r.run, "scn.input", "coordinate out of range");
  *word = 1;
  EXPECT_EQ(scn_run_status(r.run), SCN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(scn_run_error_message(r.run)), "scn.input: coordinate out of range");
}

TEST(GpuCheckFlags, WithoutADeviceTheRunFailsWithTheReason) {
  if (scn_gpu_init(0) == SCN_OK)
    GTEST_SKIP() << "a GPU is present; the test below covers it";
  RunGuard r;
  EXPECT_EQ(scn_cg_gpu_check_flag(r.run, kOp, kNaN), nullptr);
  EXPECT_NE(scn_run_status(r.run), SCN_OK);
  std::string message = scn_run_error_message(r.run);
  EXPECT_EQ(message.rfind(std::string(kOp) + ": checking the input on the GPU: ", 0), 0u)
      << message;
}

TEST(GpuCheckFlags, AWriteToTheDeviceAddressFailsTheRun) {
  if (scn_gpu_init(0) != SCN_OK)
    GTEST_SKIP() << "no GPU: " << scn_last_error_message();
  RunGuard r;
  void *word = scn_cg_gpu_check_flag(r.run, kOp, kNaN);
  ASSERT_NE(word, nullptr) << scn_run_error_message(r.run);
  EXPECT_EQ(scn_run_status(r.run), SCN_OK);
  // Asked again (the next call): zeroed, same address.
  ASSERT_EQ(scn_cg_gpu_check_flag(r.run, kOp, kNaN), word);
  int32_t one = 1;
  void *stream = mgpuStreamCreate();
  mgpuMemcpy(word, &one, sizeof one, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  ASSERT_EQ(scn_gpu_take_error(), SCN_OK) << scn_last_error_message();
  EXPECT_EQ(scn_run_status(r.run), SCN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(scn_run_error_message(r.run)), std::string(kOp) + ": " + kNaN);
}

} // namespace
