#!/usr/bin/env bash
# Two cases, each with an inventory; prints wall time and peak memory.
#  - many files: polc lint over 1,000 generated policy files (DSL and rule
#    JSON, half each). Target: under 2 s.
#  - one file: a single rule-JSON file of 100,000 rules (each its own
#    subject, half of them overlapping a shared `team` rule, so the shadow
#    analysis has real work). Target: under 5 s.
# Usage: bench/bench_lint.sh [path/to/polc] [files] [rules in the single file]
set -euo pipefail
polc=${1:-polc}
count=${2:-1000}
single=${3:-100000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for ((i = 0; i < count; i++)); do
  if ((i % 2)); then
    cat > "$dir/p$i.pol" <<POL
policy svc-$i {
  description "service $i: its clients, its database, DNS";
  select app = svc-$i;
  allow ingress from endpoints { app = client-$i }, { team = ops-$((i % 7)) } on tcp $((8000 + i % 100)) http {
    method "GET|HEAD" path "/api/v1/items(/[0-9]+)?";
    method "POST" path "/api/v1/items" header "Content-Type: application/json";
  }
  allow ingress from cidr 10.$((i % 250)).0.0/16 except 10.$((i % 250)).99.0/24 on tcp 443;
  deny ingress from cidr 10.$((i % 250)).66.0/24;
  allow egress to endpoints { app = db-$i } on tcp 5432;
  allow egress to endpoints { k8s-app = kube-dns } on any 53;
}
POL
  else
    cat > "$dir/p$i.json" <<JSON
[{"endpointSelector": {"matchLabels": {"app": "svc-$i"}},
  "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "client-$i"}}],
               "toPorts": [{"ports": [{"port": "$((8000 + i % 100))", "protocol": "TCP"}]}]},
              {"fromEntities": ["world"], "toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}]}]}],
  "egress": [{"toEndpoints": [{"matchLabels": {"app": "db-$i"}}],
              "toPorts": [{"ports": [{"port": "5432", "protocol": "TCP"}]}]},
             {"toCIDRSet": [{"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}],
              "toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}]}]}]}]
JSON
  fi
done

{
  echo '{"endpoints": ['
  for ((i = 0; i < count; i++)); do
    sep=","; ((i == count - 1)) && sep=""
    echo "  {\"name\": \"svc-$i\", \"labels\": {\"app\": \"svc-$i\"}, \"ips\": [\"10.$((i / 250)).$((i % 250)).1\"]}$sep"
  done
  echo ']}'
} > "$dir/endpoints.json"

# Runs polc lint with its arguments; sets seconds, peak_mib, status, findings.
run_lint() {
  local start end
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -f '%M' -o "$dir/rss" "$polc" lint "$@" --endpoints "$dir/endpoints.json" --format json > "$dir/out.json"
  status=$?
  set -e
  end=$(date +%s.%N)
  seconds=$(echo "$end - $start" | bc)
  peak_mib=$(( $(tail -1 "$dir/rss") / 1024 ))
  findings=$(grep -c '"rule_id"' "$dir/out.json" || true)
}

run_lint "$dir"/p*.pol "$dir"/p*.json
echo "bench_lint: $count files, $findings findings, exit $status, ${seconds} s, peak ${peak_mib} MiB (target < 2 s)"
if ((status > 1)); then exit "$status"; fi

python3 - "$single" > "$dir/single.json" <<'PY'
import json, sys
n = int(sys.argv[1])
rules = []
for i in range(n):
    subject = {"app": f"svc-{i}"}
    if i % 2:
        subject["team"] = f"ops-{i % 7}"
    rules.append({
        "endpointSelector": {"matchLabels": subject},
        "ingress": [{"fromEndpoints": [{"matchLabels": {"app": f"client-{i}"}}],
                     "toPorts": [{"ports": [{"port": str(8000 + i % 100), "protocol": "TCP"}]}]}],
        "egress": [{"toCIDRSet": [{"cidr": f"10.{i // 250 % 250}.{i % 250}.0/24"}],
                    "toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}]}]}]})
# Rules whose subject meets half of the above: the shadow pass compares them.
for t in range(7):
    rules.append({"endpointSelector": {"matchLabels": {"team": f"ops-{t}"}},
                  "ingress": [{"fromEntities": ["cluster"], "toPorts": [{"ports": [{"port": "8000", "protocol": "TCP"}]}]}]})
json.dump(rules, sys.stdout, indent=1)
PY
run_lint "$dir/single.json"
echo "bench_lint: 1 file of $single rules, $findings findings, exit $status, ${seconds} s, peak ${peak_mib} MiB (target < 5 s)"
if ((status > 1)); then exit "$status"; fi
