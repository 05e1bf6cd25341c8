#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#  1. install what is needed, build, and run every test (ctest);
#  2. build again with clang, AddressSanitizer and UndefinedBehaviorSanitizer,
#     run the suite again there, and run every reader's fuzz target for a
#     bounded time (POLC_FUZZ_SECONDS, default 30).
# Set POLC_SKIP_SANITIZERS=1 to do only step 1 (a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
start=$(date +%s)

scripts/build.sh
ctest --test-dir build --output-on-failure

if [ "${POLC_SKIP_SANITIZERS:-0}" != 1 ]; then
  # -O1 -g1, no benchmarks: the sanitized build is for finding memory and
  # UB errors, not for speed, and it is half the suite's time.
  CC=clang-16 CXX=clang++-16 cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DPOLC_BENCH=OFF \
    -DPOLC_SANITIZE=ON -DPOLC_FUZZ=ON -DPOLC_FUZZ_SECONDS="${POLC_FUZZ_SECONDS:-30}" >/dev/null
  ninja -C build-asan
  # LLVM's own static destructors trip LeakSanitizer's heuristics at exit
  # in the in-process compiler; leaks in polc code are caught by the fuzzers.
  # The plain run above did the full counts of the randomized and repeated
  # tests; here they run at a tenth or so (POLC_TEST_QUICK), since every
  # code path is already reached by then and the kernel does the same work.
  export POLC_TEST_QUICK=1 POLC_DIFF_WORLDS=24 \
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  ctest --test-dir build-asan --output-on-failure -E '^fuzz_'
  # Each fuzzer is one process on one core, for a fixed time: two at once
  # do the same work in half the wall time.
  ctest --test-dir build-asan --output-on-failure -R '^fuzz_' -j 2
fi
echo "test suite took $(( $(date +%s) - start )) s"
