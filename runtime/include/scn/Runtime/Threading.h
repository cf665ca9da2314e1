/*===- scn/Runtime/Threading.h - Worker thread control -----------*- C -*-===*\
|*                                                                            *|
|* Part of the SCN compiler runtime (libscn_runtime).                         *|
|*                                                                            *|
|* Site sets and kernel maps are built in parallel on the CPU. Every result   *|
|* (row order, map contents) is independent of the number of threads.         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SCN_RUNTIME_THREADING_H
#define SCN_RUNTIME_THREADING_H

#include "scn/Runtime/Status.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Sets the number of worker threads used by later calls (process-wide).
/// `num_threads <= 0` restores the default: the number of hardware threads.
SCN_RUNTIME_API scn_status_t scn_set_num_threads(int32_t num_threads);

/// Writes the number of worker threads later calls will use.
SCN_RUNTIME_API scn_status_t scn_get_num_threads(int32_t *num_threads);

/// Freed blocks of 1 MiB or more are kept for reuse by later builds (no
/// page faults on fresh memory), up to SCN_RUNTIME_POOL_MB MiB (environment,
/// read once; default 256, 0 disables). This returns them to the system,
/// with the blocks models keep for their buffers (scn_model_memory_info)
/// where no call is running, and writes how many bytes that was to
/// `*bytes_freed` (may be null).
SCN_RUNTIME_API scn_status_t scn_release_cached_memory(int64_t *bytes_freed);

/* Builders sort packed keys when they fit 63 bits (the default) and use a
 * concurrent hash table otherwise; the environment variable
 * SCN_RUNTIME_ALGORITHMS=hash forces the hash table everywhere (read on
 * every call; for benchmarks and tests). Results are identical. */

#ifdef __cplusplus
}
#endif

#endif // SCN_RUNTIME_THREADING_H
