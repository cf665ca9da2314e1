/*===- scn/Runtime/Gpu.h - The CUDA device layer of libscn_runtime -*- C -*-===*\
|*                                                                            *|
|* Part of the SCN compiler runtime (libscn_runtime).                         *|
|*                                                                            *|
|* libscn_runtime never links the CUDA driver: it loads libcuda.so.1 with     *|
|* dlopen on first use, so every binary (scn-run, compiled networks, the      *|
|* Python package) runs on a machine without a GPU or driver, and fails with  *|
|* SCN_ERROR_NO_DEVICE and a message saying what is missing only when GPU     *|
|* work is asked for.                                                         *|
|*                                                                            *|
|* Two interfaces:                                                            *|
|*  - scn_gpu_*: status-returning calls for embedders and tools;              *|
|*  - mgpu*: the functions MLIR's gpu-to-llvm lowering emits calls to (module *|
|*    load, kernel launch, streams, events, memory), with the signatures of   *|
|*    LLVM 22. They cannot return a status, so the first failure is kept      *|
|*    (sticky, process-wide), every later mgpu* call does nothing and returns *|
|*    null, and the host collects the error with scn_gpu_take_error().        *|
|* Device memory comes from the driver's stream-ordered pool                  *|
|* (cuMemAllocAsync) with its release threshold raised, so a network run      *|
|* again reuses the blocks of the previous run instead of new allocations.    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SCN_RUNTIME_GPU_H
#define SCN_RUNTIME_GPU_H

#include "scn/Runtime/Status.h"

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scn_gpu_device_info {
  int32_t device;             ///< Ordinal in use.
  int32_t compute_major;      ///< e.g. 9 for sm_90.
  int32_t compute_minor;
  int32_t driver_version;     ///< e.g. 13000 for CUDA 13.0.
  int64_t total_memory;       ///< Bytes.
  char name[256];             ///< e.g. "NVIDIA H100 80GB HBM3".
} scn_gpu_device_info_t;

/// Loads the driver, selects `device` (its primary context becomes current
/// on the calling thread) and sets up the memory pool. Idempotent for the
/// same device. SCN_ERROR_NO_DEVICE when libcuda.so.1 cannot be loaded, the
/// driver finds no device, or `device` is out of range.
SCN_RUNTIME_API scn_status_t scn_gpu_init(int32_t device);
/// The device scn_gpu_init selected last (0 before any): where modules load
/// and compiled networks run (scn_model_run keeps it).
SCN_RUNTIME_API int32_t scn_gpu_current_device(void);

/// Fills `*info` for the device selected by scn_gpu_init.
SCN_RUNTIME_API scn_status_t scn_gpu_get_device_info(scn_gpu_device_info_t *info);

/// Returns the status of the first mgpu* failure since the last call (its
/// message becomes the calling thread's scn_last_error_message()) and clears
/// it; SCN_OK when there was none.
SCN_RUNTIME_API scn_status_t scn_gpu_take_error(void);

/* Managed memory (cuMemAllocManaged): readable and writable by the host and
 * by every kernel. scn_gpu_managed_copy copies `bytes` bytes at `src` into a
 * new managed block (`*copy` is null for bytes <= 0). Its failure is also
 * kept as the sticky mgpu* error, so that later launches do nothing instead
 * of reading a null pointer. Blocks are freed with scn_gpu_managed_free or
 * by mgpuMemFree. */
SCN_RUNTIME_API scn_status_t scn_gpu_managed_copy(const void *src, int64_t bytes,
                                                  void **copy);
SCN_RUNTIME_API void scn_gpu_managed_free(void *ptr);

/* Device memory for the runtime's own use (device geometry): a copy of
 * `bytes` bytes of host memory at `src`, complete on return (`*device` is
 * null for bytes <= 0); freed with scn_gpu_free. */
SCN_RUNTIME_API scn_status_t scn_gpu_upload(const void *src, int64_t bytes, void **device);
/* As scn_gpu_upload, without waiting: the block is allocated and the copy
 * queued on `stream` (null: the CUDA default stream), where device builders
 * queued later see it. Pageable `src` may be reused on return (the driver or
 * the runtime's staging block holds the bytes); page-locked or managed `src`
 * is read until the copy runs, so keep it until the next wait on `stream`
 * (scn_gpu_sites_wait). Other streams see the copy after
 * scn_gpu_fence_stream(stream). A failed copy shows at the next wait. For
 * the coordinates the builders read. */
SCN_RUNTIME_API scn_status_t scn_gpu_upload_queued(const void *src, int64_t bytes, void *stream,
                                                   void **device);
/* Frees device memory of the runtime's (scn_gpu_upload, scn_gpu_alloc) once
 * the work queued so far on the CUDA default stream has run;
 * scn_gpu_free_on(device, stream) once that on `stream` has. */
SCN_RUNTIME_API void scn_gpu_free(void *device);
SCN_RUNTIME_API void scn_gpu_free_on(void *device, void *stream);
/* Device memory for the runtime's own use that any stream may use once this
 * returns (`*device` is null for bytes <= 0); freed with scn_gpu_free. A
 * failure is also kept as the sticky error. */
SCN_RUNTIME_API scn_status_t scn_gpu_alloc(int64_t bytes, void **device);
/* Whether a GPU error is kept (the one scn_gpu_take_error would report),
 * without taking it. */
SCN_RUNTIME_API int32_t scn_gpu_failed(void);
/* Waits for all work of the context (every stream, the CUDA runtime's too):
 * what the device builders enqueue is then visible to kernels on any stream. */
SCN_RUNTIME_API scn_status_t scn_gpu_synchronize(void);
/* The stream compiled networks build their site sets and kernel maps on
 * (the device builders of GpuSites.h, through the scn_cg_gpu_* functions),
 * one for each device, created on first use and kept for the process: a
 * non-blocking stream of the device's greatest priority, so that the GPU
 * starts the builders' blocks ahead of those of the network's kernels
 * already queued on other streams, and the maps of deeper levels are built
 * while earlier layers run. With SCN_GPU_GEOMETRY_STREAM=default, `*stream`
 * is null (the CUDA default stream, as before; "priority" is the default,
 * any other value an error). The variable is read at the process's first
 * call and kept: maps kept for reuse stay on the stream they were built on,
 * and the fences that order what is built from them use the same one. */
SCN_RUNTIME_API scn_status_t scn_gpu_geometry_stream(void **stream);
/* Orders every launch, copy and memset that mgpu* functions queue from now
 * on, on any stream of the current device, after the work queued so far on
 * `stream` (where device builders run; null: the CUDA default stream),
 * without the host waiting: an event recorded there, which each stream's
 * next such call waits for on the GPU, once. Nothing is recorded when
 * `stream` is idle. Fences of several streams each hold.
 * scn_gpu_fence_default_stream() is scn_gpu_fence_stream(NULL). */
SCN_RUNTIME_API scn_status_t scn_gpu_fence_stream(void *stream);
SCN_RUNTIME_API scn_status_t scn_gpu_fence_default_stream(void);
/* Page-locked host memory from a pool kept across runs (results of CUDA
 * artifacts, see scn_cg_gpu_result_buffer): `*block` is null for bytes <= 0.
 * scn_gpu_pinned_release hands a block back and returns 1, or returns 0
 * for memory that is not such a block. */
SCN_RUNTIME_API scn_status_t scn_gpu_pinned_alloc(int64_t bytes, void **block);
SCN_RUNTIME_API int32_t scn_gpu_pinned_release(void *block);
/* One 32-bit word of page-locked host memory that kernels can write: `*host`
 * for the host (zeroed), `*device` for kernels. Kernels report bad input
 * through it, read by the host after the run's GPU work (see
 * scn_cg_gpu_check_flag). Handed back with scn_gpu_mapped_word_free(host),
 * which keeps it for the next request (words come from slabs kept for the
 * process). */
SCN_RUNTIME_API scn_status_t scn_gpu_mapped_word(int32_t **host, void **device);
SCN_RUNTIME_API void scn_gpu_mapped_word_free(int32_t *host);
/* With SCN_GPU_PROFILE set (a file name, or "stderr"): waits for the GPU
 * and forgets the kernel and copy times recorded so far, so that the
 * report written at exit leaves out a warm-up. Does nothing otherwise. */
SCN_RUNTIME_API void scn_gpu_profile_reset(void);

/* Parameters (weights) kept on the device. scn_gpu_keep_resident uploads
 * `bytes` bytes at `host` once to the current device and keeps the copy
 * until scn_gpu_release_resident(host) (which drops it on every device):
 * compiled networks that take the array as an argument then read that copy,
 * when they run on that device, instead of uploading the array in every
 * call. The array must not change while it is resident (release it and
 * keep it again after a change); keeping an array again replaces its copy.
 * Replacing or releasing a copy waits for the device before freeing it, so
 * finished or queued runs are safe; a run that another thread is starting
 * meanwhile is not: keep and release while no run is starting. For every
 * process-wide use: a model's weights bound once. */
SCN_RUNTIME_API scn_status_t scn_gpu_keep_resident(const void *host, int64_t bytes);
SCN_RUNTIME_API void scn_gpu_release_resident(const void *host);
/* Generated code: the device copy of a parameter array for one call, the
 * resident copy of (host, bytes) if there is one, else a new upload (whose
 * failure is also the sticky error, so that no kernel reads a null
 * pointer). An upload is queued on the CUDA default stream without a host
 * wait; the next launch, copy or memset of an mgpu* function waits for it
 * on the GPU (one fence for all the uploads before it). scn_gpu_parameter_done
 * frees such an upload after the call, having waited once for the uploads
 * the thread queued (the caller may then change its arrays), and leaves
 * resident copies alone. */
SCN_RUNTIME_API scn_status_t scn_gpu_parameter(const void *host, int64_t bytes,
                                               void **device);
SCN_RUNTIME_API void scn_gpu_parameter_done(const void *host, void *device);
/* Generated code: the device copy of a constant baked into the artifact
 * (the weights of scn.compile), uploaded on its first use and kept while the
 * artifact is loaded (its unloading forgets its copies, without freeing
 * them: the driver reclaims them at exit). */
SCN_RUNTIME_API scn_status_t scn_gpu_constant(const void *host, int64_t bytes,
                                              void **device);
/* For a device copy that scn_gpu_parameter or scn_gpu_constant handed out
 * and that outlives the call (a resident parameter, a kept constant): a
 * number no other copy ever gets, while the copy is kept. 0 for anything
 * else (a per-call upload, other memory). Values derived from such copies
 * alone can be kept while their numbers stay the same (scn_cg_gpu_prepared). */
SCN_RUNTIME_API uint64_t scn_gpu_copy_generation(const void *device);
/* Generated code (scn_cg_gpu_prepared): device memory of `bytes` bytes for
 * what the kernels of `site` (a string of the artifact) derive from the
 * num_sources device copies `sources` alone. `*fill` is 0 when the block
 * already holds those values: a finished call filled it from the same
 * copies, each still the same kept copy (scn_gpu_copy_generation). Else it
 * is 1 and the caller's kernels fill it. One block per site and device for
 * the whole process, shared by every call while its sources stay the same;
 * when they are not all kept copies, a block for this call only. Every
 * block handed out goes back through scn_gpu_prepared_done(site, block,
 * succeeded) after the call's GPU work. A block the call filled is kept if
 * `succeeded`, no sticky error was kept when scn_gpu_prepared began, and no
 * failure was kept (by any thread, taken or not) since: the kernels that
 * fill it then all ran. Else it is dropped. A block for one call is freed;
 * a replaced block once no call holds it. A failure of scn_gpu_prepared is
 * also the sticky error, so that no kernel writes through a null block. */
SCN_RUNTIME_API scn_status_t scn_gpu_prepared(const void *site, const void *const *sources,
                                              int32_t num_sources, int64_t bytes,
                                              void **block, int32_t *fill);
SCN_RUNTIME_API void scn_gpu_prepared_done(const void *site, void *block, int32_t succeeded);

/* The mgpu* ABI (see the file comment). Pointers to device memory and
 * driver handles are opaque `void *`. */
SCN_RUNTIME_API void mgpuSetDefaultDevice(int32_t device);
SCN_RUNTIME_API void *mgpuModuleLoad(void *data, size_t size);
SCN_RUNTIME_API void *mgpuModuleLoadJIT(void *ptx, int32_t opt_level);
SCN_RUNTIME_API void mgpuModuleUnload(void *module);
SCN_RUNTIME_API void *mgpuModuleGetFunction(void *module, const char *name);
SCN_RUNTIME_API void mgpuLaunchKernel(void *function, intptr_t grid_x,
                                      intptr_t grid_y, intptr_t grid_z,
                                      intptr_t block_x, intptr_t block_y,
                                      intptr_t block_z, int32_t shared_bytes,
                                      void *stream, void **params, void **extra,
                                      size_t param_count);
/* Generated host code calls this before it touches managed memory while
 * the network's kernels may run (scn-gpu-async-chain): it waits for the
 * device only where the GPU lacks concurrent managed access. */
SCN_RUNTIME_API void scn_gpu_before_host_access(void);
/* Generated host code sizes the grids of kernels that loop over their work
 * (tensor-core convolutions with weights in shared memory) by this: the
 * blocks of `threads` threads and `shared_bytes` bytes of dynamic shared
 * memory that the device runs at once (SMs x blocks an SM, counting 128
 * registers a thread). At least 1; 1 after a GPU failure. */
SCN_RUNTIME_API int64_t scn_gpu_resident_blocks(int64_t shared_bytes, int64_t threads);
SCN_RUNTIME_API void *mgpuStreamCreate(void);
SCN_RUNTIME_API void mgpuStreamDestroy(void *stream);
SCN_RUNTIME_API void mgpuStreamSynchronize(void *stream);
SCN_RUNTIME_API void mgpuStreamWaitEvent(void *stream, void *event);
SCN_RUNTIME_API void *mgpuEventCreate(void);
SCN_RUNTIME_API void mgpuEventDestroy(void *event);
SCN_RUNTIME_API void mgpuEventSynchronize(void *event);
SCN_RUNTIME_API void mgpuEventRecord(void *event, void *stream);
SCN_RUNTIME_API void *mgpuMemAlloc(uint64_t bytes, void *stream, bool host_shared);
SCN_RUNTIME_API void mgpuMemFree(void *ptr, void *stream);
SCN_RUNTIME_API void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream);
SCN_RUNTIME_API void mgpuMemset32(void *dst, uint32_t value, size_t count, void *stream);
SCN_RUNTIME_API void mgpuMemset16(void *dst, uint16_t value, size_t count, void *stream);

#ifdef __cplusplus
}
#endif

#endif // SCN_RUNTIME_GPU_H
