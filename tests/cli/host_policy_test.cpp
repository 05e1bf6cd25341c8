// Host policies (docs/inventory.md): a CiliumClusterwideNetworkPolicy with
// nodeSelector selects the host endpoint when the inventory's node labels
// match, checked with `polc test` in the kernel and the reference
// evaluator; a namespaced policy may not use it.
#include <doctest/doctest.h>

#include "tests/support/test_env.h"

using namespace polc::test;

namespace {

constexpr const char *kHostPolicy = R"(apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: edge-hosts}
spec:
  nodeSelector: {matchLabels: {role: edge}}
  ingress:
    - fromEntities: [world]
      toPorts: [{ports: [{port: "22", protocol: TCP}]}]
)";

std::string inventory(const std::string &role) {
  return R"({"node": {"name": "n1", "labels": {"role": ")" + role + R"("}},
    "endpoints": [
      {"name": "host", "labels": {"reserved:host": ""}, "ips": ["10.9.0.1"]},
      {"name": "web-1", "labels": {"app": "web", "role": "edge"}, "ips": ["10.9.0.11"]}]})";
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("host policies: nodeSelector selects the host of a node whose labels match") {
    if (!bpf_tests_enabled()) return;
    TempDir dir;
    write_file(dir / "host.yaml", kHostPolicy);
    write_file(dir / "edge.json", inventory("edge"));
    write_file(dir / "core.json", inventory("core"));
    // On an edge node the host is enforced: 22 from the world, nothing else.
    // web-1 has the label too, but it is not a host.
    write_file(dir / "edge-flows.json", R"({"flows": [
      {"from": {"ip": "203.0.113.9"}, "to": "host", "proto": "tcp", "dport": 22, "expect": "allow"},
      {"from": {"ip": "203.0.113.9"}, "to": "host", "proto": "tcp", "dport": 23, "expect": "deny"},
      {"from": {"ip": "203.0.113.9"}, "to": "web-1", "proto": "tcp", "dport": 23, "expect": "allow"}]})");
    CommandResult edge = run_polc({"test", (dir / "host.yaml").string(), "--endpoints", (dir / "edge.json").string(),
                                   "--flows", (dir / "edge-flows.json").string()});
    INFO(edge.out << edge.err);
    CHECK(edge.exit_code == 0);
    // On a core node the policy selects nothing.
    write_file(dir / "core-flows.json", R"({"flows": [
      {"from": {"ip": "203.0.113.9"}, "to": "host", "proto": "tcp", "dport": 23, "expect": "allow"}]})");
    CommandResult core = run_polc({"test", (dir / "host.yaml").string(), "--endpoints", (dir / "core.json").string(),
                                   "--flows", (dir / "core-flows.json").string()});
    INFO(core.out << core.err);
    CHECK(core.exit_code == 0);
  }

  TEST_CASE("host policies: nodeSelector compiles without an inventory, and not in a namespaced policy") {
    TempDir dir;
    write_file(dir / "host.yaml", kHostPolicy);
    CHECK(run_polc({"compile", (dir / "host.yaml").string(), "-o", (dir / "h.o").string()}).exit_code == 0);
    std::string namespaced = kHostPolicy;
    namespaced.replace(namespaced.find("CiliumClusterwideNetworkPolicy"), 30, "CiliumNetworkPolicy");
    write_file(dir / "cnp.yaml", namespaced);
    CommandResult r = run_polc({"compile", (dir / "cnp.yaml").string(), "-o", (dir / "c.o").string()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("cnp.yaml:5:17: error: \"nodeSelector\" selects hosts") != std::string::npos);
    // Both selectors in one rule: refused.
    std::string both = kHostPolicy;
    both.insert(both.find("  nodeSelector"), "  endpointSelector: {}\n");
    write_file(dir / "both.yaml", both);
    CHECK(run_polc({"compile", (dir / "both.yaml").string(), "-o", (dir / "b.o").string()}).exit_code == 1);
  }
}
