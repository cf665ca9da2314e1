//===- KeyPacking.h - Packing (batch, coordinates) into keys --*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A site (batch b, x0..x{D-1}) packs into an unsigned integer key. Axis i
/// needs bitWidth(size_i - 1) bits and the batch bitWidth(B - 1). Keys of at
/// most 64 bits use uint64_t, up to 128 bits unsigned __int128; wider grids
/// are refused (SCN_ERROR_OVERFLOW), never truncated.
///
/// Field order: the LOW `blockBits` bits of every axis go to the bottom of
/// the key (the site's index inside a small block, e.g. 4x4x4 in 3-D), the
/// rest of each axis and the batch above them (the block's key). The hash
/// table hashes only the block key and adds the in-block index, so the
/// neighbours a convolution looks up sit in a few adjacent slots instead of
/// 27 random cache lines.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_KEYPACKING_H
#define SCN_RUNTIME_LIB_CPU_KEYPACKING_H

#include "scn/Runtime/Sites.h"

#include <cstdint>

#ifdef __CUDACC__
#define SCN_HOST_DEVICE __host__ __device__
#else
#define SCN_HOST_DEVICE
#endif

namespace scn::rt {

using Key128 = unsigned __int128;

/// Mixes a key into 64 well-spread bits (the top bits select a slot): the
/// CPU's site tables (SiteTable.h) and the GPU maps' (DeviceKeyTable.h).
SCN_HOST_DEVICE inline uint64_t hashKey(uint64_t k) {
  k ^= k >> 31;
  k *= 0x9E3779B97F4A7C15ULL;
  k ^= k >> 29;
  return k * 0xBF58476D1CE4E5B9ULL;
}

/// Number of bits needed to store every value of [0, n); 0 when n <= 1.
inline int32_t bitWidthOfRange(int64_t n) {
  int32_t bits = 0;
  for (uint64_t v = n > 0 ? static_cast<uint64_t>(n - 1) : 0; v; v >>= 1)
    ++bits;
  return bits;
}

/// Shifts that give 0 when every bit is shifted out: a field of width 0 at
/// the top of a full 64-bit key sits at shift 64, where `<<` is undefined.
template <typename KeyT> KeyT shiftLeft(KeyT v, int32_t s) {
  return s >= int32_t(sizeof(KeyT) * 8) ? KeyT(0) : KeyT(v << s);
}
template <typename KeyT> KeyT shiftRight(KeyT v, int32_t s) {
  return s >= int32_t(sizeof(KeyT) * 8) ? KeyT(0) : KeyT(v >> s);
}

/// Field layout of the keys of one grid (dimension, spatial size, batch).
class KeyLayout {
public:
  KeyLayout() = default;

  /// Builds the layout; throws SCN_ERROR_OVERFLOW past 128 bits. Sizes must
  /// already be validated (>= 1).
  KeyLayout(int32_t dim, const int64_t *spatialSize, int64_t batchSize);

  int32_t dim() const { return dimension; }
  int32_t totalBits() const { return bits; }
  /// True when keys fit uint64_t.
  bool isNarrow() const { return bits <= 64; }
  /// Number of low key bits that index a site inside its block.
  int32_t localBits() const { return blockIndexBits; }

  /// Packs coordinates `x` [D] and batch `b`, all in range.
  template <typename KeyT> KeyT pack(const int64_t *x, int64_t b) const {
    KeyT key = shiftLeft(static_cast<KeyT>(static_cast<uint64_t>(b)), batchShift);
    for (int32_t i = 0; i < dimension; ++i) {
      uint64_t v = static_cast<uint64_t>(x[i]);
      key |= shiftLeft(static_cast<KeyT>(v >> lowBits[i]), highShift[i]);
      key |= static_cast<KeyT>(v & lowMask[i]) << lowShift[i];
    }
    return key;
  }

  /// Unpacks a key into coordinates `x` [D] and returns the batch.
  template <typename KeyT> int64_t unpack(KeyT key, int64_t *x) const {
    for (int32_t i = 0; i < dimension; ++i) {
      uint64_t high = static_cast<uint64_t>(shiftRight(key, highShift[i])) & highMask[i];
      uint64_t low = static_cast<uint64_t>(key >> lowShift[i]) & lowMask[i];
      x[i] = static_cast<int64_t>((high << lowBits[i]) | low);
    }
    return static_cast<int64_t>(static_cast<uint64_t>(shiftRight(key, batchShift)));
  }

  /// Row-major packing with the same field widths, batch highest, then
  /// x0, ..., x{D-1}: integer order is lexicographic (batch, x0, ...), which
  /// sorted numbering (SortedNumbering.h) relies on. Keys of at most 63 bits.
  uint64_t packLinear(const int64_t *x, int64_t b) const {
    uint64_t key = shiftLeft(static_cast<uint64_t>(b), batchShift);
    for (int32_t i = 0; i < dimension; ++i)
      key |= static_cast<uint64_t>(x[i]) << linearShift[i];
    return key;
  }
  /// The fields of packLinear, for code that packs elsewhere (the GPU).
  int32_t linearShiftOf(int32_t i) const { return linearShift[i]; }
  uint64_t linearMaskOf(int32_t i) const { return linearMask[i]; }
  int32_t batchShiftOf() const { return batchShift; }
  int64_t unpackLinear(uint64_t key, int64_t *x) const {
    for (int32_t i = 0; i < dimension; ++i)
      x[i] = static_cast<int64_t>((key >> linearShift[i]) & linearMask[i]);
    return static_cast<int64_t>(shiftRight(key, batchShift));
  }

private:
  int32_t dimension = 0;
  int32_t bits = 0;
  int32_t batchShift = 0;
  int32_t blockIndexBits = 0;
  int32_t lowBits[SCN_MAX_DIMENSION] = {};
  int32_t lowShift[SCN_MAX_DIMENSION] = {};
  int32_t highShift[SCN_MAX_DIMENSION] = {};
  uint64_t lowMask[SCN_MAX_DIMENSION] = {};
  uint64_t highMask[SCN_MAX_DIMENSION] = {};
  int32_t linearShift[SCN_MAX_DIMENSION] = {};
  uint64_t linearMask[SCN_MAX_DIMENSION] = {};
};

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_KEYPACKING_H
