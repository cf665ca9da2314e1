#!/usr/bin/env python3
"""Sums JUnit XML reports (lit's and pytest's) into one closing line:
`N passed, N failed, N skipped`. Exits 1 when anything failed or when a
report is missing, so a suite that did not run cannot pass silently."""

import sys
import xml.etree.ElementTree as ET


def count(path):
    passed = failed = skipped = 0
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main(paths):
    totals = [0, 0, 0]
    missing = 0
    for path in paths:
        try:
            p, f, s = count(path)
        except (OSError, ET.ParseError) as e:
            print(f"summarize-results: cannot read {path}: {e}", file=sys.stderr)
            missing += 1
            continue
        print(f"  {path}: {p} passed, {f} failed, {s} skipped")
        totals = [totals[0] + p, totals[1] + f, totals[2] + s]
    failed = totals[1] + missing
    print(f"{totals[0]} passed, {failed} failed, {totals[2]} skipped")
    return 0 if failed == 0 and totals[0] > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
