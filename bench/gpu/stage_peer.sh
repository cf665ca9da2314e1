#!/usr/bin/env bash
# Stages spconv 2.3.8 (the issue's peer: spconv-cu126 with cumm-cu126, from
# PyPI wheels, nothing built) for the GPU machine, which cannot download.
# The wheels are 97 MB, more than one device call carries (64 MiB), so they
# are installed here for the GPU machine's python (3.12, manylinux x86_64)
# and packed with xz into build/peer.tar.xz (about 45 MB): one device call
# carries and unpacks it, the next runs the check beside it.
#
# On the CPU machine:
#   bash bench/gpu/stage_peer.sh                 (about 2 minutes on 2 cores)
# Device call 1 (carry build/peer.tar.xz):
#   mkdir -p build/peer-site && tar -xJf build/peer.tar.xz -C build/peer-site &&
#   PYTHONPATH=build/peer-site python3 -c 'import spconv.pytorch, spconv; print(spconv.__version__)'
# Device call 2, on the same warm machine (build/peer-site stays there: it
# is an ignored path the call does not carry): bash bench/gpu/check.sh, which
# runs bench/gpu/peer_w1.py with spconv when build/peer-site imports.
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
tar -C "$SITE" -cf - . | xz -T2 -6 > build/peer.tar.xz
ls -l build/peer.tar.xz
