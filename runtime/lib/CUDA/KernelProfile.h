//===- KernelProfile.h - Per-kernel GPU times (SCN_GPU_PROFILE) -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Device times of every kernel launch and copy, for people tuning a compiled
/// network on a GPU machine without Nsight Systems (the lent machines have
/// none). Off unless the environment variable SCN_GPU_PROFILE names a file
/// (or "stderr"): then each launch and copy is bracketed by two timing
/// events on its stream, the events of finished work are read at every
/// synchronisation, and the totals per kernel (launches, total and mean
/// device time, last grid and block) are written when the process exits.
/// The events serialise nothing, but they cost a few microseconds of host
/// time per launch: compare profiled runs with profiled runs. The report
/// also gives the device span (from the first collected launch or copy to
/// the end of the last: longer than their sum when the device waited for
/// the host) and the host time spent in the runtime's launch, memory and
/// wait calls (HostSpan), so that a run's host overhead shows without a
/// host profiler. With SCN_GPU_PROFILE_TIMELINE naming a file too, every
/// span since the last reset goes there at exit as CSV (label, start and
/// stop in ms from the first), to see what ran beside what
/// (bench/gpu/timeline.py sums it up).
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CUDA_KERNELPROFILE_H
#define SCN_RUNTIME_LIB_CUDA_KERNELPROFILE_H

#include <cuda.h>

#include <chrono>
#include <string>

namespace scn::rt::profile {

/// Whether SCN_GPU_PROFILE is set (read once).
bool enabled();

/// Numbers `module` by load order: outlined kernels share their function
/// names (main_kernel, tensor_core_conv), one per module (gpu.module
/// @main_kernel_N in the IR, loaded in the order of the IR).
void nameModule(void *module);
/// Forgets `module` (unloaded: its address may come back for another).
void forgetModule(void *module);

/// Remembers the name of `function` of `module` (mgpuModuleGetFunction):
/// "main_kernel #N" or "tensor_core_conv #N", N the module's number.
void nameFunction(CUfunction function, void *module, const char *name);

/// The remembered name of `function`, or "kernel".
std::string nameOf(CUfunction function);

/// Records a timing event on `stream` and returns it (nullptr when
/// profiling is off or the event cannot be made).
CUevent begin(CUstream stream);

/// Destroys `start` of a launch or copy that failed.
void abandon(CUevent start);

/// Records the closing event of `start` on `stream`, under `label`.
void end(CUevent start, CUstream stream, std::string label, const std::string &shape);

/// Adds the times of the finished spans to the totals (cheap; called at
/// every synchronisation).
void collect();

/// Forgets the totals so far (after collecting what finished).
void reset();

/// A scope of host time in runtime call `call` (a string literal), added
/// to its totals when it ends; nothing when profiling is off.
class HostSpan {
public:
  explicit HostSpan(const char *call);
  ~HostSpan();
  HostSpan(const HostSpan &) = delete;
  HostSpan &operator=(const HostSpan &) = delete;

private:
  const char *call;
  bool on;
  std::chrono::steady_clock::time_point start;
};

} // namespace scn::rt::profile

#endif // SCN_RUNTIME_LIB_CUDA_KERNELPROFILE_H
