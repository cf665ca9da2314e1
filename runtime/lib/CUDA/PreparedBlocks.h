//===- PreparedBlocks.h - values prepared from kept copies ------*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CUDA_PREPAREDBLOCKS_H
#define SCN_RUNTIME_LIB_CUDA_PREPAREDBLOCKS_H

#include "scn/Runtime/Status.h"

#include <cstdint>
#include <functional>

namespace scn::rt::gpu {

/// Forgets the prepared blocks (scn_gpu_prepared) of the sites for which
/// `unloaded` holds: an artifact's, when its modules unload, since another
/// artifact may later sit at its addresses. Their memory is not freed, as
/// for the artifact's constants: at exit, freeing could race the driver's
/// unloading.
void forgetPreparedBlocks(const std::function<bool(const void *site)> &unloaded);

/// How many failures were kept, or would have been kept, as the sticky error
/// (mgpu* calls, scn_gpu_* calls that keep theirs): equal at a group's
/// scn_gpu_prepared and its done when none happened meanwhile, whoever took
/// the error. Launches are skipped only while one is kept, so an unchanged
/// count means the group's kernels ran.
uint64_t failuresSoFar();

/// Keeps `status` as the sticky error (GpuRuntime.cpp's), so that later
/// launches do nothing.
void keepStickyFailure(scn_status_t status, const char *function);

} // namespace scn::rt::gpu

#endif // SCN_RUNTIME_LIB_CUDA_PREPAREDBLOCKS_H
