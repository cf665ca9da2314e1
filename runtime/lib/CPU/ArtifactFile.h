//===- ArtifactFile.h - an artifact file checked before dlopen --*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_ARTIFACTFILE_H
#define SCN_RUNTIME_LIB_CPU_ARTIFACTFILE_H

namespace scn::rt {

/// Throws Error (INVALID_ARGUMENT) unless `path` is an ELF shared library
/// of this machine whose segments lie within the file (ArtifactFile.cpp).
void checkArtifactFile(const char *path);

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_ARTIFACTFILE_H
