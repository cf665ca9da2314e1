//===- BenchArenaPlan.cpp - The run arena's planner ------------------------===//
//
// Part of the SCN compiler runtime benchmarks.
//
// planArena (runtime/lib/CPU/ArenaPlan.h) on n buffers of random sizes
// (64 B to 45 MB) and lifetimes (each allocated one event after the last,
// freed 1 to 40 events later): a compiled network plans once per model and
// again when a call allocates otherwise. W1 plans 151 buffers.
//
//   build/bench/runtime/bench_runtime_arena
//
//===----------------------------------------------------------------------===//

#include "ArenaPlan.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

void BM_PlanArena(benchmark::State &state) {
  const int64_t n = state.range(0);
  std::mt19937_64 rng(1);
  std::vector<scn::rt::ArenaRequest> requests(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    auto &r = requests[static_cast<size_t>(i)];
    r.bytes = 64 * int64_t(1 + rng() % 700000);
    r.first = 2 * i;
    r.last = r.first + 1 + int64_t(rng() % 40);
  }
  for (auto _ : state)
    benchmark::DoNotOptimize(scn::rt::planArena(requests).bytes);
  state.counters["buffers"] = double(n);
}
BENCHMARK(BM_PlanArena)->Arg(150)->Arg(300)->Arg(1000)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
