// `polc convert`: what was read, written back as Cilium rule JSON, a
// CiliumClusterwideNetworkPolicy YAML or polc DSL, so that reading the
// output gives the same IR again.
//
// Each object that was read (a CiliumNetworkPolicy, a NetworkPolicy, a DSL
// `policy` block, a file of bare rules) is converted on its own and keeps
// its name: its IR is regrouped for a person (ir/pol_writer.h: one rule per
// subject, statements merged, the two catch-all CIDRs back into the entity
// `world`, `reserved:` selectors into their entities), then written out.
// Objects are cluster-wide: the namespaces of namespaced inputs are
// explicit requirements in the selectors.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "frontend/source.h"

namespace polc::ir {

// One object as read, with the name the output gives it: its
// metadata.name or DSL policy name, else its file's name; made a valid
// Kubernetes name, and unique among the objects.
struct SourceObject {
  std::string name;
  ast::PolicySet policies;
};

// Splits what was read into its objects: consecutive rules of one file
// with one name (a CiliumNetworkPolicy's `specs` are one object).
std::vector<SourceObject> split_source_objects(const ast::PolicySet &read, const SourceManager &sources);

enum class ConvertFormat { RuleJson, CiliumYaml, Dsl };

// `lossy` receives what Cilium rules cannot say (Kubernetes ipBlock
// matching endpoints' addresses); polc reads its meaning back from a rule
// label.
std::string convert_objects(const std::vector<SourceObject> &objects, ConvertFormat format, DiagnosticEngine &diags,
                            std::vector<std::string> *lossy = nullptr);

// The Cilium rules of one DSL-shaped AST (ir/pol_writer.h), for tests.
nlohmann::ordered_json cilium_rules(const ast::PolicySet &policies, std::vector<std::string> *lossy = nullptr);

}  // namespace polc::ir
