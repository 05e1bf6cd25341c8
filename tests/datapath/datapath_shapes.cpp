// Every shape compiles and passes the verifier, and the shape really
// removes what the policy cannot reach.
#include <doctest/doctest.h>

#include <string>

#include "codegen/generate.h"
#include "runtime/policy_maps.h"
#include "datapath_fixture.h"
#include "tests/support/test_env.h"

using namespace polc;
using namespace polc::test;
using codegen::Hook;

namespace {

// Lengths a policy with ports, a port range, a protocol and every protocol
// would have (full_shape() has all 25).
constexpr uint32_t kSomeLengths = 1u << 24 | 1u << 20 | 1u << 8 | 1u;

// Bit 4 adds deny lookups, bit 8 any-peer lookups (of allow, and of deny
// with bit 4), bit 16 ports and the CIDR trie.
ir::DatapathShape shape_from_bits(unsigned bits) {
  ir::DatapathShape shape;
  shape.enforce_ingress = bits & 1;
  shape.enforce_egress = bits & 2;
  shape.allow_lengths.peer = kSomeLengths;
  if (bits & 8) shape.allow_lengths.any_peer = kSomeLengths;
  if (bits & 4) shape.deny_lengths = {kSomeLengths, bits & 8 ? kSomeLengths : 0};
  shape.l4_ports = shape.cidr = bits & 16;
  shape.icmp_types = bits & 32;
  return shape;
}

std::string describe(const ir::DatapathShape &s) { return s.digest(); }

size_t instructions(const runtime::BpfObject &object, const std::string &program) {
  for (const auto &report : object.reports())
    if (report.name == program) return report.insn_count;
  return 0;
}

}  // namespace

TEST_SUITE("datapath") {
  TEST_CASE("every shape generates C that compiles and passes the verifier, for both hooks") {
    if (!bpf_tests_enabled()) return;
    for (unsigned bits = 0; bits < 64; bits++) {
      ir::DatapathShape shape = shape_from_bits(bits);
      for (Hook hook : {Hook::Tc, Hook::Xdp}) {
        CAPTURE(describe(shape));
        CAPTURE(codegen::hook_traits(hook).name);
        auto object = runtime::BpfObject::open_memory(datapath_elf(shape, hook), "polc_shape");
        REQUIRE(object.ok());
        auto loaded = object->load();
        CHECK_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
        for (std::string_view program : codegen::hook_traits(hook).programs)
          CHECK(object->program_fd(std::string(program)) >= 0);
      }
    }
  }

  TEST_CASE("the HTTP datapath verifies with every other part of the shape") {
    if (!bpf_tests_enabled()) return;
    // HTTP rules imply ports; the other lookups come and go. Only tc: XDP
    // cannot answer a refused request (compile_policy refuses it).
    for (unsigned bits : {1u, 2u, 3u, 3u | 4u, 3u | 8u, 63u}) {
      ir::DatapathShape shape = shape_from_bits(bits);
      shape.http = true;
      shape.l4_ports = true;
      CAPTURE(describe(shape));
      auto object = runtime::BpfObject::open_memory(datapath_elf(shape, Hook::Tc), "polc_http");
      REQUIRE(object.ok());
      auto loaded = object->load();
      CHECK_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
      for (const auto &report : object->reports())
        MESSAGE(describe(shape) << ": " << report.name << " " << report.insn_count << " insns, verifier processed "
                                << report.verified_insns);
    }
  }

  TEST_CASE("instruction counts per program") {
    if (!bpf_tests_enabled()) return;
    for (unsigned bits : {0u, 1u, 3u, 3u | 16u, 63u}) {
      ir::DatapathShape shape = shape_from_bits(bits);
      for (Hook hook : {Hook::Tc, Hook::Xdp}) {
        auto object = runtime::BpfObject::open_memory(datapath_elf(shape, hook), "polc_count");
        REQUIRE(object.ok());
        REQUIRE(object->load().ok());
        for (const auto &report : object->reports())
          MESSAGE(describe(shape) << ": " << report.name << " " << report.insn_count << " insns, verifier processed "
                                  << report.verified_insns);
      }
    }
    // What the shape leaves out is really gone.
    auto bare = runtime::BpfObject::open_memory(datapath_elf(shape_from_bits(1), Hook::Tc), "polc_bare");
    auto full = runtime::BpfObject::open_memory(datapath_elf(shape_from_bits(63), Hook::Tc), "polc_full");
    REQUIRE(bare.ok());
    REQUIRE(full.ok());
    REQUIRE(bare->load().ok());
    REQUIRE(full->load().ok());
    CHECK(instructions(*bare, "polc_ingress") < instructions(*full, "polc_ingress"));
    // Egress not enforced: the program records connections for the replies
    // of ingress-enforced endpoints, and judges those replies again for
    // ingress when their stamp is stale (conntrack.h); no egress verdict.
    CHECK(instructions(*bare, "polc_egress") < instructions(*full, "polc_egress"));
    auto none = runtime::BpfObject::open_memory(datapath_elf(shape_from_bits(0), Hook::Tc), "polc_none");
    REQUIRE(none.ok());
    REQUIRE(none->load().ok());
    CHECK(instructions(*none, "polc_egress") < 4);  // nothing enforced: return OK
    CHECK(bare->map_fd("polc_frag") < 0);
    CHECK(full->map_fd("polc_frag") >= 0);
    CHECK(full->map_fd("polc_deny") >= 0);
  }

  TEST_CASE("without port rules, protocol rules still decide") {
    if (!bpf_tests_enabled()) return;
    ir::DatapathShape shape;
    shape.enforce_ingress = true;
    shape.allow_lengths.peer = 1u << 8;  // one protocol, every port
    auto tcp = entry(kWeb, kFrontend, ir::PlanDirection::Ingress, kTcp, 0, 8);
    Datapath dp(shape, Hook::Tc, plan_with(shape, {tcp}));
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 80)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 9999)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kUdp, 80)) == kTcShot);
    CHECK(dp.run("polc_ingress", icmp(kFrontend4, kWeb4, 8)) == kTcShot);
    // Egress is not enforced by this shape at all.
    CHECK(dp.run("polc_egress", packet(kWeb4, kWorld4, kUdp, 80)) == kTcOk);
  }

  TEST_CASE("an entry of a length the shape does not look up is refused, never left dead") {
    if (!bpf_tests_enabled()) return;
    ir::DatapathShape shape = full_shape();
    shape.deny_lengths = {};
    shape.allow_lengths.peer = 1u << 24;
    auto object = runtime::BpfObject::open_memory(datapath_elf(shape, Hook::Tc), "polc_dead");
    REQUIRE(object.ok());
    REQUIRE(object->load().ok());
    // A deny the program would never consult would let its packets through.
    auto deny = runtime::fill_policy_maps(*object, plan_with(shape, {}, {ingress_port(kWeb, kFrontend, kTcp, 80)}));
    REQUIRE_FALSE(deny.ok());
    CHECK(deny.error().message.find("does not look up") != std::string::npos);
    auto range = runtime::fill_policy_maps(
        *object, plan_with(shape, {entry(kWeb, kFrontend, ir::PlanDirection::Ingress, kTcp, 8080, 20)}));
    CHECK_FALSE(range.ok());
    CHECK(runtime::fill_policy_maps(*object, plan_with(shape, {ingress_port(kWeb, kFrontend, kTcp, 80)})).ok());
  }

  TEST_CASE("each length the shape lists is one lookup: single-port policies do one") {
    if (!bpf_tests_enabled()) return;
    ir::DatapathShape one;
    one.enforce_ingress = true;
    one.l4_ports = true;
    one.allow_lengths.peer = 1u << 24;
    ir::DatapathShape four = one;
    four.allow_lengths.peer = kSomeLengths;
    auto small = runtime::BpfObject::open_memory(datapath_elf(one, Hook::Tc), "polc_one");
    auto large = runtime::BpfObject::open_memory(datapath_elf(four, Hook::Tc), "polc_four");
    REQUIRE(small.ok());
    REQUIRE(large.ok());
    REQUIRE(small->load().ok());
    REQUIRE(large->load().ok());
    CHECK(instructions(*small, "polc_ingress") < instructions(*large, "polc_ingress"));
    // And the range still answers as a trie would: the longest block first.
    Datapath dp(four, Hook::Tc,
                plan_with(four, {entry(kWeb, kFrontend, ir::PlanDirection::Ingress, kTcp, 8192, 20),
                                 entry(kWeb, kFrontend, ir::PlanDirection::Ingress, kTcp, 0, 8)}));
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 8200)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 22)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kUdp, 22)) == kTcShot);
  }
}
