//===- UploadRoundTrip.h - scn_gpu_upload there and back, exactly -*- C++ -*-===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// One check that GpuTest (on a GPU) and FakeDriverTest (over the fake
/// driver) share: words uploaded by scn_gpu_upload come back exactly through
/// the mgpu* ABI.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_TEST_UNIT_RUNTIME_UPLOADROUNDTRIP_H
#define SCN_TEST_UNIT_RUNTIME_UPLOADROUNDTRIP_H

#include "scn/Runtime/Gpu.h"
#include "scn/Runtime/Status.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

/// Uploads `count` words of a pattern (with scn_gpu_upload, or when
/// `queued` with scn_gpu_upload_queued on the geometry stream, as compiled
/// networks upload coordinates, whose source is overwritten on return and
/// whose copy another stream sees after a fence of that stream), runs
/// `afterUpload()` (for checks of how it went), reads them back and expects
/// them unchanged.
template <typename AfterUpload>
void expectUploadRoundTrip(size_t count, AfterUpload &&afterUpload, bool queued = false) {
  std::vector<int32_t> host(count), source(count);
  for (size_t i = 0; i < count; ++i)
    host[i] = source[i] = int32_t(i * 2654435761u);
  void *device = nullptr, *geometry = nullptr;
  if (queued) {
    ASSERT_EQ(scn_gpu_geometry_stream(&geometry), SCN_OK) << scn_last_error_message();
  }
  ASSERT_EQ(queued ? scn_gpu_upload_queued(source.data(), int64_t(count * 4), geometry, &device)
                   : scn_gpu_upload(source.data(), int64_t(count * 4), &device),
            SCN_OK)
      << scn_last_error_message();
  ASSERT_NE(device, nullptr);
  std::fill(source.begin(), source.end(), 0);
  if (queued) {
    ASSERT_EQ(scn_gpu_fence_stream(geometry), SCN_OK) << scn_last_error_message();
  }
  afterUpload();
  std::vector<int32_t> back(count, 0);
  void *stream = mgpuStreamCreate();
  mgpuMemcpy(back.data(), device, count * 4, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  EXPECT_EQ(back, host) << count * 4 << " bytes";
  scn_gpu_free_on(device, geometry);
}

#endif // SCN_TEST_UNIT_RUNTIME_UPLOADROUNDTRIP_H
