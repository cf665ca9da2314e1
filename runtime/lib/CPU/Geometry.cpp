//===- Geometry.cpp - Filter boxes and size arithmetic --------------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#include "Geometry.h"
#include "Error.h"

#include <algorithm>
#include <climits>

using namespace scn::rt;

Window scn::rt::makeWindow(int32_t dim, const int64_t *filter,
                           const int64_t *stride) {
  requireNonNull(filter, "filter");
  Window w;
  w.dim = dim;
  for (int32_t i = 0; i < dim; ++i) {
    if (filter[i] < 1)
      fail(SCN_ERROR_INVALID_ARGUMENT, "filter[", i, "] = ", filter[i],
           " must be >= 1");
    if (stride && stride[i] < 1)
      fail(SCN_ERROR_INVALID_ARGUMENT, "stride[", i, "] = ", stride[i],
           " must be >= 1");
    w.filter[i] = filter[i];
    w.stride[i] = stride ? stride[i] : 1;
    if (w.filter[i] > INT32_MAX / w.volume)
      fail(SCN_ERROR_OVERFLOW, "filter volume (product of filter sizes) "
           "exceeds ", INT32_MAX, " at filter[", i, "] = ", filter[i]);
    w.volume *= w.filter[i];
  }
  return w;
}

void scn::rt::stridedOutputSize(const Window &w, const int64_t *in,
                                int64_t *out) {
  for (int32_t i = 0; i < w.dim; ++i) {
    if (w.filter[i] > in[i])
      fail(SCN_ERROR_OUT_OF_RANGE, "filter[", i, "] = ", w.filter[i],
           " is larger than the spatial size ", in[i]);
    if ((in[i] - w.filter[i]) % w.stride[i] != 0)
      fail(SCN_ERROR_OUT_OF_RANGE, "stride[", i, "] = ", w.stride[i],
           " does not divide spatial size - filter = ", in[i], " - ",
           w.filter[i], " = ", in[i] - w.filter[i]);
    out[i] = (in[i] - w.filter[i]) / w.stride[i] + 1;
  }
}

void scn::rt::transposedOutputSize(const Window &w, const int64_t *in,
                                   int64_t *out) {
  for (int32_t i = 0; i < w.dim; ++i) {
    __int128 size = __int128(in[i] - 1) * w.stride[i] + w.filter[i];
    if (size > INT64_MAX)
      fail(SCN_ERROR_OVERFLOW, "output size (", in[i], " - 1) * ",
           w.stride[i], " + ", w.filter[i], " on axis ", i,
           " exceeds INT64_MAX");
    out[i] = static_cast<int64_t>(size);
  }
}

void scn::rt::requireSize(const int64_t *got, const int64_t *want, int32_t dim,
                          const char *what, const char *rule) {
  if (!std::equal(got, got + dim, want))
    fail(SCN_ERROR_OUT_OF_RANGE, what, " spatial size ", formatVector(got, dim), " must be ",
         rule, " = ", formatVector(want, dim));
}
