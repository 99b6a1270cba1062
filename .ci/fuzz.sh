#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined; the engine itself is
# built with ASan/UBSan and coverage instrumentation) in build-fuzz/ and runs each target for a
# fixed number of executions, starting from its seed corpus in tests/fuzz/corpus/<target>.
# New inputs go to a scratch directory; the repository corpus is not modified. A crash, leak,
# sanitizer report or failed property stops the script with the reproducer in build-fuzz/artifacts.
# Env: FUZZ_RUNS (default 20000 executions per target), FUZZ_JOBS (build parallelism, default 2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs="${FUZZ_RUNS:-20000}"
jobs="${FUZZ_JOBS:-2}"
targets=(frame control config attestation wsframe upgrade)

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNEXUS_WERROR=ON -DNEXUS_SANITIZE=ON -DNEXUS_FUZZ=ON -DNEXUS_BUILD_GUI=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link"
cmake --build build-fuzz -j"$jobs" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
mkdir -p build-fuzz/artifacts
for t in "${targets[@]}"; do
    scratch="build-fuzz/corpus-$t"
    mkdir -p "$scratch"
    echo "== fuzz_$t: $runs runs"
    start=$(date +%s)
    build-fuzz/tests/fuzz/fuzz_"$t" -runs="$runs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=build-fuzz/artifacts/"$t"- -print_final_stats=1 \
        "$scratch" tests/fuzz/corpus/"$t" 2>&1 | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==|SUMMARY|fuzz property)|ERROR" || true
    status=${PIPESTATUS[0]}
    echo "== fuzz_$t: exit $status after $(( $(date +%s) - start )) s"
    if [ "$status" -ne 0 ]; then
        echo "fuzz_$t failed; reproducer(s):" && ls -l build-fuzz/artifacts/
        exit "$status"
    fi
done
echo "all fuzz targets passed ($runs runs each)"
