//===- GpuUnavailable.cpp - scn_gpu_* when built without CUDA headers -----===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Built instead of the CUDA layer when cuda.h was not found at configure
/// time: every GPU request fails with a message that says so. The mgpu*
/// symbols are absent, so a GPU artifact fails to load with their names.
///
//===----------------------------------------------------------------------===//

#include "Error.h"

#include "scn/Runtime/Gpu.h"

using namespace scn::rt;

namespace {
[[noreturn]] void unavailable() {
  fail(SCN_ERROR_NO_DEVICE, "libscn_runtime was built without the CUDA toolkit "
       "headers (cuda.h); reconfigure with the toolkit installed (/usr/local/cuda)");
}
} // namespace

extern "C" scn_status_t scn_gpu_init(int32_t) {
  return guardCall("scn_gpu_init", [] { unavailable(); });
}
extern "C" int32_t scn_gpu_current_device(void) { return 0; }
extern "C" scn_status_t scn_gpu_get_device_info(scn_gpu_device_info_t *) {
  return guardCall("scn_gpu_get_device_info", [] { unavailable(); });
}
extern "C" scn_status_t scn_gpu_take_error(void) { return SCN_OK; }
extern "C" scn_status_t scn_gpu_managed_copy(const void *, int64_t, void **copy) {
  if (copy)
    *copy = nullptr;
  return guardCall("scn_gpu_managed_copy", [] { unavailable(); });
}
extern "C" void scn_gpu_managed_free(void *) {}
extern "C" scn_status_t scn_gpu_upload(const void *, int64_t, void **device) {
  if (device)
    *device = nullptr;
  return guardCall("scn_gpu_upload", [] { unavailable(); });
}
extern "C" scn_status_t scn_gpu_upload_queued(const void *, int64_t, void *, void **device) {
  if (device)
    *device = nullptr;
  return guardCall("scn_gpu_upload_queued", [] { unavailable(); });
}
extern "C" void scn_gpu_free(void *) {}
extern "C" void scn_gpu_free_on(void *, void *) {}
extern "C" scn_status_t scn_gpu_alloc(int64_t, void **device) {
  if (device)
    *device = nullptr;
  return guardCall("scn_gpu_alloc", [] { unavailable(); });
}
extern "C" uint64_t scn_gpu_copy_generation(const void *) { return 0; }
extern "C" int32_t scn_gpu_failed(void) { return 0; }
extern "C" scn_status_t scn_gpu_prepared(const void *, const void *const *, int32_t, int64_t,
                                         void **block, int32_t *fill) {
  if (block)
    *block = nullptr;
  if (fill)
    *fill = 1;
  return guardCall("scn_gpu_prepared", [] { unavailable(); });
}
extern "C" void scn_gpu_prepared_done(const void *, void *, int32_t) {}
extern "C" scn_status_t scn_gpu_keep_resident(const void *, int64_t) {
  return guardCall("scn_gpu_keep_resident", [] { unavailable(); });
}
extern "C" void scn_gpu_release_resident(const void *) {}
extern "C" scn_status_t scn_gpu_parameter(const void *, int64_t, void **device) {
  if (device)
    *device = nullptr;
  return guardCall("scn_gpu_parameter", [] { unavailable(); });
}
extern "C" void scn_gpu_parameter_done(const void *, void *) {}
extern "C" scn_status_t scn_gpu_constant(const void *, int64_t, void **device) {
  if (device)
    *device = nullptr;
  return guardCall("scn_gpu_constant", [] { unavailable(); });
}
extern "C" void scn_gpu_profile_reset(void) {}
extern "C" scn_status_t scn_gpu_pinned_alloc(int64_t, void **block) {
  if (block)
    *block = nullptr;
  return guardCall("scn_gpu_pinned_alloc", [] { unavailable(); });
}
extern "C" int32_t scn_gpu_pinned_release(void *) { return 0; }
extern "C" scn_status_t scn_gpu_mapped_word(int32_t **host, void **device) {
  if (host)
    *host = nullptr;
  if (device)
    *device = nullptr;
  return guardCall("scn_gpu_mapped_word", [] { unavailable(); });
}
extern "C" void scn_gpu_mapped_word_free(int32_t *) {}

extern "C" int64_t scn_gpu_resident_blocks(int64_t, int64_t) { return 1; }
extern "C" scn_status_t scn_gpu_synchronize(void) {
  return guardCall("scn_gpu_synchronize", [] { unavailable(); });
}
extern "C" scn_status_t scn_gpu_fence_default_stream(void) {
  return guardCall("scn_gpu_fence_default_stream", [] { unavailable(); });
}
extern "C" scn_status_t scn_gpu_fence_stream(void *) {
  return guardCall("scn_gpu_fence_stream", [] { unavailable(); });
}
extern "C" scn_status_t scn_gpu_geometry_stream(void **stream) {
  if (stream)
    *stream = nullptr;
  return guardCall("scn_gpu_geometry_stream", [] { unavailable(); });
}
