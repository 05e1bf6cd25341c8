// Shared by the HTTP datapath tests: one tc object compiled for an HTTP
// policy, loaded and filled for an inventory, run on real TCP segments
// through BPF_PROG_TEST_RUN (frontend -> web, tests/datapath/
// datapath_fixture.h addresses), and what became of each segment.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datapath_fixture.h"
#include "ir/endpoints.h"
#include "ir/ir.h"
#include "runtime/bpf_object.h"
#include "runtime/netns_guard.h"
#include "runtime/packet.h"
#include "tests/support/policy_fixture.h"

namespace polc::test {

// The two endpoints of datapath_fixture.h that HTTP tests use.
constexpr const char *kHttpInventory = R"({"endpoints": [
  {"name": "web", "labels": {"app": "web"}, "ips": ["10.0.1.10", "fd00::10"]},
  {"name": "frontend", "labels": {"app": "frontend"}, "ips": ["10.0.2.20", "fd00::20"]}]})";

constexpr uint8_t kAck = 0x10, kPshAck = 0x18, kSyn = 0x02, kRstAck = 0x14;

struct HttpDatapath {
  runtime::BpfObject object;
  runtime::PrivateNetns netns;  // where the 403 copies go: nowhere
  int ingress = -1;
  std::unique_ptr<PolicyFixture> source;  // owns what the policy's locations point into
  ir::Policy policy;
  ir::EndpointSet endpoints;

  // `policy_json` (rule JSON) over `inventory_json`; with `audit`, the
  // program of `apply --audit` (ir::DatapathShape::audit).
  static HttpDatapath make(const char *policy_json, const char *inventory_json = kHttpInventory, bool audit = false);

  runtime::TestRunResult run(const std::vector<uint8_t> &frame);
  uint64_t drops(uint32_t reason) const;
};

// One client connection frontend:40000 -> web:port, segments in order.
struct Client {
  bool v6 = false;
  uint16_t sport = 40000, dport = 80;
  uint32_t seq = 1000;  // the next byte the client sends
  uint32_t ack = 5000;

  runtime::PacketSpec segment(const std::string &payload, uint8_t flags = kPshAck) const;
  // Sends `payload` and moves on past it.
  std::vector<uint8_t> send(const std::string &payload);
};

enum class Outcome { Passed, Dropped, Refused };

// Passed: TC_ACT_OK and the frame untouched. Refused: TC_ACT_OK with the
// frame turned into a RST. Dropped: TC_ACT_SHOT.
Outcome outcome_of(const runtime::TestRunResult &r, const std::vector<uint8_t> &frame);
const char *name(Outcome o);

}  // namespace polc::test
