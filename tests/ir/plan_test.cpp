#include <doctest/doctest.h>

#include <map>

#include "frontend/net.h"
#include "ir/evaluator.h"
#include "ir/identity.h"
#include "ir/plan.h"
#include "tests/support/policy_fixture.h"

using namespace polc;
using namespace polc::ir;

namespace {

IpAddr ip(const char *text) { return *parse_ip(text).value; }

EndpointSet shop() {
  return EndpointSet::from_inventory(
      {{"prod", {{"team", "shop"}}}},
      {{"web-1", "prod", {{"app", "web"}}, {ip("10.0.1.10"), ip("fd00::10")}},
       {"api-1", "prod", {{"app", "api"}}, {ip("10.0.2.20"), ip("fd00::20")}},
       {"db-1", "prod", {{"app", "db"}}, {ip("10.0.3.30")}},
       {"db-2", "prod", {{"app", "db"}}, {ip("10.0.3.31")}}});
}

Packet tcp(const char *src, const char *dst, uint16_t dport) {
  Packet p;
  p.src = ip(src);
  p.dst = ip(dst);
  p.proto = ast::Proto::TCP;
  p.sport = 40000;
  p.dport = dport;
  return p;
}

}  // namespace

TEST_SUITE("ir") {
  TEST_CASE("port ranges split into aligned prefixes that cover exactly the range") {
    for (auto [lo, hi] : std::vector<std::pair<uint16_t, uint16_t>>{
             {80, 80}, {80, 444}, {0, 65535}, {1, 65534}, {1024, 2047}, {65535, 65535}, {8000, 8099}}) {
      auto blocks = split_port_range(lo, hi);
      uint32_t next = lo;
      for (auto [port, bits] : blocks) {
        CHECK(port == next);
        uint32_t size = 1u << (16 - bits);
        CHECK(port % size == 0);
        next = port + size;
      }
      CHECK(next == uint32_t(hi) + 1);
    }
    CHECK(split_port_range(1024, 2047).size() == 1);
    CHECK(split_port_range(0, 65535) == std::vector<std::pair<uint16_t, uint8_t>>{{0, 0}});
  }

  TEST_CASE("the shape lists every (protocol, port) prefix length the entries have, per map and kind of peer") {
    test::PolicyFixture f;
    Policy policy = f.lower_text("p.json", R"([{
      "endpointSelector": {"matchLabels": {"app": "db"}},
      "ingress": [
        {"fromEndpoints": [{"matchLabels": {"app": "web"}}],
         "toPorts": [{"ports": [{"port": "8000", "endPort": 8999, "protocol": "TCP"}]}]},
        {"fromCIDR": ["192.0.2.0/24"], "toPorts": [{"ports": [{"port": "53", "protocol": "UDP"}]}]}
      ],
      "ingressDeny": [{"fromEntities": ["all"], "toPorts": [{"ports": [{"port": "0", "protocol": "SCTP"}]}]}]
    }])");
    REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
    DatapathShape shape = plan_shape(policy);
    uint32_t range = 0;
    for (auto [port, bits] : split_port_range(8000, 8999)) range |= 1u << (8 + bits);
    CHECK(shape.allow_lengths.peer == (range | 1u << 24));
    CHECK(shape.allow_lengths.any_peer == 0);
    CHECK(shape.deny_lengths == L4Lengths{0, 1u << 8});
    CHECK(shape.cidr);
    // The entries of any inventory have only those lengths.
    MapPlan plan = plan_maps(policy, shop());
    REQUIRE_FALSE(plan.allow.empty());
    for (const PolicyEntry &e : plan.allow)
      CHECK((shape.allow_lengths.peer & (1u << e.l4_prefix_bits)) != 0);
    // Shapes that differ only in their lengths are different programs.
    DatapathShape other = shape;
    other.allow_lengths.peer |= 1u;
    CHECK(other.digest() != shape.digest());
  }

  TEST_CASE("CIDR except becomes disjoint boundary prefixes with per-set identities") {
    Peer a;
    a.kind = Peer::Kind::Cidr;
    a.cidr = *parse_prefix("10.0.0.0/8").value;
    a.except = {*parse_prefix("10.1.0.0/16").value};
    Peer b;
    b.kind = Peer::Kind::Cidr;
    b.cidr = *parse_prefix("10.1.2.0/24").value;
    CidrPeers peers{{&a, &b}};
    CidrIdentities ids = allocate_cidr_identities(peers);
    REQUIRE(ids.prefixes.size() == 3);
    // 10/8 -> {a}; 10.1/16 -> nobody (world); 10.1.2/24 -> {b}
    std::map<std::string, uint32_t> by_prefix;
    for (const auto &p : ids.prefixes) by_prefix[p.prefix.str()] = p.identity;
    CHECK(by_prefix["10.1.0.0/16"] == kIdWorld);
    CHECK(by_prefix["10.0.0.0/8"] != kIdWorld);
    CHECK(by_prefix["10.1.2.0/24"] != kIdWorld);
    CHECK(by_prefix["10.0.0.0/8"] != by_prefix["10.1.2.0/24"]);
  }

  TEST_CASE("label-only policy: evaluator and plan agree on who may talk") {
    test::PolicyFixture f;
    Policy policy = f.lower_text("p.json", R"([{
      "endpointSelector": {"matchLabels": {"app": "db"}},
      "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "api"}}],
                   "toPorts": [{"ports": [{"port": "5432", "protocol": "TCP"}]}]}]
    }])");
    REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
    EndpointSet eps = shop();
    ReferenceEvaluator ref(policy, eps);
    CHECK(ref.evaluate(tcp("10.0.2.20", "10.0.3.30", 5432)).allowed);
    CHECK_FALSE(ref.evaluate(tcp("10.0.1.10", "10.0.3.30", 5432)).allowed);
    CHECK_FALSE(ref.evaluate(tcp("10.0.2.20", "10.0.3.30", 5433)).allowed);
    CHECK(ref.evaluate(tcp("10.0.3.30", "10.0.2.20", 9999)).allowed);  // api is not enforced

    MapPlan plan = plan_maps(policy, eps);
    CHECK(plan.shape.enforce_ingress);
    CHECK_FALSE(plan.shape.enforce_egress);
    CHECK(plan.shape.l4_ports);
    CHECK_FALSE(plan.shape.deny());
    // One port for named peers: one lookup, of the full (protocol, port).
    CHECK(plan.shape.allow_lengths == L4Lengths{1u << 24, 0});
    CHECK_FALSE(plan.shape.cidr);
    // db-1 and db-2 share one identity: one entry, not two.
    REQUIRE(plan.allow.size() == 1);
    CHECK(plan.allow[0].proto == 6);
    CHECK(plan.allow[0].port == 5432);
    CHECK(plan.allow[0].l4_prefix_bits == 24);
  }

  TEST_CASE("deny wins over allow, whatever the order") {
    test::PolicyFixture f;
    Policy policy = f.lower_text("p.json", R"([{
      "endpointSelector": {"matchLabels": {"app": "db"}},
      "ingress": [{"fromEntities": ["all"]}],
      "ingressDeny": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}]}]
    }])");
    REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
    EndpointSet eps = shop();
    ReferenceEvaluator ref(policy, eps);
    CHECK(ref.evaluate(tcp("10.0.2.20", "10.0.3.30", 1)).allowed);
    CHECK_FALSE(ref.evaluate(tcp("10.0.1.10", "10.0.3.30", 1)).allowed);
    CHECK(plan_shape(policy).deny());
    CHECK(plan_shape(policy).any_peer());
    // fromEntities all: every peer, every protocol; the deny names a peer.
    CHECK(plan_shape(policy).allow_lengths == L4Lengths{0, 1u});
    CHECK(plan_shape(policy).deny_lengths == L4Lengths{1u, 0});
  }

  TEST_CASE("Cilium CIDR peers do not match endpoints; Kubernetes ipBlock does") {
    test::PolicyFixture f;
    Policy cilium = f.lower_text("c.json", R"([{
      "endpointSelector": {"matchLabels": {"app": "db"}},
      "ingress": [{"fromCIDR": ["10.0.0.0/8"]}]
    }])");
    Policy k8s = f.lower_text("k.yaml", R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/8}
)");
    REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
    EndpointSet eps = shop();
    ReferenceEvaluator c(cilium, eps), k(k8s, eps);
    CHECK_FALSE(c.evaluate(tcp("10.0.2.20", "10.0.3.30", 1)).allowed);
    CHECK(c.evaluate(tcp("10.9.9.9", "10.0.3.30", 1)).allowed);
    CHECK(k.evaluate(tcp("10.0.2.20", "10.0.3.30", 1)).allowed);
    CHECK(k.evaluate(tcp("10.9.9.9", "10.0.3.30", 1)).allowed);
    CHECK_FALSE(k.evaluate(tcp("192.0.2.1", "10.0.3.30", 1)).allowed);
  }

  TEST_CASE("namespaced CiliumNetworkPolicy selects only its namespace") {
    test::PolicyFixture f;
    Policy policy = f.lower_text("p.yaml", R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db, namespace: other}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: [{}]
)");
    REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
    EndpointSet eps = shop();
    ReferenceEvaluator ref(policy, eps);
    // db-1 lives in prod, the policy in "other": not selected, so not enforced.
    CHECK(ref.evaluate(tcp("10.0.2.20", "10.0.3.30", 1)).allowed);
    REQUIRE(policy.enforcements.size() == 1);
    bool has_ns = false;
    for (const auto &r : policy.enforcements[0].subject.requirements)
      if (r.key == kNamespaceLabel && r.values == std::vector<std::string>{"other"}) has_ns = true;
    CHECK(has_ns);
  }

  TEST_CASE("egress: [{}] in Cilium denies all egress") {
    test::PolicyFixture f;
    Policy policy = f.lower_text("p.json", R"([{"endpointSelector": {"matchLabels": {"app": "web"}}, "egress": [{}]}])");
    REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
    EndpointSet eps = shop();
    ReferenceEvaluator ref(policy, eps);
    CHECK_FALSE(ref.evaluate(tcp("10.0.1.10", "10.0.2.20", 80)).allowed);
    CHECK(policy.rules.empty());
  }
}
