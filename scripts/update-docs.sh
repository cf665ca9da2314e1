#!/usr/bin/env bash
# Regenerates the dialect and pass reference from ODS (the `mlir-doc` target)
# and copies it into docs/dialect/, where it can be read without a build.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${SCN_BUILD_DIR:-build}
ninja -C "$BUILD_DIR" mlir-doc >/dev/null
mkdir -p docs/dialect
cp "$BUILD_DIR/docs/SCN/SCNDialect.md" docs/dialect/SCNDialect.md
cp "$BUILD_DIR/docs/SCN/SCNPasses.md" docs/dialect/SCNPasses.md
cp "$BUILD_DIR/docs/SCN/SCNConversionPasses.md" docs/dialect/SCNConversionPasses.md
echo "docs/dialect/ updated"
