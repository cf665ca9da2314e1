/*===- scn/Runtime/Status.h - Status codes and error messages ----*- C -*-===*\
|*                                                                            *|
|* Part of the SCN compiler runtime (libscn_runtime).                         *|
|*                                                                            *|
|* Every C entry point of the runtime returns an scn_status_t. A failing call *|
|* leaves its outputs and every existing object unchanged, and records a      *|
|* message for the calling thread that names the function, the argument and   *|
|* the offending value.                                                       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SCN_RUNTIME_STATUS_H
#define SCN_RUNTIME_STATUS_H

#include <stdint.h>

#if defined(_WIN32)
#define SCN_RUNTIME_API __declspec(dllexport)
#else
#define SCN_RUNTIME_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/// Result of every runtime entry point.
typedef enum scn_status {
  SCN_OK = 0,
  /// An argument is malformed: a null pointer, a wrong shape, a coordinate
  /// outside the grid, a duplicate site in input mode 0, ...
  SCN_ERROR_INVALID_ARGUMENT = 1,
  /// A size relation does not hold: a filter larger than the grid, a stride
  /// that does not divide `in - filter`, mismatching spatial sizes.
  SCN_ERROR_OUT_OF_RANGE = 2,
  /// A count or an index does not fit its type: more than INT32_MAX rows or
  /// pairs, a dense index past INT64_MAX, a key wider than 128 bits.
  SCN_ERROR_OVERFLOW = 3,
  /// An allocation failed.
  SCN_ERROR_OUT_OF_MEMORY = 4,
  /// A bug in the runtime.
  SCN_ERROR_INTERNAL = 5,
  /// No usable GPU: the CUDA driver library is missing, or it reports no
  /// device (or not the one asked for).
  SCN_ERROR_NO_DEVICE = 6,
  /// A CUDA driver call failed (the message names the call and the driver's
  /// error); device out-of-memory is SCN_ERROR_OUT_OF_MEMORY.
  SCN_ERROR_DEVICE = 7,
} scn_status_t;

/// Element type of an index or coordinate array passed to the runtime.
typedef enum scn_index_type {
  SCN_INDEX_INT32 = 0,
  SCN_INDEX_INT64 = 1,
} scn_index_type_t;

/// Returns the message of the last failing call made by the calling thread,
/// e.g. "scn_sites_from_coords: coords row 17 column 2 = -3 is outside
/// [0, 32)". Returns "" when no call of this thread has failed yet. The
/// pointer stays valid until the next runtime call of this thread.
SCN_RUNTIME_API const char *scn_last_error_message(void);

/// Returns a static, human-readable name of a status ("SCN_OK", ...).
SCN_RUNTIME_API const char *scn_status_name(scn_status_t status);

#ifdef __cplusplus
}
#endif

#endif // SCN_RUNTIME_STATUS_H
