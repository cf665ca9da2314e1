//===- GeneratedCall.h - A compiled network's call that can be abandoned -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The generated code writes every buffer it allocates (memref.alloc, which
/// lands in scn_cg_alloc) without checking it for null: a layer whose
/// buffer the system refuses (a scan too large for the machine, a process
/// under a memory limit) would write through null and kill the caller's
/// process. Checking in the generated code would mean a branch to an error
/// exit after every allocation, through every loop nest it sits in.
///
/// So Model.cpp runs the entry through GeneratedCall::run, which marks the
/// point the call can go back to (setjmp). When an allocation fails on the
/// calling thread (scn_cg_alloc, a result buffer, the emulated path's
/// prepared values), abandonGeneratedCall jumps back there (longjmp): run()
/// returns false, and the caller releases what the call made and had not
/// released (the arena's buffers, RunArena.h; what is noted here: heap
/// buffers outside an arena, results, and on the GPU device buffers,
/// parameter copies, streams and events, once the GPU is idle; the run's
/// part, Run.h's abandonRunCall) and reports SCN_ERROR_OUT_OF_MEMORY with
/// the size asked for and the location of the op it was for
/// (scn_cg_allocation_site, before each memref.alloc).
///
/// The jump is sound because only generated code and the runtime function
/// that allocates lie between the two points: the generated code holds no
/// C++ objects and no locks, and no other runtime function is running when
/// it allocates. Not from inside an OpenMP parallel region the generated
/// code opened (libomp's own state lies between; the process stops there
/// with a message), nor on another thread (null, as before): the generated
/// code allocates outside its parallel loops, so neither is expected.
///
/// The tests' ways to run out of memory in a chosen place, as the system
/// would: SCN_RUNTIME_FAIL_ALLOCATIONS_FROM=<bytes> refuses every buffer of
/// the generated code of at least that many bytes (a layer too large), and
/// SCN_RUNTIME_FAIL_ALLOCATION=<n> the n-th buffer of each call (from 1:
/// every point where a call can be abandoned, in turn).
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_GENERATEDCALL_H
#define SCN_RUNTIME_LIB_CPU_GENERATEDCALL_H

#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace scn::rt {

class GeneratedCall {
public:
  /// Reads the tests' variables (a bad value throws Error naming it).
  GeneratedCall();
  ~GeneratedCall();
  GeneratedCall(const GeneratedCall &) = delete;
  GeneratedCall &operator=(const GeneratedCall &) = delete;

  /// Runs entry(args) on this thread. False when the call was abandoned at
  /// an allocation it could not have (failedBytes()).
  bool run(void (*entry)(void **), void **args);
  size_t failedBytes() const { return failedBytes_; }
  /// What the refused buffer was for: "op at loc(...)" (the location is the
  /// generated code's constant string, scn_cg_allocation_site), "the
  /// network's results", or "the compiled network" when unknown.
  std::string failedFor() const;

  /// Releases what the call made and did not release (after an abandoned
  /// call; a finished call returned what it kept).
  void releaseHeld();

  /// The call running on this thread, or null.
  static GeneratedCall *current();

private:
  friend void abandonGeneratedCall(size_t bytes, const char *what);
  std::jmp_buf resume_;
  GeneratedCall *outer_ = nullptr;
  size_t failedBytes_ = 0;
  const char *failedSite_ = nullptr;
  const char *failedWhat_ = nullptr;
  size_t refuseFrom_ = SIZE_MAX;
  size_t refuseNumber_ = 0; // none
  size_t allocations_ = 0;
  int parallelLevel_ = 0; // the caller's OpenMP nesting
  struct Release {
    void (*release)(void *thing, const void *context);
    const void *context;
  };
  std::unordered_map<void *, Release> held_;
  friend bool refusedByTests(size_t);
  friend void noteHeld(void *, void (*)(void *, const void *), const void *);
  friend void noteReleased(void *);
};

/// Whether the tests' variables refuse the next buffer (`bytes`) of the
/// call running on this thread: the generated code's own (scn_cg_alloc)
/// and its results (scn_cg_result_buffer, scn_cg_gpu_result_buffer).
bool refusedByTests(size_t bytes);

/// What the generated code of the call running on this thread made and
/// would release itself (a buffer, a stream), with the function that
/// releases it (given `context` too); nothing outside a call.
void noteHeld(void *thing, void (*release)(void *thing, const void *context),
              const void *context = nullptr);
/// ... and released.
void noteReleased(void *thing);

/// Where an allocation of the generated code failed: jumps back to the
/// calling thread's GeneratedCall::run. `what` the buffer was for, when
/// not the op of the last scn_cg_allocation_site. Returns only when this
/// thread runs no call; inside a parallel region the call opened, stops the
/// process with a message.
void abandonGeneratedCall(size_t bytes, const char *what = nullptr);

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_GENERATEDCALL_H
