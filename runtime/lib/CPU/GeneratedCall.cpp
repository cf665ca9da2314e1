//===- GeneratedCall.cpp - A compiled network's call that can be abandoned ===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#include "GeneratedCall.h"

#include "EnvironmentChoice.h"

#include "scn/Runtime/Codegen.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#include <cstdio>
#include <cstdlib>

namespace scn::rt {

namespace {

thread_local GeneratedCall *currentCall = nullptr;
/// The label of this thread's next allocations (scn_cg_allocation_site).
thread_local const char *allocationSite = nullptr;

/// Parallel regions around this thread (inactive ones too: libomp's frames
/// are there either way).
int parallelLevel() {
#ifdef _OPENMP
  return omp_get_level();
#else
  return 0; // built without OpenMP (the sort benchmark)
#endif
}

} // namespace

GeneratedCall::GeneratedCall()
    : refuseFrom_(environmentCount("SCN_RUNTIME_FAIL_ALLOCATIONS_FROM", SIZE_MAX)),
      refuseNumber_(environmentCount("SCN_RUNTIME_FAIL_ALLOCATION", 0)) {}

GeneratedCall::~GeneratedCall() {
  if (currentCall == this)
    currentCall = outer_;
}

GeneratedCall *GeneratedCall::current() { return currentCall; }

bool GeneratedCall::run(void (*entry)(void **), void **args) {
  outer_ = currentCall;
  currentCall = this;
  allocationSite = nullptr;
  // A caller may itself run in a parallel region (calls from its threads).
  parallelLevel_ = parallelLevel();
  // Nothing this frame holds changes between setjmp and the jump back.
  if (setjmp(resume_) != 0) {
    currentCall = outer_;
    return false;
  }
  entry(args);
  currentCall = outer_;
  return true;
}

void GeneratedCall::releaseHeld() {
  for (const auto &[thing, how] : held_)
    how.release(thing, how.context);
  held_.clear();
}

bool refusedByTests(size_t bytes) {
  GeneratedCall *call = currentCall;
  return call && (++call->allocations_ == call->refuseNumber_ || bytes >= call->refuseFrom_);
}

void noteHeld(void *thing, void (*release)(void *, const void *), const void *context) {
  if (GeneratedCall *call = currentCall) {
    try {
      call->held_.emplace(thing, GeneratedCall::Release{release, context});
    } catch (...) {
      // Without room to note it, an abandoned call leaks it.
    }
  }
}

void noteReleased(void *thing) {
  if (GeneratedCall *call = currentCall)
    call->held_.erase(thing);
}

std::string GeneratedCall::failedFor() const {
  if (failedWhat_)
    return failedWhat_;
  if (failedSite_)
    return std::string("op at ") + failedSite_;
  return "the compiled network";
}

void abandonGeneratedCall(size_t bytes, const char *what) {
  GeneratedCall *call = currentCall;
  if (!call)
    return;
  if (parallelLevel() > call->parallelLevel_) {
    // libomp's frames lie between here and the call: no way back.
    std::fprintf(stderr,
                 "scn runtime: out of memory for a buffer of %zu bytes inside a parallel "
                 "loop of the compiled code; the call cannot be abandoned there\n",
                 bytes);
    std::abort();
  }
  call->failedBytes_ = bytes;
  call->failedSite_ = allocationSite;
  call->failedWhat_ = what;
  std::longjmp(call->resume_, 1);
}

} // namespace scn::rt

extern "C" void scn_cg_allocation_site(const char *site) { scn::rt::allocationSite = site; }
