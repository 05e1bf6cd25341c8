// The IR as stable, readable JSON (`polc compile --emit-ir`): keys in a
// fixed order, rules in canonical order, no source locations, so equal
// policies give equal bytes whatever file format they came from.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ir/ir.h"

namespace polc::ir {

nlohmann::ordered_json selector_to_json(const Selector &s);
nlohmann::ordered_json rule_to_json(const Rule &rule);
nlohmann::ordered_json policy_to_json(const Policy &policy);
std::string policy_to_json_text(const Policy &policy);

}  // namespace polc::ir
