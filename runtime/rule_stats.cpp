#include "runtime/rule_stats.h"

#include "runtime/bpf_object.h"
#include "runtime/bpffs.h"
#include "runtime/iface_pins.h"
#include "templates/maps_abi.h"

namespace polc::runtime {

std::vector<std::pair<uint32_t, std::string>> drop_reason_names() {
  return {
      {POLC_DROP_NONE, "passed"},
      {POLC_DROP_POLICY, "policy"},
      {POLC_DROP_INVALID, "invalid"},
      {POLC_DROP_FRAG_NOFIRST, "fragment_without_first"},
      {POLC_DROP_UNSUPPORTED, "unsupported_header"},
      {POLC_DROP_L7, "http_refused"},
      {POLC_DROP_HTTP_MALFORMED, "http_malformed"},
      {POLC_DROP_HTTP_TOO_LONG, "http_head_too_long"},
      {POLC_DROP_HTTP_UNSUPPORTED, "http_unsupported"},
      {POLC_DROP_HTTP_SEQUENCE, "http_out_of_sequence"},
      {POLC_DROP_HTTP_PATH, "http_path_not_normal"},
  };
}

Result<InterfaceStats> read_interface_stats(const IfaceId &id) {
  std::optional<HookKind> hook = pinned_hook(id);
  if (!hook) return input_error("polc enforces nothing on " + id.iface);
  auto live = find_live(id, *hook);
  if (!live) return live.error();
  if (!*live) return environment_error("no policy in force on " + id.iface + " (its programs are not pinned)");
  IfaceState state = load_state(id);
  const auto object = state.objects.find((*live)->object);
  if (object == state.objects.end() || !object->second.slots.count((*live)->slot))
    return environment_error("the state of " + id.iface + " does not name the generation in force (" +
                             id.state_path() + ")");
  const SlotRecord &record = object->second.slots.at((*live)->slot);

  auto stats = open_pinned(id.pin_dir() + "/rule_stats");
  if (!stats) return stats.error();
  auto drops = open_pinned(id.pin_dir() + "/drops");
  if (!drops) return drops.error();
  if (!stats->valid() || !drops->valid())
    return environment_error("no counters on " + id.iface + ": it was applied by an older polc; `polc detach` and "
                             "apply again");
  InterfaceStats out;
  out.generation = record.generation;
  for (uint32_t index : record.rules) {
    if (index == POLC_RULE_UNCOUNTED) continue;
    auto rule = state.counters.find(index);
    if (rule == state.counters.end()) continue;
    auto n = percpu_counter_sum(stats->get(), index);
    if (!n) return n.error();
    out.rules.push_back(RuleStat{rule->second.source, rule->second.direction, rule->second.verdict, *n});
  }
  auto in = percpu_counter_sum(stats->get(), POLC_RULE_DEFAULT_DENY + POLC_DIR_INGRESS);
  auto eg = percpu_counter_sum(stats->get(), POLC_RULE_DEFAULT_DENY + POLC_DIR_EGRESS);
  if (!in) return in.error();
  if (!eg) return eg.error();
  out.default_deny_ingress = *in;
  out.default_deny_egress = *eg;
  for (const auto &[reason, name] : drop_reason_names()) {
    if (reason == POLC_DROP_NONE || reason == POLC_DROP_POLICY) continue;
    auto n = percpu_counter_sum(drops->get(), reason);
    if (!n) return n.error();
    out.drops.emplace_back(name, *n);
  }
  return out;
}

}  // namespace polc::runtime
