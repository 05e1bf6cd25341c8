#!/usr/bin/env bash
# Installs every Debian package polc's build, tests and benchmarks need,
# and any packages given as arguments (bench/peers/setup.sh passes the
# peers of bench_peers, which CI does not run).
# Idempotent and non-interactive: packages already present are left alone.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  # datapath toolchain: embedded LLVM/clang 16 and libbpf
  llvm-16-dev libclang-cpp16-dev libclang-16-dev clang-16 libclang-rt-16-dev
  libbpf-dev libelf-dev zlib1g-dev libzstd-dev bpftool
  # DSL parser generator and runtime
  antlr4 libantlr4-runtime-dev default-jre-headless
  # libraries
  doctest-dev libcli11-dev libfmt-dev nlohmann-json3-dev libyaml-cpp-dev libre2-dev
  # integration tests: namespaces, real clients and servers
  iproute2 iputils-ping curl netcat-openbsd iperf3 python3 nginx-light wrk pre-commit
  # promtool checks `polc stats --format prometheus` (the daemon is not used)
  prometheus
  # fleet: etcd's own server for `polc agent`/`polc push` tests and
  # bench_fleet (each starts it on loopback), libcurl for its JSON gateway
  etcd-server libcurl4-openssl-dev
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
