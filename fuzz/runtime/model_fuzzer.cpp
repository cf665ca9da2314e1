//===- model_fuzzer.cpp - libFuzzer target for the model loader's input ---===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// What scn_model_load reads from a file it did not write: the first byte
/// picks the manifest (the rest as JSON, given to scn_model_from_entry with
/// an entry that must never be called) or the ELF check (the rest as a
/// file's bytes, given to scn_artifact_check_file through a memfd). A
/// refusal must carry a message; an accepted manifest's signature must be
/// readable (every input and output's info, ranks within
/// SCN_MAX_TENSOR_RANK). __builtin_trap on a violation.
///
//===----------------------------------------------------------------------===//

#include "scn/Runtime/Runtime.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace {

void neverCalled(void **) { __builtin_trap(); }

void requireMessage() {
  if (!*scn_last_error_message())
    __builtin_trap();
}

void fuzzManifest(const uint8_t *data, size_t size) {
  std::string json(reinterpret_cast<const char *>(data), size);
  scn_model_t model = nullptr;
  if (scn_model_from_entry(neverCalled, json.c_str(), &model) != SCN_OK) {
    requireMessage();
    if (model)
      __builtin_trap();
    return;
  }
  for (int32_t i = 0; i < scn_model_num_inputs(model); ++i) {
    scn_tensor_info_t info;
    if (scn_model_input_info(model, i, &info) != SCN_OK || !info.name || info.rank < 0 ||
        info.rank > SCN_MAX_TENSOR_RANK)
      __builtin_trap();
  }
  for (int32_t i = 0; i < scn_model_num_outputs(model); ++i) {
    scn_tensor_info_t info;
    if (scn_model_output_info(model, i, &info) != SCN_OK || !info.name || info.rank < 0 ||
        info.rank > SCN_MAX_TENSOR_RANK)
      __builtin_trap();
  }
  std::string target = scn_model_target(model);
  if (target != "cpu" && target != "cuda")
    __builtin_trap();
  scn_model_free(model);
}

void fuzzElf(const uint8_t *data, size_t size) {
  int fd = memfd_create("artifact", 0);
  if (fd < 0)
    return;
  if (size && write(fd, data, size) != static_cast<ssize_t>(size)) {
    close(fd);
    return;
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (scn_artifact_check_file(path.c_str()) != SCN_OK)
    requireMessage();
  close(fd);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  if (data[0] & 1)
    fuzzManifest(data + 1, size - 1);
  else
    fuzzElf(data + 1, size - 1);
  return 0;
}
