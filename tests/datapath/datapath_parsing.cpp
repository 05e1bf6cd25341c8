// Headers the parsers must follow (VLAN, IPv4 options, IPv6 extension
// headers) and the malformed ones they must drop on enforced traffic.
#include <doctest/doctest.h>

#include "datapath_fixture.h"
#include "tests/support/test_env.h"
#include "templates/maps_abi.h"

using namespace polc;
using namespace polc::test;
using codegen::Hook;

namespace {

ir::MapPlan web_port_80() { return plan_with(full_shape(), {ingress_port(kWeb, kFrontend, kTcp, 80)}); }

// Inserts an 802.1ad outer tag in front of the frame's first tag.
std::vector<uint8_t> add_outer_tag(std::vector<uint8_t> frame) {
  const uint8_t tag[] = {0x88, 0xa8, 0x00, 0x64};
  frame.insert(frame.begin() + 12, std::begin(tag), std::end(tag));
  return frame;
}

}  // namespace

TEST_SUITE("datapath") {
  TEST_CASE("VLAN tagged frames, one tag or two, are parsed behind the tags") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, web_port_80());
    auto allowed = packet(kFrontend4, kWeb4, kTcp, 80);
    auto denied = packet(kFrontend4, kWeb4, kTcp, 81);
    allowed.vlan_id = denied.vlan_id = 100;
    CHECK(dp.run("polc_ingress", allowed) == kTcOk);
    CHECK(dp.run("polc_ingress", denied) == kTcShot);
    CHECK(dp.run_bytes("polc_ingress", add_outer_tag(runtime::build_packet(allowed))) == kTcOk);
    CHECK(dp.run_bytes("polc_ingress", add_outer_tag(runtime::build_packet(denied))) == kTcShot);
    auto allowed6 = packet(kFrontend6, kWeb6, kTcp, 80);
    allowed6.vlan_id = 7;
    CHECK(dp.run("polc_ingress", allowed6) == kTcOk);
  }

  TEST_CASE("a third VLAN tag is not followed: the frame is dropped, not passed as non-IP") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, web_port_80());
    auto allowed = packet(kFrontend4, kWeb4, kTcp, 80);
    allowed.vlan_id = 100;
    auto three_tags = add_outer_tag(add_outer_tag(runtime::build_packet(allowed)));
    CHECK(dp.run_bytes("polc_ingress", three_tags) == kTcShot);
  }

  TEST_CASE("IPv4 options move L4 further") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, web_port_80());
    for (uint8_t words : {1, 3, 10}) {
      CAPTURE(int(words));
      auto allowed = packet(kFrontend4, kWeb4, kTcp, 80);
      auto denied = packet(kFrontend4, kWeb4, kTcp, 81);
      allowed.ipv4_options_words = denied.ipv4_options_words = words;
      CHECK(dp.run("polc_ingress", allowed) == kTcOk);
      CHECK(dp.run("polc_ingress", denied) == kTcShot);
    }
  }

  TEST_CASE("IPv6 extension headers are walked to L4") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, web_port_80());
    for (const std::vector<uint8_t> &chain :
         {std::vector<uint8_t>{0}, std::vector<uint8_t>{60}, std::vector<uint8_t>{0, 43, 60},
          std::vector<uint8_t>{0, 60, 60, 60, 60, 60, 60}}) {
      CAPTURE(chain.size());
      auto allowed = packet(kFrontend6, kWeb6, kTcp, 80);
      auto denied = packet(kFrontend6, kWeb6, kTcp, 81);
      allowed.ipv6_ext_headers = denied.ipv6_ext_headers = chain;
      CHECK(dp.run("polc_ingress", allowed) == kTcOk);
      CHECK(dp.run("polc_ingress", denied) == kTcShot);
    }
  }

  TEST_CASE("an IPv6 chain longer than the parser follows is dropped, unless unenforced") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, web_port_80());
    auto spec = packet(kFrontend6, kWeb6, kTcp, 80);
    spec.ipv6_ext_headers = std::vector<uint8_t>(12, 60);
    CHECK(dp.run("polc_ingress", spec) == kTcShot);
    CHECK(dp.drops(POLC_DROP_UNSUPPORTED) == 1);
    spec.dst = ip(kLoose6);
    CHECK(dp.run("polc_ingress", spec) == kTcOk);
  }

  TEST_CASE("truncated headers are dropped on enforced traffic only") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, web_port_80());
    const size_t eth = 14, ip4 = 20, ip6 = 40;
    struct Case {
      const char *src, *dst;
      uint8_t proto;
      size_t cut;
    };
    for (const Case &c : {Case{kFrontend4, kWeb4, kTcp, eth + ip4 + 10},  // TCP header cut
                          Case{kFrontend4, kWeb4, kTcp, eth + ip4},       // no TCP header
                          Case{kFrontend4, kWeb4, kUdp, eth + ip4 + 4},   // UDP header cut
                          Case{kFrontend6, kWeb6, kTcp, eth + ip6 + 3}}) {  // TCP header cut
      CAPTURE(c.cut);
      auto spec = packet(c.src, c.dst, c.proto, 80);
      spec.truncate_to = c.cut;
      CHECK(dp.run("polc_ingress", spec) == kTcShot);
    }
    CHECK(dp.drops(POLC_DROP_INVALID) == 4);

    // The same L4 truncation to an unenforced endpoint passes.
    auto loose = packet(kFrontend4, kLoose4, kTcp, 80);
    loose.truncate_to = eth + ip4 + 10;
    CHECK(dp.run("polc_ingress", loose) == kTcOk);
  }

  TEST_CASE("truncated IP headers are dropped") {
    if (!bpf_tests_enabled()) return;
    // tc test runs refuse frames shorter than an IP header (EINVAL), so
    // these go through the XDP program: the same parser.
    Datapath dp(full_shape(), Hook::Xdp, web_port_80());
    auto v4 = packet(kFrontend4, kWeb4, kTcp, 80);
    v4.truncate_to = 14 + 10;
    CHECK(dp.run("polc_xdp_ingress", v4) == kXdpDrop);
    auto v6 = packet(kFrontend6, kWeb6, kTcp, 80);
    v6.truncate_to = 14 + 30;
    CHECK(dp.run("polc_xdp_ingress", v6) == kXdpDrop);
    CHECK(dp.drops(POLC_DROP_INVALID) == 2);
  }

  TEST_CASE("malformed IPv4 headers are dropped") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, web_port_80());
    auto frame = runtime::build_packet(packet(kFrontend4, kWeb4, kTcp, 80));
    REQUIRE(frame.size() > 40);
    REQUIRE(frame[14] == 0x45);
    CHECK(dp.run_bytes("polc_ingress", frame) == kTcOk);

    auto short_ihl = frame;
    short_ihl[14] = 0x44;  // IHL 4: shorter than the fixed header
    CHECK(dp.run_bytes("polc_ingress", short_ihl) == kTcShot);

    auto long_ihl = frame;
    long_ihl[14] = 0x4f;  // 60 bytes of header: runs past the frame's end
    long_ihl.resize(14 + 40);
    CHECK(dp.run_bytes("polc_ingress", long_ihl) == kTcShot);

    auto bad_length = frame;
    bad_length[16] = 0;
    bad_length[17] = 12;  // total length below the header length
    CHECK(dp.run_bytes("polc_ingress", bad_length) == kTcShot);
    CHECK(dp.drops(POLC_DROP_INVALID) == 3);
  }

  TEST_CASE("truncated ICMP is dropped when ICMP types are matched") {
    if (!bpf_tests_enabled()) return;
    auto echo = entry(kWeb, POLC_ID_ANY, ir::PlanDirection::Ingress, kIcmp, 8 << 8, 16);
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {echo}));
    auto spec = icmp(kWorld4, kWeb4, 8);
    spec.truncate_to = 14 + 20 + 1;
    CHECK(dp.run("polc_ingress", spec) == kTcShot);
  }
}
