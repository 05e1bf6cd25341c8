// The steps from a lowered policy and its endpoints to what is in force on
// an interface, shared by `polc apply` and `polc agent` (which cli/ wires
// to fleet/'s agent as its enforcer): the map plan, the digests that tell
// "unchanged", "map-only" and "program swap" apart, and the object built
// only when no loaded object has the program.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codegen/generate.h"
#include "frontend/result.h"
#include "ir/endpoints.h"
#include "ir/ir.h"
#include "runtime/installer.h"

namespace polc::cli {

struct ApplyTarget {
  runtime::IfaceId id;
  codegen::Hook hook = codegen::Hook::Tc;
  bool audit = false;
};

// The XDP hook cannot answer a request with a 403: an HTTP rule under
// --hook xdp is an input error at that rule (the rule written first).
Result<void> hook_can_enforce(const ir::Policy &policy, codegen::Hook hook);

// Equal digests, nothing to do: the program (hook and shape) and every
// entry of every map the plan fills.
std::string plan_digest(const ir::Policy &policy, const ir::MapPlan &plan, const std::string &shape_digest);

struct PreparedApply {
  runtime::ApplyRequest request;
  // Set by request.build_object once it ran: false when the object came
  // from the object cache, true when it was compiled.
  std::shared_ptr<std::optional<bool>> compiled = std::make_shared<std::optional<bool>>();
};

// The request `runtime::apply_policy` takes. `policy` must outlive it (the
// object is built from it on demand). `given_object`: `apply OBJ.o`, the
// object's own program. An error with a place: HTTP rules the datapath
// cannot hold, refused before anything is touched.
Result<PreparedApply> prepare_apply(const ir::Policy &policy, const ir::EndpointSet &endpoints,
                                    const ApplyTarget &target,
                                    std::optional<std::vector<uint8_t>> given_object = std::nullopt);

}  // namespace polc::cli
