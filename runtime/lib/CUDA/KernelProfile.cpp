//===- KernelProfile.cpp - Per-kernel GPU times (SCN_GPU_PROFILE) ---------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#include "KernelProfile.h"

#include "CudaDriver.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

using namespace scn::rt::driver_api;

namespace scn::rt::profile {
namespace {

struct Span {
  CUevent start, stop;
  std::string label, shape;
};

struct Total {
  long launches = 0;
  double milliseconds = 0, longest = 0;
  std::string shape;
};

/// A finished span on the timeline: from the window's start.
struct Mark {
  std::string label;
  double startMs, stopMs;
};

/// The profile of the process. Written at exit from its totals alone (no
/// driver call: the driver may already be shut down by then).
struct Profile {
  std::mutex mutex;
  std::string path;
  std::unordered_map<CUfunction, std::string> names;
  std::unordered_map<void *, int> modules;
  int nextModule = 0;
  std::deque<Span> pending;
  std::map<std::string, Total> totals;
  /// The device span: the start event of the first span collected since
  /// the last reset (kept alive) and the latest end seen after it.
  CUevent windowStart = nullptr;
  double windowMs = 0;
  /// Host time in runtime calls, by call.
  std::map<std::string, Total> host;
  /// SCN_GPU_PROFILE_TIMELINE: where each span of the window goes, as CSV
  /// (label, start and stop from the window's start), so that what ran
  /// beside what (the builders' calls and the kernels) can be seen.
  std::string timelinePath;
  std::vector<Mark> marks;

  ~Profile() {
    std::lock_guard<std::mutex> lock(mutex);
    writeTimeline();
    if (totals.empty() && host.empty())
      return;
    FILE *out = path == "stderr" ? stderr : std::fopen(path.c_str(), "a");
    if (!out)
      return;
    std::vector<std::pair<std::string, Total>> rows(totals.begin(), totals.end());
    std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
      return a.second.milliseconds > b.second.milliseconds;
    });
    double all = 0;
    for (const auto &row : rows)
      all += row.second.milliseconds;
    std::fprintf(out, "# SCN_GPU_PROFILE: device time of %zu kernels and copies, %.3f ms in all\n",
                 rows.size(), all);
    std::fprintf(out, "# %-34s %8s %11s %10s %10s %6s  %s\n", "kernel or copy", "launches",
                 "total ms", "mean us", "max us", "share", "last grid / block or bytes");
    for (const auto &[label, t] : rows)
      std::fprintf(out, "  %-34s %8ld %11.3f %10.1f %10.1f %5.1f%%  %s\n", label.c_str(),
                   t.launches, t.milliseconds, 1e3 * t.milliseconds / t.launches,
                   1e3 * t.longest, all > 0 ? 100 * t.milliseconds / all : 0.0,
                   t.shape.c_str());
    // Lines of their own kind ("# "), which readers of the rows above skip.
    std::fprintf(out, "# device span %.3f ms (first launch or copy to the end of the last; "
                      "the device was busy %.3f ms of it, counting overlaps twice; in the "
                      "host rows below a call made inside another counts in both)\n",
                 windowMs, all);
    for (const auto &[call, t] : host)
      std::fprintf(out, "# host %-30s %8ld calls %11.3f ms %10.1f us each\n", call.c_str(),
                   t.launches, t.milliseconds, 1e3 * t.milliseconds / t.launches);
    if (out != stderr)
      std::fclose(out);
  }

  void writeTimeline() {
    if (timelinePath.empty() || marks.empty())
      return;
    FILE *out = std::fopen(timelinePath.c_str(), "w");
    if (!out)
      return;
    std::stable_sort(marks.begin(), marks.end(),
                     [](const Mark &a, const Mark &b) { return a.startMs < b.startMs; });
    std::fprintf(out, "label,start_ms,stop_ms\n");
    for (const Mark &m : marks)
      std::fprintf(out, "\"%s\",%.4f,%.4f\n", m.label.c_str(), m.startMs, m.stopMs);
    std::fclose(out);
  }
};

Profile *profileOrNull() {
  static Profile *p = [] {
    const char *path = std::getenv("SCN_GPU_PROFILE");
    if (!path || !*path)
      return static_cast<Profile *>(nullptr);
    // Destroyed at exit, which writes the report.
    static Profile instance;
    instance.path = path;
    if (const char *timeline = std::getenv("SCN_GPU_PROFILE_TIMELINE"))
      instance.timelinePath = timeline;
    return &instance;
  }();
  return p;
}

} // namespace

bool enabled() { return profileOrNull() != nullptr; }

void nameModule(void *module) {
  if (Profile *p = profileOrNull(); p && module) {
    std::lock_guard<std::mutex> lock(p->mutex);
    p->modules[module] = p->nextModule++;
  }
}

void forgetModule(void *module) {
  if (Profile *p = profileOrNull(); p && module) {
    std::lock_guard<std::mutex> lock(p->mutex);
    p->modules.erase(module);
  }
}

void nameFunction(CUfunction function, void *module, const char *name) {
  if (Profile *p = profileOrNull()) {
    std::lock_guard<std::mutex> lock(p->mutex);
    std::string label = name ? name : "kernel";
    if (auto it = p->modules.find(module); it != p->modules.end())
      label += " #" + std::to_string(it->second);
    p->names[function] = label;
  }
}

std::string nameOf(CUfunction function) {
  Profile *p = profileOrNull();
  if (!p)
    return "kernel";
  std::lock_guard<std::mutex> lock(p->mutex);
  auto it = p->names.find(function);
  return it == p->names.end() ? "kernel" : it->second;
}

CUevent begin(CUstream stream) {
  if (!enabled())
    return nullptr;
  const Driver &d = driver();
  CUevent start = nullptr;
  if (d.cuEventCreate(&start, CU_EVENT_DEFAULT) != CUDA_SUCCESS)
    return nullptr;
  if (d.cuEventRecord(start, stream) != CUDA_SUCCESS) {
    d.cuEventDestroy(start);
    return nullptr;
  }
  return start;
}

void abandon(CUevent start) {
  if (start)
    driver().cuEventDestroy(start);
}

void end(CUevent start, CUstream stream, std::string label, const std::string &shape) {
  Profile *p = profileOrNull();
  if (!p || !start)
    return;
  const Driver &d = driver();
  CUevent stop = nullptr;
  if (d.cuEventCreate(&stop, CU_EVENT_DEFAULT) != CUDA_SUCCESS ||
      d.cuEventRecord(stop, stream) != CUDA_SUCCESS) {
    if (stop)
      d.cuEventDestroy(stop);
    d.cuEventDestroy(start);
    return;
  }
  std::lock_guard<std::mutex> lock(p->mutex);
  p->pending.push_back(Span{start, stop, std::move(label), shape});
}

void collect() {
  Profile *p = profileOrNull();
  if (!p)
    return;
  const Driver &d = driver();
  std::lock_guard<std::mutex> lock(p->mutex);
  // Spans finish in order on each stream, not across streams: read every
  // finished one, keep the others for the next synchronisation.
  for (auto it = p->pending.begin(); it != p->pending.end();) {
    CUresult state = d.cuEventQuery(it->stop);
    if (state == CUDA_ERROR_NOT_READY) {
      ++it;
      continue;
    }
    // Done, or failed (a sticky device error): either way it is dropped.
    float ms = 0;
    bool keepStart = false;
    if (state == CUDA_SUCCESS &&
        d.cuEventElapsedTime(&ms, it->start, it->stop) == CUDA_SUCCESS) {
      Total &t = p->totals[it->label];
      ++t.launches;
      t.milliseconds += ms;
      t.longest = std::max(t.longest, static_cast<double>(ms));
      t.shape = it->shape;
      // The window starts at the earliest span collected so far, which
      // need not be the first collected (spans on several streams finish
      // out of order): an earlier one moves the start back by the gap.
      float earlier = 0;
      if (!p->windowStart) {
        p->windowStart = it->start;
        keepStart = true;
      } else if (d.cuEventElapsedTime(&earlier, it->start, p->windowStart) == CUDA_SUCCESS &&
                 earlier > 0) {
        d.cuEventDestroy(p->windowStart);
        p->windowStart = it->start;
        p->windowMs += earlier;
        keepStart = true;
        for (Mark &m : p->marks) {
          m.startMs += earlier;
          m.stopMs += earlier;
        }
      }
      float since = 0;
      if (d.cuEventElapsedTime(&since, p->windowStart, it->stop) == CUDA_SUCCESS)
        p->windowMs = std::max(p->windowMs, static_cast<double>(since));
      float at = 0;
      if (!p->timelinePath.empty() &&
          (it->start == p->windowStart ||
           d.cuEventElapsedTime(&at, p->windowStart, it->start) == CUDA_SUCCESS))
        p->marks.push_back(Mark{it->label, at, at + ms});
    }
    if (!keepStart)
      d.cuEventDestroy(it->start);
    d.cuEventDestroy(it->stop);
    it = p->pending.erase(it);
  }
}

void reset() {
  collect();
  if (Profile *p = profileOrNull()) {
    std::lock_guard<std::mutex> lock(p->mutex);
    p->totals.clear();
    p->host.clear();
    p->marks.clear();
    if (p->windowStart)
      driver().cuEventDestroy(p->windowStart);
    p->windowStart = nullptr;
    p->windowMs = 0;
  }
}

HostSpan::HostSpan(const char *call) : call(call), on(enabled()) {
  if (on)
    start = std::chrono::steady_clock::now();
}

HostSpan::~HostSpan() {
  if (!on)
    return;
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  Profile *p = profileOrNull();
  std::lock_guard<std::mutex> lock(p->mutex);
  Total &t = p->host[call];
  ++t.launches;
  t.milliseconds += ms;
  t.longest = std::max(t.longest, ms);
}

} // namespace scn::rt::profile
