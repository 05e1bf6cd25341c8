#!/usr/bin/env bash
# The peers bench/bench_peers.sh compares polc with, and what it plots
# with. Kept apart from scripts/setup.sh: CI does not run this bench.
set -euo pipefail
packages=(iptables nftables xdp-tools ethtool gnuplot-nox bc)
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
