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

#include <cstdint>
#include <vector>

/// Uploads `count` words of a pattern, runs `afterUpload()` (for checks of
/// how it went), reads them back and expects them unchanged.
template <typename AfterUpload>
void expectUploadRoundTrip(size_t count, AfterUpload &&afterUpload) {
  std::vector<int32_t> host(count);
  for (size_t i = 0; i < count; ++i)
    host[i] = int32_t(i * 2654435761u);
  void *device = nullptr;
  ASSERT_EQ(scn_gpu_upload(host.data(), int64_t(count * 4), &device), SCN_OK)
      << scn_last_error_message();
  ASSERT_NE(device, nullptr);
  afterUpload();
  std::vector<int32_t> back(count, 0);
  void *stream = mgpuStreamCreate();
  mgpuMemcpy(back.data(), device, count * 4, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  EXPECT_EQ(back, host) << count * 4 << " bytes";
  scn_gpu_free(device);
}

#endif // SCN_TEST_UNIT_RUNTIME_UPLOADROUNDTRIP_H
