//===- DeviceKeyTable.h - Site lookups of the GPU map builders --*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// How the map builders of DeviceSites.h find a site's row from its packed
/// key, two ways behind one `find(key)`:
///   - SortedLookup: binary search in a set's ascending keys (the default:
///     the keys are already sorted by the set's numbering, so it costs no
///     build);
///   - HashedLookup: a linear-probing hash table built for the map (one
///     compare-and-swap a site), then one or two probes a lookup instead of
///     about log2(sites) dependent reads.
/// SCN_RUNTIME_ALGORITHMS=hash picks the table, as it picks the CPU
/// runtime's hash builders; bench/gpu times W1 both ways in one call
/// (the issue asks for whichever measures faster). Why hand-written: the
/// table lives for one map build on the builders' stream and is read by our
/// own kernels; cuCollections is not packaged by Debian and brings a
/// second allocator.
///
/// Keys are below 2^63 (KeyLayout and Padded refuse more), so ~0 marks an
/// empty slot. As in the CPU's SiteTable, a key's slot is the hash
/// (KeyPacking.h's hashKey) of its key without the low kRunBits bits, plus
/// those bits: sites next to each other on the last axis, which a site's
/// neighbours at consecutive offsets are, land in consecutive slots and are
/// read by adjacent threads.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CUDA_DEVICEKEYTABLE_H
#define SCN_RUNTIME_LIB_CUDA_DEVICEKEYTABLE_H

#include "AlgorithmChoice.h"
#include "KeyPacking.h"

#include <cstdint>

#ifndef SCN_DEVICE
#ifdef __CUDACC__
#define SCN_DEVICE __device__
#else
#define SCN_DEVICE
#endif
#endif

namespace scn::rt::device {

/// Row of `key` in a set whose keys are ascending, or -1.
struct SortedLookup {
  const uint64_t *keys;
  const int32_t *rows;
  int64_t n;
  SCN_DEVICE int32_t find(uint64_t key) const {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
      int64_t mid = lo + (hi - lo) / 2;
      if (keys[mid] < key)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo < n && keys[lo] == key ? rows[lo] : -1;
  }
};

constexpr uint64_t kEmptySlot = ~uint64_t(0);
constexpr int32_t kRunBits = 2;

/// Row of `key` in a table built by KeyTable::build, or -1.
struct HashedLookup {
  const uint64_t *slots;
  const int32_t *slotRows;
  int32_t log2Capacity;
  SCN_DEVICE uint64_t home(uint64_t key) const {
    uint64_t run = hashKey(key >> kRunBits) >> (64 - log2Capacity);
    return (run + (key & ((uint64_t(1) << kRunBits) - 1))) & mask();
  }
  SCN_DEVICE uint64_t mask() const { return (uint64_t(1) << log2Capacity) - 1; }
  SCN_DEVICE int32_t find(uint64_t key) const {
    for (uint64_t s = home(key);; s = (s + 1) & mask()) {
      uint64_t k = slots[s];
      if (k == key)
        return slotRows[s];
      if (k == kEmptySlot)
        return -1;
    }
  }
};

/// One thread a key: claims the first empty slot from the key's home.
/// The keys of a set are distinct, so no slot is claimed twice for one
/// key, and a load factor of at most 1/2 ends every probe.
template <typename B> struct InsertKeys {
  const uint64_t *keys;
  const int32_t *rows;
  HashedLookup table;
  uint64_t *slots;
  int32_t *slotRows;
  SCN_DEVICE void operator()(int64_t i) const {
    const uint64_t key = keys[i];
    for (uint64_t s = table.home(key);; s = (s + 1) & table.mask())
      if (B::atomicCasU64(reinterpret_cast<unsigned long long *>(slots + s),
                          (unsigned long long)kEmptySlot,
                          (unsigned long long)key) == (unsigned long long)kEmptySlot) {
        slotRows[s] = rows[i];
        return;
      }
  }
};

struct FillSlots {
  uint64_t *slots;
  SCN_DEVICE void operator()(int64_t i) const { slots[i] = kEmptySlot; }
};

/// A hash table of the `n` distinct `keys` (each below 2^63) to `rows`,
/// owned by the caller for as long as lookups run on `stream`.
template <typename B> struct KeyTable {
  typename B::template Array<uint64_t> slots;
  typename B::template Array<int32_t> slotRows;
  HashedLookup lookup{};

  void build(const uint64_t *keys, const int32_t *rows, int64_t n, typename B::Stream stream) {
    int32_t log2 = 4;
    while ((int64_t(1) << log2) < 2 * n)
      ++log2;
    const int64_t capacity = int64_t(1) << log2;
    slots.resize(capacity, stream);
    slotRows.resize(capacity, stream);
    lookup = HashedLookup{slots.data(), slotRows.data(), log2};
    B::forEach(stream, capacity, FillSlots{slots.data()});
    B::forEach(stream, n, InsertKeys<B>{keys, rows, lookup, slots.data(), slotRows.data()});
  }
};

/// Calls `use(lookup)` with the lookup that SCN_RUNTIME_ALGORITHMS picks
/// over the set's ascending `keys` and their `rows`; the table, if any,
/// lives until `use` has queued its kernels.
template <typename B, typename Use>
void withLookup(const uint64_t *keys, const int32_t *rows, int64_t n, typename B::Stream stream,
                Use &&use) {
  if (!sortedAlgorithmsAllowed()) {
    KeyTable<B> table;
    table.build(keys, rows, n, stream);
    use(table.lookup);
  } else {
    use(SortedLookup{keys, rows, n});
  }
}

} // namespace scn::rt::device

#endif // SCN_RUNTIME_LIB_CUDA_DEVICEKEYTABLE_H
