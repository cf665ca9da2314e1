//===- scn/Runtime/Runtime.hpp - C++ RAII layer over the C ABI -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Header-only C++17 wrappers for embedders: move-only owning handles
/// (scn::runtime::Sites, KernelMap, Model, Result) that free their object, and
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
///
///   Model net = Model::load("net.so");            // scn-compile's artifact
///   std::vector<Result> out = net.run({tensorView(coords.data(), {n, 4}),
///                                      tensorView(features.data(), {n, 1})});
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
#include <type_traits>
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

//===----------------------------------------------------------------------===//
// Compiled networks (scn/Runtime/Model.h)
//===----------------------------------------------------------------------===//

/// An array for Model::run: a view of the caller's row-major data.
template <typename T> scn_tensor_t tensorView(const T *data, const std::vector<int64_t> &shape) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, int64_t> ||
                    std::is_same_v<T, int32_t>,
                "networks take f32, i64 and i32 arrays");
  scn_tensor_t t{};
  t.data = const_cast<T *>(data);
  t.dtype = std::is_same_v<T, float>     ? SCN_DTYPE_F32
            : std::is_same_v<T, int64_t> ? SCN_DTYPE_I64
                                         : SCN_DTYPE_I32;
  t.rank = int32_t(shape.size());
  for (size_t d = 0; d < shape.size() && d < SCN_MAX_TENSOR_RANK; ++d)
    t.shape[d] = shape[d];
  return t;
}

/// An array a network returned; owns its memory (scn_result_free).
class Result {
public:
  explicit Result(const scn_tensor_t &raw) : tensor(raw) {}
  Result(Result &&other) noexcept : tensor(other.tensor) { other.tensor.data = nullptr; }
  Result &operator=(Result &&other) noexcept {
    std::swap(tensor, other.tensor);
    return *this;
  }
  Result(const Result &) = delete;
  Result &operator=(const Result &) = delete;
  ~Result() { scn_result_free(tensor.data); }

  scn_dtype_t dtype() const { return tensor.dtype; }
  std::vector<int64_t> shape() const {
    return std::vector<int64_t>(tensor.shape, tensor.shape + tensor.rank);
  }
  int64_t numElements() const {
    int64_t n = 1;
    for (int32_t d = 0; d < tensor.rank; ++d)
      n *= tensor.shape[d];
    return n;
  }
  /// The elements; throws Error when T is not the array's type.
  template <typename T> const T *data() const {
    if (tensorView<T>(nullptr, {}).dtype != tensor.dtype)
      throw Error(SCN_ERROR_INVALID_ARGUMENT, "Result::data: the array's type is another");
    return static_cast<const T *>(tensor.data);
  }

private:
  scn_tensor_t tensor;
};

/// A loaded scn-compile artifact (scn_model_load).
class Model {
public:
  Model() = default;
  /// Takes ownership of `raw`.
  explicit Model(scn_model_t raw) : handle(raw) {}

  static Expected<Model> tryLoad(const std::string &path) {
    return detail::makeExpected<Model, scn_model_t>(
        [&](scn_model_t *out) { return scn_model_load(path.c_str(), out); });
  }
  static Model load(const std::string &path) { return std::move(tryLoad(path).value()); }

  std::vector<scn_tensor_info_t> inputs() const {
    return describe(scn_model_num_inputs(get()), scn_model_input_info);
  }
  std::vector<scn_tensor_info_t> outputs() const {
    return describe(scn_model_num_outputs(get()), scn_model_output_info);
  }
  /// "cpu" or "cuda".
  std::string target() const {
    const char *name = scn_model_target(get());
    return name ? name : "";
  }
  void setReuseGeometry(bool reuse) { check(scn_model_set_reuse_geometry(get(), reuse)); }
  /// The block the model keeps for its network's buffers, and how its
  /// calls used it (scn_model_memory_info).
  scn_model_memory_info_t memoryInfo() const {
    scn_model_memory_info_t info{};
    check(scn_model_memory_info(get(), &info));
    return info;
  }

  /// scn_model_run: the outputs, in the order of outputs().
  Expected<std::vector<Result>> tryRun(const std::vector<scn_tensor_t> &in) const {
    std::vector<scn_tensor_t> raw(static_cast<size_t>(scn_model_num_outputs(get())));
    // Room for the results first: nothing may throw once the run has
    // handed them over.
    std::vector<Result> results;
    results.reserve(raw.size());
    scn_status_t status = scn_model_run(get(), in.data(), int32_t(in.size()), raw.data(),
                                        int32_t(raw.size()));
    if (status != SCN_OK)
      return Expected<std::vector<Result>>(status, scn_last_error_message());
    for (const scn_tensor_t &t : raw)
      results.emplace_back(t);
    return Expected<std::vector<Result>>(std::move(results));
  }
  std::vector<Result> run(const std::vector<scn_tensor_t> &in) const {
    return std::move(tryRun(in).value());
  }

  scn_model_t get() const { return handle.get(); }

private:
  template <typename Info>
  std::vector<scn_tensor_info_t> describe(int32_t count, Info info) const {
    std::vector<scn_tensor_info_t> all(static_cast<size_t>(count));
    for (int32_t i = 0; i < count; ++i)
      check(info(get(), i, &all[size_t(i)]));
    return all;
  }
  struct Deleter {
    void operator()(scn_model *m) const { scn_model_free(m); }
  };
  std::unique_ptr<scn_model, Deleter> handle;
};

} // namespace scn::runtime

#endif // SCN_RUNTIME_RUNTIME_HPP
