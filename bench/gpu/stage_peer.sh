#!/usr/bin/env bash
# Stages spconv 2.3.8 (the issue's peer: spconv-cu126 with cumm-cu126, from
# PyPI wheels, nothing built) for the GPU machine, which cannot download.
# The wheels are 97 MB, more than one device call carries (64 MiB), so they
# are installed here for the GPU machine's python (3.12, manylinux x86_64)
# and packed with xz -9 into build/peer.tar.xz (38.5 MiB), which fits in the same
# call as the check's own files (bench/gpu/check.sh unpacks it into
# build/peer-site and runs bench/gpu/peer_w1.py with spconv from there).
#
# On the CPU machine:
#   bash bench/gpu/stage_peer.sh                 (63 s here when it packed with
#                                                 xz -6; xz -9 alone takes 66 s)
# then carry build/peer.tar.xz with the files bench/gpu/check.sh lists.
set -euo pipefail
cd "$(dirname "$0")/../.."
WHEELS=$(mktemp -d)
SITE=$(mktemp -d)
trap 'rm -rf "$WHEELS" "$SITE"' EXIT
# spconv-cu126 2.3.8 requires cumm-cu126 >=0.7.11,<0.8; the GPU image has
# numpy, sympy, pybind11, portalocker, requests and ninja already.
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -d "$WHEELS" \
  spconv-cu126==2.3.8 "cumm-cu126>=0.7.11,<0.8" pccm ccimport fire lark termcolor
# For the GPU machine's python, whatever this one's is.
python3 -m pip install -q --no-deps --no-compile --only-binary=:all: --python-version 3.12 \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --target "$SITE" "$WHEELS"/*.whl
mkdir -p build
tar -C "$SITE" -cf - . | xz -T2 -9 > build/peer.tar.xz
ls -l build/peer.tar.xz
