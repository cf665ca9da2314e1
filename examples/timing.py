"""The timing the examples share: the median of repeated calls, in ms."""

import time


def median_ms(fn, repeat, progress=False):
    """Median wall time of `repeat` calls of `fn`, in milliseconds; with
    `progress`, one line per call (for runs of seconds)."""
    times = []
    for i in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
        if progress:
            print(f"  run {i + 1}/{repeat}: {times[-1]:.0f} ms", flush=True)
    times.sort()
    return times[len(times) // 2]
