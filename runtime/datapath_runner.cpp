#include "runtime/datapath_runner.h"

#include <bpf/bpf.h>
#include <linux/pkt_cls.h>

#include <iterator>
#include <numeric>
#include <vector>

#include "runtime/conntrack_key.h"
#include "runtime/http_maps.h"
#include "runtime/netns_guard.h"
#include "runtime/policy_maps.h"
#include "runtime/policy_slots.h"
#include "templates/maps_abi.h"

namespace polc::runtime {

Result<DatapathRunner> DatapathRunner::create(const std::vector<uint8_t> &tc_elf, const ir::MapPlan &plan) {
  auto object = BpfObject::open_memory(tc_elf, "polc");
  if (!object) return object.error();
  if (auto loaded = object->load(); !loaded) return loaded.error();
  if (auto filled = fill_policy_maps(object.value(), plan); !filled) return filled.error();
  // Test runs use the loopback device of the namespace they run in: the
  // 403 a refused HTTP request sends must not go out on the host's.
  auto netns = PrivateNetns::create();
  if (!netns) return netns.error();
  DatapathRunner runner(std::move(object).value(), std::move(netns).value());
  runner.ingress_fd_ = runner.object_.program_fd("polc_ingress");
  runner.egress_fd_ = runner.object_.program_fd("polc_egress");
  if (runner.ingress_fd_ < 0 || runner.egress_fd_ < 0)
    return internal_error("the tc object lacks polc_ingress or polc_egress");
  return runner;
}

Result<void> DatapathRunner::refill(const ir::MapPlan &plan) {
  std::vector<const char *> names(std::begin(kPolicyMapNames), std::end(kPolicyMapNames));
  names.insert(names.end(), std::begin(kConntrackMaps), std::end(kConntrackMaps));
  names.insert(names.end(), {"polc_frag", "polc_http_conn", kHttpVerdictMap});
  for (const char *name : names) {
    int fd = object_.map_fd(name);
    if (fd < 0) continue;  // not in this shape
    if (auto cleared = map_clear(fd); !cleared) return cleared;
  }
  // The HTTP table is an array: zeroed whole, so that no state of the last
  // plan's DFAs is left past the end of the new ones. (Every field's entry
  // of polc_http_meta is written again by the fill.)
  if (int table = object_.map_fd(kHttpTableMap); table >= 0) {
    const uint32_t capacity = map_max_entries(table);
    std::vector<uint32_t> indices(capacity);
    std::iota(indices.begin(), indices.end(), 0u);
    const std::vector<uint64_t> zeros(capacity, 0);
    if (auto zeroed = map_update_many(table, indices.data(), zeros.data(), capacity, sizeof(uint32_t),
                                      sizeof(uint64_t));
        !zeroed)
      return zeroed;
  }
  return fill_policy_maps(object_, plan);
}

namespace {

// Each flow is judged on its own: a flow must not pass as the reply of a
// connection an earlier flow opened, nor continue an earlier flow's HTTP
// stream (polc_http_conn, keyed like polc_ct).
void forget_connections(int map_fd) {
  if (map_fd < 0) return;
  std::vector<uint8_t> key(sizeof(polc_ct_key));  // the larger key
  while (bpf_map_get_next_key(map_fd, nullptr, key.data()) == 0)
    if (bpf_map_delete_elem(map_fd, key.data()) != 0) break;
}

// A program lets a packet through when it returns TC_ACT_OK and leaves it
// as it was: the HTTP datapath refuses a request by rewriting its segment
// into a RST for the server (templates/http_reply.h), which tc passes on.
bool passed_unchanged(const TestRunResult &run, const std::vector<uint8_t> &frame) {
  return run.retval == TC_ACT_OK && run.data_out == frame;
}

}  // namespace

Result<DatapathVerdict> DatapathRunner::run(const std::vector<uint8_t> &frame) const {
  for (const char *ct : kConntrackMaps) forget_connections(object_.map_fd(ct));
  forget_connections(object_.map_fd("polc_http_conn"));
  return run_programs(frame, false);
}

Result<DatapathVerdict> DatapathRunner::run_connected(const std::vector<uint8_t> &frame) const {
  return run_programs(frame, true);
}

Result<DatapathVerdict> DatapathRunner::run_programs(const std::vector<uint8_t> &frame, bool stop_at_drop) const {
  auto inside = netns_.enter();
  if (!inside) return inside.error();
  DatapathVerdict v;
  auto egress = test_run(egress_fd_, frame);
  if (!egress) return egress.error();
  v.egress_allowed = passed_unchanged(*egress, frame);
  if (stop_at_drop && !v.egress_allowed) return v;
  auto ingress = test_run(ingress_fd_, frame);
  if (!ingress) return ingress.error();
  v.ingress_allowed = passed_unchanged(*ingress, frame);
  return v;
}

Result<void> DatapathRunner::activate(uint32_t slot) {
  auto maps = object_slot_maps(object_);
  if (!maps) return maps.error();
  if (auto set = set_active(*maps, slot, ++generation_); !set) return set;
  slot_ = slot;
  return {};
}

Result<void> DatapathRunner::swap(const ir::MapPlan &plan) {
  auto maps = object_slot_maps(object_);
  if (!maps) return maps.error();
  if (auto installed = install_slot(*maps, 1 - slot_, plan); !installed) return installed;
  return activate(1 - slot_);
}

Result<void> DatapathRunner::rollback() {
  auto maps = object_slot_maps(object_);
  if (!maps) return maps.error();
  auto populated = slot_populated(*maps, 1 - slot_);
  if (!populated) return populated.error();
  if (!*populated) return Error{"no previous generation to roll back to", 1};
  return activate(1 - slot_);
}

}  // namespace polc::runtime
