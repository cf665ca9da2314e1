//===- Error.h - Internal error reporting ---------------------*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Inside the library, validation failures throw scn::rt::Error; every C
/// entry point runs its body through guardCall(), which turns exceptions into
/// a status and a thread-local message prefixed with the function name. No
/// exception crosses the C ABI. Never throw inside a parallel region: collect
/// the failure and throw after it.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_ERROR_H
#define SCN_RUNTIME_LIB_CPU_ERROR_H

#include "scn/Runtime/Status.h"

#include <cstdint>
#include <sstream>
#include <string>
#include <utility>

namespace scn::rt {

/// A failure with the status it maps to. The message does not include the
/// function name; guardCall() adds it.
class Error {
public:
  Error(scn_status_t status, std::string message)
      : status(status), message(std::move(message)) {}
  scn_status_t status;
  std::string message;
};

/// Builds a message from streamable pieces: fail(STATUS, "row ", r, " ...").
template <typename... Args>
[[noreturn]] void fail(scn_status_t status, const Args &...args) {
  std::ostringstream os;
  (os << ... << args);
  throw Error(status, os.str());
}

/// Records `message` as the calling thread's last error.
void setLastError(const char *function, const std::string &message);

/// Runs `body` and converts what it throws into a status and message.
template <typename Body>
scn_status_t guardCall(const char *function, Body &&body) noexcept {
  try {
    body();
    return SCN_OK;
  } catch (const Error &e) {
    setLastError(function, e.message);
    return e.status;
  } catch (const std::bad_alloc &) {
    setLastError(function, "out of memory");
    return SCN_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception &e) {
    setLastError(function, std::string("internal error: ") + e.what());
    return SCN_ERROR_INTERNAL;
  } catch (...) {
    setLastError(function, "internal error: unknown exception");
    return SCN_ERROR_INTERNAL;
  }
}

/// "12.3 MiB" for messages ("1536 bytes" under a MiB, which would read 0.0).
inline std::string formatBytes(uint64_t bytes) {
  if (bytes < (1 << 20))
    return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  return std::to_string(bytes / (1 << 20)) + "." +
         std::to_string((bytes % (1 << 20)) * 10 / (1 << 20)) + " MiB";
}

/// A vector for messages: "[v0, v1]".
inline std::string formatVector(const int64_t *v, int32_t n) {
  std::ostringstream os;
  os << "[";
  for (int32_t i = 0; i < n; ++i)
    os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

/// A site for messages: "(x0, x1, batch b)".
inline std::string formatSite(const int64_t *x, int32_t dim, int64_t batch) {
  std::ostringstream os;
  os << "(";
  for (int32_t i = 0; i < dim; ++i)
    os << x[i] << ", ";
  os << "batch " << batch << ")";
  return os.str();
}

/// Throws INVALID_ARGUMENT "<name> is null" when `p` is null.
inline void requireNonNull(const void *p, const char *name) {
  if (!p)
    fail(SCN_ERROR_INVALID_ARGUMENT, name, " is null");
}

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_ERROR_H
