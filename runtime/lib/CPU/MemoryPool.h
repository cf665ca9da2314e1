//===- MemoryPool.h - Reuse of the runtime's large blocks -----*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Large arrays (site coordinates, keys, neighbour tables, sort buffers) are
/// allocated and freed on every run of a network. Fresh memory costs a page
/// fault and a kernel zero-fill per 4 KiB on first touch: about a sixth of
/// the LiDAR map pyramid's time (perf, bench/runtime). Freed blocks of at
/// least 1 MiB are therefore kept (up to SCN_RUNTIME_POOL_MB, default 256;
/// 0 disables) and handed out again for requests of up to their size and at
/// least half of it. Why not a library: glibc's malloc returns such blocks
/// to the kernel (mmap threshold, trimming) and Debian has no jemalloc
/// development package that a shared library could use privately.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_MEMORYPOOL_H
#define SCN_RUNTIME_LIB_CPU_MEMORYPOOL_H

#include <cstddef>

namespace scn::rt {

/// 64-byte aligned, uninitialised; throws std::bad_alloc.
void *poolAllocate(size_t bytes);
/// Gives back a block from poolAllocate(bytes) (null allowed).
void poolRelease(void *block, size_t bytes);
/// Frees every cached block; returns the bytes freed.
size_t poolTrim();

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_MEMORYPOOL_H
