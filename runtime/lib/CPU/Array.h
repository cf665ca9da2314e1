//===- Array.h - Uninitialised heap arrays --------------------*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// std::vector zero-fills on one thread; the runtime's big arrays are filled
/// in parallel right after allocation, so they are allocated uninitialised.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_ARRAY_H
#define SCN_RUNTIME_LIB_CPU_ARRAY_H

#include "MemoryPool.h"

#include <cstdint>
#include <type_traits>
#include <utility>

namespace scn::rt {

/// Blocks come from the pool (MemoryPool.h), so a run that follows another
/// reuses its pages instead of faulting fresh ones in.
template <typename T> class Array {
  static_assert(std::is_trivially_copyable_v<T>, "Array holds plain data");

public:
  Array() = default;
  explicit Array(int64_t n) { resize(n); }
  Array(Array &&other) noexcept { *this = std::move(other); }
  Array &operator=(Array &&other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    return *this;
  }
  Array(const Array &) = delete;
  Array &operator=(const Array &) = delete;
  ~Array() { poolRelease(data_, bytesOf(size_)); }

  /// Reallocates to `n` uninitialised elements.
  void resize(int64_t n) {
    poolRelease(data_, bytesOf(size_));
    data_ = nullptr;
    size_ = 0;
    if (n > 0) {
      data_ = static_cast<T *>(poolAllocate(bytesOf(n)));
      size_ = n;
    }
  }
  T *data() { return data_; }
  const T *data() const { return data_; }
  int64_t size() const { return size_; }
  int64_t bytes() const { return size_ * int64_t(sizeof(T)); }
  T &operator[](int64_t i) { return data_[i]; }
  const T &operator[](int64_t i) const { return data_[i]; }

private:
  static size_t bytesOf(int64_t n) { return size_t(n) * sizeof(T); }
  T *data_ = nullptr;
  int64_t size_ = 0;
};

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_ARRAY_H
