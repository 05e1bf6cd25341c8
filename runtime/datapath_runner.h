// Runs packets through a loaded tc datapath the way the kernel would see a
// flow cross two endpoints: the egress program of the source, then the
// ingress program of the destination (BPF_PROG_TEST_RUN on real bytes).
// Used by `polc test`, the differential tests and the benchmarks.
#pragma once

#include <cstdint>
#include <vector>

#include "frontend/result.h"
#include "ir/map_plan.h"
#include "runtime/bpf_object.h"
#include "runtime/netns_guard.h"
#include "runtime/packet.h"

namespace polc::runtime {

struct DatapathVerdict {
  bool egress_allowed = false;
  bool ingress_allowed = false;
  bool allowed() const { return egress_allowed && ingress_allowed; }
};

class DatapathRunner {
 public:
  // Opens and loads a tc object, then writes the plan's entries. Packets
  // run inside a private network namespace (PrivateNetns): the programs
  // may send some.
  static Result<DatapathRunner> create(const std::vector<uint8_t> &tc_elf, const ir::MapPlan &plan);

  // Empties the policy, HTTP and connection maps and writes `plan` in their
  // place, so that one loaded (verified) object serves every plan of its
  // shape (the differential test's thousands of worlds).
  Result<void> refill(const ir::MapPlan &plan);

  Result<DatapathVerdict> run(const std::vector<uint8_t> &frame) const;
  Result<DatapathVerdict> run(const PacketSpec &spec) const { return run(build_packet(spec)); }

  // The same, but the packet belongs to the connections earlier packets
  // opened (conntrack is kept), and a packet the egress program drops does
  // not reach the ingress one, as on a network (ingress_allowed is then
  // false).
  Result<DatapathVerdict> run_connected(const std::vector<uint8_t> &frame) const;

  // A map-only swap as `apply` makes one: `plan` in the idle slot, then a
  // new generation (templates/maps_abi.h). Connections are kept.
  Result<void> swap(const ir::MapPlan &plan);
  // Back to the slot in force before, as a new generation.
  Result<void> rollback();

  const BpfObject &object() const { return object_; }

 private:
  DatapathRunner(BpfObject object, PrivateNetns netns) : object_(std::move(object)), netns_(std::move(netns)) {}
  BpfObject object_;
  PrivateNetns netns_;
  Result<DatapathVerdict> run_programs(const std::vector<uint8_t> &frame, bool stop_at_drop) const;
  Result<void> activate(uint32_t slot);
  int ingress_fd_ = -1;
  int egress_fd_ = -1;
  uint64_t generation_ = 0;  // 0: as loaded (polc_active's word 0)
  uint32_t slot_ = 0;
};

}  // namespace polc::runtime
