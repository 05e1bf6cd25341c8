// `polc convert`: the IR written back as Cilium rules, so any input format
// becomes rule JSON or a CiliumClusterwideNetworkPolicy YAML whose reading
// gives the same IR again. Cluster-wide, not namespaced: the namespaces of
// namespaced inputs are already explicit requirements in the IR's selectors.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ir/ir.h"

namespace polc::ir {

// One Cilium rule per IR rule, plus `ingress: [{}]`-style rules for
// enforcements that no rule carries. `lossy` receives what Cilium rules
// cannot say (Kubernetes ipBlock matching endpoints' addresses).
nlohmann::ordered_json policy_to_cilium_rules(const Policy &policy, std::vector<std::string> *lossy = nullptr);
std::string to_rule_json(const Policy &policy, std::vector<std::string> *lossy = nullptr);
std::string to_cilium_yaml(const Policy &policy, std::vector<std::string> *lossy = nullptr);

}  // namespace polc::ir
