// What a compiled object carries (codegen/compiled_object.h): the policy
// read back from .polc.policy is the policy compiled, the hook follows from
// .polc.program, and an object whose program does not match its policy, or
// that polc did not write, is refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "codegen/bpf_compiler.h"
#include "codegen/compile_policy.h"
#include "codegen/compiled_object.h"
#include "ir/ir_json.h"
#include "ir/ir_json_read.h"
#include "tests/support/policy_fixture.h"
#include "tests/support/test_env.h"

using namespace polc;

namespace {

ir::Policy sample(test::PolicyFixture &f, const std::string &name) {
  ir::Policy p = f.lower_text(name, test::read_file(test::source_dir() / "samples" / name));
  REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
  return p;
}

// Replaces the first `from` in the object's bytes by `to` (same length).
bool patch(std::vector<uint8_t> &elf, const std::string &from, const std::string &to) {
  REQUIRE(from.size() == to.size());
  auto at = std::search(elf.begin(), elf.end(), from.begin(), from.end());
  if (at == elf.end()) return false;
  std::copy(to.begin(), to.end(), at);
  return true;
}

}  // namespace

TEST_SUITE("codegen") {
  TEST_CASE("the IR JSON reads back to the same policy, for every sample") {
    for (const char *name : {"01-labels.json", "02-cidr.yaml", "03-ports.json", "04-icmp.yaml", "05-deny.json",
                             "06-http.yaml", "07-k8s-networkpolicy.yaml"}) {
      CAPTURE(name);
      test::PolicyFixture f;
      ir::Policy policy = sample(f, name);
      const std::string written = ir::policy_to_json_text(policy);
      auto read = ir::policy_from_json(written);
      REQUIRE_MESSAGE(read.ok(), (read.ok() ? "" : read.error().message));
      CHECK(ir::policy_to_json_text(*read) == written);
      CHECK(read->rules.size() == policy.rules.size());
    }
  }

  TEST_CASE("IR JSON that polc did not write is refused, not guessed at") {
    for (const char *text : {"", "[]", "{}", R"({"polc_ir_version": 2, "enforcements": [], "rules": []})",
                             R"({"polc_ir_version": 1, "enforcements": [], "rules": [{"subject": []}]})",
                             R"({"polc_ir_version": 1, "enforcements": [{"subject": [], "direction": "sideways"}],
                                 "rules": []})",
                             R"({"polc_ir_version": 1, "enforcements": [], "rules": [{"subject": [],
                                 "direction": "ingress", "verdict": "allow", "peer": {"cidr": "10.0.0.300/8"},
                                 "l4": "all"}]})",
                             R"({"polc_ir_version": 1, "enforcements": [], "rules": [{"subject": [],
                                 "direction": "ingress", "verdict": "allow", "peer": {"any": true},
                                 "l4": {"protocol": "TCP", "port": 70000, "end_port": 80}}]})"}) {
      CAPTURE(text);
      auto read = ir::policy_from_json(text);
      CHECK_FALSE(read.ok());
      if (!read.ok()) CHECK(read.error().exit_code == 1);
    }
  }

  TEST_CASE("a compiled object gives back its policy and its hook") {
    test::PolicyFixture f;
    ir::Policy policy = sample(f, "02-cidr.yaml");
    for (codegen::Hook hook : {codegen::Hook::Tc, codegen::Hook::Xdp}) {
      auto compiled = codegen::compile_policy(policy, hook);
      REQUIRE(compiled.ok());
      auto carried = codegen::read_compiled_object(compiled->elf);
      REQUIRE_MESSAGE(carried.ok(), (carried.ok() ? "" : carried.error().message));
      CHECK(carried->hook == hook);
      CHECK(ir::policy_to_json_text(carried->policy) == ir::policy_to_json_text(policy));
    }
  }

  TEST_CASE("an object whose program is not its policy's, or not polc's, is refused") {
    test::PolicyFixture f;
    ir::Policy policy = sample(f, "02-cidr.yaml");
    auto compiled = codegen::compile_policy(policy, codegen::Hook::Tc);
    REQUIRE(compiled.ok());

    // The program compiled without the CIDR lookup its policy needs.
    std::vector<uint8_t> other_shape = compiled->elf;
    REQUIRE(patch(other_shape, "#define POLC_HAVE_CIDR 1", "#define POLC_HAVE_CIDR 0"));
    auto refused = codegen::read_compiled_object(other_shape);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().exit_code == 1);
    CHECK(refused.error().message.find("compile the policy again") != std::string::npos);

    // A policy section that is no longer IR.
    std::vector<uint8_t> broken = compiled->elf;
    REQUIRE(patch(broken, "\"polc_ir_version\"", "\"polc_ir_versiom\""));
    CHECK_FALSE(codegen::read_compiled_object(broken).ok());

    // An object without the sections: the compiler's bare output.
    codegen::CompileInput input;
    input.source = "char LICENSE[] __attribute__((section(\"license\"))) = \"GPL\";\n";
    auto bare = codegen::compile_bpf_c(input);
    REQUIRE(bare.ok());
    auto not_polc = codegen::read_compiled_object(*bare);
    REQUIRE_FALSE(not_polc.ok());
    CHECK(not_polc.error().message.find("not a polc object") != std::string::npos);
  }
}
