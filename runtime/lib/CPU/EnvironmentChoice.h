//===- EnvironmentChoice.h - Two-way switches read from the environment ---===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The runtime's switches for timing a default against what it replaced
/// (SCN_RUNTIME_ROW_ORDER, SCN_RUNTIME_ROW_PACKING, SCN_GPU_GEOMETRY_STREAM):
/// a variable that is unset or names the default, or names the other
/// choice; any other value is an error naming the variable, not a silent
/// default.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_ENVIRONMENTCHOICE_H
#define SCN_RUNTIME_LIB_CPU_ENVIRONMENTCHOICE_H

#include "Error.h"

#include <cstdlib>
#include <cstring>

namespace scn::rt {

/// Whether the environment variable `name` asks for `other` instead of
/// `usual` (unset or `usual`: no); fails naming the variable for any other
/// value. Host only.
inline bool environmentAsksFor(const char *name, const char *usual, const char *other) {
  const char *choice = std::getenv(name);
  if (!choice || std::strcmp(choice, usual) == 0)
    return false;
  if (std::strcmp(choice, other) == 0)
    return true;
  fail(SCN_ERROR_INVALID_ARGUMENT, name, " = \"", choice, "\" is neither \"", usual,
       "\" (the default) nor \"", other, "\"");
}

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_ENVIRONMENTCHOICE_H
