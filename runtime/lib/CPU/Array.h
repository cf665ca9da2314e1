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

#include <cstdint>
#include <memory>

namespace scn::rt {

template <typename T> class Array {
public:
  Array() = default;
  explicit Array(int64_t n) { resize(n); }

  /// Reallocates to `n` uninitialised elements.
  void resize(int64_t n) {
    data_.reset(n > 0 ? new T[size_t(n)] : nullptr);
    size_ = n > 0 ? n : 0;
  }
  T *data() { return data_.get(); }
  const T *data() const { return data_.get(); }
  int64_t size() const { return size_; }
  int64_t bytes() const { return size_ * int64_t(sizeof(T)); }
  T &operator[](int64_t i) { return data_[i]; }
  const T &operator[](int64_t i) const { return data_[i]; }

private:
  std::unique_ptr<T[]> data_;
  int64_t size_ = 0;
};

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_ARRAY_H
