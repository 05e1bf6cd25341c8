// A large generated policy reads completely and correctly. How fast is a
// benchmark's question, not a unit test's: see bench/bench_frontend (target
// and figures in bench/README.md).
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "frontend/policy_loader.h"

TEST_CASE("frontend: 5,000 generated rules read completely") {
  std::string text = "[";
  for (int i = 0; i < 5000; ++i) {
    if (i) text += ",\n";
    text += fmt::format(
        R"({{"endpointSelector":{{"matchLabels":{{"app":"svc{}"}}}},"ingress":[{{"fromEndpoints":[{{"matchLabels":{{"role":"c{}"}}}}],)"
        R"("toPorts":[{{"ports":[{{"port":"{}","protocol":"TCP"}}],"rules":{{"http":[{{"method":"GET","path":"/v{}/.*"}}]}}}}]}},)"
        R"({{"fromCIDRSet":[{{"cidr":"10.{}.0.0/16","except":["10.{}.1.0/24"]}}]}}]}})",
        i, i % 100, 1000 + i % 5000, i % 10, i % 256, i % 256);
  }
  text += "]";
  polc::SourceManager sources;
  polc::DiagnosticEngine diags(sources);
  polc::ast::PolicySet set;
  bool ok = polc::load_policy_text("big.json", std::move(text), sources, diags, set);
  CHECK(ok);
  REQUIRE(set.rules.size() == 5000);
  CHECK(set.rules[4999].ingress[1].cidrs[0].except[0].str() == "10.135.1.0/24");
  CHECK(set.rules[4999].ingress[0].to_ports[0].ports[0].port == 1000 + 4999 % 5000);
}
