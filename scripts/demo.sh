#!/usr/bin/env bash
# polc's main job on a bundled sample: install, build, compile a policy to a
# BPF object, and (as root) verify it in the kernel and run its flows.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
polc=build/cli/polc
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

set -x
"$polc" compile samples/01-labels.json -o "$out/01-labels.o" --emit-ir "$out/01-labels.ir.json"
set +x
echo "compiled: $(stat -c %s "$out/01-labels.o") bytes, IR in $out/01-labels.ir.json"
if [ "$(id -u)" -eq 0 ]; then
  set -x
  "$polc" verify "$out/01-labels.o"
  "$polc" test samples/01-labels.json --endpoints samples/endpoints.json --flows samples/01-labels.flows.json
else
  echo "not root: skipping 'polc verify' and 'polc test' (they load programs into the kernel)"
fi
