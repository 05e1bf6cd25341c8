// Every sample exists as JSON/YAML and as `.pol`: the forms give the same
// IR and the same compiled object, and `convert --to pol` of every sample
// reads back to the same IR.
#include <doctest/doctest.h>

#include <filesystem>

#include "codegen/compile_policy.h"
#include "ir/ir_json.h"
#include "ir/pol_writer.h"
#include "tests/support/policy_fixture.h"
#include "tests/support/test_env.h"

namespace fs = std::filesystem;
using namespace polc;

TEST_SUITE("frontend") {
  TEST_CASE("dsl: each sample's .pol gives the IR and object of its JSON/YAML form") {
    size_t pairs = 0;
    for (const auto &entry : fs::directory_iterator(test::source_dir() / "samples")) {
      fs::path p = entry.path();
      std::string name = p.filename().string();
      if (name.find(".flows.") != std::string::npos || name == "endpoints.json" || p.extension() == ".pol" ||
          p.extension() == ".md")
        continue;
      fs::path pol = p.parent_path() / (p.stem().string() + ".pol");
      CAPTURE(name);
      REQUIRE(fs::exists(pol));
      test::PolicyFixture a, b, c;
      ir::Policy from_source = a.lower_text(name, test::read_file(p));
      ir::Policy from_pol = b.lower_text(pol.filename().string(), test::read_file(pol));
      REQUIRE_MESSAGE(!a.diags.has_errors(), a.messages());
      REQUIRE_MESSAGE(!b.diags.has_errors(), b.messages());
      CHECK(ir::policy_to_json_text(from_source) == ir::policy_to_json_text(from_pol));

      // The canonical DSL of the IR reads back to the same IR.
      ir::Policy round = c.lower_text("round.pol", ir::to_pol(from_source));
      REQUIRE_MESSAGE(!c.diags.has_errors(), c.messages());
      CHECK(ir::policy_to_json_text(round) == ir::policy_to_json_text(from_source));

      auto obj_a = codegen::compile_policy(from_source, codegen::Hook::Tc);
      auto obj_b = codegen::compile_policy(from_pol, codegen::Hook::Tc);
      REQUIRE(obj_a.ok());
      REQUIRE(obj_b.ok());
      CHECK(obj_a->elf == obj_b->elf);
      ++pairs;
    }
    CHECK(pairs >= 7);
  }
}
