// Good inputs read to the AST that frontend/ast.h documents.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "frontend/flows.h"
#include "frontend/inventory.h"
#include "frontend/policy_loader.h"
#include "frontend/source_reader.h"
#include "tests/support/test_env.h"

namespace ast = polc::ast;

namespace {

struct Loaded {
  polc::SourceManager sources;
  polc::DiagnosticEngine diags{sources};
  ast::PolicySet set;
};

std::unique_ptr<Loaded> load(const std::string &name, const std::string &text) {
  auto l = std::make_unique<Loaded>();
  polc::load_policy_text(name, text, l->sources, l->diags, l->set);
  return l;
}

std::unique_ptr<Loaded> load_good(const std::string &file) {
  auto path = polc::test::source_dir() / "tests/data/frontend/good" / file;
  return load(file, polc::test::read_file(path));
}

// A location-free rendering of the AST, to compare readings of one policy.
std::string dump(const ast::PolicySet &set) {
  std::string out;
  auto sel = [&](const ast::Selector &s) {
    out += "{";
    for (const auto &r : s.requirements) {
      out += fmt::format("{} {} [", r.key, static_cast<int>(r.op));
      for (const auto &v : r.values) out += v + ",";
      out += "];";
    }
    out += "}";
  };
  auto elements = [&](const char *name, const std::vector<ast::RuleElement> &els) {
    for (const auto &e : els) {
      out += fmt::format(" {}(kind={} match_eps={}", name, static_cast<int>(e.peer_kind), e.cidrs_match_endpoints);
      for (const auto &s : e.endpoints) sel(s);
      for (const auto &c : e.cidrs) {
        out += " cidr " + c.cidr.str();
        for (const auto &x : c.except) out += " except " + x.str();
      }
      for (const auto &en : e.entities) out += " entity " + en.name;
      for (const auto &pr : e.to_ports) {
        out += " ports[";
        for (const auto &p : pr.ports) out += fmt::format("{}-{}/{},", p.port, p.end_port, static_cast<int>(p.proto));
        out += "]";
        if (pr.http)
          for (const auto &h : *pr.http) {
            out += fmt::format(" http({} {} {}", h.method.value_or("*"), h.path.value_or("*"), h.host.value_or("*"));
            for (const auto &hd : h.headers) out += " " + hd.name + "=" + hd.value.value_or("?");
            out += ")";
          }
      }
      for (const auto &i : e.icmps) out += fmt::format(" icmp{}:{}", static_cast<int>(i.family), i.type);
      out += ")";
    }
  };
  for (const auto &r : set.rules) {
    out += fmt::format("rule origin={} name={} ns={} desc={} in={} eg={} subject=", static_cast<int>(r.origin), r.name,
                       r.namespace_, r.description, r.enforce_ingress, r.enforce_egress);
    sel(r.subject);
    elements("ingress", r.ingress);
    elements("egress", r.egress);
    elements("ingressDeny", r.ingress_deny);
    elements("egressDeny", r.egress_deny);
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("frontend: a rule JSON file reads to the documented AST") {
  auto l = load_good("l7.json");
  REQUIRE(!l->diags.has_errors());
  REQUIRE(l->set.rules.size() == 1);
  const ast::Rule &r = l->set.rules[0];
  CHECK(r.origin == ast::Origin::RuleJson);
  CHECK(r.namespace_.empty());
  CHECK(r.enforce_ingress);
  CHECK(!r.enforce_egress);
  REQUIRE(r.subject.requirements.size() == 1);
  CHECK(r.subject.requirements[0].key == "app");
  CHECK(r.subject.requirements[0].op == ast::SelectorOp::In);
  CHECK(r.subject.requirements[0].values == std::vector<std::string>{"web"});
  CHECK(r.subject.requirements[0].loc.line == 2);
  REQUIRE(r.ingress.size() == 3);
  const ast::RuleElement &e = r.ingress[0];
  CHECK(e.peer_kind == ast::PeerKind::Endpoints);
  REQUIRE(e.endpoints.size() == 1);
  CHECK(e.endpoints[0].requirements[0].key == "app");  // "k8s:" dropped
  REQUIRE(e.to_ports.size() == 1);
  REQUIRE(e.to_ports[0].ports.size() == 1);
  CHECK(e.to_ports[0].ports[0].port == 80);
  CHECK(e.to_ports[0].ports[0].proto == ast::Proto::TCP);
  REQUIRE(e.to_ports[0].http);
  REQUIRE(e.to_ports[0].http->size() == 1);
  const ast::HttpRule &h = (*e.to_ports[0].http)[0];
  CHECK(h.method == "GET");
  CHECK(h.path == "/public/.*");
  REQUIRE(h.headers.size() == 2);
  CHECK(h.headers[0].name == "X-Token");
  CHECK(h.headers[0].value == "abc");
  CHECK(h.headers[1].name == "X-Present");
  CHECK(!h.headers[1].value);
  // fromCIDR and fromCIDRSet both become CIDR peers.
  const ast::RuleElement &c = r.ingress[1];
  CHECK(c.peer_kind == ast::PeerKind::Cidrs);
  CHECK(!c.cidrs_match_endpoints);
  REQUIRE(c.cidrs.size() == 2);
  CHECK(c.cidrs[0].cidr.str() == "192.0.2.0/24");
  CHECK(c.cidrs[1].cidr.str() == "10.0.0.0/8");
  REQUIRE(c.cidrs[1].except.size() == 1);
  CHECK(c.cidrs[1].except[0].str() == "10.96.0.0/12");
  // Only ports: every peer.
  CHECK(r.ingress[2].peer_kind == ast::PeerKind::Any);
  CHECK(r.ingress[2].to_ports[0].ports[0].proto == ast::Proto::Any);
  CHECK(r.ingress[2].to_ports[0].ports[0].end_port == 9000);
}

TEST_CASE("frontend: Cilium element kinds, deny sections, ICMP and enforcement") {
  auto l = load("x.yaml", R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  endpointSelector:
    matchExpressions:
    - {key: tier, operator: NotIn, values: [db]}
    - {key: "reserved:host", operator: DoesNotExist}
  egress:
  - {}
  - toEntities: [world, cluster]
  - icmps:
    - fields:
      - {type: EchoRequest, family: IPv6}
      - {type: 3}
  egressDeny:
  - toPorts:
    - ports: [{port: 22}]
)");
  REQUIRE(!l->diags.has_errors());
  const ast::Rule &r = l->set.rules.at(0);
  CHECK(r.origin == ast::Origin::CiliumNetworkPolicy);
  CHECK(r.namespace_ == "prod");
  CHECK(r.name == "p");
  CHECK(!r.enforce_ingress);
  CHECK(r.enforce_egress);
  CHECK(r.subject.requirements[0].op == ast::SelectorOp::NotIn);
  CHECK(r.subject.requirements[1].key == "reserved:host");
  CHECK(r.subject.requirements[1].op == ast::SelectorOp::DoesNotExist);
  REQUIRE(r.egress.size() == 3);
  CHECK(r.egress[0].peer_kind == ast::PeerKind::None);  // Cilium's `egress: [{}]`
  CHECK(r.egress[1].peer_kind == ast::PeerKind::Entities);
  CHECK(r.egress[1].entities.size() == 2);
  CHECK(r.egress[2].peer_kind == ast::PeerKind::Any);
  REQUIRE(r.egress[2].icmps.size() == 2);
  CHECK(r.egress[2].icmps[0].family == polc::Family::V6);
  CHECK(r.egress[2].icmps[0].type == 128);
  CHECK(r.egress[2].icmps[1].family == polc::Family::V4);
  CHECK(r.egress[2].icmps[1].type == 3);
  REQUIRE(r.egress_deny.size() == 1);
  CHECK(r.egress_deny[0].to_ports[0].ports[0].port == 22);
}

TEST_CASE("frontend: a Kubernetes NetworkPolicy maps onto Cilium's shape") {
  auto l = load_good("netpol.yaml");
  REQUIRE(!l->diags.has_errors());
  REQUIRE(l->set.rules.size() == 2);  // a List with two policies
  const ast::Rule &r = l->set.rules[0];
  CHECK(r.origin == ast::Origin::KubernetesNetworkPolicy);
  CHECK(r.namespace_ == "prod");
  CHECK(r.enforce_ingress);
  CHECK(r.enforce_egress);  // egress present
  // One element per peer, sharing the ports.
  REQUIRE(r.ingress.size() == 4);
  const auto &pod_only = r.ingress[0].endpoints.at(0).requirements;
  REQUIRE(pod_only.size() == 2);
  CHECK(pod_only[0].key == "role");
  CHECK(pod_only[1].key == "io.kubernetes.pod.namespace");
  CHECK(pod_only[1].values == std::vector<std::string>{"prod"});
  const auto &ns_only = r.ingress[1].endpoints.at(0).requirements;
  REQUIRE(ns_only.size() == 1);
  CHECK(ns_only[0].key == "io.cilium.k8s.namespace.labels.team");
  const auto &both = r.ingress[2].endpoints.at(0).requirements;
  REQUIRE(both.size() == 2);
  CHECK(both[0].key == "app");
  CHECK(both[1].key == "io.kubernetes.pod.namespace");
  CHECK(both[1].op == ast::SelectorOp::Exists);  // empty namespaceSelector: every namespace
  CHECK(r.ingress[3].peer_kind == ast::PeerKind::Cidrs);
  CHECK(r.ingress[3].cidrs_match_endpoints);
  CHECK(r.ingress[3].cidrs[0].except[0].str() == "172.17.1.0/24");
  for (const auto &e : r.ingress) {
    REQUIRE(e.to_ports.size() == 1);
    REQUIRE(e.to_ports[0].ports.size() == 2);
    CHECK(e.to_ports[0].ports[0].proto == ast::Proto::TCP);  // the default
    CHECK(e.to_ports[0].ports[1].proto == ast::Proto::UDP);
    CHECK(e.to_ports[0].ports[1].end_port == 5353);
  }
  REQUIRE(r.egress.size() == 1);
  CHECK(r.egress[0].peer_kind == ast::PeerKind::Any);  // no `to`: every peer
  const ast::Rule &deny_all = l->set.rules[1];
  CHECK(deny_all.namespace_ == "default");
  CHECK(deny_all.enforce_ingress);
  CHECK(deny_all.enforce_egress);  // from policyTypes
  CHECK(deny_all.ingress.empty());
  CHECK(deny_all.subject.requirements.empty());
}

TEST_CASE("frontend: JSON and YAML of one policy read to the same AST") {
  auto j = load_good("same.json");
  auto y = load_good("same.yaml");
  REQUIRE(!j->diags.has_errors());
  REQUIRE(!y->diags.has_errors());
  CHECK(j->set.rules.size() == 2);
  CHECK(dump(j->set) == dump(y->set));
}

TEST_CASE("frontend: multi-document YAML, specs lists, clusterwide policies and skipped kinds") {
  auto l = load("multi.yaml", R"(apiVersion: v1
kind: Service
metadata: {name: s}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: cw}
description: legacy top-level description
specs:
- endpointSelector: {}
  ingress: [{fromEntities: [cluster]}]
- endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system}}
  egress: [{toEntities: [kube-apiserver]}]
---
)");
  REQUIRE(!l->diags.has_errors());
  REQUIRE(l->diags.all().size() == 1);
  CHECK(l->diags.all()[0].id == "skipped-kind");
  REQUIRE(l->set.rules.size() == 2);
  CHECK(l->set.rules[0].origin == ast::Origin::CiliumClusterwidePolicy);
  CHECK(l->set.rules[0].namespace_.empty());
  CHECK(l->set.rules[0].description == "legacy top-level description");
  CHECK(l->set.rules[1].subject.requirements[0].key == "io.kubernetes.pod.namespace");
}

TEST_CASE("frontend: missing files and the DSL are reported with the path") {
  polc::SourceManager sources;
  polc::DiagnosticEngine diags(sources);
  ast::PolicySet set;
  CHECK(!polc::load_policy_file("/nonexistent/p.json", sources, diags, set));
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].id == "io");
  CHECK(diags.render(diags.all()[0], false) == "/nonexistent/p.json: error: cannot read file: No such file or directory\n");
  CHECK(!polc::load_policy_file("/nonexistent/rules.pol", sources, diags, set));
  CHECK(diags.all().back().id == "io");
}

TEST_CASE("frontend: inventory and flow files") {
  polc::SourceManager sources;
  polc::DiagnosticEngine diags(sources);
  auto data = polc::test::source_dir() / "tests/data/frontend/good";
  polc::Inventory inv;
  REQUIRE(polc::load_inventory_file((data / "inventory.json").string(), sources, diags, inv));
  REQUIRE(inv.endpoints.size() == 2);
  CHECK(inv.namespaces.at(0).labels.at("team") == "shop");
  const polc::InventoryEndpoint *web = inv.find_endpoint("web-1");
  REQUIRE(web);
  CHECK(web->namespace_ == "prod");
  CHECK(web->ips.size() == 2);
  CHECK(web->ips[1].str() == "fd00::10");
  CHECK(inv.find_by_ip(*polc::parse_ip("10.0.2.20").value)->name == "frontend-1");
  CHECK(inv.find_endpoint("frontend-1")->namespace_ == "default");

  polc::FlowFile flows;
  REQUIRE(polc::load_flow_file((data / "flows.json").string(), &inv, sources, diags, flows));
  REQUIRE(flows.flows.size() == 3);
  const polc::Flow &f0 = flows.flows[0];
  CHECK(f0.name == "frontend reads public");
  CHECK(f0.from.endpoint == "frontend-1");
  CHECK(f0.dport == 80);
  CHECK(f0.sport == polc::kDefaultSourcePort);
  CHECK(f0.expect_allow);
  REQUIRE(f0.http);
  CHECK(f0.http->path == "/public/a");
  CHECK(f0.http->headers.at(0).first == "X-Token");
  const polc::Flow &f1 = flows.flows[1];
  CHECK(f1.name == "flow 2");
  REQUIRE(f1.from.ip);
  CHECK(f1.from.ip->str() == "203.0.113.7");
  CHECK(!f1.expect_allow);
  CHECK(flows.flows[2].proto == ast::Proto::ICMP);
  CHECK(flows.flows[2].icmp_type == 8);
  CHECK(!diags.has_errors());
}
