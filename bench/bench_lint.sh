#!/usr/bin/env bash
# polc lint over 1,000 generated policy files (DSL and rule JSON, half each),
# with an inventory; prints the wall time. Target: under 2 s.
# Usage: bench/bench_lint.sh [path/to/polc] [files]
set -euo pipefail
polc=${1:-polc}
count=${2:-1000}
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

start=$(date +%s.%N)
set +e
"$polc" lint "$dir"/p*.pol "$dir"/p*.json --endpoints "$dir/endpoints.json" --format json > "$dir/out.json"
status=$?
set -e
end=$(date +%s.%N)
findings=$(grep -c '"rule_id"' "$dir/out.json" || true)
seconds=$(echo "$end - $start" | bc)
echo "bench_lint: $count files, $findings findings, exit $status, ${seconds} s (target < 2 s)"
if ((status > 1)); then exit "$status"; fi
