// Shared by the datapath tests: generate + compile in process + load a
// datapath for a shape, fill its maps from a hand-written map plan, and run
// packets from runtime::build_packet through BPF_PROG_TEST_RUN.
// The names below describe a small world:
//   web       10.0.1.10 / fd00::10   identity 256, enforced both ways
//   frontend  10.0.2.20 / fd00::20   identity 257, enforced both ways
//   loose     10.0.3.30 / fd00::30   identity 258, enforced in no direction
//   anything else                    the world (identity 2)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/generate.h"
#include "ir/map_plan.h"
#include "runtime/bpf_object.h"
#include "runtime/packet.h"

namespace polc::test {

// Return codes of the hooks (linux/pkt_cls.h, enum xdp_action).
constexpr uint32_t kTcOk = 0;
constexpr uint32_t kTcShot = 2;
constexpr uint32_t kXdpDrop = 1;
constexpr uint32_t kXdpPass = 2;

constexpr uint32_t kWeb = 256;
constexpr uint32_t kFrontend = 257;
constexpr uint32_t kLoose = 258;
constexpr uint32_t kWorld = 2;

constexpr const char *kWeb4 = "10.0.1.10";
constexpr const char *kFrontend4 = "10.0.2.20";
constexpr const char *kLoose4 = "10.0.3.30";
constexpr const char *kWorld4 = "203.0.113.7";
constexpr const char *kWeb6 = "fd00::10";
constexpr const char *kFrontend6 = "fd00::20";
constexpr const char *kLoose6 = "fd00::30";
constexpr const char *kWorld6 = "2001:db8::7";

constexpr uint8_t kTcp = 6, kUdp = 17, kSctp = 132, kIcmp = 1, kIcmp6 = 58;

// Every field of the shape on, every prefix length looked up; http aside.
ir::DatapathShape full_shape();

IpAddr ip(const char *text);

// The ipcache of the world above.
std::vector<ir::IpcacheEntry> world_ipcache();

// A policy entry; l4_prefix_bits 24 = one port, 8 = one protocol, 0 = all.
ir::PolicyEntry entry(uint32_t subject, uint32_t peer, ir::PlanDirection dir, uint8_t proto, uint16_t port,
                      uint8_t l4_prefix_bits);
ir::PolicyEntry ingress_port(uint32_t subject, uint32_t peer, uint8_t proto, uint16_t port);
ir::PolicyEntry egress_port(uint32_t subject, uint32_t peer, uint8_t proto, uint16_t port);

runtime::PacketSpec packet(const char *src, const char *dst, uint8_t proto, uint16_t dport);
runtime::PacketSpec icmp(const char *src, const char *dst, uint8_t type, uint8_t code = 0);
runtime::PacketSpec tcp(const char *src, const char *dst, uint16_t sport, uint16_t dport, uint8_t flags);

// The compiled ELF for a shape and hook (cached per test run: compiling is
// the slow part). Fails the test if generation or compilation fails.
const std::vector<uint8_t> &datapath_elf(const ir::DatapathShape &shape, codegen::Hook hook);

// A loaded datapath with its maps filled.
class Datapath {
 public:
  Datapath(const ir::DatapathShape &shape, codegen::Hook hook, const ir::MapPlan &plan);
  // The program's return code for one packet; fails the test on a run error.
  uint32_t run(const std::string &program, const runtime::PacketSpec &spec);
  uint32_t run_bytes(const std::string &program, const std::vector<uint8_t> &frame);
  // The drop counter of one reason, summed over CPUs.
  uint64_t drops(uint32_t reason) const;
  const runtime::BpfObject &object() const { return object_; }

 private:
  runtime::BpfObject object_;
};

// Map plan for the world above with the given entries.
ir::MapPlan plan_with(const ir::DatapathShape &shape, std::vector<ir::PolicyEntry> allow,
                      std::vector<ir::PolicyEntry> deny = {});

}  // namespace polc::test
