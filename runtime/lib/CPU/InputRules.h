//===- InputRules.h - Validation shared by the input-set builders -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The checks and rules of input sets that the CPU builders (InputSites.cpp,
/// DenseMaps.cpp) and the GPU ones (runtime/lib/CUDA/DeviceSites.h) share,
/// so that both word their errors the same.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_INPUTRULES_H
#define SCN_RUNTIME_LIB_CPU_INPUTRULES_H

#include "Error.h"

#include "scn/Runtime/Sites.h"

#include <climits>
#include <cstdint>

namespace scn::rt {

/// Checks D in 1..10 and every spatial size >= 1 (named `what`).
inline void validateGrid(int32_t dim, const int64_t *spatialSize,
                         const char *what = "spatial_size") {
  if (dim < 1 || dim > SCN_MAX_DIMENSION)
    fail(SCN_ERROR_INVALID_ARGUMENT, "dim = ", dim, " is outside [1, ", SCN_MAX_DIMENSION, "]");
  requireNonNull(spatialSize, what);
  for (int32_t i = 0; i < dim; ++i)
    if (spatialSize[i] < 1)
      fail(SCN_ERROR_INVALID_ARGUMENT, what, "[", i, "] = ", spatialSize[i], " must be >= 1");
}

inline void validateMode(int32_t mode) {
  if (mode < SCN_INPUT_UNIQUE || mode > SCN_INPUT_AVERAGE)
    fail(SCN_ERROR_INVALID_ARGUMENT, "mode = ", mode, " is outside [0, 4]");
}

/// A [batch, length, dim] BLInputLayer array: sizes >= 0 whose rows fit
/// int32 indices.
inline void validateBatchLength(int64_t batch, int64_t length) {
  if (batch < 0)
    fail(SCN_ERROR_INVALID_ARGUMENT, "batch = ", batch, " is negative");
  if (length < 0)
    fail(SCN_ERROR_INVALID_ARGUMENT, "length = ", length, " is negative");
  if (length > 0 && batch > INT32_MAX / length)
    fail(SCN_ERROR_OVERFLOW, "batch * length = ", batch, " * ", length,
         " does not fit 32-bit row indices (max ", INT32_MAX, ")");
}

/// The InputLayer merge policy of a BLInputLayer mode: SparseConvNet's
/// batch-length rules swap modes 1 and 2 (BL mode 1 keeps the LAST row of a
/// site, BL mode 2 the FIRST).
inline int32_t batchLengthPolicy(int32_t mode) {
  return mode == 1 ? SCN_INPUT_KEEP_LAST : mode == 2 ? SCN_INPUT_KEEP_FIRST : mode;
}

/// prod(spatialSize) of a dense [batch, planes, *spatial] array, or throws
/// OVERFLOW: B * C * V is checked as a whole.
inline int64_t checkedDenseVolume(int32_t dim, const int64_t *spatialSize, int64_t batch,
                                  int64_t planes) {
  __int128 total = __int128(batch) * planes;
  int64_t volume = 1;
  for (int32_t i = 0; i <= dim; ++i) {
    if (total > INT64_MAX)
      fail(SCN_ERROR_OVERFLOW, "dense size batch * n_planes * prod(spatial size) = ", batch,
           " * ", planes, " * prod(", formatVector(spatialSize, dim), ") exceeds INT64_MAX");
    if (i < dim) {
      total *= spatialSize[i];
      volume *= spatialSize[i];
    }
  }
  return volume;
}

/// Checks the grid, batch_size >= 1 and n_planes >= 1 of a dense input;
/// returns prod(spatialSize).
inline int64_t validateDense(int32_t dim, const int64_t *spatialSize, int64_t batchSize,
                             int64_t planes) {
  validateGrid(dim, spatialSize);
  if (batchSize < 1)
    fail(SCN_ERROR_INVALID_ARGUMENT, "batch_size = ", batchSize, " must be >= 1");
  if (planes < 1)
    fail(SCN_ERROR_INVALID_ARGUMENT, "n_planes = ", planes, " must be >= 1");
  return checkedDenseVolume(dim, spatialSize, batchSize, planes);
}

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_INPUTRULES_H
