// Reads policy text through the real readers and lowering, for IR tests.
#pragma once

#include <string>

#include "frontend/diagnostics.h"
#include "frontend/policy_loader.h"
#include "frontend/source.h"
#include "ir/ir.h"
#include "ir/lower.h"

namespace polc::test {

struct PolicyFixture {
  SourceManager sources;
  DiagnosticEngine diags{sources};

  // `name`'s extension picks the syntax (.json or .yaml).
  ir::Policy lower_text(const std::string &name, const std::string &text) {
    ast::PolicySet set;
    load_policy_text(name, text, sources, diags, set);
    return ir::lower(set, diags);
  }
  std::string messages() const {
    std::string out;
    for (const auto &d : diags.all()) out += diags.render(d, false);
    return out;
  }
};

}  // namespace polc::test
