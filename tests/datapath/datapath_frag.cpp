// Fragments: the first fragment's ports decide for the whole datagram; a
// later fragment without its first is dropped.
#include <doctest/doctest.h>

#include "datapath_fixture.h"
#include "tests/support/test_env.h"
#include "templates/maps_abi.h"

using namespace polc;
using namespace polc::test;
using codegen::Hook;

namespace {

runtime::PacketSpec fragment(runtime::PacketSpec spec, uint32_t id, uint16_t offset, bool more) {
  spec.fragment = true;
  spec.fragment_id = id;
  spec.fragment_offset = offset;
  spec.more_fragments = more;
  spec.payload = std::string(64, 'x');
  return spec;
}

}  // namespace

TEST_SUITE("datapath") {
  TEST_CASE("fragments follow their first fragment's verdict") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {ingress_port(kWeb, kFrontend, kUdp, 53)}));

    for (bool v6 : {false, true}) {
      CAPTURE(v6);
      const char *src = v6 ? kFrontend6 : kFrontend4;
      const char *dst = v6 ? kWeb6 : kWeb4;
      uint32_t base = v6 ? 100 : 0;

      // An allowed datagram: first, then a later fragment.
      CHECK(dp.run("polc_ingress", fragment(packet(src, dst, kUdp, 53), base + 1, 0, true)) == kTcOk);
      CHECK(dp.run("polc_ingress", fragment(packet(src, dst, kUdp, 53), base + 1, 9, true)) == kTcOk);
      CHECK(dp.run("polc_ingress", fragment(packet(src, dst, kUdp, 53), base + 1, 18, false)) == kTcOk);

      // A later fragment whose first was never seen.
      uint64_t nofirst = dp.drops(POLC_DROP_FRAG_NOFIRST);
      CHECK(dp.run("polc_ingress", fragment(packet(src, dst, kUdp, 53), base + 2, 9, false)) == kTcShot);
      CHECK(dp.drops(POLC_DROP_FRAG_NOFIRST) == nofirst + 1);

      // A denied first fragment: its later fragments cannot get through,
      // whatever port bytes they carry.
      CHECK(dp.run("polc_ingress", fragment(packet(src, dst, kUdp, 54), base + 3, 0, true)) == kTcShot);
      CHECK(dp.run("polc_ingress", fragment(packet(src, dst, kUdp, 53), base + 3, 9, false)) == kTcShot);

      // The record is per datagram: same id, other protocol is another datagram.
      CHECK(dp.run("polc_ingress", fragment(packet(src, dst, kTcp, 53), base + 1, 9, false)) == kTcShot);
    }
  }

  TEST_CASE("a later fragment is re-judged in its own direction") {
    if (!bpf_tests_enabled()) return;
    // Web may send to frontend:53, but frontend does not accept it.
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {egress_port(kWeb, kFrontend, kUdp, 53)}));
    CHECK(dp.run("polc_egress", fragment(packet(kWeb4, kFrontend4, kUdp, 53), 7, 0, true)) == kTcOk);
    CHECK(dp.run("polc_egress", fragment(packet(kWeb4, kFrontend4, kUdp, 53), 7, 9, false)) == kTcOk);
    CHECK(dp.run("polc_ingress", fragment(packet(kWeb4, kFrontend4, kUdp, 53), 7, 9, false)) == kTcShot);
  }

  TEST_CASE("without port rules fragments are judged by protocol alone") {
    if (!bpf_tests_enabled()) return;
    ir::DatapathShape shape;
    shape.enforce_ingress = true;
    shape.allow_lengths.peer = 1u << 8;  // one protocol, every port
    auto udp = entry(kWeb, kFrontend, ir::PlanDirection::Ingress, kUdp, 0, 8);
    Datapath dp(shape, Hook::Tc, plan_with(shape, {udp}));
    CHECK(dp.object().map_fd("polc_frag") < 0);
    CHECK(dp.run("polc_ingress", fragment(packet(kFrontend4, kWeb4, kUdp, 53), 9, 9, false)) == kTcOk);
    CHECK(dp.run("polc_ingress", fragment(packet(kFrontend4, kWeb4, kTcp, 53), 9, 9, false)) == kTcShot);
  }
}
