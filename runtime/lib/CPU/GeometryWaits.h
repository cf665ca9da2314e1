//===- GeometryWaits.h - how device geometry waits, from the environment -===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_GEOMETRYWAITS_H
#define SCN_RUNTIME_LIB_CPU_GEOMETRYWAITS_H

#include <cstdlib>
#include <cstring>

namespace scn::rt {

/// SCN_GPU_GEOMETRY_WAIT=host: device geometry as before the sixteenth
/// session, for timing the two and as a way back: every build waits on the
/// host (DeviceCodegen.cpp) and downsampled sets read their counts back as
/// they are built (GpuSites.cu). By default builds are fenced and derived
/// sets' counts stay on the GPU until asked.
inline bool geometryWaitsOnHost() {
  static const bool host = [] {
    const char *value = std::getenv("SCN_GPU_GEOMETRY_WAIT");
    return value && std::strcmp(value, "host") == 0;
  }();
  return host;
}

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_GEOMETRYWAITS_H
