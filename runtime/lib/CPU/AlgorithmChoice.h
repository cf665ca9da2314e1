//===- AlgorithmChoice.h - Sorted or hash-table builders ---------*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// SCN_RUNTIME_ALGORITHMS=hash makes every builder take its hash-table
/// path: the CPU runtime's (SortedNumbering.h, SubmanifoldMap.cpp) and the
/// GPU maps' lookups (runtime/lib/CUDA/DeviceKeyTable.h). Benchmarks
/// compare the two; the unit tests run once each way. A header of its own
/// so that the GPU builders (compiled by nvcc too) read the same switch.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_ALGORITHMCHOICE_H
#define SCN_RUNTIME_LIB_CPU_ALGORITHMCHOICE_H

#include <cstdlib>
#include <cstring>

namespace scn::rt {

/// False when the environment sets SCN_RUNTIME_ALGORITHMS=hash.
inline bool sortedAlgorithmsAllowed() {
  const char *choice = std::getenv("SCN_RUNTIME_ALGORITHMS");
  return !choice || std::strcmp(choice, "hash") != 0;
}

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_ALGORITHMCHOICE_H
