#!/usr/bin/env python3
"""The issue's GPU goals in four lines, from what bench/gpu/check.sh left:
W1 in f16 end to end against spconv 2.3.8 in f16 measured in the same call
($OUT/peer.txt, bench/gpu/peer_w1.py), the share of map building in W1's end
to end (1 - maps prebuilt / end to end, from the bench.json device_check.py
writes beside the artifacts), the W3 roofline line of the profiles
($OUT/device_check.txt), and the check's own time ($OUT/check_seconds.txt,
under 4 minutes). check.sh prints it last (on stdout only: a device
call brings back 8 files, which its logs already are); a missing file says
so instead of a verdict.

    python3 bench/gpu/goals.py [$OUT [BENCH_JSON]]
"""

import json
import math
import os
import re
import sys

# peer_w1.py's rows: "| W1 spconv 2.3.8 float16 | output on the GPU | 20.2 ms | ... |".
PEER_ROW = re.compile(r"^\| W1 spconv (\S+) float16 \| (.+?) \| ([\d.]+) ms \|")
MAP_SHARE_GOAL = 0.15
# The issue: the prepared check runs its tests and timings in under 4 minutes.
CHECK_SECONDS_GOAL = 240


def peer_f16(text):
    """{where the output is: ms} of spconv's f16 rows, and its version."""
    rows, version = {}, None
    for line in text.splitlines():
        if m := PEER_ROW.match(line):
            version = m.group(1)
            rows[m.group(2)] = float(m.group(3))
    return rows, version


def goal_lines(out, path):
    lines = []
    bench = {}
    if os.path.exists(path):
        bench = json.load(open(path))
    w1 = bench.get("W1", {})
    ours, prebuilt = w1.get("cuda-f16", math.nan), w1.get("cuda-f16 prebuilt", math.nan)
    peer_path = os.path.join(out, "peer.txt")
    peer, version = peer_f16(open(peer_path).read()) if os.path.exists(peer_path) else ({}, None)
    if math.isnan(ours):
        lines.append("W1 goal: no W1 f16 time (bench.json missing or the bench cut short)")
    elif not peer:
        lines.append(f"W1 goal: ours {ours:.1f} ms in f16 end to end; no spconv f16 time "
                     "(peer.txt missing or the peer did not run)")
    else:
        # The peer's fastest form (its output left on the GPU) against ours
        # with the output on the host.
        best_where, best = min(peer.items(), key=lambda kv: kv[1])
        verdict = "met" if ours < best else "not met"
        lines.append(f"W1 goal, f16 end to end with maps built in every run, faster than spconv "
                     f"{version}: ours {ours:.1f} ms (output on the host) against {best:.1f} ms "
                     f"({best_where}), {best / ours:.2f}x ({verdict})")
    if math.isnan(ours) or math.isnan(prebuilt):
        lines.append("map goal: no W1 f16 times with and without maps prebuilt")
    else:
        # The median of the pairs' shares (device_check.time_pairs: runs
        # with and without maps alternating), else from the two medians.
        paired = w1.get("cuda-f16 maps share")
        share = max(0.0, paired if paired is not None else 1.0 - prebuilt / ours)
        verdict = "met" if share < MAP_SHARE_GOAL else "not met"
        how = "the median of alternating pairs' 1 - prebuilt / end to end" \
            if paired is not None else f"1 - {prebuilt:.1f} / {ours:.1f} ms"
        lines.append(f"map goal, map building under 15% of W1's end to end: {how} = "
                     f"{100 * share:.1f}% ({verdict}; medians {prebuilt:.1f} ms prebuilt, "
                     f"{ours:.1f} ms end to end)")
    check_path = os.path.join(out, "device_check.txt")
    w3 = [l for l in open(check_path).read().splitlines() if l.startswith("W3 goal")] \
        if os.path.exists(check_path) else []
    lines.append(w3[-1] if w3 else "W3 goal: no profile line (device_check.txt missing or the "
                 "profiles cut short)")
    lines.append(check_time_line(os.path.join(out, "check_seconds.txt")))
    return lines


def check_time_line(path):
    """check.sh's own time: up to the end of what the issue lists (the
    tests and W1's and W3's timings in fp32 and fp16: issue_seconds.txt
    beside `path`, from device_check.py), then up to the peer (with our
    variants and profiles: `path`'s first line), then up to the goals (with
    the peer: its second). Without the first, the verdict is the second's."""
    seconds = open(path).read().split() if os.path.exists(path) else []
    if not seconds:
        return "check goal: no time (check_seconds.txt missing: not run by check.sh)"
    issue_path = os.path.join(os.path.dirname(path), "issue_seconds.txt")
    issue = open(issue_path).read().split() if os.path.exists(issue_path) else []
    tests = int(seconds[0])
    if issue:
        verdict = "met" if int(issue[0]) < CHECK_SECONDS_GOAL else "not met"
        line = (f"check goal, the issue's tests and timings in under "
                f"{CHECK_SECONDS_GOAL // 60} minutes: {int(issue[0])} s ({verdict}); "
                f"{tests} s with our variants and profiles")
    else:
        verdict = "met" if tests < CHECK_SECONDS_GOAL else "not met"
        line = (f"check goal, the tests and timings in under {CHECK_SECONDS_GOAL // 60} "
                f"minutes: {tests} s ({verdict})")
    if len(seconds) > 1:
        line += f"; {int(seconds[1])} s with the peer"
    return line


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("OUT", "/tmp/scn-gpu-check")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    check = os.environ.get("SCN_GPU_CHECK_DIR", os.path.join(root, "build", "gpu-check"))
    path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(check, "bench.json")
    print("\n".join(goal_lines(out, path)))


if __name__ == "__main__":
    main()
