//===- Error.cpp - Status names and the thread-local message --------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#include "Error.h"

namespace {
/// The last failure of this thread; "" until one happens.
thread_local std::string lastErrorMessage;
} // namespace

void scn::rt::setLastError(const char *function, const std::string &message) {
  try {
    // An empty name: the message names its subject itself (scn_model_run).
    lastErrorMessage = *function ? std::string(function) + ": " + message : message;
  } catch (...) {
    // Out of memory while reporting: keep whatever message fits.
    lastErrorMessage.clear();
  }
}

extern "C" const char *scn_last_error_message(void) {
  return lastErrorMessage.c_str();
}

extern "C" const char *scn_status_name(scn_status_t status) {
  switch (status) {
  case SCN_OK:
    return "SCN_OK";
  case SCN_ERROR_INVALID_ARGUMENT:
    return "SCN_ERROR_INVALID_ARGUMENT";
  case SCN_ERROR_OUT_OF_RANGE:
    return "SCN_ERROR_OUT_OF_RANGE";
  case SCN_ERROR_OVERFLOW:
    return "SCN_ERROR_OVERFLOW";
  case SCN_ERROR_OUT_OF_MEMORY:
    return "SCN_ERROR_OUT_OF_MEMORY";
  case SCN_ERROR_INTERNAL:
    return "SCN_ERROR_INTERNAL";
  case SCN_ERROR_NO_DEVICE:
    return "SCN_ERROR_NO_DEVICE";
  case SCN_ERROR_DEVICE:
    return "SCN_ERROR_DEVICE";
  }
  return "SCN_ERROR_UNKNOWN";
}
