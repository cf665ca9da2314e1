//===- GeometryStream.h - where device geometry runs, and its fences -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CUDA_GEOMETRYSTREAM_H
#define SCN_RUNTIME_LIB_CUDA_GEOMETRYSTREAM_H

#include <cuda.h>

namespace scn::rt::gpu {

/// Makes `stream` wait, on the GPU, for the newest fence of each stream of
/// the current device that was fenced (scn_gpu_fence_stream), once per
/// fence: called by every mgpu* function that queues work the generated
/// code asked for (launches, copies, memsets, frees). Costs an atomic load
/// when no fence was ever taken.
void waitForGeometryFences(CUstream stream);

/// Asks for a fence of the current device's default stream before the next
/// launch, copy or memset that an mgpu* function queues on any of its
/// streams (one fence for any number of asks): for uploads queued there that
/// kernels read (scn_gpu_parameter), without a fence each.
void fenceDefaultStreamBeforeNextWork();

/// Forgets what `stream` waited for: its handle is destroyed and the driver
/// may give it to a new stream.
void forgetFencedStream(CUstream stream);

} // namespace scn::rt::gpu

#endif // SCN_RUNTIME_LIB_CUDA_GEOMETRYSTREAM_H
