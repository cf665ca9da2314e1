//===- NpyReader.h - Minimal .npz / .npy reader for benchmarks -*- C++ -*-===//
//
// Part of the SCN compiler benchmarks.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Reads one array out of an .npz (a zip of .npy files). Only what the
/// benchmarks need: zip entries STORED (numpy.savez, not savez_compressed),
/// little-endian, C order. Throws std::runtime_error otherwise. Not part of
/// the runtime library. The compiler's reader (scn/Support/Npz.h, deflate
/// too) is an LLVM-based library; the runtime and its benchmarks build
/// without LLVM, hence this small separate reader.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_BENCH_RUNTIME_NPYREADER_H
#define SCN_BENCH_RUNTIME_NPYREADER_H

#include <cstdint>
#include <string>
#include <vector>

namespace scn::bench {

/// A loaded array: dtype descriptor (e.g. "<f4"), shape and raw bytes.
struct NpyArray {
  std::string descr;
  std::vector<int64_t> shape;
  std::vector<char> bytes;
};

/// Loads array `name` (without ".npy") from the .npz file at `path`.
NpyArray readNpzArray(const std::string &path, const std::string &name);

} // namespace scn::bench

#endif // SCN_BENCH_RUNTIME_NPYREADER_H
