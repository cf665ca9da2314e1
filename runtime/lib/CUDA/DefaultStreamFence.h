//===- DefaultStreamFence.h - geometry ordered without host waits -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CUDA_DEFAULTSTREAMFENCE_H
#define SCN_RUNTIME_LIB_CUDA_DEFAULTSTREAMFENCE_H

#include <cuda.h>

namespace scn::rt::gpu {

/// Makes `stream` wait, on the GPU, for the newest fence of the current
/// device (scn_gpu_fence_default_stream), once per fence: called by every
/// mgpu* function that queues work the generated code asked for (launches,
/// copies, memsets). Costs an atomic load when no fence was ever taken.
void waitForDefaultStreamFence(CUstream stream);

/// Forgets what `stream` waited for: its handle is destroyed and the driver
/// may give it to a new stream.
void forgetFencedStream(CUstream stream);

} // namespace scn::rt::gpu

#endif // SCN_RUNTIME_LIB_CUDA_DEFAULTSTREAMFENCE_H
