#!/usr/bin/env bash
# HTTP enforcement cost, measured in one run with wrk (root; nginx and wrk
# from scripts/setup.sh):
#   (a) client -> nginx, no policy
#   (b) the same with a polc HTTP policy of 1, 100 and 1,000 path rules on
#       the server's interface (ingress, in the kernel, no proxy); also the
#       same port allowed without HTTP rules (layer 4 only), for reference
#   (c) client -> nginx reverse proxy in a middle namespace enforcing the
#       same path rules (one regex location each, 403 otherwise) -> the same
#       backend nginx
# Every request of a row matches one of that row's rules: wrk cycles over
# the paths /api/v1/item-K/x, K = 0..N-1 (rule K is "/api/v1/item-K/.*").
# Prints requests/s, p50/p99 latency, non-2xx/errors per row, and the
# ratios polc vs no policy (target >= 0.9x) and polc vs the nginx proxy
# with the same rules (target >= 2x).
#
# Usage: sudo bench/bench_http.sh [path/to/polc] [seconds per row]
# Environment: THREADS (2), CONNECTIONS (32), WORKERS (nginx worker
# processes, backend and proxy alike: 1), ROUNDS (5: every row is measured
# once per round, rounds interleave the rows, the median is shown),
# BPF_STATS (see prog_stats below), RULES (the path-rule counts: "1 100 1000").
set -euo pipefail

polc=$(command -v "${1:-polc}" || true)
seconds=${2:-5}
threads=${THREADS:-2}
conns=${CONNECTIONS:-32}
workers=${WORKERS:-1}
rounds=${ROUNDS:-5}
rule_counts=(${RULES:-1 100 1000})

if [ -z "$polc" ]; then echo "bench_http: polc not found (pass its path)" >&2; exit 2; fi
polc=$(readlink -f "$polc")
if [ "$(id -u)" -ne 0 ]; then echo "bench_http: needs root (namespaces, BPF)" >&2; exit 3; fi
for tool in nginx wrk curl ip; do
  command -v "$tool" >/dev/null || { echo "bench_http: $tool missing (scripts/setup.sh installs it)" >&2; exit 3; }
done

here=$(cd "$(dirname "$0")" && pwd)
tag="polc-bh-$$"
C="$tag-c" P="$tag-p" S="$tag-s"
dir=$(mktemp -d)

cleanup() {
  set +e
  "$polc" detach --iface s0 --netns "$S" >/dev/null 2>&1
  for ns in "$C" "$P" "$S"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9
    rm -rf "/sys/fs/bpf/polc/$ns" "/run/polc/$ns"
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- network: client <-> server direct (c0/s0), client <-> proxy <-> server (c1/p0, p1/s1)
for ns in "$C" "$P" "$S"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
veth() {  # ns1 if1 addr1 ns2 if2 addr2
  ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
  ip -n "$1" addr add "$3/24" dev "$2"; ip -n "$4" addr add "$6/24" dev "$5"
  ip -n "$1" link set "$2" up; ip -n "$4" link set "$5" up
}
veth "$C" c0 10.201.0.1 "$S" s0 10.201.0.2
veth "$C" c1 10.201.1.1 "$P" p0 10.201.1.2
veth "$P" p1 10.201.2.1 "$S" s1 10.201.2.2
# Static neighbours: nothing to resolve while a policy is in force.
mac() { ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
ip -n "$C" neigh replace 10.201.0.2 lladdr "$(mac "$S" s0)" dev c0 nud permanent
ip -n "$S" neigh replace 10.201.0.1 lladdr "$(mac "$C" c0)" dev s0 nud permanent

nginx_common() {  # name
  cat <<EOF
worker_processes $workers;
pcre_jit on;
user root root;
pid $dir/$1.pid;
error_log $dir/$1.error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/$1-body; proxy_temp_path $dir/$1-proxy;
  fastcgi_temp_path $dir/$1-fastcgi; uwsgi_temp_path $dir/$1-uwsgi; scgi_temp_path $dir/$1-scgi;
  default_type text/plain;
  keepalive_requests 10000000;
  keepalive_timeout 60s;
EOF
}

# Backend: a fixed small answer for every path.
{
  nginx_common backend
  echo '  server { listen 8080; location / { return 200 "ok\n"; } }'
  echo '}'
} > "$dir/backend.conf"
ip netns exec "$S" nginx -c "$dir/backend.conf"

proxy_conf() {  # rules
  nginx_common "proxy-$1"
  cat <<EOF
  upstream backend { server 10.201.2.2:8080; keepalive 64; keepalive_requests 10000000; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  server {
    listen 10.201.1.2:8080;
EOF
  for ((k = 0; k < $1; k++)); do
    echo "    location ~ ^/api/v1/item-$k/.*\$ { proxy_pass http://backend; }"
  done
  # shellcheck disable=SC2016
  echo '    location / { return 403 "Access denied\r\n"; }'
  echo '  }'
  echo '}'
}

policy() {  # rules, or l4: the port without HTTP rules
  if [ "$1" = l4 ]; then
    cat > "$dir/policy-l4.json" <<'EOF'
[{"endpointSelector": {"matchLabels": {"app": "server"}},
  "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "client"}}],
    "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}]}]}]}]
EOF
    return
  fi
  {
    echo '[{"endpointSelector": {"matchLabels": {"app": "server"}},'
    echo '  "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "client"}}],'
    echo '    "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}], "rules": {"http": ['
    for ((k = 0; k < $1; k++)); do
      sep=","; ((k == $1 - 1)) && sep=""
      echo "      {\"path\": \"/api/v1/item-$k/.*\"}$sep"
    done
    echo '    ]}}]}]}]'
  } > "$dir/policy-$1.json"
}
cat > "$dir/endpoints.json" <<EOF
{"endpoints": [
  {"name": "server", "labels": {"app": "server"}, "ips": ["10.201.0.2"]},
  {"name": "client", "labels": {"app": "client"}, "ips": ["10.201.0.1"]}]}
EOF

# wrk cycles over the paths of N rules (all allowed).
cat > "$dir/paths.lua" <<'EOF'
local reqs, i = {}, 0
function init(args)
  local n = tonumber(args[1]) or 1
  for k = 0, n - 1 do reqs[#reqs + 1] = wrk.format("GET", "/api/v1/item-" .. k .. "/x") end
end
function request()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
EOF

wait_http() {  # url: until it answers (any status), 5 s at most
  for _ in $(seq 50); do
    ip netns exec "$C" curl -s -m 1 -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "bench_http: $1 does not answer" >&2
  return 1
}
code_of() { ip netns exec "$C" curl -s -m 2 -o /dev/null -w '%{http_code}' "$1" || true; }

to_ms() {  # wrk latency (e.g. 812.00us, 1.20ms, 1.01s) -> ms
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.3f", n }'
}

# BPF_STATS=1: the kernel's own count of the time spent in polc's two
# programs (kernel.bpf_stats_enabled, on for the run), per request. The
# accounting reads the clock twice per run, so it adds to what it measures
# and lowers every polc row: then compare those figures, not the ratios.
prog_stats() {  # link pin: "run_time_ns run_cnt" of the program it runs
  local id
  id=$(bpftool link show pinned "$1" 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "prog") {print $(i + 1); exit}}')
  [ -n "$id" ] || { echo "0 0"; return; }
  bpftool prog show id "$id" 2>/dev/null | awk '{for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) }} END {print t + 0, c + 0}'
}
links_dir="/sys/fs/bpf/polc/$S/s0"
declare -A RPS P50 P99 BAD NOTE
run_wrk() {  # row round url rules
  local out key="$1/$2" before_in before_out
  ip netns exec "$C" wrk -t"$threads" -c"$conns" -d1s -s "$dir/paths.lua" "$3" -- "$4" >/dev/null 2>&1 || true  # warm up
  if [ -n "${BPF_STATS:-}" ]; then before_in=$(prog_stats "$links_dir/link_ingress"); before_out=$(prog_stats "$links_dir/link_egress"); fi
  out=$(ip netns exec "$C" wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency -s "$dir/paths.lua" "$3" -- "$4" 2>&1) || true
  if [ -n "${BPF_STATS:-}" ] && [ "${1#polc-}" != "$1" ]; then
    local requests
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    NOTE[$1]+=" round $2 in the kernel: $(awk -v b="$before_in" -v a="$(prog_stats "$links_dir/link_ingress")" \
      -v bo="$before_out" -v ao="$(prog_stats "$links_dir/link_egress")" -v r="${requests:-0}" 'BEGIN {
        split(b, x, " "); split(a, y, " "); split(bo, u, " "); split(ao, v, " ")
        ni = y[2] - x[2]; no = v[2] - u[2]; ti = y[1] - x[1]; to = v[1] - u[1]
        if (r + 0 == 0 || ni <= 0) { print "no figures"; exit }
        printf "ingress %.0f ns/packet x %.2f packets/request, egress %.0f ns/packet x %.2f, %.0f ns/request", ti / ni, ni / r, (no > 0 ? to / no : 0), no / r, (ti + to) / r }');"
  fi
  RPS[$key]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  P50[$key]=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  P99[$key]=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  local non2xx errs
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  errs=$(awk '/Socket errors:/ {s = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i; print s}' <<<"$out")
  BAD[$key]=$(( ${non2xx:-0} + ${errs:-0} ))
  if [ -z "${RPS[$key]}" ]; then RPS[$key]=0; NOTE[$1]+=" wrk failed in round $2: $(tr '\n' ' ' <<<"$out" | cut -c1-200);"; fi
}
fail_row() { RPS[$1/$2]=0; P50[$1/$2]=-; P99[$1/$2]=-; BAD[$1/$2]=0; NOTE[$1]+=" $3;"; }

if [ -n "${BPF_STATS:-}" ]; then
  stats_was=$(sysctl -n kernel.bpf_stats_enabled)
  sysctl -qw kernel.bpf_stats_enabled=1
  trap 'sysctl -qw kernel.bpf_stats_enabled=$stats_was; cleanup' EXIT
fi
echo "bench_http: wrk -t$threads -c$conns -d${seconds}s per row (1 s warm-up), $rounds rounds (median shown), nginx workers $workers, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
wait_http "http://10.201.0.2:8080/"
for n in l4 "${rule_counts[@]}"; do policy "$n"; done
for n in "${rule_counts[@]}"; do proxy_conf "$n" > "$dir/proxy-$n.conf"; done

for ((round = 1; round <= rounds; round++)); do
  # (a) no policy
  run_wrk none "$round" "http://10.201.0.2:8080" 1000

  # (b) polc on s0: port 8080 without HTTP rules (the layer-4 datapath
  # alone, for reference), then 1 / 100 / 1,000 path rules
  for n in l4 "${rule_counts[@]}"; do
    row="polc-$n"
    start=$(date +%s.%N)
    if ! applied=$("$polc" apply "$dir/policy-$n.json" --iface s0 --netns "$S" --endpoints "$dir/endpoints.json" 2>&1); then
      fail_row "$row" "$round" "polc apply failed: $(tr '\n' ' ' <<<"$applied" | cut -c1-160)"; continue
    fi
    apply_s=$(printf '%.2f' "$(echo "$(date +%s.%N) - $start" | bc)")
    if [ "$n" = l4 ]; then
      run_wrk "$row" "$round" "http://10.201.0.2:8080" 1000
      continue
    fi
    allowed=$(code_of "http://10.201.0.2:8080/api/v1/item-$((n - 1))/x")
    denied=$(code_of "http://10.201.0.2:8080/api/v1/item-$n/x")
    NOTE[$row]+=" round $round: apply $apply_s s, allowed path -> $allowed, other path -> $denied"
    if [ "$allowed" != 200 ] || [ "$denied" != 403 ]; then NOTE[$row]+=" (NOT ENFORCING AS EXPECTED)"; fi
    NOTE[$row]+=";"
    run_wrk "$row" "$round" "http://10.201.0.2:8080" "$n"
  done
  "$polc" detach --iface s0 --netns "$S" >/dev/null 2>&1 || true
  # (a) again: the round's no-policy figure is the mean of the two, which
  # bracket its polc rows, so a drift of the machine within the round
  # weighs on both sides of the ratio alike.
  run_wrk none-after "$round" "http://10.201.0.2:8080" 1000
  RPS[none/$round]=$(awk -v a="${RPS[none/$round]}" -v b="${RPS[none-after/$round]}" \
    'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.0f", (a + b) / 2; else print 0 }')
  BAD[none/$round]=$(( ${BAD[none/$round]:-0} + ${BAD[none-after/$round]:-0} ))
  NOTE[none]+=" round $round: ${RPS[none-after/$round]} after the polc rows;"

  # (c) nginx reverse proxy with the same rules
  for n in "${rule_counts[@]}"; do
    row="proxy-$n"
    ip netns exec "$P" nginx -c "$dir/proxy-$n.conf"
    wait_http "http://10.201.1.2:8080/" || true
    allowed=$(code_of "http://10.201.1.2:8080/api/v1/item-$((n - 1))/x")
    denied=$(code_of "http://10.201.1.2:8080/api/v1/item-$n/x")
    if ((round == 1)); then NOTE[$row]+=" allowed path -> $allowed, other path -> $denied;"; fi
    run_wrk "$row" "$round" "http://10.201.1.2:8080" "$n"
    kill "$(cat "$dir/proxy-$n.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [ -e "$dir/proxy-$n.pid" ] || break; sleep 0.1; done
  done
done

rows=(none polc-l4)
for n in "${rule_counts[@]}"; do rows+=("polc-$n"); done
for n in "${rule_counts[@]}"; do rows+=("proxy-$n"); done
median() { tr ' ' '\n' | grep -v '^-*$' | sort -g | awk '{v[NR] = $1} END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A ALL
for row in "${rows[@]}"; do
  r="" a="" b="" bad=0
  for ((round = 1; round <= rounds; round++)); do
    r+=" ${RPS[$row/$round]:-0}"; a+=" ${P50[$row/$round]:--}"; b+=" ${P99[$row/$round]:--}"
    bad=$((bad + ${BAD[$row/$round]:-0}))
  done
  RPS[$row]=$(median <<<"$r" | awk '$1 == "-" {print; next} {printf "%.0f\n", $1}'); P50[$row]=$(median <<<"$a"); P99[$row]=$(median <<<"$b"); BAD[$row]=$bad
  ALL[$row]=$(awk '{for (i = 1; i <= NF; i++) printf "%s%.0f", (i > 1 ? " / " : ""), $i}' <<<"$r")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
# The ratio of a row to no policy: the median over the rounds of the
# ratio within each round (paired, so the machine's swings between rounds
# cancel), with the per-round ratios for the record.
declare -A PAIRED VS_NONE
for row in "${rows[@]:1}"; do
  r=""
  for ((round = 1; round <= rounds; round++)); do
    v=$(ratio "${RPS[$row/$round]:-0}" "${RPS[none/$round]:-0}")
    [ "$v" = - ] || r+=" $v"
  done
  PAIRED[$row]=$(awk '{for (i = 1; i <= NF; i++) printf "%s%s", (i > 1 ? " / " : ""), $i}' <<<"$r")
  VS_NONE[$row]=$(median <<<"$r" | awk '$1 == "-" {print; next} {printf "%.2f\n", $1}')
done
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { if (r == "-") print "n/a"; else if (r + 0 >= t) print "met"; else print "MISSED" }'; }

echo
printf '%-22s %10s %9s %9s %8s   %s\n' "case" "req/s" "p50 ms" "p99 ms" "bad" "ratios (targets: >= 0.9x no policy, >= 2x nginx proxy)"
row_line() {  # row label extra
  printf '%-22s %10s %9s %9s %8s   %s\n' "$2" "${RPS[$1]:-0}" "${P50[$1]:--}" "${P99[$1]:--}" "${BAD[$1]:--}" "$3"
}
row_line none "no policy" ""
row_line polc-l4 "polc, port only (L4)" "${VS_NONE[polc-l4]}x no policy"
for n in "${rule_counts[@]}"; do
  vs_none=${VS_NONE[polc-$n]}
  vs_proxy=$(ratio "${RPS[polc-$n]:-0}" "${RPS[proxy-$n]:-0}")
  row_line "polc-$n" "polc, $n path rule$( ((n == 1)) || echo s)" \
    "${vs_none}x no policy ($(verdict "$vs_none" 0.9)), ${vs_proxy}x proxy ($(verdict "$vs_proxy" 2))"
done
for n in "${rule_counts[@]}"; do
  row_line "proxy-$n" "nginx proxy, $n rule$( ((n == 1)) || echo s)" "${VS_NONE[proxy-$n]}x no policy"
done
echo "(bad: non-2xx answers + socket errors, all rounds; must be 0)"
echo "(x no policy: median over the rounds of the ratio within a round; no policy is measured before and after the polc rows of each round)"
echo
for row in "${rows[@]}"; do
  echo "  $row: req/s per round ${ALL[$row]};${PAIRED[$row]:+ x no policy per round ${PAIRED[$row]};}${NOTE[$row]:-}"
done
exit 0
