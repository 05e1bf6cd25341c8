// The HTTP plan on chosen cases: the sample policy end to end (its flows
// through the kernel model), l7 policies of keys that several rules make,
// of entries that shadow one another in the allow trie, of protocols
// without requests; the table layout; the limits as errors; literal
// escaping of header names and values.
#include <doctest/doctest.h>

#include <re2/re2.h>

#include <chrono>
#include <random>

#include "cli/flow_resolve.h"
#include "frontend/flows.h"
#include "frontend/inventory.h"
#include "ir/regex/dfa_builder.h"
#include "ir/evaluator.h"
#include "ir/lower.h"
#include "ir/plan.h"
#include "tests/ir/http_model.h"
#include "tests/support/policy_fixture.h"
#include "tests/support/test_env.h"

using namespace polc;
using namespace polc::ir;

namespace {

IpAddr ip(const char *text) { return *parse_ip(text).value; }

EndpointSet shop() {
  return EndpointSet::from_inventory({{"prod", {}}}, {{"web-1", "prod", {{"app", "web"}}, {ip("10.0.1.10")}},
                                                      {"api-1", "prod", {{"app", "api"}}, {ip("10.0.2.20")}},
                                                      {"ops-1", "prod", {{"app", "ops"}}, {ip("10.0.3.30")}}});
}

Policy lower(test::PolicyFixture &f, const std::string &json) {
  Policy p = f.lower_text("p.json", json);
  REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
  return p;
}

Packet request(const char *src, const char *dst, uint16_t dport, std::string method, std::string path,
               std::vector<std::pair<std::string, std::string>> headers = {}) {
  Packet p;
  p.src = ip(src);
  p.dst = ip(dst);
  p.proto = ast::Proto::TCP;
  p.sport = 40000;
  p.dport = dport;
  p.http = HttpRequest{std::move(method), std::move(path), std::nullopt, std::move(headers)};
  return p;
}

// The allow entry of (subject, peer, proto, port/bits); nullptr when absent.
const PolicyEntry *entry(const MapPlan &plan, uint32_t peer, uint8_t proto, uint16_t port, uint8_t bits) {
  for (const PolicyEntry &e : plan.allow)
    if (e.peer == peer && e.proto == proto && e.port == port && e.l4_prefix_bits == bits) return &e;
  return nullptr;
}

// The HTTP rules of an l7 policy, as "METHOD PATH" strings.
std::vector<std::string> rules_of(const MapPlan &plan, uint16_t l7) {
  std::vector<std::string> out;
  if (l7 == 0 || l7 > plan.http.l7_policies.size()) return out;
  for (uint32_t r : plan.http.l7_policies[l7 - 1]) out.push_back(plan.http.rules[r].method + " " + plan.http.rules[r].path);
  return out;
}

// Checks the model against the evaluator on `packets`.
void agree(const Policy &policy, const EndpointSet &eps, const MapPlan &plan, const std::vector<Packet> &packets) {
  ReferenceEvaluator ref(policy, eps);
  test::PlanModel model(plan);
  for (const Packet &p : packets) {
    CAPTURE(p.dport);
    CAPTURE((p.http ? p.http->method + " " + p.http->path : std::string("no request")));
    CHECK(model.allows(p) == ref.evaluate(p).allowed);
  }
}

}  // namespace

TEST_SUITE("ir") {
  TEST_CASE("http plan: samples/06-http.yaml, its l7 policies and its flows through the kernel model") {
    test::PolicyFixture f;
    std::string dir = (test::source_dir() / "samples").string();
    Policy policy = f.lower_text("06-http.yaml", test::read_file(dir + "/06-http.yaml"));
    Inventory inventory;
    REQUIRE(load_inventory_file(dir + "/endpoints.json", f.sources, f.diags, inventory));
    FlowFile flows;
    REQUIRE(load_flow_file(dir + "/06-http.flows.json", &inventory, f.sources, f.diags, flows));
    REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
    EndpointSet eps = EndpointSet::from_inventory(inventory);

    MapPlan plan = plan_maps(policy, eps);
    REQUIRE_FALSE(plan.http.error);
    CHECK(plan.http.rules.size() == 6);
    CHECK(plan.http.l7_policies.size() == 3);  // web -> api:8080, prometheus -> api:9090, world -> web:80
    // One host regex and three header requirements.
    CHECK(plan.http.num_conditions == 4);
    CHECK(plan.http.header_names == std::vector<std::string>{"", "host", "content-length", "transfer-encoding",
                                                             "content-type", "x-csrf-token", "x-request-id"});
    size_t with_l7 = 0;
    for (const PolicyEntry &e : plan.allow) {
      with_l7 += e.l7_policy != 0;
      if (e.l7_policy) CHECK(e.proto == 6);
    }
    CHECK(with_l7 > 0);

    ReferenceEvaluator ref(policy, eps);
    test::PlanModel model(plan);
    size_t http_flows = 0;
    for (const Flow &flow : flows.flows) {
      CAPTURE(flow.name);
      cli::ResolvedFlow resolved = cli::resolve_flow(flow, eps);
      REQUIRE(resolved.error.empty());
      http_flows += flow.http.has_value();
      CHECK(model.allows(resolved.packet) == flow.expect_allow);
      CHECK(ref.evaluate(resolved.packet).allowed == flow.expect_allow);
    }
    CHECK(http_flows > 25);
  }

  TEST_CASE("http plan: rules on the same key add up; one without HTTP rules allows every request") {
    test::PolicyFixture f;
    const char *two = R"([
      {"endpointSelector": {"matchLabels": {"app": "api"}},
       "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}],
                    "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                                 "rules": {"http": [{"method": "GET", "path": "/a"}]}}]}]},
      {"endpointSelector": {"matchLabels": {"app": "api"}},
       "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}],
                    "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                                 "rules": {"http": [{"method": "POST", "path": "/b"}]}}]}]}])";
    Policy policy = lower(f, two);
    EndpointSet eps = shop();
    MapPlan plan = plan_maps(policy, eps);
    REQUIRE_FALSE(plan.http.error);
    REQUIRE(plan.allow.size() == 1);
    CHECK(rules_of(plan, plan.allow[0].l7_policy) == std::vector<std::string>{"GET /a", "POST /b"});
    agree(policy, eps, plan,
          {request("10.0.1.10", "10.0.2.20", 80, "GET", "/a"), request("10.0.1.10", "10.0.2.20", 80, "POST", "/b"),
           request("10.0.1.10", "10.0.2.20", 80, "POST", "/a"), request("10.0.1.10", "10.0.2.20", 80, "GET", "/b")});

    std::string three = std::string(two);
    three.insert(three.size() - 1, R"(,
      {"endpointSelector": {"matchLabels": {"app": "api"}},
       "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}],
                    "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}]}]}]})");
    test::PolicyFixture g;
    Policy open = lower(g, three);
    MapPlan open_plan = plan_maps(open, eps);
    REQUIRE(open_plan.allow.size() == 1);
    CHECK(open_plan.allow[0].l7_policy == 0);
    CHECK(open_plan.http.l7_policies.empty());
    CHECK(test::PlanModel(open_plan).allows(request("10.0.1.10", "10.0.2.20", 80, "DELETE", "/x")));
  }

  TEST_CASE("http plan: a longer prefix absorbs the HTTP rules of the entries that cover it") {
    test::PolicyFixture f;
    Policy policy = lower(f, R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [
        {"fromEndpoints": [{"matchLabels": {"app": "web"}}],
         "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                      "rules": {"http": [{"method": "GET", "path": "/a"}]}}]},
        {"fromEndpoints": [{"matchLabels": {"app": "web"}}],
         "toPorts": [{"ports": [{"port": "80", "endPort": 81, "protocol": "TCP"}],
                      "rules": {"http": [{"method": "PUT"}]}}]},
        {"fromEndpoints": [{"matchLabels": {"app": "web"}}],
         "toPorts": [{"ports": [{"port": "0", "protocol": "TCP"}],
                      "rules": {"http": [{"method": "POST", "path": "/b"}]}}]}]}])");
    EndpointSet eps = shop();
    MapPlan plan = plan_maps(policy, eps);
    REQUIRE_FALSE(plan.http.error);
    const uint32_t web = plan.allow[0].peer;
    const PolicyEntry *p80 = entry(plan, web, 6, 80, 24);
    const PolicyEntry *p80_81 = entry(plan, web, 6, 80, 23);
    const PolicyEntry *tcp = entry(plan, web, 6, 0, 8);
    REQUIRE(p80);
    REQUIRE(p80_81);
    REQUIRE(tcp);
    CHECK(rules_of(plan, p80->l7_policy) == std::vector<std::string>{"GET /a", "POST /b", "PUT "});
    CHECK(rules_of(plan, p80_81->l7_policy) == std::vector<std::string>{"POST /b", "PUT "});
    CHECK(rules_of(plan, tcp->l7_policy) == std::vector<std::string>{"POST /b"});
    agree(policy, eps, plan,
          {request("10.0.1.10", "10.0.2.20", 80, "POST", "/b"), request("10.0.1.10", "10.0.2.20", 81, "PUT", "/z"),
           request("10.0.1.10", "10.0.2.20", 81, "GET", "/a"), request("10.0.1.10", "10.0.2.20", 80, "PUT", "/a"),
           request("10.0.1.10", "10.0.2.20", 9, "POST", "/b"), request("10.0.1.10", "10.0.2.20", 9, "GET", "/a")});

    // A covering entry without HTTP rules (every protocol, every port)
    // lets every request through on the longer prefixes too.
    test::PolicyFixture g;
    Policy open = lower(g, R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [
        {"fromEndpoints": [{"matchLabels": {"app": "web"}}],
         "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                      "rules": {"http": [{"method": "GET", "path": "/a"}]}}]},
        {"fromEndpoints": [{"matchLabels": {"app": "web"}}]}]}])");
    MapPlan open_plan = plan_maps(open, eps);
    for (const PolicyEntry &e : open_plan.allow) CHECK(e.l7_policy == 0);
    agree(open, eps, open_plan, {request("10.0.1.10", "10.0.2.20", 80, "DELETE", "/x")});
  }

  TEST_CASE("http plan: the peer's entry and the any-peer entry keep their own l7 policies") {
    test::PolicyFixture f;
    Policy policy = lower(f, R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [
        {"fromEndpoints": [{"matchLabels": {"app": "web"}}],
         "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                      "rules": {"http": [{"method": "GET", "path": "/a"}]}}]},
        {"toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                      "rules": {"http": [{"method": "POST", "path": "/b"}]}}]}]}])");
    EndpointSet eps = shop();
    MapPlan plan = plan_maps(policy, eps);
    REQUIRE_FALSE(plan.http.error);
    const PolicyEntry *any = entry(plan, 0, 6, 80, 24);
    REQUIRE(any);
    CHECK(rules_of(plan, any->l7_policy) == std::vector<std::string>{"POST /b"});
    bool peer_found = false;
    for (const PolicyEntry &e : plan.allow)
      if (e.peer != 0) {
        peer_found = true;
        CHECK(rules_of(plan, e.l7_policy) == std::vector<std::string>{"GET /a"});
      }
    CHECK(peer_found);
    agree(policy, eps, plan,
          {request("10.0.1.10", "10.0.2.20", 80, "POST", "/b"), request("10.0.1.10", "10.0.2.20", 80, "GET", "/a"),
           request("10.0.3.30", "10.0.2.20", 80, "GET", "/a"), request("10.0.3.30", "10.0.2.20", 80, "POST", "/b")});
  }

  TEST_CASE("http plan: HTTP rules apply to TCP only; every protocol hands them to a TCP entry") {
    test::PolicyFixture f;
    Policy policy = lower(f, R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}],
                   "toPorts": [{"ports": [{"port": "53", "protocol": "ANY"}],
                                "rules": {"http": [{"method": "GET"}]}}]}]}])");
    EndpointSet eps = shop();
    MapPlan plan = plan_maps(policy, eps);
    REQUIRE(plan.allow.size() == 3);
    for (const PolicyEntry &e : plan.allow) CHECK((e.l7_policy != 0) == (e.proto == 6));

    // Crafted IR (no reader writes it): HTTP rules on "every protocol".
    Policy all;
    Rule r;
    r.subject = Selector{{Requirement{"app", ast::SelectorOp::In, {"api"}}}};
    r.peer.kind = Peer::Kind::Any;
    r.has_http = true;
    r.http = {HttpRule{"GET", "", "", {}}};
    all.rules.push_back(r);
    all.enforcements.push_back(Enforcement{r.subject, Direction::Ingress});
    MapPlan all_plan = plan_maps(all, eps);
    const PolicyEntry *every = entry(all_plan, 0, 0, 0, 0);
    const PolicyEntry *tcp = entry(all_plan, 0, 6, 0, 8);
    REQUIRE(every);
    REQUIRE(tcp);
    CHECK(every->l7_policy == 0);
    CHECK(rules_of(all_plan, tcp->l7_policy) == std::vector<std::string>{"GET "});
    Packet udp = request("10.0.1.10", "10.0.2.20", 53, "", "");
    udp.proto = ast::Proto::UDP;
    udp.http.reset();
    agree(all, eps, all_plan, {request("10.0.1.10", "10.0.2.20", 80, "GET", "/"),
                               request("10.0.1.10", "10.0.2.20", 80, "PUT", "/"), udp});
  }

  TEST_CASE("http plan: table layout, empty fields, header names, determinism") {
    test::PolicyFixture f;
    Policy policy = lower(f, R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [{"toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                                "rules": {"http": [{"path": "/a/.*", "headers": ["X-Token: s3cret", "X-Trace"]}]}}]}]}])");
    auto tables = plan_http_tables(policy);
    REQUIRE(tables.ok());
    const HttpPlan &http = tables.value();
    for (uint32_t field : {kHttpMethod, kHttpHost}) {
      const HttpDfaMeta &m = http.meta[field];
      CHECK(m.num_states == 1);
      CHECK(m.start == 0);
      CHECK(m.num_classes == 1);
      for (uint8_t c : m.byte_class) CHECK(c == 0);
      CHECK(http.table[m.next_base] == 0);
      CHECK(http.table[m.accept_base] == 0);
    }
    // Fields follow one another; the names' masks close the table.
    size_t expected = 0;
    for (uint32_t field = 0; field < kHttpFieldCount; ++field) {
      const HttpDfaMeta &m = http.meta[field];
      CHECK(m.next_base == expected);
      CHECK(m.accept_base == m.next_base + m.num_states * m.num_classes);
      expected = m.accept_base + m.num_states;
    }
    CHECK(http.meta[kHttpHeaderName].names_base == expected);
    CHECK(http.table.size() == expected + 2 * http.header_names.size());
    CHECK(http.header_names == std::vector<std::string>{"", "host", "content-length", "transfer-encoding",
                                                        "x-token", "x-trace"});
    // Conditions: "x-token: s3cret" (bit 0) and "x-trace" present (bit 1).
    const uint64_t names = http.meta[kHttpHeaderName].names_base;
    CHECK(http.table[names + 2 * 4] == 0);      // x-token present: no condition
    CHECK(http.table[names + 2 * 4 + 1] == 1);  // x-token exact
    CHECK(http.table[names + 2 * 5] == 2);      // x-trace present
    test::HttpModel model(http);
    CHECK(model.accept(kHttpHeaderName, "X-TOKEN") == 4);
    CHECK(model.accept(kHttpHeaderName, "x-trace") == 5);
    CHECK(model.accept(kHttpHeaderName, "Content-Length") == kHttpNameContentLength);
    CHECK(model.accept(kHttpHeaderName, "x-other") == 0);
    CHECK(model.read({"GET", "/a/b", {{"x-token", "s3cret"}, {"X-Trace", "1"}}}).cond == 3);
    CHECK(model.read({"GET", "/a/b", {{"x-token", "s3cret "}, {"X-Trac", "1"}}}).cond == 1);  // value trimmed
    CHECK(model.read({"GET", "/a/b", {{"x-token", "s3cre"}, {"X-Trac", "1"}}}).cond == 0);
    CHECK(model.read({"GET", "/a/b", {{"x-trace", "s3cret"}}}).cond == 2);  // the value of another header

    auto again = plan_http_tables(policy);
    REQUIRE(again.ok());
    CHECK(again->table == http.table);
    CHECK(again->meta == http.meta);
    EndpointSet eps = shop();
    MapPlan a = plan_maps(policy, eps), b = plan_maps(policy, eps);
    CHECK(a.allow == b.allow);
    CHECK(a.http.verdicts == b.http.verdicts);
    CHECK(a.http.verdict_capacity >= 1024);
  }

  TEST_CASE("http plan: alternatives implied by others are dropped; over the limits is a clear error") {
    test::PolicyFixture f;
    Policy policy = lower(f, R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [{"toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                                "rules": {"http": [{"method": "GET", "headers": ["X-A"]},
                                                   {"method": "GET", "headers": ["X-A", "X-B"]},
                                                   {"method": "GET", "headers": ["X-C"]}]}}]}]}])");
    MapPlan plan = plan_maps(policy, shop());
    REQUIRE_FALSE(plan.http.error);
    REQUIRE(plan.http.verdicts.size() == 1);
    CHECK(plan.http.verdicts[0].need.size() == 2);  // X-A; X-C (X-A and X-B is implied by X-A)
    CHECK(plan.http.verdicts[0].path == kHttpAny);

    std::string many = R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [{"toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}], "rules": {"http": [)";
    for (int i = 0; i < 9; ++i) many += (i ? "," : "") + std::string(R"({"method": "GET", "headers": ["X-)") +
                                        std::to_string(i) + R"("]})";
    many += "]}}]}]}]";
    test::PolicyFixture g;
    MapPlan over = plan_maps(lower(g, many), shop());
    REQUIRE(over.http.error);
    CHECK(over.http.error->exit_code == 1);
    CHECK(over.http.error->message.find("at most 8") != std::string::npos);

    std::string hosts = R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [{"toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}], "rules": {"http": [)";
    for (int i = 0; i < 65; ++i) hosts += (i ? "," : "") + std::string(R"({"host": "h)") + std::to_string(i) + "\"}";
    hosts += "]}}]}]}]";
    test::PolicyFixture h;
    auto refused = plan_http_tables(lower(h, hosts));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().exit_code == 1);
    CHECK(refused.error().message.find("at most 64") != std::string::npos);

    test::PolicyFixture k;
    auto boundary = plan_http_tables(lower(k, R"([{"endpointSelector": {},
      "ingress": [{"toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                                "rules": {"http": [{"path": "/a\\b"}]}}]}]}])"));
    REQUIRE_FALSE(boundary.ok());
    CHECK(boundary.error().message.find("HTTP path regex \"/a\\b\" cannot be enforced") != std::string::npos);
  }

  TEST_CASE("http plan: 1,000 path rules plan fast, one verdict entry each") {
    std::string json = R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}],
                   "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}], "rules": {"http": [)";
    for (int i = 0; i < 1000; ++i)
      json += (i ? "," : "") + std::string(R"({"method": "GET", "path": "/api/v1/item-)") + std::to_string(i) +
              R"(/.*"})";
    json += "]}}]}]}]";
    test::PolicyFixture f;
    Policy policy = lower(f, json);
    EndpointSet eps = shop();
    auto t0 = std::chrono::steady_clock::now();
    MapPlan plan = plan_maps(policy, eps);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE_FALSE(plan.http.error);
    MESSAGE("1,000 path rules: plan_maps in " << seconds * 1000 << " ms, table " << plan.http.table.size()
                                              << " entries, " << plan.http.verdicts.size() << " verdicts");
    CHECK(seconds < 3.0);  // about 0.1 s in the plain build
    CHECK(plan.http.verdicts.size() == 1000);
    CHECK(plan.http.l7_policies.size() == 1);
    agree(policy, eps, plan,
          {request("10.0.1.10", "10.0.2.20", 80, "GET", "/api/v1/item-999/x"),
           request("10.0.1.10", "10.0.2.20", 80, "GET", "/api/v1/item-1000/x"),
           request("10.0.1.10", "10.0.2.20", 80, "POST", "/api/v1/item-7/"),
           request("10.0.1.10", "10.0.2.20", 80, "GET", "/api/v1/item-7")});
  }

  TEST_CASE("http plan: header values and names become literal patterns") {
    std::mt19937 rng(3);
    const std::vector<std::string> pieces = {"a", "Z", "0", " ", "\t", ".", "*", "\\", "(", "]", "{", "$", "^",
                                             "|", "?", "+", "/", ":", "\"", "\x01", "\x7f", "\xc3\xa9",
                                             "\xe2\x82\xac", "\xf0\x9f\x98\x80", "-", "_", "="};
    RE2::Options options;
    options.set_log_errors(false);
    for (int n = 0; n < 300; ++n) {
      std::string value;
      for (int i = int(rng() % 6); i > 0; --i) value += pieces[rng() % pieces.size()];
      auto pattern = literal_pattern(value);
      REQUIRE(pattern.ok());
      CAPTURE(*pattern);
      auto dfa = build_dfa({*pattern});
      REQUIRE(dfa.ok());
      CHECK(dfa->match(value) == std::vector<uint32_t>{0});
      CHECK(dfa->match(value + "a").empty());
      if (!value.empty()) CHECK(dfa->match(value.substr(1)).empty());
      RE2 re(*pattern, options);
      REQUIRE(re.ok());
      CHECK(RE2::FullMatch(value, re));
    }
    CHECK_FALSE(literal_pattern("a\xff").ok());
    CHECK_FALSE(literal_pattern("\xed\xa0\x80").ok());  // a surrogate
    CHECK_FALSE(literal_pattern("\xc0\x80").ok());      // overlong

    auto name = header_name_pattern("x-token");
    REQUIRE(name.ok());
    auto dfa = build_dfa({*name});
    REQUIRE(dfa.ok());
    CHECK(dfa->match("X-ToKeN").size() == 1);
    CHECK(dfa->match("x-token").size() == 1);
    CHECK(dfa->match("x-to\xe2\x84\xaa" "en").empty());  // KELVIN SIGN is not k in a header name
    CHECK(dfa->match("x_token").empty());
  }
}
