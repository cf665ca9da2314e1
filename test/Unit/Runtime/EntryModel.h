//===- EntryModel.h - A model over an entry a test writes -------*- C++ -*-===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The runtime's tests of a compiled call (RunArenaTest, GeneratedCallTest)
/// run an entry they write in place of generated code, through the
/// deployment API (scn_model_from_entry): a network from x [n] f32 to its
/// double y [n] f32. Its packed arguments: the run, x's descriptor
/// (allocated, aligned, offset, size, stride), then y's storage (the same
/// five words).
///
//===----------------------------------------------------------------------===//

#ifndef SCN_TEST_UNIT_RUNTIME_ENTRYMODEL_H
#define SCN_TEST_UNIT_RUNTIME_ENTRYMODEL_H

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

namespace scn::test {

inline const char *const kDoublingManifest =
    R"({"format": "scn-compile/1", "inputs": [{"name": "x", "dtype": "f4", "shape": [-1]}],
        "outputs": [{"name": "y", "dtype": "f4", "shape": [-1]}]})";

/// x's size, from the packed arguments.
inline int64_t inputRows(void **args) { return *static_cast<int64_t *>(args[4]); }

/// The entry's last step: y allocated as generated code does (scn_cg_alloc),
/// filled with 2 x, and its descriptor written.
inline void returnDoubled(void **args) {
  const auto *x = reinterpret_cast<const float *>(*static_cast<int64_t *>(args[2]));
  const int64_t n = inputRows(args);
  auto *y = static_cast<float *>(scn_cg_alloc(size_t(n) * sizeof(float)));
  for (int64_t i = 0; i < n; ++i)
    y[i] = 2 * x[i];
  int64_t *result = static_cast<int64_t *>(args[6]);
  const int64_t words[5] = {reinterpret_cast<int64_t>(y), reinterpret_cast<int64_t>(y), 0, n, 1};
  std::copy(words, words + 5, result);
}

struct EntryModel {
  scn_model_t model = nullptr;
  explicit EntryModel(void (*entry)(void **)) {
    EXPECT_EQ(scn_model_from_entry(entry, kDoublingManifest, &model), SCN_OK)
        << scn_last_error_message();
  }
  ~EntryModel() { scn_model_free(model); }
  EntryModel(const EntryModel &) = delete;
  EntryModel &operator=(const EntryModel &) = delete;
  scn_model_memory_info_t info() const {
    scn_model_memory_info_t info{};
    EXPECT_EQ(scn_model_memory_info(model, &info), SCN_OK);
    return info;
  }
};

} // namespace scn::test

#endif // SCN_TEST_UNIT_RUNTIME_ENTRYMODEL_H
