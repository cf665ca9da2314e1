//===- coords_fuzzer.cpp - libFuzzer target for the runtime input path ----===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Turns arbitrary bytes into a grid, coordinate rows (int32 or int64, with
/// occasional wrong column counts, negative or huge values), an input mode
/// and a filter/stride, then runs scn_sites_from_coords, scn_sites_downsample,
/// scn_sites_full and every scn_kmap_build kind. Failing calls must return a
/// status with a message; successful ones must give consistent maps (checked
/// here, __builtin_trap on a violation). Sizes are capped so one input stays
/// fast.
///
//===----------------------------------------------------------------------===//

#include "scn/Runtime/Runtime.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

/// Reads bytes front to back; past the end it yields zeros.
class ByteReader {
public:
  ByteReader(const uint8_t *data, size_t size) : data(data), size(size) {}
  uint8_t byte() { return pos < size ? data[pos++] : 0; }
  int64_t signedValue(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v |= uint64_t(byte()) << (8 * i);
    int shift = 64 - 8 * bytes;
    return int64_t(v << shift) >> shift;
  }
  size_t remaining() const { return pos < size ? size - pos : 0; }

private:
  const uint8_t *data;
  size_t size;
  size_t pos = 0;
};

void check(bool ok) {
  if (!ok)
    __builtin_trap();
}

/// A failed call must leave a message naming a runtime function.
void checkStatus(scn_status_t status) {
  if (status != SCN_OK)
    check(std::strncmp(scn_last_error_message(), "scn_", 4) == 0);
}

/// Every table entry is a valid input row and matches the pair lists.
void checkMap(scn_kmap_t map) {
  scn_kmap_info_t info;
  check(scn_kmap_get_info(map, &info) == SCN_OK);
  int64_t present = 0;
  for (int64_t i = 0; i < info.num_out * info.volume; ++i) {
    check(info.neighbors[i] >= -1 && info.neighbors[i] < info.num_in);
    present += info.neighbors[i] >= 0;
  }
  check(present == info.num_pairs);
  check(info.pair_offsets[info.volume] == info.num_pairs);
  for (int64_t k = 0; k < info.volume; ++k)
    for (int64_t p = info.pair_offsets[k]; p < info.pair_offsets[k + 1]; ++p)
      check(info.neighbors[info.pair_out_rows[p] * info.volume + k] ==
            info.pair_in_rows[p]);
}

void buildAndCheck(scn_kmap_kind_t kind, scn_sites_t in, scn_sites_t out,
                   const int64_t *filter, const int64_t *stride) {
  scn_kmap_t map = nullptr;
  scn_status_t status = scn_kmap_build(kind, in, out, filter, stride, &map);
  checkStatus(status);
  if (status != SCN_OK) {
    check(map == nullptr);
    return;
  }
  checkMap(map);
  if (kind == SCN_KMAP_STRIDED) {
    scn_kmap_t transposed = nullptr;
    check(scn_kmap_transpose(map, &transposed) == SCN_OK);
    checkMap(transposed);
    scn_kmap_free(transposed);
  }
  scn_kmap_free(map);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ByteReader in(data, size);
  scn_set_num_threads(1 + in.byte() % 2);
  uint8_t shape = in.byte();
  int32_t dim = int32_t(shape % 12); // 0 and 11 are invalid on purpose
  int32_t mode = int32_t(in.byte() % 6) - (shape & 0x80 ? 1 : 0);
  bool wide = in.byte() & 1;
  int64_t spatial[12];
  for (int i = 0; i < 12; ++i) {
    uint8_t b = in.byte();
    // Mostly small grids; sometimes huge ones (128-bit keys, overflow).
    spatial[i] = b & 0x80 ? int64_t(1) << (b % 63) : int64_t(b % 17) - 1;
  }
  int64_t filter[12], stride[12];
  for (int i = 0; i < 12; ++i) {
    uint8_t b = in.byte();
    filter[i] = int64_t(b & 7) - 1 + (b & 0x80 ? 0 : 1);
    stride[i] = int64_t((b >> 3) & 3) + (b & 0x40 ? 0 : 1);
  }
  int64_t batchSize = in.signedValue(1);
  int64_t nCols = dim + 1 + (shape & 0x40 ? int64_t(in.byte() % 3) - 1 : 0);
  int valueBytes = 1 + in.byte() % 2;
  if (nCols <= 0 || nCols > 16)
    return 0;
  int64_t nRows = int64_t(in.remaining() / size_t(nCols * valueBytes));
  if (nRows > 512)
    nRows = 512;
  std::vector<int64_t> coords64(nRows * nCols);
  for (auto &v : coords64)
    v = in.signedValue(valueBytes);
  std::vector<int32_t> coords32(coords64.begin(), coords64.end());
  const void *coords = wide ? static_cast<const void *>(coords64.data())
                            : static_cast<const void *>(coords32.data());

  scn_sites_t sites = nullptr;
  scn_status_t status = scn_sites_from_coords(
      dim, spatial, coords, wide ? SCN_INDEX_INT64 : SCN_INDEX_INT32, nRows,
      nCols, mode, batchSize, &sites);
  checkStatus(status);
  if (status != SCN_OK) {
    check(sites == nullptr);
    return 0;
  }
  scn_merge_map_t merge;
  check(scn_sites_get_merge_map(sites, &merge) == SCN_OK);
  for (int64_t r = 0; r < merge.num_rows; ++r)
    check(merge.row_to_site[r] >= -1 && merge.row_to_site[r] < merge.num_sites);

  // Keep the filter volume small so one input stays fast.
  int64_t volume = 1;
  for (int32_t i = 0; i < dim; ++i)
    volume *= filter[i] > 0 ? filter[i] : 1;
  if (volume <= 729) {
    buildAndCheck(SCN_KMAP_SUBMANIFOLD, sites, sites, filter, nullptr);
    scn_sites_t down = nullptr;
    status = scn_sites_downsample(sites, filter, stride, &down);
    checkStatus(status);
    if (status == SCN_OK) {
      buildAndCheck(SCN_KMAP_STRIDED, sites, down, filter, stride);
      buildAndCheck(SCN_KMAP_TRANSPOSED, down, sites, filter, stride);
      scn_sites_free(down);
    }
    scn_sites_t full = nullptr;
    status = scn_sites_full(sites, filter, stride, &full);
    checkStatus(status);
    if (status == SCN_OK) {
      buildAndCheck(SCN_KMAP_FULL, sites, full, filter, stride);
      scn_sites_free(full);
    }
  }
  scn_sites_free(sites);
  return 0;
}
