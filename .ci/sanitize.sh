#!/usr/bin/env bash
# Builds the engine, the tray UI and the test suite with AddressSanitizer +
# UndefinedBehaviorSanitizer (NEXUS_SANITIZE=ON, gcc) in build-asan/ and runs every test there: the
# reliability suites, the fuzz-corpus replays and the UI tests (offscreen widgets, the tray under
# Xvfb/trayer) included. Any sanitizer report fails the run (halt_on_error); .ci/asan.supp and
# .ci/lsan.supp name the few reports from system libraries that are not ours to fix.
# Env: SANITIZE_JOBS (build and test parallelism, default 2), SANITIZE_TESTS (ctest -R regex).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs="${SANITIZE_JOBS:-2}"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEXUS_WERROR=ON \
    -DNEXUS_SANITIZE=ON -DNEXUS_BUILD_GUI=ON
cmake --build build-asan -j"$jobs"

asan_opts="detect_leaks=1:halt_on_error=1:abort_on_error=1:strict_string_checks=1"
export ASAN_OPTIONS="$asan_opts:suppressions=$PWD/.ci/asan.supp:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
args=(--test-dir build-asan --output-on-failure -j"$jobs" --timeout 600)
if [ -n "${SANITIZE_TESTS:-}" ]; then
    args+=(-R "$SANITIZE_TESTS")
fi
ctest "${args[@]}"
