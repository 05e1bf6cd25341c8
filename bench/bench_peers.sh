#!/usr/bin/env bash
# polc against the filters users already have, on the same traffic, in one
# run (bench/README.md, "Peers"). Root; not run in CI.
#
# Topology: two namespaces joined by a veth pair; the filter sits on the
# receiving side's ingress. Every filter gets the same generated rule set:
# RULES rules, the ones that match the bench's traffic last (UDP 9, then
# TCP 80, from the sender's address); the others name other sources.
#
# Configurations (alternating within each round; the median over rounds is
# reported, so the machine's drift cancels):
#   none, tc-empty        no filter; an empty tc program
#   polc-tc, polc-xdp     polc apply, tc and XDP hooks
#   ipt-ct, ipt-linear    iptables (xtables, iptables-legacy): conntrack
#                         ESTABLISHED first, then the list; the list alone
#   nft-linear, nft-set   nftables: one rule per entry; one set lookup
#   xdp-filter            xdp-tools' xdp-filter, deny by default, sources
#                         allowed (it matches addresses or ports, not pairs)
# Traffic shapes:
#   udp-1flow      64-byte UDP frames, one flow, from a live-frame
#                  BPF_PROG_RUN (XDP_TX) sender (bench/peers/peer_traffic.c)
#   udp-4096flows  the same, source ports random among 4,096
#   tcp-connect    TCP connections opened and closed one after another
# Figures per cell: packets (connections) delivered per second; CPU ns per
# packet, machine-wide from /proc/stat (the sender's own cost cancels when
# "none" is subtracted); polc's in-kernel ns per packet from BPF stats.
#
# Usage: bench/bench_peers.sh [--quick] [--polc PATH] [--out DIR] [--rounds N]
#   --quick   rule counts 1 and 1,000, one round, 0.5 s per cell (< 2 min)
#   --out     where results.csv, summary.csv and the plots go
#             (default: bench/results/peers)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
polc=${POLC:-$here/../build/cli/polc}
out=$here/results/peers
quick=0
rounds=3
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --polc) polc=$2; shift ;;
    --out) out=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    *) echo "usage: $0 [--quick] [--polc PATH] [--out DIR] [--rounds N]" >&2; exit 2 ;;
  esac
  shift
done
if ((EUID != 0)); then echo "bench_peers: needs root (namespaces, BPF, netfilter)" >&2; exit 3; fi
for tool in iptables-legacy-restore nft xdp-filter ethtool gnuplot bpftool cc; do
  command -v "$tool" > /dev/null || { echo "bench_peers: $tool is missing (bench/peers/setup.sh installs it)" >&2; exit 3; }
done
polc=$(realpath "$polc")

rule_counts=(1 100 1000 10000)
seconds=2
configs=(none tc-empty polc-tc polc-xdp ipt-ct ipt-linear nft-linear nft-set xdp-filter)
shapes=(udp-1flow udp-4096flows tcp-connect)
if ((quick)); then rule_counts=(1 1000); seconds=0.5; rounds=1; fi

tmp=$(mktemp -d)
S=polc-peers-s-$$ R=polc-peers-r-$$
cleanup() {
  ip netns pids "$R" 2> /dev/null | xargs -r kill 2> /dev/null || true
  "$polc" detach --netns "$R" --iface vr > /dev/null 2>&1 || true
  ip netns del "$S" 2> /dev/null || true
  ip netns del "$R" 2> /dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

cc -O2 -Wall -o "$tmp/peer_traffic" "$here/peers/peer_traffic.c" -lbpf
traffic=$tmp/peer_traffic
sysctl -qw kernel.bpf_stats_enabled=1

# ---- topology -------------------------------------------------------------
ip netns add "$S"
ip netns add "$R"
ip link add vs netns "$S" type veth peer name vr netns "$R"
ip -n "$S" addr add 10.77.0.1/24 dev vs
ip -n "$R" addr add 10.77.0.2/24 dev vr
for ns in "$S" "$R"; do ip -n "$ns" link set lo up; done
ip -n "$S" link set vs up
ip -n "$R" link set vr up
# veth delivers XDP_TX frames to a peer with NAPI: GRO on gives it one.
ip netns exec "$R" ethtool -K vr gro on > /dev/null
mac() { ip -n "$1" -j link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }
mac_s=$(mac "$S" vs) mac_r=$(mac "$R" vr)
# No ARP on the measured path (xdp-filter's default deny would drop it).
ip -n "$S" neigh replace 10.77.0.2 lladdr "$mac_r" dev vs nud permanent
ip -n "$R" neigh replace 10.77.0.1 lladdr "$mac_s" dev vr nud permanent
ip netns exec "$R" "$traffic" tcp-sink 80 &
sleep 0.2

# ---- rule sets ------------------------------------------------------------
# The i-th other source: 10.200.0.0/16 and up, never the sender.
other() { echo "10.$((200 + $1 / 62500)).$(($1 / 250 % 250)).$(($1 % 250 + 1))"; }

write_rules() {  # $1: rule count (>= 1; the matching rules are the last ones)
  local n=$1 others=$(($1 > 2 ? $1 - 2 : 0)) i
  # polc: Cilium rules on the receiver, an endpoint of the inventory.
  {
    echo '[{"endpointSelector": {"matchLabels": {"app": "sink"}}, "ingress": ['
    for ((i = 0; i < others; i++)); do
      echo "{\"fromCIDR\": [\"$(other $i)/32\"], \"toPorts\": [{\"ports\": [{\"port\": \"9\", \"protocol\": \"UDP\"}]}]},"
    done
    echo '{"fromCIDR": ["10.77.0.1/32"], "toPorts": [{"ports": [{"port": "9", "protocol": "UDP"}]}]},'
    echo '{"fromCIDR": ["10.77.0.1/32"], "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}]}]}]}]'
  } > "$tmp/polc.json"
  echo '{"endpoints": [{"name": "sink", "labels": {"app": "sink"}, "ips": ["10.77.0.2"]}]}' > "$tmp/inventory.json"
  # iptables: the list, with or without conntrack first.
  for variant in ct linear; do
    {
      echo '*filter'
      echo ':INPUT DROP [0:0]'
      [[ $variant == ct ]] && echo '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'
      for ((i = 0; i < others; i++)); do echo "-A INPUT -s $(other $i)/32 -p udp --dport 9 -j ACCEPT"; done
      echo '-A INPUT -s 10.77.0.1/32 -p udp --dport 9 -j ACCEPT'
      echo '-A INPUT -s 10.77.0.1/32 -p tcp --dport 80 -j ACCEPT'
      echo 'COMMIT'
    } > "$tmp/ipt-$variant.rules"
  done
  # nftables: one rule per entry, or one set lookup.
  {
    echo 'table inet polcbench { chain input { type filter hook input priority 0; policy drop;'
    for ((i = 0; i < others; i++)); do echo "ip saddr $(other $i) udp dport 9 accept"; done
    echo 'ip saddr 10.77.0.1 udp dport 9 accept'
    echo 'ip saddr 10.77.0.1 tcp dport 80 accept'
    echo '}'
    echo '}'
  } > "$tmp/nft-linear.nft"
  {
    echo 'table inet polcbench {'
    echo '  set allowed { type ipv4_addr . inet_proto . inet_service; flags constant; elements = {'
    for ((i = 0; i < others; i++)); do echo "    $(other $i) . udp . 9,"; done
    echo '    10.77.0.1 . udp . 9, 10.77.0.1 . tcp . 80 }'
    echo '  }'
    echo '  chain input { type filter hook input priority 0; policy drop;'
    echo '    ip saddr . meta l4proto . th dport @allowed accept'
    echo '  }'
    echo '}'
  } > "$tmp/nft-set.nft"
  # xdp-filter: sources (the matching one last).
  : > "$tmp/xdp-filter.ips"
  for ((i = 0; i < others; i++)); do other $i >> "$tmp/xdp-filter.ips"; done
  echo 10.77.0.1 >> "$tmp/xdp-filter.ips"
}

in_r() { ip netns exec "$R" "$@"; }
# Only the network namespace: xdp-filter keeps its maps pinned in bpffs
# between commands, and `ip netns exec` gives each command its own /sys.
net_r() { nsenter --net="/run/netns/$R" "$@"; }

setup() {  # $1: configuration
  case $1 in
    none) ;;
    tc-empty) in_r "$traffic" tc-empty vr ;;
    polc-tc | polc-xdp)
      local hook=tc
      [[ $1 == polc-xdp ]] && hook=xdp
      "$polc" apply --netns "$R" --iface vr --hook "$hook" --endpoints "$tmp/inventory.json" "$tmp/polc.json" > /dev/null ;;
    ipt-ct | ipt-linear) in_r iptables-legacy-restore < "$tmp/ipt-${1#ipt-}.rules" ;;
    nft-linear | nft-set) in_r nft -f "$tmp/$1.nft" ;;
    xdp-filter)
      net_r xdp-filter load vr --policy deny --features ipv4,udp,tcp > /dev/null
      while read -r ip; do net_r xdp-filter ip "$ip" --mode src > /dev/null; done < "$tmp/xdp-filter.ips" ;;
  esac
}

teardown() {  # $1: configuration
  case $1 in
    none) ;;
    tc-empty) in_r tc qdisc del dev vr clsact ;;
    polc-tc | polc-xdp) "$polc" detach --netns "$R" --iface vr > /dev/null ;;
    ipt-ct | ipt-linear)
      in_r iptables-legacy -P INPUT ACCEPT
      in_r iptables-legacy -F INPUT ;;
    nft-linear | nft-set) in_r nft delete table inet polcbench ;;
    xdp-filter) net_r xdp-filter unload vr > /dev/null ;;
  esac
}

# ---- measurement ----------------------------------------------------------
busy_ns() {  # CPU time of the machine so far, in ns (USER_HZ ticks)
  awk -v hz="$(getconf CLK_TCK)" '/^cpu /{printf "%.0f\n", ($2+$3+$4+$7+$8) * 1e9 / hz; exit}' /proc/stat
}
udp_delivered() { in_r awk '/^Udp:/{if (h) print $2 + $3; h = 1}' /proc/net/snmp; }
polc_bpf() {  # "run_time_ns run_cnt" summed over polc's programs
  bpftool prog show -j | python3 -c '
import json, sys
t = c = 0
for p in json.load(sys.stdin):
    if p.get("name", "").startswith("polc_"):
        t += p.get("run_time_ns", 0); c += p.get("run_cnt", 0)
print(t, c)'
}

measure() {  # $1: shape -> prints "delivered elapsed_s cpu_ns bpf_ns bpf_cnt"
  local before_cpu after_cpu b_bpf a_bpf delivered
  read -r b_t b_c < <(polc_bpf)
  before_cpu=$(busy_ns)
  case $1 in
    udp-1flow | udp-4096flows)
      local flows=1
      [[ $1 == udp-4096flows ]] && flows=4096
      local before=$(udp_delivered) sent
      read -r sent elapsed < <(ip netns exec "$S" "$traffic" udp vs "$mac_s" "$mac_r" 10.77.0.1 10.77.0.2 9 "$flows" "$seconds")
      delivered=$(($(udp_delivered) - before)) ;;
    tcp-connect)
      read -r delivered elapsed < <(ip netns exec "$S" "$traffic" tcp-connect 10.77.0.2 80 "$seconds") ;;
  esac
  after_cpu=$(busy_ns)
  read -r a_t a_c < <(polc_bpf)
  echo "$delivered $elapsed $(echo "$after_cpu - $before_cpu" | bc) $((a_t - b_t)) $((a_c - b_c))"
}

mkdir -p "$out"
csv=$out/results.csv
echo "round,shape,rules,config,seconds,delivered,per_second,cpu_ns_per_packet,polc_bpf_ns_per_run" > "$csv"
start=$(date +%s)
for ((round = 1; round <= rounds; round++)); do
  for n in "${rule_counts[@]}"; do
    write_rules "$n"
    order=("${configs[@]}")
    if ((round % 2 == 0)); then  # alternate the order, so no configuration always runs first
      mapfile -t order < <(printf '%s\n' "${configs[@]}" | tac)
    fi
    for config in "${order[@]}"; do
      setup "$config"
      for shape in "${shapes[@]}"; do
        read -r delivered elapsed cpu bpf_ns bpf_cnt < <(measure "$shape")
        python3 - "$round" "$shape" "$n" "$config" "$elapsed" "$delivered" "$cpu" "$bpf_ns" "$bpf_cnt" >> "$csv" <<'PY'
import sys
r, shape, n, config, secs, delivered, cpu, bpf_ns, bpf_cnt = sys.argv[1:]
secs, delivered, cpu, bpf_ns, bpf_cnt = float(secs), int(delivered), float(cpu), int(bpf_ns), int(bpf_cnt)
per_s = delivered / secs
cpu_pp = cpu / delivered if delivered else 0
bpf = bpf_ns / bpf_cnt if bpf_cnt else 0
print(f"{r},{shape},{n},{config},{secs:.3f},{delivered},{per_s:.0f},{cpu_pp:.1f},{bpf:.1f}")
PY
        printf 'round %d  %-14s %6d rules  %-10s %12s/s\n' "$round" "$shape" "$n" "$config" \
          "$(tail -1 "$csv" | cut -d, -f7)"
      done
      teardown "$config"
    done
  done
done
echo "bench_peers: $(($(date +%s) - start)) s; raw figures in $csv"
python3 "$here/peers/summarize.py" "$csv" "$out"
if ((!quick)); then
  gnuplot -e "dir='$out'" "$here/peers/plot.gp"
  echo "bench_peers: plots in $out/*.png and $out/*.svg"
fi
