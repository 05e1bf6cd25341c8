// CONTRACT §1.2: an endpoint with a `reserved:` label (the host,
// remote-node, ...) belongs to no namespace. A namespaced policy neither
// selects it nor matches it as a peer; entities and cluster-wide policies
// do. Checked with `polc test`, in the kernel and the reference evaluator.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support/test_env.h"

using namespace polc::test;

TEST_SUITE("cli") {
  TEST_CASE("reserved endpoints are in no namespace: a namespaced lockdown leaves the host alone") {
    if (!bpf_tests_enabled()) return;
    TempDir dir;
    write_file(dir / "eps.json", R"({"endpoints": [
      {"name": "host", "namespace": "default", "labels": {"reserved:host": ""}, "ips": ["10.9.0.1"]},
      {"name": "web-1", "labels": {"app": "web"}, "ips": ["10.9.0.11"]},
      {"name": "web-2", "labels": {"app": "web"}, "ips": ["10.9.0.12"]}]})");
    // Every endpoint of `default` accepts only its namespace's endpoints,
    // and, from the entity, the host.
    write_file(dir / "lockdown.yaml", R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: lockdown, namespace: default}
spec:
  endpointSelector: {}
  ingress:
    - fromEndpoints: [{}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: host-probes, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
    - fromEntities: [host]
      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
)");
    write_file(dir / "flows.json", R"({"flows": [
      {"name": "the namespace's own", "from": "web-2", "to": "web-1", "proto": "tcp", "dport": 80, "expect": "allow"},
      {"name": "host is not in the namespace", "from": "host", "to": "web-1", "proto": "tcp", "dport": 80, "expect": "deny"},
      {"name": "host by entity", "from": "host", "to": "web-1", "proto": "tcp", "dport": 8080, "expect": "allow"},
      {"name": "host not locked down", "from": {"ip": "203.0.113.9"}, "to": "host", "proto": "tcp", "dport": 22, "expect": "allow"},
      {"name": "host reached from the namespace", "from": "web-1", "to": "host", "proto": "tcp", "dport": 22, "expect": "allow"}
    ]})");
    CommandResult r = run_polc({"test", (dir / "lockdown.yaml").string(), "--endpoints", (dir / "eps.json").string(),
                                "--flows", (dir / "flows.json").string(), "--format", "json"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);

    // A cluster-wide policy does select it.
    write_file(dir / "ccnp.yaml", R"(apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: host-lockdown}
spec:
  endpointSelector: {matchLabels: {"reserved:host": ""}}
  ingress:
    - fromEntities: [world]
      toPorts: [{ports: [{port: "22", protocol: TCP}]}]
)");
    write_file(dir / "flows2.json", R"({"flows": [
      {"from": {"ip": "203.0.113.9"}, "to": "host", "proto": "tcp", "dport": 22, "expect": "allow"},
      {"from": {"ip": "203.0.113.9"}, "to": "host", "proto": "tcp", "dport": 23, "expect": "deny"}
    ]})");
    CommandResult c = run_polc({"test", (dir / "ccnp.yaml").string(), "--endpoints", (dir / "eps.json").string(),
                                "--flows", (dir / "flows2.json").string()});
    INFO(c.out << c.err);
    CHECK(c.exit_code == 0);
  }
}
