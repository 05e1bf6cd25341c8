// `polc status`: what is in force on an interface, read from its pins,
// its state file and the kernel.
#include "runtime/iface_status.h"

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "ir/rule_sources.h"
#include "runtime/bpf_object.h"
#include "runtime/bpffs.h"
#include "runtime/iface_link.h"
#include "runtime/iface_pins.h"
#include "runtime/installer.h"
#include "runtime/policy_slots.h"
#include "runtime/rule_stats.h"
#include "templates/maps_abi.h"

namespace polc::runtime {

namespace fs = std::filesystem;

std::vector<IfaceId> enforced_interfaces() {
  std::vector<IfaceId> out;
  std::error_code ec;
  for (const auto &scope : fs::directory_iterator(std::string(kBpffsRoot) + "/polc", ec)) {
    std::error_code ec2;
    for (const auto &iface : fs::directory_iterator(scope.path(), ec2)) {
      std::string s = scope.path().filename();
      out.push_back(IfaceId{s == "host" ? "" : s, iface.path().filename()});
    }
  }
  std::sort(out.begin(), out.end(), [](const IfaceId &a, const IfaceId &b) {
    return std::tie(a.netns, a.iface) < std::tie(b.netns, b.iface);
  });
  return out;
}

// polc_drops of the interface, summed over CPUs, by reason
// (templates/maps_abi.h): "passed" and one count per drop reason. Shared
// by every object of the interface, so no apply resets them.
static nlohmann::ordered_json packet_counters(int drops_fd) {
  static constexpr std::pair<uint32_t, const char *> kReasons[] = {
      {POLC_DROP_NONE, "passed"},
      {POLC_DROP_POLICY, "dropped_policy"},
      {POLC_DROP_INVALID, "dropped_invalid"},
      {POLC_DROP_FRAG_NOFIRST, "dropped_fragment_without_first"},
      {POLC_DROP_UNSUPPORTED, "dropped_unsupported_header"},
      {POLC_DROP_L7, "refused_http_request"},
      {POLC_DROP_HTTP_MALFORMED, "refused_http_malformed"},
      {POLC_DROP_HTTP_TOO_LONG, "refused_http_head_too_long"},
      {POLC_DROP_HTTP_UNSUPPORTED, "refused_http_unsupported"},
      {POLC_DROP_HTTP_SEQUENCE, "dropped_http_out_of_sequence"},
      {POLC_DROP_HTTP_PATH, "refused_http_path_not_normal"},
  };
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (auto [reason, name] : kReasons)
    if (auto sum = percpu_counter_sum(drops_fd, reason)) out[name] = *sum;
  return out;
}

nlohmann::ordered_json interface_status(const IfaceId &id) {
  nlohmann::ordered_json j = {{"iface", id.iface}, {"netns", id.netns.empty() ? "host" : id.netns}};
  std::optional<HookKind> hook = pinned_hook(id);
  if (!hook) {
    j["attached"] = false;
    return j;
  }
  IfaceState state = load_state(id);
  j["attached"] = true;
  j["hook"] = hook_kind_name(*hook);
  j["attach_mode"] = *hook == HookKind::Xdp ? "xdp link" : "tcx link";
  j["attached_since"] = state.attached_since;
  auto live = find_live(id, *hook);
  if (!live || !*live) {
    j["error"] = live ? "no live object" : live.error().message;
    return j;
  }
  const Live now = **live;
  const SlotRecord record = state.objects.count(now.object) && state.objects[now.object].slots.count(now.slot)
                                ? state.objects[now.object].slots[now.slot]
                                : SlotRecord{};
  j["generation"] = record.generation;
  j["policy_digest"] = record.policy_digest;
  j["shape_digest"] = state.objects.count(now.object) ? state.objects[now.object].shape_digest : "";
  // The audit program's shape digest says so (ir::DatapathShape::digest).
  j["audit"] = j["shape_digest"].get<std::string>().find("-audit") != std::string::npos;
  j["since"] = record.since;
  // The files the policy in force was read from, from its rules' places.
  std::vector<std::string> files;
  for (uint32_t index : record.rules) {
    auto rule = state.counters.find(index);
    if (rule == state.counters.end()) continue;
    std::string file(ir::source_file(rule->second.source));
    if (!file.empty() && std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  }
  j["policy_files"] = files;
  j["object"] = now.object;
  j["slot"] = now.slot;
  nlohmann::ordered_json programs = nlohmann::ordered_json::array();
  for (const HookProgram &p : hook_programs(*hook)) {
    auto prog = open_pinned(object_dir(id, now.object) + "/" + p.prog_pin);
    uint32_t pid = 0;
    if (prog && prog->valid())
      if (auto got = program_id(prog->get())) pid = *got;
    programs.push_back({{"name", p.program}, {"id", pid}, {"attach", attach_point_name(p.point)}});
  }
  j["programs"] = programs;
  nlohmann::ordered_json maps = nlohmann::ordered_json::object();
  if (auto slots = open_slot_maps(object_dir(id, now.object))) {
    if (auto fill = slot_fill(*slots, now.slot)) {
      maps["ipcache4"] = fill->ipcache4;
      maps["ipcache6"] = fill->ipcache6;
      maps["allow"] = fill->allow;
      maps["deny"] = fill->deny;
    }
  }
  // One table per family (templates/maps.h); an older polc's pins have
  // only "ct", which held both.
  uint64_t entries = 0, capacity = 0;
  nlohmann::ordered_json per_family = nlohmann::ordered_json::object();
  for (auto [pin, family] : {std::pair{"ct4", "ipv4"}, std::pair{"ct", "ipv6"}}) {
    auto ct = open_pinned(id.pin_dir() + "/" + pin);
    if (!ct || !ct->valid()) continue;
    per_family[family] = count_entries(ct->get());
    entries += per_family[family].get<uint64_t>();
    capacity += map_max_entries(ct->get());
  }
  if (capacity) {
    maps["conntrack"] = {{"entries", entries}, {"max_entries", capacity}};
    maps["conntrack"].update(per_family);
  }
  j["maps"] = maps;
  // The interface's counters; an older polc's pins have them per object.
  auto drops = open_pinned(id.pin_dir() + "/drops");
  if (!drops || !drops->valid()) drops = open_pinned(object_dir(id, now.object) + "/polc_drops");
  if (drops && drops->valid()) j["packets"] = packet_counters(drops->get());
  // The rules that matched most, for a glance (`polc stats` has them all).
  if (auto stats = read_interface_stats(id)) {
    std::vector<RuleStat> top;
    for (const RuleStat &r : stats->rules)
      if (r.count) top.push_back(r);
    std::stable_sort(top.begin(), top.end(), [](const RuleStat &a, const RuleStat &b) { return a.count > b.count; });
    if (top.size() > 5) top.resize(5);
    nlohmann::ordered_json rules = nlohmann::ordered_json::array();
    for (const RuleStat &r : top)
      rules.push_back({{"source", r.source},
                       {"direction", r.direction},
                       {"verdict", r.verdict},
                       {r.verdict == "allow" ? "flows" : "packets", r.count}});
    j["top_rules"] = std::move(rules);
    j["default_deny"] = {{"ingress", stats->default_deny_ingress}, {"egress", stats->default_deny_egress}};
  }
  if (auto previous = rollback_target(id, state, now))
    j["previous_generation"] = state.objects[previous->object].slots[previous->slot].generation;
  return j;
}

}  // namespace polc::runtime
