// Rule ids (ir/rule_sources.h): every IR rule counts under the rule element
// written first, the plan's entries carry the first rule in source order,
// and the table travels through an object's section.
#include <doctest/doctest.h>

#include "frontend/net.h"
#include "ir/plan.h"
#include "ir/rule_sources.h"
#include "tests/support/policy_fixture.h"

using namespace polc;
using namespace polc::ir;

namespace {

IpAddr ip(const char *text) { return *parse_ip(text).value; }

// Line 3 allows TCP 80 and 443 (two IR rules, one element); line 4 allows
// 443 again (an IR rule equal to one of line 3's); line 5 denies 22.
constexpr const char *kPolicy = R"(policy {
  select app = srv;
  allow ingress from endpoints { app = cli } on tcp 80, tcp 443;
  allow ingress from endpoints { app = cli } on tcp 443;
  deny ingress from endpoints { app = cli } on tcp 22;
}
)";

Policy indexed(test::PolicyFixture &f, const std::string &name, const std::string &text) {
  Policy p = f.lower_text(name, text);
  REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
  index_rule_sources(p, f.sources);
  return p;
}

bool starts_with(const std::string &s, const std::string &prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_SUITE("ir") {
  TEST_CASE("rule sources: one per element, in source order, each IR rule under its first element") {
    test::PolicyFixture f;
    Policy p = indexed(f, "p.pol", kPolicy);
    // The ports of line 3 are origins of their own (file:line:col of the
    // port), so line 3 gives two sources; 443 of line 4 merged into line 3's.
    REQUIRE(p.sources.size() >= 3);
    for (size_t i = 1; i < p.sources.size(); ++i) CHECK(p.sources[i - 1].source != p.sources[i].source);
    CHECK(starts_with(p.sources.front().source, "p.pol:3:"));
    CHECK(starts_with(p.sources.back().source, "p.pol:5:"));
    CHECK(p.sources.back().verdict == Verdict::Deny);
    for (const Rule &r : p.rules) {
      REQUIRE(r.source >= 1);
      REQUIRE(r.source <= p.sources.size());
      const RuleSource &s = p.sources[r.source - 1];
      CHECK(s.verdict == r.verdict);
      CHECK(s.direction == r.direction);
      // Never a later place than any of the rule's origins.
      CHECK_FALSE(starts_with(s.source, "p.pol:4:"));
    }
  }

  TEST_CASE("rule sources: an entry made by several rules names the first in source order") {
    test::PolicyFixture f;
    // Two rules that differ (their peer selectors) but resolve to the same
    // entry: cli has both labels. In IR order (selectors sorted by key)
    // line 4's rule comes first; in source order line 3's.
    Policy p = indexed(f, "p.pol", R"(policy {
  select app = srv;
  allow ingress from endpoints { tier = front } on tcp 8080;
  allow ingress from endpoints { app = cli } on tcp 8080;
}
)");
    REQUIRE(p.rules.size() == 2);
    CHECK(starts_with(p.sources[p.rules[0].source - 1].source, "p.pol:4:"));  // IR order is not source order
    auto endpoints = EndpointSet::from_inventory(
        {}, {{"srv", "", {{"app", "srv"}}, {ip("10.0.0.2")}},
             {"cli", "", {{"app", "cli"}, {"tier", "front"}}, {ip("10.0.0.1")}}});
    MapPlan plan = plan_maps(p, endpoints);
    REQUIRE(plan.allow.size() == 1);
    CHECK(starts_with(p.sources[plan.allow[0].rule_id - 1].source, "p.pol:3:"));
  }

  TEST_CASE("rule sources: the digest follows the meaning, not the place") {
    test::PolicyFixture f;
    Policy a = indexed(f, "a.pol", kPolicy);
    Policy b = indexed(f, "b.pol", std::string("\n\n") + kPolicy);  // two lines lower
    Policy c = indexed(f, "c.pol", R"(policy {
  select app = srv;
  allow ingress from endpoints { app = cli } on tcp 81, tcp 443;
  allow ingress from endpoints { app = cli } on tcp 443;
  deny ingress from endpoints { app = cli } on tcp 22;
}
)");
    REQUIRE(a.sources.size() == b.sources.size());
    for (size_t i = 0; i < a.sources.size(); ++i) {
      CHECK(a.sources[i].digest == b.sources[i].digest);
      CHECK(a.sources[i].source != b.sources[i].source);
    }
    REQUIRE(c.sources.size() == a.sources.size());
    CHECK(c.sources.front().digest != a.sources.front().digest);  // port 81, not 80
    CHECK(c.sources.back().digest == a.sources.back().digest);
  }

  TEST_CASE("rule sources: the table reads back onto the same policy, and refuses one that does not fit") {
    test::PolicyFixture f;
    Policy p = indexed(f, "p.pol", kPolicy);
    std::string text = rule_sources_to_json(p);
    Policy back = f.lower_text("p.pol", kPolicy);  // the same rules, not indexed
    REQUIRE(rule_sources_from_json(text, back).ok());
    CHECK(back.sources == p.sources);
    for (size_t i = 0; i < p.rules.size(); ++i) CHECK(back.rules[i].source == p.rules[i].source);

    Policy fewer = f.lower_text("q.pol", "policy {\n  select app = srv;\n  allow ingress on tcp 1;\n}\n");
    auto refused = rule_sources_from_json(text, fewer);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().exit_code == 1);
    CHECK_FALSE(rule_sources_from_json("{not json", back).ok());
  }

  TEST_CASE("rule sources: rules built without origins get a source each, named by nothing") {
    Policy p;
    p.rules.resize(2);
    p.rules[1].l4.kind = L4::Kind::Ports;
    p.rules[1].l4.proto = ast::Proto::TCP;
    SourceManager none;
    index_rule_sources(p, none);
    REQUIRE(p.sources.size() == 2);
    CHECK(p.sources[0].source.empty());
    CHECK(p.rules[0].source == 1);
    CHECK(p.rules[1].source == 2);
  }
}
