//===- HostBackend.h - DeviceSites.h's primitives on the CPU ----*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The data-parallel primitives of DeviceSites.h, run sequentially on the
/// host: forEach and forEachGroup are loops, the radix sort std::stable_sort, the scan
/// std::inclusive_scan. Not part of the library: the unit tests build the
/// device builders with it, so that their logic is checked against the CPU
/// runtime on machines without a GPU (only the CUDA primitives and the
/// parallel execution are left to the GPU tests).
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CUDA_HOSTBACKEND_H
#define SCN_RUNTIME_LIB_CUDA_HOSTBACKEND_H

#include "RowPacking.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

namespace scn::rt::device {

struct HostBackend {
  using Stream = void *;

  template <typename T> class Array {
  public:
    Array() = default;
    Array(int64_t n, Stream) { resize(n, nullptr); }
    void resize(int64_t n, Stream) {
      // Garbage, not zeros, as cudaMallocAsync gives: a builder that reads
      // what it never wrote should fail the tests, not pass by luck.
      values.assign(size_t(std::max<int64_t>(n, 0)), poison());
    }
    T *data() { return values.empty() ? nullptr : values.data(); }
    const T *data() const { return values.empty() ? nullptr : values.data(); }
    int64_t size() const { return int64_t(values.size()); }

  private:
    static T poison() {
      T v;
      std::memset(&v, 0x5a, sizeof v);
      return v;
    }
    std::vector<T> values;
  };

  template <typename F> static void forEach(Stream, int64_t n, F f) {
    for (int64_t i = 0; i < n; ++i)
      f(i);
  }
  /// One lane a group (RowPacking.h's SerialGroup).
  template <typename F> static void forEachGroup(Stream, int64_t n, F f) {
    for (int64_t i = 0; i < n; ++i)
      f(SerialGroup{}, i);
  }
  /// Stable, by the low `endBit` bits of the keys (as CUB's radix sort).
  static void sortPairs(const uint64_t *keysIn, uint64_t *keysOut, const int32_t *idsIn,
                        int32_t *idsOut, int64_t m, int endBit, Stream) {
    uint64_t mask = endBit >= 64 ? ~uint64_t(0) : (uint64_t(1) << endBit) - 1;
    std::vector<int64_t> order(static_cast<size_t>(m));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return (keysIn[a] & mask) < (keysIn[b] & mask);
    });
    for (int64_t i = 0; i < m; ++i) {
      keysOut[i] = keysIn[order[i]];
      idsOut[i] = idsIn[order[i]];
    }
  }
  template <typename T> static void inclusiveSum(const T *in, T *out, int64_t m, Stream) {
    std::inclusive_scan(in, in + m, out);
  }
  /// A site count left for later: the loop that writes it has run.
  struct CountWord {
    int32_t value = -1;
  };
  static int32_t *countWord(CountWord &word) { return &word.value; }
  static void countQueued(CountWord &, Stream) {}
  static int64_t readCount(CountWord &word, Stream) { return word.value; }
  static bool countOrders(const CountWord &, Stream) { return true; }
  template <typename T> static T readBack(const T *p, Stream) { return *p; }
  static void copyToHost(void *host, const void *device, size_t bytes, Stream) {
    std::memcpy(host, device, bytes);
  }
  static void checkLaunches(const char *) {}

  static void atomicMinU64(unsigned long long *p, unsigned long long v) { *p = std::min(*p, v); }
  static void atomicMaxI64(long long *p, long long v) { *p = std::max(*p, v); }
  static void atomicMinI64(long long *p, long long v) { *p = std::min(*p, v); }
  static void atomicAddI32(int32_t *p, int32_t v) { *p += v; }
  static unsigned long long atomicCasU64(unsigned long long *p, unsigned long long expected,
                                         unsigned long long desired) {
    unsigned long long old = *p;
    if (old == expected)
      *p = desired;
    return old;
  }
};

} // namespace scn::rt::device

#endif // SCN_RUNTIME_LIB_CUDA_HOSTBACKEND_H
