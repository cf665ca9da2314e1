//===- ArtifactFile.cpp - an artifact file checked before dlopen ----------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
// scn_artifact_check_file (Codegen.h). glibc's dlopen maps each loadable
// segment of a shared library at its file offset and touches the pages:
// a truncated file (an interrupted copy) kills the process with SIGBUS
// inside dlopen. Reading the ELF header and program headers first (glibc's
// <elf.h> layouts) turns that and a file for another machine into errors.
// Other damage (bytes changed in place) is not detected.
//
//===----------------------------------------------------------------------===//

#include "ArtifactFile.h"
#include "Error.h"

#include "scn/Runtime/Codegen.h"

#include <cerrno>
#include <cstring>
#include <elf.h>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace scn::rt;

namespace {

#if defined(__x86_64__)
constexpr int kMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr int kMachine = EM_AARCH64;
#else
constexpr int kMachine = EM_NONE; // not checked
#endif

} // namespace

void scn::rt::checkArtifactFile(const char *path) {
  requireNonNull(path, "path");
  // Before opening: opening a FIFO without a writer would block.
  struct stat info;
  if (::stat(path, &info) != 0)
    fail(SCN_ERROR_INVALID_ARGUMENT, "cannot open '", path, "': ", std::strerror(errno));
  if (!S_ISREG(info.st_mode))
    fail(SCN_ERROR_INVALID_ARGUMENT, "'", path, "' is not a regular file");
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file)
    fail(SCN_ERROR_INVALID_ARGUMENT, "cannot open '", path, "': ", std::strerror(errno));
  const std::streamoff end = file.tellg();
  if (end < 0)
    fail(SCN_ERROR_INVALID_ARGUMENT, "'", path, "' is not a regular file");
  const auto size = static_cast<uint64_t>(end);
  auto read = [&](uint64_t offset, void *into, uint64_t bytes, const char *what) {
    if (offset > size || bytes > size - offset)
      fail(SCN_ERROR_INVALID_ARGUMENT, "'", path, "' is truncated: its ", what, " ends at byte ",
           offset + bytes, " of ", size);
    file.seekg(static_cast<std::streamoff>(offset));
    if (!file.read(static_cast<char *>(into), static_cast<std::streamsize>(bytes)))
      fail(SCN_ERROR_INVALID_ARGUMENT, "cannot read '", path, "'");
  };
  Elf64_Ehdr header;
  if (size < sizeof(header))
    fail(SCN_ERROR_INVALID_ARGUMENT, "'", path, "' is not a shared library (", size, " bytes)");
  read(0, &header, sizeof(header), "ELF header");
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    fail(SCN_ERROR_INVALID_ARGUMENT, "'", path, "' is not a shared library (no ELF header)");
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB ||
      header.e_type != ET_DYN)
    fail(SCN_ERROR_INVALID_ARGUMENT, "'", path,
         "' is not a 64-bit little-endian shared library");
  if (kMachine != EM_NONE && header.e_machine != kMachine)
    fail(SCN_ERROR_INVALID_ARGUMENT, "'", path, "' was built for another machine (ELF machine ",
         header.e_machine, ", this one is ", kMachine, ")");
  // PN_XNUM (more than 65534 segments, the count elsewhere) is no linker's
  // output for an artifact: refused rather than half-checked.
  if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum == PN_XNUM)
    fail(SCN_ERROR_INVALID_ARGUMENT, "'", path, "' has malformed program headers");
  std::vector<Elf64_Phdr> segments(header.e_phnum);
  read(header.e_phoff, segments.data(), uint64_t(header.e_phnum) * sizeof(Elf64_Phdr),
       "program header table");
  for (size_t i = 0; i < segments.size(); ++i) {
    const Elf64_Phdr &s = segments[i];
    if (s.p_type != PT_LOAD && s.p_type != PT_DYNAMIC)
      continue;
    if (s.p_offset > size || s.p_filesz > size - s.p_offset)
      fail(SCN_ERROR_INVALID_ARGUMENT, "'", path, "' is truncated: its segment ", i,
           " ends at byte ", s.p_offset + s.p_filesz, " of ", size);
  }
}

extern "C" scn_status_t scn_artifact_check_file(const char *path) {
  return guardCall("scn_artifact_check_file", [&] { checkArtifactFile(path); });
}
