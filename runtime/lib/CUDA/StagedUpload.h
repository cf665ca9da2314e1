//===- StagedUpload.h - Host-to-device copies through page-locked memory -===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CUDA_STAGEDUPLOAD_H
#define SCN_RUNTIME_LIB_CUDA_STAGEDUPLOAD_H

#include "CudaDriver.h"

#include <cstddef>

namespace scn::rt::gpu {

/// Copies `bytes` bytes at host address `src` (pageable memory) to `dst`
/// through a page-locked block of the result pool, filled by every runtime
/// thread a chunk at a time while the copy engine moves the previous
/// chunks, and waits for it on `stream`; with `wait` false, the block goes
/// back to the pool once the copies are done (an event) and the host does
/// not wait. Returns false, having copied nothing, when the copy should
/// take the driver's own path: under kStagedUploadMinBytes, with
/// SCN_GPU_PAGEABLE_UPLOADS set (for comparisons), or when no page-locked
/// block can be had. Throws for a failed copy (after waiting, so that the
/// block is free again).
bool stagedUpload(const driver_api::Driver &d, CUdeviceptr dst, const void *src,
                  size_t bytes, CUstream stream, bool wait = true);

/// Below this a copy takes the driver's path (its own staging is as fast).
constexpr size_t kStagedUploadMinBytes = size_t(4) << 20;

} // namespace scn::rt::gpu

#endif // SCN_RUNTIME_LIB_CUDA_STAGEDUPLOAD_H
