#!/bin/sh
# Runs every benchmark and prints its figures. Build first:
#   cmake -S . -B build -G Ninja && ninja -C build
# Usage: bench/run_all.sh [BUILD_DIR]   (default: build); bench_datapath,
# bench_swap and bench_http need root (bench_http also nginx and wrk, from
# scripts/setup.sh).
set -eu
build=${1:-build}
echo "== bench_frontend"
"$build/bench/bench_frontend"
echo
echo "== bench_datapath"
"$build/bench/bench_datapath"
echo
echo "== bench_swap"
"$build/bench/bench_swap"
echo
echo "== bench_http"
"$(dirname "$0")/bench_http.sh" "$build/cli/polc"
