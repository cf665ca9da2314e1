//===- ChannelTile.h - How many channels one vector accumulator holds -*- C++ -*-===//
//
// One rule for the planner (scn-plan-dataflow's channel_tile) and the CPU
// lowering (splitChannels for the ops without a plan), so both cut channels
// the same way.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_DIALECT_SCN_IR_CHANNELTILE_H
#define SCN_DIALECT_SCN_IR_CHANNELTILE_H

#include <algorithm>
#include <cstdint>

namespace scn {

/// Lanes of one tile of `channels` channels, at most `limit`, dividing
/// `channels` (tiles are equal): the largest power of two of at least 4
/// lanes, else the largest divisor. Power-of-two vectors are whole machine
/// registers; tiles of 20, 24 and 28 lanes made the room-scan UNet (W2) 4x
/// slower than tiles of 16 (bench/cpu/README.md).
inline int64_t channelTileWidth(int64_t channels, int64_t limit) {
  channels = std::max<int64_t>(1, channels);
  limit = std::max<int64_t>(1, limit);
  int64_t power = 1;
  while (channels % (power * 2) == 0 && power * 2 <= limit)
    power *= 2;
  if (power >= 4)
    return power;
  for (int64_t d = std::min(channels, limit); d > 1; --d)
    if (channels % d == 0)
      return d;
  return 1;
}

} // namespace scn

#endif // SCN_DIALECT_SCN_IR_CHANNELTILE_H
