//===- EnvironmentChoice.h - Two-way switches read from the environment ---===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The runtime's switches for timing a default against what it replaced
/// (SCN_RUNTIME_ROW_ORDER, SCN_RUNTIME_ROW_PACKING, SCN_GPU_GEOMETRY_STREAM,
/// SCN_RUNTIME_RUN_ARENA): a variable that is unset or names the default,
/// or names another choice; any other value is an error naming the
/// variable, not a silent default. The same for the tests' counts
/// (SCN_RUNTIME_FAIL_ALLOCATION, GeneratedCall.h).
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_ENVIRONMENTCHOICE_H
#define SCN_RUNTIME_LIB_CPU_ENVIRONMENTCHOICE_H

#include "Error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>

namespace scn::rt {

/// Which of `choices` the environment variable `name` names, as an index
/// (unset: 0, the first choice, which is the default); fails naming the
/// variable and the choices for any other value. Host only.
inline size_t environmentChoice(const char *name, std::initializer_list<const char *> choices) {
  const char *choice = std::getenv(name);
  if (!choice)
    return 0;
  size_t index = 0;
  std::string named; // "a" (the default), "b" nor "c"
  for (const char *candidate : choices) {
    if (std::strcmp(choice, candidate) == 0)
      return index;
    const char *before = index == 0 ? "" : index + 1 == choices.size() ? " nor " : ", ";
    named += before + ("\"" + std::string(candidate) + "\"") + (index == 0 ? " (the default)" : "");
    ++index;
  }
  fail(SCN_ERROR_INVALID_ARGUMENT, name, " = \"", choice, "\" is neither ", named);
}

/// Whether the environment variable `name` asks for `other` instead of
/// `usual` (unset or `usual`: no); fails naming the variable for any other
/// value. Host only.
inline bool environmentAsksFor(const char *name, const char *usual, const char *other) {
  return environmentChoice(name, {usual, other}) == 1;
}

/// The count the environment variable `name` gives (unset or empty:
/// `otherwise`); fails naming the variable for anything but a decimal
/// count. Host only.
inline size_t environmentCount(const char *name, size_t otherwise) {
  const char *text = std::getenv(name);
  if (!text || !*text)
    return otherwise;
  char *end = nullptr;
  errno = 0;
  const unsigned long long count = std::strtoull(text, &end, 10);
  if (errno || *end || *text == '-' || *text == '+' || *text == ' ')
    fail(SCN_ERROR_INVALID_ARGUMENT, name, " = \"", text, "\" is not a count");
  return size_t(count);
}

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_ENVIRONMENTCHOICE_H
