//===- deploy.cpp - a compiled network in a C++ program, no Python --------===//
//
// What a deployment looks like: `scn-compile net.mlir -o net.so` on the
// build machine, then a program that links libscn_runtime alone (no LLVM,
// no Python) loads net.so and calls it on its own arrays through the C++
// layer of scn/Runtime/Model.h.
//
//   scn-example-deploy net.so [--extent N] [--points N] [--repeat N]
//                             [--reuse-geometry] [--write DIR]
//
// The network must take coordinates [N, D + 1] (i64, batch last) and
// features [N, C] (f32), as every network scn.compile or spec_to_mlir.py
// writes does. The example makes its own input: points on D-dimensional
// circles inside a grid of `--extent` cells a side (the network's spatial
// size or less), one sample. It prints the network's signature, each
// output's shape and sum, and the median time per call; `--write DIR` also
// writes the input and output arrays as raw files (name.f32 / name.i64)
// for a test to compare with another path.
//
//===----------------------------------------------------------------------===//

#include "scn/Runtime/Runtime.hpp"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <malloc.h>
#include <set>
#include <string>
#include <vector>

using namespace scn::runtime;

namespace {

const char *dtypeName(scn_dtype_t dtype) {
  return dtype == SCN_DTYPE_F32 ? "f32" : dtype == SCN_DTYPE_I64 ? "i64" : "i32";
}

std::string shapeText(const int64_t *shape, int32_t rank) {
  std::string text = "[";
  for (int32_t d = 0; d < rank; ++d)
    text += (d ? ", " : "") + (shape[d] < 0 ? std::string("?") : std::to_string(shape[d]));
  return text + "]";
}

/// Sites on circles in the first two dimensions (rings at several radii, as
/// a LiDAR sweep looks from above), repeated along the others: distinct
/// cells of [0, extent)^dim, batch 0, each with one feature per channel.
void makeInput(int64_t dim, int64_t channels, int64_t extent, int64_t points,
               std::vector<int64_t> &coords, std::vector<float> &features) {
  std::set<std::vector<int64_t>> taken; // one row a site
  const double centre = (extent - 1) / 2.0;
  for (int64_t i = 0; i < points; ++i) {
    double angle = 2 * M_PI * double(i) / double(points) * 7.0;
    double radius = centre * (0.3 + 0.6 * double(i % 5) / 4.0);
    std::vector<int64_t> site(size_t(dim), 0);
    site[0] = int64_t(std::lround(centre + radius * std::cos(angle)));
    if (dim > 1)
      site[1] = int64_t(std::lround(centre + radius * std::sin(angle)));
    for (int64_t d = 2; d < dim; ++d)
      site[size_t(d)] = (i * 7 + d) % extent;
    if (!taken.insert(site).second)
      continue;
    coords.insert(coords.end(), site.begin(), site.end());
    coords.push_back(0); // batch
    for (int64_t c = 0; c < channels; ++c)
      features.push_back(float((i + c) % 3) * 0.5f + 0.25f);
  }
}

template <typename T>
void writeRaw(const std::string &dir, const std::string &name, const T *data, int64_t n) {
  // Names come from the artifact's manifest: none may leave the directory.
  if (name.find('/') != std::string::npos)
    throw Error(SCN_ERROR_INVALID_ARGUMENT, "will not write '" + name + "': a '/' in a name");
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.write(reinterpret_cast<const char *>(data), std::streamsize(n * int64_t(sizeof(T))));
  if (!out)
    throw Error(SCN_ERROR_INVALID_ARGUMENT, "cannot write " + dir + "/" + name);
}

/// The largest --extent, --points or --repeat.
constexpr long long kLargestValue = 10'000'000;

int usage() {
  std::fprintf(stderr, "usage: scn-example-deploy NET.so [--extent N] [--points N] "
                       "[--repeat N] [--reuse-geometry] [--write DIR]\n");
  return 2;
}

} // namespace

int runDeploy(int argc, char **argv);

int main(int argc, char **argv) {
  // Any failure past the arguments (an unwritable --write directory, out of
  // memory) is a message and exit status 1, not an uncaught exception.
  try {
    return runDeploy(argc, argv);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "scn-example-deploy: %s\n", e.what());
    return 1;
  }
}

int runDeploy(int argc, char **argv) {
  // The process's heap policy is the program's to set, not the runtime's:
  // glibc would map a network's large buffers afresh and fault them in at
  // every layer and call (bench/cpu/README.md, "Page faults of large
  // buffers": W3 C=64 1.8x faster kept in the heap).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  if (argc < 2)
    return usage();
  std::string path = argv[1], writeDir;
  int64_t extent = 16, points = 400, repeat = 1;
  bool reuse = false;
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    auto number = [&]() -> int64_t {
      if (i + 1 >= argc)
        throw Error(SCN_ERROR_INVALID_ARGUMENT, flag + " needs a value");
      char *end = nullptr;
      errno = 0;
      long long value = std::strtoll(argv[++i], &end, 10);
      if (!*argv[i] || *end)
        throw Error(SCN_ERROR_INVALID_ARGUMENT, flag + " needs an integer, not '" + argv[i] + "'");
      // Bounds that keep the made-up input and the loop of calls finite.
      if (errno == ERANGE || value > kLargestValue)
        throw Error(SCN_ERROR_INVALID_ARGUMENT,
                    flag + " is at most " + std::to_string(kLargestValue) + ", not " + argv[i]);
      return value;
    };
    try {
      if (flag == "--extent")
        extent = number();
      else if (flag == "--points")
        points = number();
      else if (flag == "--repeat")
        repeat = std::max<int64_t>(1, number());
      else if (flag == "--reuse-geometry")
        reuse = true;
      else if (flag == "--write" && i + 1 < argc)
        writeDir = argv[++i];
      else
        return usage();
      if (extent < 1 || points < 1)
        throw Error(SCN_ERROR_INVALID_ARGUMENT, "--extent and --points must be at least 1");
    } catch (const std::exception &e) {
      std::fprintf(stderr, "scn-example-deploy: %s\n", e.what());
      return 2;
    }
  }

  // Errors come back as Expected: a message, never a crash.
  Expected<Model> loaded = Model::tryLoad(path);
  if (!loaded) {
    std::fprintf(stderr, "scn-example-deploy: %s\n", loaded.message().c_str());
    return 1;
  }
  Model &net = *loaded;
  std::printf("%s: target %s\n", path.c_str(), net.target().c_str());
  std::vector<scn_tensor_info_t> inputs = net.inputs(), outputs = net.outputs();
  for (const scn_tensor_info_t &t : inputs)
    std::printf("  input  %-16s %s %s\n", t.name, dtypeName(t.dtype),
                shapeText(t.shape, t.rank).c_str());
  for (const scn_tensor_info_t &t : outputs)
    std::printf("  output %-16s %s %s\n", t.name, dtypeName(t.dtype),
                shapeText(t.shape, t.rank).c_str());
  if (inputs.size() != 2 || inputs[0].dtype != SCN_DTYPE_I64 || inputs[0].rank != 2 ||
      inputs[0].shape[1] < 2 || inputs[1].dtype != SCN_DTYPE_F32 || inputs[1].rank != 2 ||
      inputs[1].shape[1] < 1) {
    std::fprintf(stderr, "scn-example-deploy: this example feeds networks of coordinates "
                         "[N, D + 1] (i64) and features [N, C] (f32)\n");
    return 1;
  }
  const int64_t dim = inputs[0].shape[1] - 1, channels = inputs[1].shape[1];
  std::vector<int64_t> coords;
  std::vector<float> features;
  makeInput(dim, channels, extent, points, coords, features);
  const int64_t rows = int64_t(features.size()) / channels;
  std::printf("input: %lld sites in a grid of %lld cells a side\n", (long long)rows,
              (long long)extent);

  net.setReuseGeometry(reuse);
  std::vector<scn_tensor_t> arrays = {tensorView(coords.data(), {rows, dim + 1}),
                                      tensorView(features.data(), {rows, channels})};
  std::vector<double> times;
  std::vector<Result> results;
  for (int64_t r = 0; r < repeat; ++r) {
    auto start = std::chrono::steady_clock::now();
    Expected<std::vector<Result>> run = net.tryRun(arrays);
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    if (!run) {
      // A bad input names the op and the value (a coordinate outside the
      // grid, a NaN feature).
      std::fprintf(stderr, "scn-example-deploy: %s\n", run.message().c_str());
      return 1;
    }
    results = std::move(*run);
  }
  for (size_t o = 0; o < results.size(); ++o) {
    const Result &out = results[o];
    double sum = 0;
    for (int64_t i = 0; i < out.numElements(); ++i)
      sum += out.dtype() == SCN_DTYPE_F32   ? double(out.data<float>()[i])
             : out.dtype() == SCN_DTYPE_I64 ? double(out.data<int64_t>()[i])
                                            : double(out.data<int32_t>()[i]);
    std::vector<int64_t> shape = out.shape();
    std::printf("output %s: shape %s, sum %.6g\n", outputs[o].name,
                shapeText(shape.data(), int32_t(shape.size())).c_str(), sum);
    if (!writeDir.empty()) {
      std::string name = outputs[o].name;
      if (out.dtype() == SCN_DTYPE_F32)
        writeRaw(writeDir, name + ".f32", out.data<float>(), out.numElements());
      else if (out.dtype() == SCN_DTYPE_I64)
        writeRaw(writeDir, name + ".i64", out.data<int64_t>(), out.numElements());
      else
        writeRaw(writeDir, name + ".i32", out.data<int32_t>(), out.numElements());
    }
  }
  if (!writeDir.empty()) {
    writeRaw(writeDir, std::string(inputs[0].name) + ".i64", coords.data(), int64_t(coords.size()));
    writeRaw(writeDir, std::string(inputs[1].name) + ".f32", features.data(),
             int64_t(features.size()));
  }
  std::sort(times.begin(), times.end());
  std::printf("%lld call(s), median %.3f ms%s\n", (long long)repeat, times[times.size() / 2],
              reuse ? " (geometry reused)" : "");
  // The block the model planned from its first call for the network's
  // buffers (scn/Runtime/Model.h, scn_model_memory_info).
  scn_model_memory_info_t memory = net.memoryInfo();
  std::printf("buffers: a block of %.1f KiB, used by %lld of %lld call(s)\n",
              double(memory.block_bytes) / 1024, (long long)memory.calls_in_block,
              (long long)memory.calls);
  return 0;
}
