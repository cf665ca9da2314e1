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

// Window and the box helpers below also run in the GPU builders
// (runtime/lib/CUDA/DeviceSites.h), compiled by nvcc.
#ifdef __CUDACC__
#define SCN_HOST_DEVICE __host__ __device__
#else
#define SCN_HOST_DEVICE
#endif

namespace scn::rt {

/// A validated filter box and stride.
struct Window {
  int32_t dim = 0;
  int64_t filter[SCN_MAX_DIMENSION] = {};
  int64_t stride[SCN_MAX_DIMENSION] = {};
  /// K = prod(filter); offsets are row-major, last axis fastest.
  int64_t volume = 1;

  /// Offset vector of index k (each component in [0, filter)).
  SCN_HOST_DEVICE void offset(int64_t k, int64_t *delta) const {
    for (int32_t i = dim - 1; i >= 0; --i) {
      delta[i] = k % filter[i];
      k /= filter[i];
    }
  }
  /// Index of an offset vector (components in [0, filter)).
  SCN_HOST_DEVICE int64_t index(const int64_t *delta) const {
    int64_t k = 0;
    for (int32_t i = 0; i < dim; ++i)
      k = k * filter[i] + delta[i];
    return k;
  }
};

/// Per axis, the outputs j whose window [j*t, j*t + s - 1] holds x, within
/// [0, outSize); false when empty on some axis.
SCN_HOST_DEVICE inline bool windowRange(const Window &w, const int64_t *outSize,
                                        const int64_t *x, int64_t *lo, int64_t *hi) {
  for (int32_t i = 0; i < w.dim; ++i) {
    int64_t first = x[i] - w.filter[i] + 1;
    lo[i] = first <= 0 ? 0 : (first + w.stride[i] - 1) / w.stride[i];
    int64_t last = x[i] / w.stride[i];
    hi[i] = last < outSize[i] - 1 ? last : outSize[i] - 1;
    if (lo[i] > hi[i])
      return false;
  }
  return true;
}

/// Advances an odometer over the box [lo, hi] (last axis fastest); returns
/// false after the last cell.
SCN_HOST_DEVICE inline bool nextInBox(int32_t dim, const int64_t *lo, const int64_t *hi,
                                      int64_t *j) {
  for (int32_t i = dim - 1; i >= 0; --i) {
    if (j[i] < hi[i]) {
      ++j[i];
      return true;
    }
    j[i] = lo[i];
  }
  return false;
}

/// Validates filter >= 1 and (when `stride` is non-null) stride >= 1, and
/// that K fits int32 offsets. A null stride reads as all ones.
Window makeWindow(int32_t dim, const int64_t *filter, const int64_t *stride);

/// Size of the output grid of a strided layer on grid `in`; throws
/// OUT_OF_RANGE when a filter is larger than the grid or the stride does not
/// divide in - filter.
void stridedOutputSize(const Window &w, const int64_t *in, int64_t *out);

/// Size (in - 1)*t + s of a transposed / full layer; throws OVERFLOW.
void transposedOutputSize(const Window &w, const int64_t *in, int64_t *out);

/// Throws OUT_OF_RANGE unless `got` equals `want` on every axis: "<what>
/// spatial size [..] must be <rule> = [..]".
void requireSize(const int64_t *got, const int64_t *want, int32_t dim, const char *what,
                 const char *rule);

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_GEOMETRY_H
