//===- GpuSitesUnavailable.cpp - GpuSites.h without nvcc ------------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Built instead of GpuSites.cu when no CUDA compiler was found at configure
/// time: every call says so.
///
//===----------------------------------------------------------------------===//

#include "Error.h"

#include "scn/Runtime/GpuSites.h"

using namespace scn::rt;

namespace {
scn_status_t unavailable(const char *function) {
  return guardCall(function, [] {
    fail(SCN_ERROR_NO_DEVICE, "libscn_runtime was built without a CUDA compiler (nvcc); "
         "reconfigure with the CUDA toolkit installed (/usr/local/cuda)");
  });
}
} // namespace

extern "C" {
scn_status_t scn_gpu_sites_from_coords(int32_t, const int64_t *, const int64_t *, int64_t,
                                       int32_t, int64_t, void *, scn_gpu_sites_t *) {
  return unavailable("scn_gpu_sites_from_coords");
}
scn_status_t scn_gpu_sites_from_bl_coords(int32_t, const int64_t *, const int64_t *, int64_t,
                                          int64_t, int32_t, void *, scn_gpu_sites_t *) {
  return unavailable("scn_gpu_sites_from_bl_coords");
}
scn_status_t scn_gpu_sites_from_dense(int32_t, const int64_t *, int64_t, int64_t, const float *,
                                      void *, scn_gpu_sites_t *) {
  return unavailable("scn_gpu_sites_from_dense");
}
scn_status_t scn_gpu_sites_downsample(scn_gpu_sites_t, const int64_t *, const int64_t *, void *,
                                      scn_gpu_sites_t *) {
  return unavailable("scn_gpu_sites_downsample");
}
scn_status_t scn_gpu_sites_full(scn_gpu_sites_t, const int64_t *, const int64_t *, void *,
                                scn_gpu_sites_t *) {
  return unavailable("scn_gpu_sites_full");
}
scn_status_t scn_gpu_kmap_build(int32_t, scn_gpu_sites_t, scn_gpu_sites_t, const int64_t *,
                                const int64_t *, void *, scn_gpu_kmap_t *) {
  return unavailable("scn_gpu_kmap_build");
}
scn_status_t scn_gpu_sites_get_info(scn_gpu_sites_t, scn_gpu_sites_info_t *) {
  return unavailable("scn_gpu_sites_get_info");
}
scn_status_t scn_gpu_kmap_get_neighbors(scn_gpu_kmap_t, const int32_t **, int64_t *,
                                        int64_t *) {
  return unavailable("scn_gpu_kmap_get_neighbors");
}
scn_status_t scn_gpu_kmap_get_pairs(scn_gpu_kmap_t, const int64_t **, const int32_t **,
                                    const int32_t **, int64_t *) {
  return unavailable("scn_gpu_kmap_get_pairs");
}
scn_status_t scn_gpu_kmap_get_row_order(scn_gpu_kmap_t, const int32_t **) {
  return unavailable("scn_gpu_kmap_get_row_order");
}
scn_status_t scn_gpu_sites_get_rows_by_site(scn_gpu_sites_t, const int32_t **,
                                            const int32_t **) {
  return unavailable("scn_gpu_sites_get_rows_by_site");
}
scn_status_t scn_gpu_kmap_get_row_masks(scn_gpu_kmap_t, const int32_t **) {
  return unavailable("scn_gpu_kmap_get_row_masks");
}

scn_status_t scn_gpu_kmap_get_row_table(scn_gpu_kmap_t, const int32_t **) {
  return unavailable("scn_gpu_kmap_get_row_table");
}
scn_status_t scn_gpu_sites_peek_info(scn_gpu_sites_t, scn_gpu_sites_info_t *) {
  return unavailable("scn_gpu_sites_peek_info");
}
scn_status_t scn_gpu_sites_wait(void *) { return unavailable("scn_gpu_sites_wait"); }
scn_status_t scn_gpu_sites_free(scn_gpu_sites_t) { return SCN_OK; }
scn_status_t scn_gpu_kmap_free(scn_gpu_kmap_t) { return SCN_OK; }
}
