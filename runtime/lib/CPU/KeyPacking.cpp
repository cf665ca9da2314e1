//===- KeyPacking.cpp - Key field layout ----------------------------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#include "KeyPacking.h"
#include "Error.h"

#include <algorithm>

using namespace scn::rt;

/// Bits per axis inside a block: 4^3 = 64-site blocks in 1-3 D, 2^D in
/// 4-6 D; above that blocks would be too large to help.
static int32_t blockBitsPerAxis(int32_t dim) {
  return dim <= 3 ? 2 : dim <= 6 ? 1 : 0;
}

KeyLayout::KeyLayout(int32_t dim, const int64_t *spatialSize,
                     int64_t batchSize)
    : dimension(dim) {
  auto maskOf = [](int32_t width) {
    return width >= 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
  };
  int32_t shift = 0;
  for (int32_t i = dim - 1; i >= 0; --i) {
    lowBits[i] = std::min(bitWidthOfRange(spatialSize[i]), blockBitsPerAxis(dim));
    lowMask[i] = maskOf(lowBits[i]);
    lowShift[i] = shift;
    shift += lowBits[i];
  }
  blockIndexBits = shift;
  for (int32_t i = dim - 1; i >= 0; --i) {
    int32_t width = bitWidthOfRange(spatialSize[i]) - lowBits[i];
    highMask[i] = maskOf(width);
    highShift[i] = shift;
    shift += width;
  }
  batchShift = shift;
  for (int32_t i = dim - 1, linear = 0; i >= 0; --i) {
    int32_t width = bitWidthOfRange(spatialSize[i]);
    linearShift[i] = linear;
    linearMask[i] = maskOf(width);
    linear += width;
  }
  bits = shift + bitWidthOfRange(batchSize);
  if (bits > 128) {
    std::ostringstream sizes;
    for (int32_t i = 0; i < dim; ++i)
      sizes << (i ? ", " : "") << spatialSize[i];
    fail(SCN_ERROR_OVERFLOW, "spatial size [", sizes.str(), "] with batch size ",
         batchSize, " needs ", bits,
         "-bit site keys; at most 128 bits are supported");
  }
}
