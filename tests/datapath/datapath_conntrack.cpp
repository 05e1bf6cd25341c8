// Connection tracking (templates/conntrack.h): replies of allowed
// connections pass, nothing else does, and a live entry is written only
// when something changes (its age at most once per POLC_CT_REFRESH_S,
// its flags when a FIN or RST adds one), and entries expire after their
// lifetime, counted in the kernel's jiffies.
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "datapath_fixture.h"
#include "runtime/conntrack_key.h"
#include "runtime/kernel_clock.h"
#include "tests/support/test_env.h"
#include "templates/maps_abi.h"

using namespace polc;
using namespace polc::test;
using codegen::Hook;

namespace {

constexpr uint8_t kSyn = 0x02, kAck = 0x10, kFin = 0x01, kRst = 0x04;

// The entry of the connection a TCP packet belongs to, IPv4.
std::optional<polc_ct_value> ct_entry(const Datapath &dp, const char *src, const char *dst, uint16_t sport,
                                      uint16_t dport) {
  auto found = runtime::ct_entry(dp.object(), {ip(src), ip(dst), sport, dport, kTcp});
  REQUIRE(found.ok());
  return *found;
}

}  // namespace

TEST_SUITE("datapath") {
  TEST_CASE("conntrack: the reply of an allowed connection passes, other traffic the other way does not") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {ingress_port(kWeb, kFrontend, kTcp, 80)}));
    // web has no egress rule: its SYN-ACK is dropped until frontend's SYN opened the connection.
    CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 80, 40000, kSyn | kAck)) == kTcShot);
    CHECK_FALSE(ct_entry(dp, kFrontend4, kWeb4, 40000, 80));
    CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, 40000, 80, kSyn)) == kTcOk);
    REQUIRE(ct_entry(dp, kFrontend4, kWeb4, 40000, 80));
    CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 80, 40000, kSyn | kAck)) == kTcOk);
    // Another port of the same peers is not that connection.
    CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 80, 40001, kSyn | kAck)) == kTcShot);
    // A denied forward packet records nothing.
    CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, 40002, 81, kSyn)) == kTcShot);
    CHECK_FALSE(ct_entry(dp, kFrontend4, kWeb4, 40002, 81));
    CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 81, 40002, kSyn | kAck)) == kTcShot);
  }

  TEST_CASE("conntrack: a live entry is written only when its flags change or its age is a second old") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {ingress_port(kWeb, kFrontend, kTcp, 80)}));
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, 40000, 80, kSyn)) == kTcOk);
    auto opened = ct_entry(dp, kFrontend4, kWeb4, 40000, 80);
    REQUIRE(opened);
    CHECK(opened->flags == 0);

    // Packets both ways within the refresh interval leave the entry as it
    // was, though jiffies (a tick of a few ms) have moved on.
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    for (int i = 0; i < 5; ++i) {
      CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 80, 40000, kAck)) == kTcOk);
      CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, 40000, 80, kAck)) == kTcOk);
    }
    auto steady = ct_entry(dp, kFrontend4, kWeb4, 40000, 80);
    REQUIRE(steady);
    // A stalled machine (a second between the SYN and here) would rightly
    // see the age refreshed: then there is nothing to check.
    if (std::chrono::steady_clock::now() - started < std::chrono::milliseconds(900))
      CHECK(steady->last_seen == opened->last_seen);
    else
      MESSAGE("over 0.9 s since the SYN: the age may have been refreshed, not checked");
    CHECK(steady->flags == 0);

    // FIN from each side adds its flag; both make the connection closing,
    // and the replies of a closing connection still pass.
    CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, 40000, 80, kFin | kAck)) == kTcOk);
    CHECK(ct_entry(dp, kFrontend4, kWeb4, 40000, 80)->flags == POLC_CT_FIN_ORIG);
    CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 80, 40000, kFin | kAck)) == kTcOk);
    CHECK(ct_entry(dp, kFrontend4, kWeb4, 40000, 80)->flags == (POLC_CT_FIN_ORIG | POLC_CT_FIN_REPLY));
    CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 80, 40000, kAck)) == kTcOk);

    // A new SYN on the tuple starts over; an RST marks it.
    CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, 40000, 80, kSyn)) == kTcOk);
    CHECK(ct_entry(dp, kFrontend4, kWeb4, 40000, 80)->flags == 0);
    CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 80, 40000, kRst)) == kTcOk);
    CHECK(ct_entry(dp, kFrontend4, kWeb4, 40000, 80)->flags == POLC_CT_RST);
  }

  TEST_CASE("conntrack: an entry lives its lifetime in jiffies at the kernel's tick rate, IPv4 and IPv6") {
    if (!bpf_tests_enabled()) return;
    auto hz = runtime::kernel_hz();
    REQUIRE(hz.ok());
    for (auto [client, server] : {std::pair{kFrontend4, kWeb4}, std::pair{kFrontend6, kWeb6}}) {
      CAPTURE(client);
      Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {ingress_port(kWeb, kFrontend, kUdp, 53)}));
      runtime::PacketSpec query = packet(client, server, kUdp, 53);
      query.sport = 40000;
      runtime::PacketSpec answer = packet(server, client, kUdp, 40000);
      answer.sport = 53;
      const runtime::CtTuple tuple{ip(client), ip(server), 40000, 53, kUdp};
      REQUIRE(dp.run("polc_ingress", query) == kTcOk);
      auto opened = runtime::ct_entry(dp.object(), tuple);
      REQUIRE(opened.ok());
      REQUIRE(opened->has_value());

      // Ages the entry by `seconds` of the kernel's ticks, then sends the
      // answer: it passes while the entry lives (UDP: 120 s).
      auto answer_after = [&](uint64_t seconds) {
        polc_ct_value aged = **opened;
        aged.last_seen -= seconds * *hz;
        const runtime::CtSlot slot = runtime::ct_slot(tuple);
        REQUIRE(runtime::map_update(dp.object().map_fd(slot.map), slot.key.data(), &aged).ok());
        return dp.run("polc_egress", answer);
      };
      CHECK(answer_after(110) == kTcOk);
      // Stale by 130 s: expired, so the answer is new traffic, which no
      // rule allows.
      CHECK(answer_after(130) == kTcShot);
    }
  }
}

