#!/usr/bin/env bash
# The README's main job: set up and build everything, then run the
# hello-world example (examples/hello-world/hello_world.py): SparseConvNet's
# README network and messages, written with the scn package, run eagerly,
# compiled with scn.compile and checked against the eager output.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${SCN_BUILD_DIR:-build}
echo "== examples/hello-world/hello_world.py"
SCN_BUILD_DIR=$BUILD_DIR PYTHONPATH=frontends/python \
  /usr/bin/python3 examples/hello-world/hello_world.py
