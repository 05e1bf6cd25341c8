// compile_policy with HTTP rules: the tables' sizes go into config.h, XDP
// is refused (exit 3), and rules the datapath cannot enforce fail the
// compilation (exit 1) before any C is generated.
#include <doctest/doctest.h>

#include <string>

#include "codegen/compile_policy.h"
#include "ir/http_plan.h"
#include "tests/support/policy_fixture.h"

using namespace polc;

namespace {

ir::Policy http_policy(test::PolicyFixture &f, const std::string &path) {
  ir::Policy p = f.lower_text("p.json", R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
    "ingress": [{"toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                              "rules": {"http": [{"method": "GET", "path": ")" + path + R"("}]}}]}]}])");
  REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
  return p;
}

}  // namespace

TEST_SUITE("codegen") {
  TEST_CASE("compile_policy sizes the HTTP maps from the policy and refuses XDP") {
    test::PolicyFixture f;
    ir::Policy policy = http_policy(f, "/api/v[0-9]+/.*");
    auto tables = ir::plan_http_tables(policy);
    REQUIRE(tables.ok());

    auto xdp = codegen::compile_policy(policy, codegen::Hook::Xdp);
    REQUIRE_FALSE(xdp.ok());
    CHECK(xdp.error().exit_code == 3);
    CHECK(xdp.error().message.find("--hook tc") != std::string::npos);

    auto tc = codegen::compile_policy(policy, codegen::Hook::Tc);
    REQUIRE_MESSAGE(tc.ok(), (tc.ok() ? "" : tc.error().message));
    std::string listing = codegen::generated_c_listing(tc->program);
    CHECK(listing.find("#define POLC_HAVE_HTTP 1\n") != std::string::npos);
    CHECK(listing.find("#define POLC_HTTP_TABLE_MAX " + std::to_string(tables->table_capacity()) + "\n") !=
          std::string::npos);
    CHECK(listing.find("#define POLC_HTTP_VERDICT_MAX " + std::to_string(tables->verdict_capacity) + "\n") !=
          std::string::npos);
  }

  TEST_CASE("compile_policy refuses HTTP rules the datapath cannot enforce") {
    test::PolicyFixture f;
    auto refused = codegen::compile_policy(http_policy(f, "/a(?i)b"), codegen::Hook::Tc);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().exit_code == 1);
    CHECK(refused.error().message.find("HTTP path regex \"/a(?i)b\" cannot be enforced in the datapath") !=
          std::string::npos);
  }
}
