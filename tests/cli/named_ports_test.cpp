// Named ports (CONTRACT §1.2): `port: http` means the port of that name on
// the endpoint that receives the connection, which may differ from one
// endpoint to the next. Checked through the CLI: `polc test` runs the
// compiled program in the kernel and holds it to the reference evaluator,
// for ingress (the subject names the port) and egress (the peer does), in
// Cilium, Kubernetes and DSL forms.
#include <doctest/doctest.h>

#include "tests/support/test_env.h"

using namespace polc::test;

namespace {

// "http" is 8080 on web-1 and 9090 on web-2; web-3 has no such name.
constexpr const char *kInventory = R"({"namespaces": [{"name": "prod"}],
  "endpoints": [
    {"name": "web-1", "namespace": "prod", "labels": {"app": "web"}, "ips": ["10.1.0.11"],
     "ports": [{"name": "http", "port": 8080}]},
    {"name": "web-2", "namespace": "prod", "labels": {"app": "web"}, "ips": ["10.1.0.12"],
     "ports": [{"name": "http", "port": 9090, "protocol": "TCP"}, {"name": "dns", "port": 53, "protocol": "UDP"}]},
    {"name": "web-3", "namespace": "prod", "labels": {"app": "web"}, "ips": ["10.1.0.13"]},
    {"name": "client-1", "namespace": "prod", "labels": {"app": "client"}, "ips": ["10.1.0.21"],
     "ports": [{"name": "http", "port": 7070}]}]})";

// The ingress side: web endpoints accept "http" from anyone.
constexpr const char *kIngressCnp = R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
    - toPorts: [{ports: [{port: http, protocol: TCP}]}]
)";

constexpr const char *kIngressK8s = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
    - ports: [{port: http}]
)";

constexpr const char *kIngressDsl = R"(policy web {
  select app = web, io.kubernetes.pod.namespace = prod;
  allow ingress on tcp "http";
}
)";

constexpr const char *kIngressFlows = R"({"flows": [
  {"from": {"ip": "203.0.113.9"}, "to": "web-1", "proto": "tcp", "dport": 8080, "expect": "allow"},
  {"from": {"ip": "203.0.113.9"}, "to": "web-1", "proto": "tcp", "dport": 9090, "expect": "deny"},
  {"from": {"ip": "203.0.113.9"}, "to": "web-2", "proto": "tcp", "dport": 9090, "expect": "allow"},
  {"from": {"ip": "203.0.113.9"}, "to": "web-2", "proto": "tcp", "dport": 8080, "expect": "deny"},
  {"from": {"ip": "203.0.113.9"}, "to": "web-3", "proto": "tcp", "dport": 8080, "expect": "deny"},
  {"from": {"ip": "203.0.113.9"}, "to": "web-1", "proto": "udp", "dport": 8080, "expect": "deny"}]})";

// The egress side: the client may open "http" on web endpoints (the name
// resolved on each peer), and "http" on any endpoint (a world address has
// no named ports).
constexpr const char *kEgressCnp = R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client, namespace: prod}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
    - toEndpoints: [{matchLabels: {app: web}}]
      toPorts: [{ports: [{port: http, protocol: TCP}]}]
    - toPorts: [{ports: [{port: dns, protocol: UDP}]}]
)";

constexpr const char *kEgressFlows = R"({"flows": [
  {"from": "client-1", "to": "web-1", "proto": "tcp", "dport": 8080, "expect": "allow"},
  {"from": "client-1", "to": "web-1", "proto": "tcp", "dport": 9090, "expect": "deny"},
  {"from": "client-1", "to": "web-2", "proto": "tcp", "dport": 9090, "expect": "allow"},
  {"from": "client-1", "to": "web-2", "proto": "tcp", "dport": 8080, "expect": "deny"},
  {"from": "client-1", "to": "web-3", "proto": "tcp", "dport": 8080, "expect": "deny"},
  {"from": "client-1", "to": "web-2", "proto": "udp", "dport": 53, "expect": "allow"},
  {"from": "client-1", "to": "web-1", "proto": "udp", "dport": 53, "expect": "deny"},
  {"from": "client-1", "to": {"ip": "8.8.8.8"}, "proto": "udp", "dport": 53, "expect": "deny"}]})";

CommandResult polc_test(TempDir &dir, const std::string &policy_name, const std::string &policy,
                        const std::string &flows) {
  write_file(dir / "endpoints.json", kInventory);
  write_file(dir / policy_name, policy);
  write_file(dir / "flows.json", flows);
  return run_polc({"test", (dir / policy_name).string(), "--endpoints", (dir / "endpoints.json").string(), "--flows",
                   (dir / "flows.json").string()});
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("named ports: ingress resolves the name on each selected endpoint, in every format") {
    if (!bpf_tests_enabled()) return;
    TempDir dir;
    for (auto [name, text] : {std::pair{"web.yaml", kIngressCnp}, {"web-k8s.yaml", kIngressK8s}, {"web.pol", kIngressDsl}}) {
      CAPTURE(name);
      CommandResult r = polc_test(dir, name, text, kIngressFlows);
      INFO(r.out << r.err);
      CHECK(r.exit_code == 0);
      CHECK(r.out.find("6 passed") != std::string::npos);
    }
  }

  TEST_CASE("named ports: egress resolves the name on each peer") {
    if (!bpf_tests_enabled()) return;
    TempDir dir;
    CommandResult r = polc_test(dir, "client.yaml", kEgressCnp, kEgressFlows);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("8 passed") != std::string::npos);
  }

  TEST_CASE("named ports: a wrong expectation fails, so the flows above are really judged") {
    if (!bpf_tests_enabled()) return;
    TempDir dir;
    CommandResult r = polc_test(dir, "web.yaml", kIngressCnp, R"({"flows": [
      {"from": {"ip": "203.0.113.9"}, "to": "web-2", "proto": "tcp", "dport": 8080, "expect": "allow"}]})");
    CHECK(r.exit_code == 1);
  }

  TEST_CASE("named ports: compile needs no inventory; bad names are refused at their place") {
    TempDir dir;
    write_file(dir / "web.yaml", kIngressCnp);
    CommandResult ok = run_polc({"compile", (dir / "web.yaml").string(), "-o", (dir / "web.o").string()});
    INFO(ok.err);
    CHECK(ok.exit_code == 0);

    std::string bad = kIngressCnp;
    bad.replace(bad.find("port: http"), 10, "port: Http_1");
    write_file(dir / "bad.yaml", bad);
    CommandResult r = run_polc({"compile", (dir / "bad.yaml").string(), "-o", (dir / "bad.o").string()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("bad.yaml:7:33: error: invalid port \"Http_1\"") != std::string::npos);

    std::string range = kIngressCnp;
    range.replace(range.find("protocol: TCP"), 13, "endPort: 90, protocol: TCP");
    write_file(dir / "range.yaml", range);
    r = run_polc({"compile", (dir / "range.yaml").string(), "-o", (dir / "range.o").string()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("endPort cannot follow the named port \"http\"") != std::string::npos);

    // The inventory: a name given twice for one protocol.
    write_file(dir / "dup.json", R"({"endpoints": [{"name": "a", "ips": ["10.0.0.1"],
      "ports": [{"name": "http", "port": 80}, {"name": "http", "port": 81}]}]})");
    r = run_polc({"lint", (dir / "web.yaml").string(), "--endpoints", (dir / "dup.json").string()});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("dup.json:2:56: error: endpoint \"a\" names port \"http\" twice") != std::string::npos);
  }

  TEST_CASE("named ports: fmt and convert keep the name") {
    TempDir dir;
    write_file(dir / "web.yaml", kIngressCnp);
    CommandResult dsl = run_polc({"convert", (dir / "web.yaml").string(), "--to", "pol"});
    INFO(dsl.out << dsl.err);
    REQUIRE(dsl.exit_code == 0);
    CHECK(dsl.out.find("on tcp \"http\"") != std::string::npos);
    CommandResult json = run_polc({"convert", (dir / "web.yaml").string(), "--to", "json"});
    REQUIRE(json.exit_code == 0);
    CHECK(json.out.find("\"port\": \"http\"") != std::string::npos);
    // Both read back to the same IR as the original.
    write_file(dir / "back.pol", dsl.out);
    write_file(dir / "back.json", json.out);
    CommandResult a = run_polc({"compile", (dir / "web.yaml").string(), "--emit-ir", (dir / "a.ir").string(), "-o",
                                (dir / "a.o").string()});
    CommandResult b = run_polc({"compile", (dir / "back.pol").string(), "--emit-ir", (dir / "b.ir").string(), "-o",
                                (dir / "b.o").string()});
    CommandResult c = run_polc({"compile", (dir / "back.json").string(), "--emit-ir", (dir / "c.ir").string(), "-o",
                                (dir / "c.o").string()});
    REQUIRE(a.exit_code == 0);
    REQUIRE(b.exit_code == 0);
    REQUIRE(c.exit_code == 0);
    CHECK(read_file(dir / "a.ir") == read_file(dir / "b.ir"));
    CHECK(read_file(dir / "a.ir") == read_file(dir / "c.ir"));
    CHECK(read_file(dir / "a.ir").find("\"port_name\": \"http\"") != std::string::npos);
  }
}
