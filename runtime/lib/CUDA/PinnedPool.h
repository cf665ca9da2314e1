//===- PinnedPool.h - page-locked blocks handed back later ------*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CUDA_PINNEDPOOL_H
#define SCN_RUNTIME_LIB_CUDA_PINNEDPOOL_H

#include <cuda.h>

namespace scn::rt::gpu {

/// Hands `block` (from scn_gpu_pinned_alloc) back to the pool once `event`,
/// recorded behind the copies that read it, has completed: checked at the
/// pool's next request (scn_gpu_pinned_alloc), so that the host need not
/// wait for the copies. The pool destroys the event.
void releasePinnedAfter(void *block, CUevent event);

} // namespace scn::rt::gpu

#endif // SCN_RUNTIME_LIB_CUDA_PINNEDPOOL_H
