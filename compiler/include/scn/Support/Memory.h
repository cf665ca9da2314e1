//===- Memory.h - Large allocations that may be refused ---------*- C++ -*-===//
//
// Part of the SCN compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The compiler's code is built without exceptions, and LLVM's tools make a
/// failed operator new abort the process (InitLLVM's handler). Where a size
/// comes from the user's data (an input file's arrays, a network's
/// outputs), it is asked of malloc first, so that a size the system refuses
/// becomes an error that names it.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_SUPPORT_MEMORY_H
#define SCN_SUPPORT_MEMORY_H

#include <cstddef>
#include <cstdlib>

namespace scn {

/// Whether malloc gives `bytes` now (what it gave is freed at once). The
/// pointer goes through a volatile: a compiler may otherwise fold a
/// malloc/free pair whose result is only compared with null (clang does).
inline bool systemGives(size_t bytes) {
  void *volatile probe = std::malloc(bytes);
  const bool given = probe != nullptr;
  std::free(probe);
  return given || bytes == 0;
}

} // namespace scn

#endif // SCN_SUPPORT_MEMORY_H
