//===- scn/Runtime/Runtime.hpp - C++ RAII layer over the C ABI -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Header-only C++17 wrappers for embedders: move-only owning handles
/// (scn::runtime::Sites, scn::runtime::KernelMap) that free their object, and
/// two error styles: the plain functions throw scn::runtime::Error, the
/// try* functions return scn::runtime::Expected<T> and never throw (except
/// std::bad_alloc from the wrapper itself).
///
/// \code
///   using namespace scn::runtime;
///   Sites in = Sites::fromCoords(3, {64, 64, 64}, coords.data(),
///                                SCN_INDEX_INT64, rows, SCN_INPUT_AVERAGE);
///   Sites down = in.downsample({2, 2, 2}, {2, 2, 2});
///   KernelMap conv = KernelMap::build(SCN_KMAP_STRIDED, in, down,
///                                     {2, 2, 2}, {2, 2, 2});
///   KernelMap deconv = conv.transpose();
/// \endcode
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_RUNTIME_HPP
#define SCN_RUNTIME_RUNTIME_HPP

#include "scn/Runtime/Runtime.h"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace scn::runtime {

/// A failed runtime call: its status and scn_last_error_message().
class Error : public std::runtime_error {
public:
  Error(scn_status_t status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  scn_status_t status() const { return status_; }

private:
  scn_status_t status_;
};

/// Throws Error when `status` is not SCN_OK.
inline void check(scn_status_t status) {
  if (status != SCN_OK)
    throw Error(status, scn_last_error_message());
}

/// A value or the status and message of the call that failed to make it.
template <typename T> class Expected {
public:
  Expected(T value) : value_(std::move(value)), status_(SCN_OK) {}
  Expected(scn_status_t status, std::string message)
      : status_(status), message_(std::move(message)) {}

  explicit operator bool() const { return status_ == SCN_OK; }
  scn_status_t status() const { return status_; }
  const std::string &message() const { return message_; }
  /// The value; throws Error when there is none.
  T &value() {
    if (status_ != SCN_OK)
      throw Error(status_, message_);
    return *value_;
  }
  T &operator*() { return value(); }
  T *operator->() { return &value(); }

private:
  std::optional<T> value_;
  scn_status_t status_;
  std::string message_;
};

namespace detail {
struct SitesDeleter {
  void operator()(scn_sites *s) const { scn_sites_free(s); }
};
struct KmapDeleter {
  void operator()(scn_kmap *m) const { scn_kmap_free(m); }
};
/// Runs `call(&handle)` and wraps the result.
template <typename T, typename Raw, typename Call>
Expected<T> makeExpected(Call &&call) {
  Raw raw = nullptr;
  scn_status_t status = call(&raw);
  if (status != SCN_OK)
    return Expected<T>(status, scn_last_error_message());
  return Expected<T>(T(raw));
}
} // namespace detail

/// Owning handle of an scn_sites_t.
class Sites {
public:
  Sites() = default;
  /// Takes ownership of `raw`.
  explicit Sites(scn_sites_t raw) : handle(raw) {}

  /// scn_sites_from_coords, with n_cols = dim + 1.
  static Expected<Sites> tryFromCoords(int32_t dim,
                                       const std::vector<int64_t> &spatial,
                                       const void *coords,
                                       scn_index_type_t type, int64_t rows,
                                       int32_t mode, int64_t batchSize = 0) {
    if (spatial.size() != size_t(dim))
      return Expected<Sites>(SCN_ERROR_INVALID_ARGUMENT,
                             "Sites::fromCoords: spatial size has " +
                                 std::to_string(spatial.size()) +
                                 " entries, dim is " + std::to_string(dim));
    return detail::makeExpected<Sites, scn_sites_t>([&](scn_sites_t *out) {
      return scn_sites_from_coords(dim, spatial.data(), coords, type, rows,
                                   dim + 1, mode, batchSize, out);
    });
  }
  static Sites fromCoords(int32_t dim, const std::vector<int64_t> &spatial,
                          const void *coords, scn_index_type_t type,
                          int64_t rows, int32_t mode, int64_t batchSize = 0) {
    return std::move(
        tryFromCoords(dim, spatial, coords, type, rows, mode, batchSize)
            .value());
  }

  /// scn_sites_downsample.
  Expected<Sites> tryDownsample(const std::vector<int64_t> &filter,
                                const std::vector<int64_t> &stride) const {
    if (auto bad = checkLengths(filter, stride))
      return std::move(*bad);
    return detail::makeExpected<Sites, scn_sites_t>([&](scn_sites_t *out) {
      return scn_sites_downsample(get(), filter.data(), stride.data(), out);
    });
  }
  Sites downsample(const std::vector<int64_t> &filter,
                   const std::vector<int64_t> &stride) const {
    return std::move(tryDownsample(filter, stride).value());
  }

  /// scn_sites_full.
  Expected<Sites> tryFull(const std::vector<int64_t> &filter,
                          const std::vector<int64_t> &stride) const {
    if (auto bad = checkLengths(filter, stride))
      return std::move(*bad);
    return detail::makeExpected<Sites, scn_sites_t>([&](scn_sites_t *out) {
      return scn_sites_full(get(), filter.data(), stride.data(), out);
    });
  }
  Sites full(const std::vector<int64_t> &filter,
             const std::vector<int64_t> &stride) const {
    return std::move(tryFull(filter, stride).value());
  }

  scn_sites_info_t info() const {
    scn_sites_info_t result;
    check(scn_sites_get_info(get(), &result));
    return result;
  }
  scn_merge_map_t mergeMap() const {
    scn_merge_map_t result;
    check(scn_sites_get_merge_map(get(), &result));
    return result;
  }
  /// Rows of sites given as [n, D+1] coordinates (-1 when absent).
  std::vector<int32_t> find(const std::vector<int64_t> &coords) const {
    int64_t width = info().dim + 1;
    std::vector<int32_t> rows(coords.size() / size_t(width));
    check(scn_sites_find(get(), coords.data(), int64_t(rows.size()),
                         rows.data()));
    return rows;
  }
  int64_t size() const { return info().num_sites; }

  scn_sites_t get() const { return handle.get(); }
  scn_sites_t release() { return handle.release(); }

private:
  std::optional<Expected<Sites>>
  checkLengths(const std::vector<int64_t> &filter,
               const std::vector<int64_t> &stride) const {
    size_t dim = size_t(info().dim);
    if (filter.size() == dim && stride.size() == dim)
      return std::nullopt;
    return Expected<Sites>(SCN_ERROR_INVALID_ARGUMENT,
                           "Sites: filter and stride need " +
                               std::to_string(dim) + " entries");
  }

  std::unique_ptr<scn_sites, detail::SitesDeleter> handle;
};

/// Owning handle of an scn_kmap_t.
class KernelMap {
public:
  KernelMap() = default;
  /// Takes ownership of `raw`.
  explicit KernelMap(scn_kmap_t raw) : handle(raw) {}

  /// scn_kmap_build. `stride` may be empty for SUBMANIFOLD.
  static Expected<KernelMap> tryBuild(scn_kmap_kind_t kind, const Sites &in,
                                      const Sites &out,
                                      const std::vector<int64_t> &filter,
                                      const std::vector<int64_t> &stride) {
    size_t dim = size_t(in.info().dim);
    if (filter.size() != dim || (!stride.empty() && stride.size() != dim))
      return Expected<KernelMap>(SCN_ERROR_INVALID_ARGUMENT,
                                 "KernelMap::build: filter and stride need " +
                                     std::to_string(dim) + " entries");
    return detail::makeExpected<KernelMap, scn_kmap_t>([&](scn_kmap_t *map) {
      return scn_kmap_build(kind, in.get(), out.get(), filter.data(),
                            stride.empty() ? nullptr : stride.data(), map);
    });
  }
  static KernelMap build(scn_kmap_kind_t kind, const Sites &in,
                         const Sites &out, const std::vector<int64_t> &filter,
                         const std::vector<int64_t> &stride = {}) {
    return std::move(tryBuild(kind, in, out, filter, stride).value());
  }

  /// scn_kmap_transpose.
  Expected<KernelMap> tryTranspose() const {
    return detail::makeExpected<KernelMap, scn_kmap_t>(
        [&](scn_kmap_t *map) { return scn_kmap_transpose(get(), map); });
  }
  KernelMap transpose() const { return std::move(tryTranspose().value()); }

  scn_kmap_info_t info() const {
    scn_kmap_info_t result;
    check(scn_kmap_get_info(get(), &result));
    return result;
  }

  scn_kmap_t get() const { return handle.get(); }
  scn_kmap_t release() { return handle.release(); }

private:
  std::unique_ptr<scn_kmap, detail::KmapDeleter> handle;
};

} // namespace scn::runtime

#endif // SCN_RUNTIME_RUNTIME_HPP
