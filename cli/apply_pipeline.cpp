#include "cli/apply_pipeline.h"

#include <tuple>

#include "cli/object_cache.h"
#include "codegen/compile_policy.h"
#include "frontend/fnv_digest.h"
#include "ir/ir_json.h"
#include "ir/plan.h"
#include "ir/rule_sources.h"

namespace polc::cli {

Result<void> hook_can_enforce(const ir::Policy &policy, codegen::Hook hook) {
  if (hook != codegen::Hook::Xdp) return {};
  for (const ir::Rule &r : policy.rules) {
    if (!r.has_http) continue;
    // The rule written first: origins hold every source of the IR rule.
    SourceLoc at = r.origins.empty() ? SourceLoc{} : r.origins.front();
    for (const SourceLoc &o : r.origins)
      if (std::tie(o.file, o.line, o.col) < std::tie(at.file, at.line, at.col)) at = o;
    Error e = input_error(
        "HTTP rules need the tc hook: an XDP program cannot answer a request with 403 Forbidden; use --hook tc");
    e.loc = at;
    return e;
  }
  return {};
}

// A policy with HTTP rules adds its IR JSON, which covers its HTTP tables.
// Serializing the IR costs more than reading the policy (150 ms for 10,000
// rules), so other policies are digested through their plan only: two
// policies that fill the same maps of the same program are enforced alike.
// A map added to the plan must be added here.
std::string plan_digest(const ir::Policy &policy, const ir::MapPlan &plan, const std::string &shape_digest) {
  FnvDigest d;
  d.add(shape_digest);  // the hook included
  if (plan.shape.http) d.add(ir::policy_to_json_text(policy));
  // The rule table: a rule that moved to another line is counted there.
  // Its places without the files' paths (ir::rule_anchors): the same
  // policy from another path is the same input.
  const std::vector<std::string> anchors = ir::rule_anchors(policy.sources);
  for (size_t i = 0; i < anchors.size(); ++i) {
    d.add(anchors[i]);
    d.add(policy.sources[i].digest);
  }
  for (const auto &e : plan.ipcache) {
    d.add(e.prefix.str());
    d.add(e.identity);
    d.add(e.flags);
  }
  for (const auto *entries : {&plan.allow, &plan.deny}) {
    d.add(entries == &plan.allow ? "allow" : "deny");
    d.add(entries->size());
    for (const auto &e : *entries) {
      d.add(e.subject);
      d.add(e.peer);
      d.add(static_cast<uint64_t>(e.direction));
      d.add(e.proto);
      d.add(e.port);
      d.add(e.l4_prefix_bits);
      d.add(e.rule_id);
      d.add(e.l7_policy);
    }
  }
  return d.hex();
}

Result<PreparedApply> prepare_apply(const ir::Policy &policy, const ir::EndpointSet &endpoints,
                                    const ApplyTarget &target, std::optional<std::vector<uint8_t>> given_object) {
  PreparedApply prepared;
  runtime::ApplyRequest &request = prepared.request;
  request.id = target.id;
  request.hook = target.hook == codegen::Hook::Xdp ? runtime::HookKind::Xdp : runtime::HookKind::Tc;
  request.plan = ir::plan_maps(policy, endpoints);
  if (request.plan.shape.http && request.plan.http.error) return *request.plan.http.error;
  request.plan.shape.audit = target.audit;  // another program: switching it on or off is a program swap
  request.rules = policy.sources;
  for (const ir::Endpoint &e : endpoints.all())
    for (const IpAddr &ip : e.ips) request.endpoint_names.emplace(ip.str(), e.name);
  request.shape_digest = request.plan.shape.digest() + "-" + std::string(codegen::hook_traits(target.hook).name);
  // The HTTP verdict hash's and table's sizes are compiled in and fixed for
  // every generation of an object (ir/http_plan.h): a policy that needs
  // other sizes needs another object.
  if (request.plan.shape.http)
    request.shape_digest += "-v" + std::to_string(request.plan.http.verdict_capacity) + "-t" +
                            std::to_string(request.plan.http.table_capacity());
  request.policy_digest = plan_digest(policy, request.plan, request.shape_digest);
  // Only for a program no loaded object has: generated, then compiled
  // unless this host compiled it before (cli/object_cache.h).
  request.build_object = [&policy, hook = target.hook, audit = target.audit, compiled = prepared.compiled,
                          given = std::move(given_object)]() -> Result<std::vector<uint8_t>> {
    // An object's own program enforces; --audit builds the audit one for its policy.
    if (given && !audit) return *given;
    auto program = codegen::generate_policy_program(policy, hook, audit);
    if (!program) return program.error();
    auto object = cached_object(*program);
    if (!object) return object.error();
    *compiled = !object->hit;
    return std::move(object->elf);
  };
  return prepared;
}

}  // namespace polc::cli
