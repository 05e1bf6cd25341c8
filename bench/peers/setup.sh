#!/usr/bin/env bash
# The peers bench/bench_peers.sh compares polc with, and what it plots
# with, on top of what scripts/setup.sh installs for everything else.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../../scripts/setup.sh" iptables nftables xdp-tools ethtool gnuplot-nox bc
