// The DSL reader: values and locations, syntax errors (located, what was
// found and expected, several per file), the checks shared with the JSON
// readers, and the writer's canonical layout reading back to the same IR.
#include <doctest/doctest.h>

#include "frontend/dsl_reader.h"
#include "frontend/dsl_writer.h"
#include "frontend/policy_loader.h"
#include "ir/ir_json.h"
#include "ir/lower.h"
#include "tests/support/policy_fixture.h"

using namespace polc;

namespace {

struct Read {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  ast::PolicySet set;
  std::vector<DslComment> comments;
  explicit Read(const std::string &text) {
    uint32_t file = sources.add("t.pol", text);
    read_dsl(file, sources, diags, set, &comments);
  }
  std::string messages() const {
    std::string out;
    for (const auto &d : diags.all()) out += diags.render(d, false);
    return out;
  }
};

}  // namespace

TEST_SUITE("frontend") {
  TEST_CASE("dsl: a policy reads into the AST with locations") {
    Read r(R"(policy web {
  description "web";
  label team = shop;
  lint ignore redundant-allow;
  select app = web, tier in (a, b), track not exists;
  allow ingress from endpoints { app = api } on tcp 80, udp 53-60 http {
    method "GET" path "/x/.*" header "X-Id: 1";
    any;
  }
  deny egress to cidr 10.0.0.0/8 except (10.1.0.0/16, 10.2.0.0/16), fd00::/8;
  allow egress to ipblock 192.0.2.0/24 on icmp EchoRequest, icmpv6 128;
  allow ingress on any;
  enforce egress;
}
)");
    REQUIRE_MESSAGE(!r.diags.has_errors(), r.messages());
    REQUIRE(r.set.rules.size() == 1);
    const ast::Rule &rule = r.set.rules[0];
    CHECK(rule.origin == ast::Origin::Dsl);
    CHECK(rule.name == "web");
    CHECK(rule.description == "web");
    CHECK(rule.labels.size() == 2);
    CHECK(rule.labels[1].first == kLintIgnoreLabel);
    REQUIRE(rule.subject.requirements.size() == 3);
    CHECK(rule.subject.requirements[1].op == ast::SelectorOp::In);
    CHECK(rule.subject.requirements[1].values.size() == 2);
    CHECK(rule.subject.requirements[2].op == ast::SelectorOp::DoesNotExist);
    CHECK(rule.subject.loc.line == 5);
    REQUIRE(rule.ingress.size() == 2);
    const ast::RuleElement &e = rule.ingress[0];
    CHECK(e.loc.line == 6);
    CHECK(e.loc.col == 3);
    REQUIRE(e.to_ports.size() == 1);
    REQUIRE(e.to_ports[0].ports.size() == 2);
    CHECK(e.to_ports[0].ports[1].port == 53);
    CHECK(e.to_ports[0].ports[1].end_port == 60);
    CHECK(e.to_ports[0].ports[1].loc.col == 57);
    REQUIRE(e.to_ports[0].http->size() == 2);
    CHECK(*(*e.to_ports[0].http)[0].path == "/x/.*");
    CHECK((*e.to_ports[0].http)[0].path_loc.line == 7);
    CHECK(*(*e.to_ports[0].http)[0].headers[0].value == "1");
    REQUIRE(rule.egress_deny.size() == 1);
    CHECK(rule.egress_deny[0].cidrs.size() == 2);
    CHECK(rule.egress_deny[0].cidrs[0].except.size() == 2);
    REQUIRE(rule.egress.size() == 1);
    CHECK(rule.egress[0].cidrs_match_endpoints);
    CHECK(rule.egress[0].icmps[0].type == 8);
    CHECK(rule.egress[0].icmps[1].type == 128);
    CHECK(rule.ingress[1].peer_kind == ast::PeerKind::Any);
    CHECK(rule.enforce_ingress);
    CHECK(rule.enforce_egress);
  }

  TEST_CASE("dsl: syntax errors name the place, what was found and what was expected, and recovery finds more") {
    Read r("policy {\n  select app = web;\n  allow ingres from any;\n  deny ingress on tcp 22\n}\npolicy { select all; allow egress to @ any; }\n");
    std::string m = r.messages();
    CHECK(r.diags.error_count() >= 3);
    CHECK(m.find("t.pol:3:9: error: unexpected \"ingres\"; expected \"ingress\", \"egress\"") != std::string::npos);
    CHECK(m.find("t.pol:5:1: error: unexpected \"}\"") != std::string::npos);
    CHECK(m.find("t.pol:6:38: error: unexpected character '@'") != std::string::npos);
    CHECK(r.set.rules.empty());
  }

  TEST_CASE("dsl: value checks use the JSON readers' ids") {
    Read r(R"(policy {
  select "k8s:" = web;
  allow ingress from cidr 10.0.0.300/8, 10.0.0.0/16 except 10.1.0.0/24;
  allow egress from entity wrold on tcp 70000, tpc 80, tcp 90-80;
  deny ingress from any on tcp 80 http { method "GET"; }
  allow ingress on icmp Bogus;
  allow ingress from endpoints { app = web } on tcp 80 http { path "(("; }
}
policy { allow ingress from any; }
)");
    std::string m = r.messages();
    for (const char *expected :
         {"t.pol:2:10: error: invalid label key", "t.pol:3:27: error: invalid CIDR \"10.0.0.300/8\"",
          "t.pol:3:60: error: except \"10.1.0.0/24\" is not inside its CIDR", "t.pol:4:16: error: an egress statement names its peers with \"to\"",
          "t.pol:4:28: error: unknown entity \"wrold\"", "t.pol:4:41: error: invalid port \"70000\"",
          "t.pol:4:48: error: unknown protocol \"tpc\"; did you mean \"tcp\"?", "t.pol:4:60: error: port range \"90-80\" ends below its start",
          "t.pol:5:35: error: HTTP rules are not allowed in a deny statement", "t.pol:6:25: error: unknown ICMP type \"Bogus\"",
          "t.pol:7:68: error: invalid regex \"((\"", "t.pol:9:1: error: policy has no \"select\""}) {
      CAPTURE(expected);
      CAPTURE(m);
      CHECK(m.find(expected) != std::string::npos);
    }
  }

  TEST_CASE("dsl: strings keep regex backslashes; quote() and unquote() are inverse") {
    Read r(R"(policy { select all; allow ingress on tcp 80 http { host "(www\.)?a\.b" path "\"q\"\\."; } })");
    REQUIRE_MESSAGE(!r.diags.has_errors(), r.messages());
    const auto &h = (*r.set.rules[0].ingress[0].to_ports[0].http)[0];
    CHECK(*h.host == R"((www\.)?a\.b)");
    CHECK(*h.path == R"("q"\.)");
    std::string text = write_dsl(r.set);
    Read again(text);
    REQUIRE_MESSAGE(!again.diags.has_errors(), again.messages());
    CHECK(*(*again.set.rules[0].ingress[0].to_ports[0].http)[0].path == *h.path);
  }

  TEST_CASE("dsl: the writer's layout is canonical, keeps comments and means the same") {
    const char *messy = R"(# head
policy   web {  select app=web ;   # why
  # about ssh
  deny ingress on tcp 22;
  allow ingress from endpoints {app=api},{app=batch} on tcp 80;
}
)";
    Read r(messy);
    REQUIRE_MESSAGE(!r.diags.has_errors(), r.messages());
    std::string once = write_dsl(r.set, r.comments);
    CHECK(once == R"(# head
policy web {  # why
  select app = web;
  # about ssh
  deny ingress on tcp 22;
  allow ingress from endpoints { app = api }, { app = batch } on tcp 80;
}
)");
    Read again(once);
    CHECK(write_dsl(again.set, again.comments) == once);
    test::PolicyFixture a, b;
    CHECK(ir::policy_to_json_text(a.lower_text("a.pol", messy)) == ir::policy_to_json_text(b.lower_text("b.pol", once)));
  }
}

TEST_SUITE("frontend") {
  TEST_CASE("dsl: bytes that are not UTF-8 are an error, not a crash") {
    Read r(std::string("policy { select app = w\xff\xfe; }\n"));
    CHECK(r.messages() == "t.pol:1:24: error: the file is not valid UTF-8\n");
    CHECK(r.set.rules.empty());
  }
}
