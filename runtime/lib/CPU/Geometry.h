//===- Geometry.h - Filter boxes and size arithmetic ----------*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Validation of filter sizes and strides and SparseConvNet's size rules:
/// a strided layer maps size `in` to (in - s)/t + 1 (exact division), a
/// transposed or full layer maps `in` to (in - 1)*t + s.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_GEOMETRY_H
#define SCN_RUNTIME_LIB_CPU_GEOMETRY_H

#include "scn/Runtime/Sites.h"

#include <cstdint>

namespace scn::rt {

/// A validated filter box and stride.
struct Window {
  int32_t dim = 0;
  int64_t filter[SCN_MAX_DIMENSION] = {};
  int64_t stride[SCN_MAX_DIMENSION] = {};
  /// K = prod(filter); offsets are row-major, last axis fastest.
  int64_t volume = 1;

  /// Offset vector of index k (each component in [0, filter)).
  void offset(int64_t k, int64_t *delta) const {
    for (int32_t i = dim - 1; i >= 0; --i) {
      delta[i] = k % filter[i];
      k /= filter[i];
    }
  }
  /// Index of an offset vector (components in [0, filter)).
  int64_t index(const int64_t *delta) const {
    int64_t k = 0;
    for (int32_t i = 0; i < dim; ++i)
      k = k * filter[i] + delta[i];
    return k;
  }
};

/// Validates filter >= 1 and (when `stride` is non-null) stride >= 1, and
/// that K fits int32 offsets. A null stride reads as all ones.
Window makeWindow(int32_t dim, const int64_t *filter, const int64_t *stride);

/// Size of the output grid of a strided layer on grid `in`; throws
/// OUT_OF_RANGE when a filter is larger than the grid or the stride does not
/// divide in - filter.
void stridedOutputSize(const Window &w, const int64_t *in, int64_t *out);

/// Size (in - 1)*t + s of a transposed / full layer; throws OVERFLOW.
void transposedOutputSize(const Window &w, const int64_t *in, int64_t *out);

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_GEOMETRY_H
