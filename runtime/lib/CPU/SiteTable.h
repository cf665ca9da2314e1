//===- SiteTable.h - Concurrent open-addressing site hash table -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The hash map from packed site key to row. Why hand-written: building it is
/// the hot part of every site set, and it must be filled by all cores at
/// once and give the same result for any thread count. A lock-free linear
/// probing table on packed keys does both: a slot is claimed with one CAS,
/// and a key inserted several times keeps the SMALLEST candidate id (an
/// atomic min), which is what "order of first appearance" needs. After the
/// build the tags are renumbered to site rows and the table is read-only.
/// bench/runtime compares it with std::unordered_map (see its README).
///
/// A slot's tag is kEmpty, kBusy (claimed, key being written) or a candidate
/// id / row >= 0. The key is published by the release store of the tag, so
/// readers only look at keys of slots whose tag is >= 0.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_SITETABLE_H
#define SCN_RUNTIME_LIB_CPU_SITETABLE_H

#include "KeyPacking.h"
#include "Threading.h"

#include <atomic>
#include <cstdint>
#include <memory>

namespace scn::rt {

/// A 128-bit key mixed by KeyPacking.h's hashKey of its halves.
inline uint64_t hashKey(Key128 k) {
  return hashKey(static_cast<uint64_t>(k) ^
                 hashKey(uint64_t(static_cast<uint64_t>(k >> 64) + 0x632BE59BD9B4E019ULL)));
}

template <typename KeyT> class SiteTable {
public:
  using KeyType = KeyT;
  static constexpr int64_t kEmpty = -1;
  static constexpr int64_t kBusy = -2;

  /// Drops the contents and makes room for `maxKeys` distinct keys at a load
  /// factor of at most 1/2. The low `localBits` bits of a key are its index
  /// inside a block (KeyLayout::localBits()): they are added to the hash of
  /// the rest, so the sites of one block share a run of slots.
  void reset(int64_t maxKeys, int32_t localBits) {
    blockBits = localBits;
    int32_t log2 = 4;
    while ((int64_t(1) << log2) < 2 * maxKeys)
      ++log2;
    slots.reset(new Slot[size_t(1) << log2]);
    capacityLog2 = log2;
    mask = (uint64_t(1) << log2) - 1;
    parallelFor(capacity(), 1 << 16, [&](int64_t i) {
      slots[i].tag.store(kEmpty, std::memory_order_relaxed);
    });
  }

  int64_t capacity() const { return slots ? int64_t(mask) + 1 : 0; }
  int64_t memoryBytes() const { return capacity() * int64_t(sizeof(Slot)); }

  /// Inserts `key` with candidate id `id` >= 0, keeping the smallest id of a
  /// key. Thread-safe against other inserts. Returns the slot index.
  int64_t insertMin(KeyT key, int64_t id) {
    uint64_t i = home(key);
    for (;;) {
      Slot &slot = slots[i];
      int64_t tag = slot.tag.load(std::memory_order_acquire);
      if (tag == kEmpty) {
        if (slot.tag.compare_exchange_strong(tag, kBusy,
                                             std::memory_order_acquire)) {
          slot.key = key;
          slot.tag.store(id, std::memory_order_release);
          return int64_t(i);
        }
      }
      while (tag == kBusy)
        tag = slot.tag.load(std::memory_order_acquire);
      if (slot.key == key) {
        while (id < tag && !slot.tag.compare_exchange_weak(
                               tag, id, std::memory_order_acq_rel))
          ;
        return int64_t(i);
      }
      i = (i + 1) & mask;
    }
  }

  /// Returns the tag of `key`, or -1. Only once no insert is running.
  int64_t find(KeyT key) const {
    uint64_t i = home(key);
    for (;;) {
      const Slot &slot = slots[i];
      int64_t tag = slot.tag.load(std::memory_order_relaxed);
      if (tag < 0 || slot.key == key)
        return tag;
      i = (i + 1) & mask;
    }
  }

  /// Hints the cache about a coming find(key).
  void prefetch(KeyT key) const { __builtin_prefetch(&slots[home(key)]); }

  /// Tag and key of slot `i` (tag < 0: empty).
  int64_t tagAt(int64_t i) const {
    return slots[i].tag.load(std::memory_order_relaxed);
  }
  KeyT keyAt(int64_t i) const { return slots[i].key; }
  void setTagAt(int64_t i, int64_t tag) {
    slots[i].tag.store(tag, std::memory_order_relaxed);
  }

private:
  struct Slot {
    KeyT key;
    std::atomic<int64_t> tag;
  };

  uint64_t home(KeyT key) const {
    uint64_t local =
        static_cast<uint64_t>(key) & ((uint64_t(1) << blockBits) - 1);
    uint64_t block = hashKey(KeyT(key >> blockBits)) >> (64 - capacityLog2);
    return (block + local) & mask;
  }

  std::unique_ptr<Slot[]> slots;
  uint64_t mask = 0;
  int32_t capacityLog2 = 4;
  int32_t blockBits = 0;
};

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_SITETABLE_H
