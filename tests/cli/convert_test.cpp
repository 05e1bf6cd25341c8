// `polc convert` keeps what a person wrote recognizable: each object is
// named after its source, entities stay entities, and the output reads back
// to the same IR.
#include <doctest/doctest.h>

#include "tests/support/test_env.h"

using namespace polc::test;

namespace {

constexpr const char *kWebCnp = R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
    - fromEntities: [world]
      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
    - fromEntities: [host, cluster]
  egress:
    - toEndpoints: [{matchLabels: {app: db}}]
      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
)";

// Bare rules: no name but the file's. Two subjects.
constexpr const char *kRules = R"([
  {"endpointSelector": {"matchLabels": {"app": "cache"}},
   "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}]}]},
  {"endpointSelector": {"matchLabels": {"app": "db"}},
   "ingress": [{"fromCIDR": ["10.0.0.0/8"]}]}
])";

std::string emit_ir(TempDir &dir, const std::vector<std::string> &inputs, const std::string &ir_name) {
  std::vector<std::string> args = {"compile"};
  for (const auto &i : inputs) args.push_back((dir / i).string());
  for (std::string a : {std::string("--emit-ir"), (dir / ir_name).string(), std::string("-o"),
                        (dir / (ir_name + ".o")).string()})
    args.push_back(a);
  CommandResult r = run_polc(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return read_file(dir / ir_name);
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("convert: objects are named after their source, entities stay entities") {
    TempDir dir;
    write_file(dir / "web.yaml", kWebCnp);
    write_file(dir / "Shop Rules.json", kRules);
    CommandResult yaml = run_polc({"convert", (dir / "web.yaml").string(), (dir / "Shop Rules.json").string(), "--to",
                                   "yaml"});
    INFO(yaml.out << yaml.err);
    REQUIRE(yaml.exit_code == 0);
    CHECK(yaml.out.find("name: \"web\"") != std::string::npos);
    CHECK(yaml.out.find("name: \"shop-rules\"") != std::string::npos);
    CHECK(yaml.out.find("polc-converted") == std::string::npos);
    CHECK(yaml.out.find("---\n") != std::string::npos);  // one document per object
    // world, host and cluster are written as entities, not as CIDRs or selectors.
    CHECK(yaml.out.find("\"world\"") != std::string::npos);
    CHECK(yaml.out.find("\"host\"") != std::string::npos);
    CHECK(yaml.out.find("\"cluster\"") != std::string::npos);
    CHECK(yaml.out.find("0.0.0.0/0") == std::string::npos);
    CHECK(yaml.out.find("reserved:host") == std::string::npos);

    CommandResult dsl = run_polc({"convert", (dir / "web.yaml").string(), "--to", "pol"});
    REQUIRE(dsl.exit_code == 0);
    CHECK(dsl.out.find("policy web {") != std::string::npos);
    CHECK(dsl.out.find("entity world") != std::string::npos);

    // Every form reads back to the IR of the inputs.
    const std::string ir = emit_ir(dir, {"web.yaml", "Shop Rules.json"}, "in.ir");
    write_file(dir / "back.yaml", yaml.out);
    CHECK(emit_ir(dir, {"back.yaml"}, "yaml.ir") == ir);
    for (std::string to : {"json", "pol"}) {
      CAPTURE(to);
      CommandResult c = run_polc({"convert", (dir / "web.yaml").string(), (dir / "Shop Rules.json").string(), "--to",
                                  to, "-o", (dir / ("back." + to)).string()});
      REQUIRE(c.exit_code == 0);
      CHECK(emit_ir(dir, {"back." + to}, to + ".ir") == ir);
    }
  }

  TEST_CASE("convert: two objects of one name get distinct names") {
    TempDir dir;
    std::string other = kWebCnp;
    other.replace(other.find("namespace: prod"), 15, "namespace: test");
    write_file(dir / "a.yaml", kWebCnp);
    write_file(dir / "b.yaml", other);
    CommandResult r = run_polc({"convert", (dir / "a.yaml").string(), (dir / "b.yaml").string(), "--to", "yaml"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("name: \"web\"") != std::string::npos);
    CHECK(r.out.find("name: \"web-2\"") != std::string::npos);
  }
}
