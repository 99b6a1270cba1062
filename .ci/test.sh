#!/usr/bin/env bash
# Configures, builds and runs the whole test suite (warnings are errors). Needs the dependencies of
# .ci/packages.txt; .ci/run installs them first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEXUS_WERROR=ON
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2 --timeout 300
