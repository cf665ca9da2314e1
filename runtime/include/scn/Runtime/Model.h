/*===- scn/Runtime/Model.h - Load and run compiled networks -----*- C -*-===*\
|*                                                                            *|
|* Part of the SCN compiler runtime (libscn_runtime).                         *|
|*                                                                            *|
|* The deployment API: an scn-compile artifact (net.so) loaded and called on  *|
|* plain arrays from C or C++ with nothing but libscn_runtime (no LLVM, no   *|
|* Python). scn-run and the Python frontend call compiled networks the same  *|
|* way. Errors follow Status.h; a failed run's message names the op or the   *|
|* input (bad coordinates, NaN features, a wrong channel count).             *|
|*                                                                            *|
|*   scn_model_t model;                                                      *|
|*   if (scn_model_load("net.so", &model) != SCN_OK)                         *|
|*     puts(scn_last_error_message());                                       *|
|*   scn_tensor_t in[2] = {coords, features}, out[1];                        *|
|*   scn_model_run(model, in, 2, out, 1);                                    *|
|*   ... out[0].data ... scn_result_free(out[0].data);                       *|
|*   scn_model_free(model);                                                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SCN_RUNTIME_MODEL_H
#define SCN_RUNTIME_MODEL_H

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Status.h"

#ifdef __cplusplus
extern "C" {
#endif

/// A loaded network: its entry, its inputs and outputs, and the run it
/// keeps when geometry is reused.
typedef struct scn_model *scn_model_t;

/// Element types of a network's arrays (the manifest's "f4", "i8", "i4").
typedef enum scn_dtype {
  SCN_DTYPE_F32 = 0,
  SCN_DTYPE_I64 = 1,
  SCN_DTYPE_I32 = 2,
} scn_dtype_t;

/// The most dimensions an array of a network has (a dense output of a
/// 10-dimensional network has 12).
#define SCN_MAX_TENSOR_RANK 16

/// One array, row-major and contiguous.
typedef struct scn_tensor {
  void *data;
  scn_dtype_t dtype;
  int32_t rank;
  int64_t shape[SCN_MAX_TENSOR_RANK];
} scn_tensor_t;

/// What a network takes or returns: a name (the `scn.name` of the entry's
/// argument or result, valid while the model lives), an element type and a
/// shape whose -1 entries take any size.
typedef struct scn_tensor_info {
  const char *name;
  scn_dtype_t dtype;
  int32_t rank;
  int64_t shape[SCN_MAX_TENSOR_RANK];
} scn_tensor_info_t;

/// Loads the artifact at `path`: checks the file (scn_artifact_check_file),
/// loads it, and refuses one compiled for another runtime ABI (Codegen.h,
/// scn_runtime_abi_id) with a message that says to recompile.
SCN_RUNTIME_API scn_status_t scn_model_load(const char *path, scn_model_t *model);
/// A model over an entry already in the process (scn-run's JIT): `entry` is
/// the packed entry and `manifest` the JSON an artifact would export as
/// scn_model_manifest. The caller keeps the code alive while the model is.
/// Nothing can check the manifest against the entry: it must describe the
/// entry's inputs and outputs exactly (ranks above all: the results are
/// read from the words the entry writes, laid out by the output ranks).
SCN_RUNTIME_API scn_status_t scn_model_from_entry(void (*entry)(void **args),
                                                  const char *manifest,
                                                  scn_model_t *model);
/// Frees the model (and the run it keeps); an artifact is unloaded. Null is
/// allowed. Results already returned stay valid.
SCN_RUNTIME_API void scn_model_free(scn_model_t model);

SCN_RUNTIME_API int32_t scn_model_num_inputs(scn_model_t model);
SCN_RUNTIME_API int32_t scn_model_num_outputs(scn_model_t model);
SCN_RUNTIME_API scn_status_t scn_model_input_info(scn_model_t model, int32_t index,
                                                  scn_tensor_info_t *info);
SCN_RUNTIME_API scn_status_t scn_model_output_info(scn_model_t model, int32_t index,
                                                   scn_tensor_info_t *info);
/// "cpu" or "cuda" (whose runs need a GPU: the device scn_gpu_init
/// selected before the model was loaded, device 0 by default); null for a
/// null model.
SCN_RUNTIME_API const char *scn_model_target(scn_model_t model);

/// Keeps the site sets and kernel maps of a run for the next run on the
/// same coordinates (scn_run_set_reuse_geometry): calls are then serialised
/// on the one run the model keeps. Off by default, when concurrent calls
/// each have their own run. (CUDA networks' runs are serialised across the
/// process in any case: the device selection and the GPU's sticky error
/// are the process's.)
SCN_RUNTIME_API scn_status_t scn_model_set_reuse_geometry(scn_model_t model, int32_t reuse);

/// Runs the network once on `inputs` (in the order of scn_model_input_info;
/// each of its element type and rank, of its size where the shape is fixed;
/// the arrays are read, never written). Fills `outputs` (num_outputs must
/// be scn_model_num_outputs): each result's data is new memory owned by the
/// caller, freed with scn_result_free (null for an empty array). On failure
/// no output is filled and nothing needs freeing.
SCN_RUNTIME_API scn_status_t scn_model_run(scn_model_t model, const scn_tensor_t *inputs,
                                           int32_t num_inputs, scn_tensor_t *outputs,
                                           int32_t num_outputs);
/// As scn_model_run, in the caller's `run` (Codegen.h: scn_run_create;
/// with scn_run_set_reuse_geometry it keeps geometry across calls, and its
/// counters say what was reused). The run's error is cleared first. Calls
/// on one run must not overlap.
SCN_RUNTIME_API scn_status_t scn_model_run_in(scn_model_t model, scn_run_t run,
                                              const scn_tensor_t *inputs, int32_t num_inputs,
                                              scn_tensor_t *outputs, int32_t num_outputs);

/// The memory a model keeps for its network's buffers between calls. The
/// first call runs on the heap and is recorded; every buffer the call frees
/// gets a place in one block, which later calls that allocate the same way
/// use instead of the heap (no page faults; a call that differs runs the
/// rest on the heap and plans again; runtime/lib/CPU/RunArena.h). The
/// block keeps the size of the largest call it served; scn_release_cached_memory
/// frees idle blocks. SCN_RUNTIME_RUN_ARENA=heap turns it off, =poison
/// fills each buffer placed in it with 0xff bytes first (for tests).
typedef struct scn_model_memory_info {
  int64_t block_bytes;        ///< the block's size (0: none yet)
  int64_t calls;              ///< calls that used the arena (not those that
                              ///< found it held by another thread, nor =heap)
  int64_t calls_in_block;     ///< calls that followed the plan to their end
  int64_t plans;              ///< plans made (the first call's, and after changes)
  int64_t block_allocations;  ///< buffers of the last call placed in the block
  int64_t heap_allocations;   ///< buffers of the last call from the heap
} scn_model_memory_info_t;

SCN_RUNTIME_API scn_status_t scn_model_memory_info(scn_model_t model,
                                                   scn_model_memory_info_t *info);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // SCN_RUNTIME_MODEL_H
