//===- Npz.h - numpy .npy/.npz arrays ---------------------------*- C++ -*-===//
//
// Reading and writing numpy's array files, for scn-run and tests. A .npz is a
// zip archive of .npy files; members may be stored or deflated (np.savez or
// np.savez_compressed). We write stored members. Only little-endian numeric
// dtypes and unicode strings (for the golden files' JSON) are read.
//
// Written here rather than taken from a library: Debian has no C++ npz
// package (cnpy is not packaged), and the format is small: a zip central
// directory, a .npy header and raw data, with zlib for deflate.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_SUPPORT_NPZ_H
#define SCN_SUPPORT_NPZ_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace scn {

/// One numpy array: dtype, shape and little-endian data.
struct NpyArray {
  /// numpy dtype string without byte order: "f4", "f8", "i4", "i8", "u1",
  /// "b1", "U<n>" (unicode, n characters of 4 bytes).
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  int64_t numElements() const;
  size_t elementSize() const;
  /// The array as a UTF-32 string decoded to ASCII (0-d "U" arrays).
  std::string asString() const;
};

using NpzFile = std::map<std::string, NpyArray>;

/// Parses a .npy file.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);
/// Reads every member of a .npz file (names without the ".npy" suffix).
llvm::Expected<NpzFile> readNpz(llvm::StringRef path);
/// Writes a .npz file with stored (uncompressed) members.
llvm::Error writeNpz(llvm::StringRef path, const NpzFile &arrays);

} // namespace scn

#endif // SCN_SUPPORT_NPZ_H
