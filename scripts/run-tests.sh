#!/usr/bin/env bash
# The README's test command (and CI's): set up, build, run every test suite
# (lit FileCheck tests, GoogleTest unit tests through lit, pytest), then print
# one line `N passed, N failed, N skipped` over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
BUILD_DIR=${SCN_BUILD_DIR:-build}
RESULTS="$BUILD_DIR/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

echo "== lit: FileCheck and unit tests"
/usr/lib/llvm-22/bin/lit -sv "$BUILD_DIR/test" "$BUILD_DIR/test/Unit" \
  --xunit-xml-output "$RESULTS/lit.xml"

echo "== pytest: Python frontend, golden cases through the compiled CPU and CUDA paths"
SCN_BUILD_DIR="$BUILD_DIR" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
  test/Frontends/python test/Integration/CPU test/Integration/CUDA test/Examples \
  --junitxml="$RESULTS/pytest.xml"

/usr/bin/python3 scripts/summarize-results.py "$RESULTS"/*.xml
