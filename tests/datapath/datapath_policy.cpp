// The verdict: identities, ports, port ranges, any-peer rules, deny over
// allow, ICMP types, enforcement flags and the world, through real packets.
#include <doctest/doctest.h>

#include "datapath_fixture.h"
#include "tests/support/test_env.h"
#include "templates/maps_abi.h"

using namespace polc;
using namespace polc::test;
using codegen::Hook;

TEST_SUITE("datapath") {
  TEST_CASE("ingress allows by peer identity and port, and nothing else") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {ingress_port(kWeb, kFrontend, kTcp, 80)}));
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 80)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 81)) == kTcShot);
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kUdp, 80)) == kTcShot);
    CHECK(dp.run("polc_ingress", packet(kWorld4, kWeb4, kTcp, 80)) == kTcShot);
    CHECK(dp.run("polc_ingress", packet(kLoose4, kWeb4, kTcp, 80)) == kTcShot);
    // Direction matters: the ingress rule does not open web's egress.
    CHECK(dp.run("polc_egress", packet(kWeb4, kFrontend4, kTcp, 80)) == kTcShot);
    CHECK(dp.drops(POLC_DROP_POLICY) == 5);
    CHECK(dp.drops(POLC_DROP_NONE) == 1);
  }

  TEST_CASE("IPv6 gets the same verdicts") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {ingress_port(kWeb, kFrontend, kTcp, 80)}));
    CHECK(dp.run("polc_ingress", packet(kFrontend6, kWeb6, kTcp, 80)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kFrontend6, kWeb6, kTcp, 443)) == kTcShot);
    CHECK(dp.run("polc_ingress", packet(kWorld6, kWeb6, kTcp, 80)) == kTcShot);
  }

  TEST_CASE("egress protects the source and uses the destination as peer") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc,
                plan_with(full_shape(), {egress_port(kWeb, kFrontend, kUdp, 53), egress_port(kWeb, kWorld, kTcp, 443)}));
    CHECK(dp.run("polc_egress", packet(kWeb4, kFrontend4, kUdp, 53)) == kTcOk);
    CHECK(dp.run("polc_egress", packet(kWeb4, kFrontend4, kUdp, 54)) == kTcShot);
    CHECK(dp.run("polc_egress", packet(kWeb4, kWorld4, kTcp, 443)) == kTcOk);
    CHECK(dp.run("polc_egress", packet(kWeb6, kWorld6, kTcp, 443)) == kTcOk);
    CHECK(dp.run("polc_egress", packet(kWeb4, kLoose4, kTcp, 443)) == kTcShot);
  }

  TEST_CASE("the world identity covers every unknown address") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc,
                plan_with(full_shape(), {ingress_port(kWeb, kWorld, kTcp, 22)}));
    CHECK(dp.run("polc_ingress", packet(kWorld4, kWeb4, kTcp, 22)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet("198.51.100.1", kWeb4, kTcp, 22)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kWorld6, kWeb6, kTcp, 22)) == kTcOk);
    // A known endpoint is not the world.
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 22)) == kTcShot);
  }

  TEST_CASE("an endpoint without enforcement flags, or the world as subject, passes") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {}));
    CHECK(dp.run("polc_ingress", packet(kWorld4, kLoose4, kTcp, 1234)) == kTcOk);
    CHECK(dp.run("polc_egress", packet(kLoose6, kWorld6, kUdp, 1234)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kWeb4, kWorld4, kTcp, 1234)) == kTcOk);
    // Enforced with no rule at all: default deny.
    CHECK(dp.run("polc_ingress", packet(kLoose4, kWeb4, kTcp, 1234)) == kTcShot);
    CHECK(dp.run("polc_egress", packet(kWeb4, kLoose4, kTcp, 1234)) == kTcShot);
  }

  TEST_CASE("a port range is a few prefixes over the port") {
    if (!bpf_tests_enabled()) return;
    // 8080-8083: one block of 4 ports, 14 fixed bits of port.
    auto range = entry(kWeb, kFrontend, ir::PlanDirection::Ingress, kTcp, 8080, 8 + 14);
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {range}));
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 8079)) == kTcShot);
    for (uint16_t port = 8080; port <= 8083; port++) {
      CAPTURE(port);
      CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, port)) == kTcOk);
    }
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 8084)) == kTcShot);
  }

  TEST_CASE("protocol-wide and all-protocol rules") {
    if (!bpf_tests_enabled()) return;
    auto udp_any_port = entry(kWeb, kFrontend, ir::PlanDirection::Ingress, kUdp, 0, 8);
    auto everything = entry(kWeb, kLoose, ir::PlanDirection::Ingress, 0, 0, 0);
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {udp_any_port, everything}));
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kUdp, 1)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kUdp, 65535)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 1)) == kTcShot);
    CHECK(dp.run("polc_ingress", packet(kLoose4, kWeb4, kSctp, 9)) == kTcOk);
    CHECK(dp.run("polc_ingress", icmp(kLoose4, kWeb4, 8)) == kTcOk);
  }

  TEST_CASE("any-peer rules apply to every peer") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {ingress_port(kWeb, POLC_ID_ANY, kUdp, 53)}));
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kUdp, 53)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kWorld4, kWeb4, kUdp, 53)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kWorld6, kWeb6, kUdp, 53)) == kTcOk);
    CHECK(dp.run("polc_ingress", packet(kWorld4, kWeb4, kUdp, 54)) == kTcShot);
    // The subject still matters.
    CHECK(dp.run("polc_ingress", packet(kWorld4, kFrontend4, kUdp, 53)) == kTcShot);
  }

  TEST_CASE("a deny wins over a longer allow, for a peer and for any peer") {
    if (!bpf_tests_enabled()) return;
    auto deny_all_tcp = entry(kWeb, kFrontend, ir::PlanDirection::Ingress, kTcp, 0, 8);
    auto deny_ssh_any = ingress_port(kWeb, POLC_ID_ANY, kTcp, 22);
    Datapath dp(full_shape(), Hook::Tc,
                plan_with(full_shape(),
                          {ingress_port(kWeb, kFrontend, kTcp, 443), ingress_port(kWeb, kWorld, kTcp, 22),
                           ingress_port(kWeb, kWorld, kTcp, 23)},
                          {deny_all_tcp, deny_ssh_any}));
    CHECK(dp.run("polc_ingress", packet(kFrontend4, kWeb4, kTcp, 443)) == kTcShot);
    CHECK(dp.run("polc_ingress", packet(kWorld4, kWeb4, kTcp, 22)) == kTcShot);
    CHECK(dp.run("polc_ingress", packet(kWorld4, kWeb4, kTcp, 23)) == kTcOk);
    CHECK(dp.drops(POLC_DROP_POLICY) == 2);
  }

  TEST_CASE("ICMP rules match the type, and the code when asked") {
    if (!bpf_tests_enabled()) return;
    auto echo4 = entry(kWeb, POLC_ID_ANY, ir::PlanDirection::Ingress, kIcmp, 8 << 8, 16);
    auto echo6 = entry(kWeb, POLC_ID_ANY, ir::PlanDirection::Ingress, kIcmp6, 128 << 8, 16);
    auto unreachable_port = entry(kWeb, POLC_ID_ANY, ir::PlanDirection::Ingress, kIcmp, (3 << 8) | 3, 24);
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {echo4, echo6, unreachable_port}));
    CHECK(dp.run("polc_ingress", icmp(kWorld4, kWeb4, 8)) == kTcOk);
    CHECK(dp.run("polc_ingress", icmp(kWorld4, kWeb4, 8, 1)) == kTcOk);
    CHECK(dp.run("polc_ingress", icmp(kWorld4, kWeb4, 13)) == kTcShot);
    CHECK(dp.run("polc_ingress", icmp(kWorld4, kWeb4, 3, 3)) == kTcOk);
    CHECK(dp.run("polc_ingress", icmp(kWorld4, kWeb4, 3, 1)) == kTcShot);
    CHECK(dp.run("polc_ingress", icmp(kWorld6, kWeb6, 128)) == kTcOk);
    CHECK(dp.run("polc_ingress", icmp(kWorld6, kWeb6, 129)) == kTcShot);
    // ICMP rules open no TCP port.
    CHECK(dp.run("polc_ingress", packet(kWorld4, kWeb4, kTcp, 8 << 8)) == kTcShot);
  }

  TEST_CASE("non-IP traffic passes") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {}));
    // An ARP request: Ethernet with ethertype 0x0806 and a 28-byte body.
    std::vector<uint8_t> arp(14 + 28, 0);
    for (int i = 0; i < 6; i++) arp[i] = 0xff;
    arp[12] = 0x08;
    arp[13] = 0x06;
    CHECK(dp.run_bytes("polc_ingress", arp) == kTcOk);
    CHECK(dp.run_bytes("polc_egress", arp) == kTcOk);
  }

  TEST_CASE("the XDP program enforces ingress like tc") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Xdp, plan_with(full_shape(), {ingress_port(kWeb, kFrontend, kTcp, 80)}));
    CHECK(dp.run("polc_xdp_ingress", packet(kFrontend4, kWeb4, kTcp, 80)) == kXdpPass);
    CHECK(dp.run("polc_xdp_ingress", packet(kFrontend4, kWeb4, kTcp, 81)) == kXdpDrop);
    CHECK(dp.run("polc_xdp_ingress", packet(kFrontend6, kWeb6, kTcp, 80)) == kXdpPass);
    CHECK(dp.run("polc_xdp_ingress", packet(kWorld6, kWeb6, kTcp, 80)) == kXdpDrop);
    CHECK(dp.run("polc_xdp_ingress", packet(kWorld4, kLoose4, kTcp, 80)) == kXdpPass);
  }
}
