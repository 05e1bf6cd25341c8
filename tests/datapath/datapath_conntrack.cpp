// Connection tracking (templates/conntrack.h): replies of allowed
// connections pass, nothing else does, and a live entry is written only
// when something changes (its age at most once per POLC_CT_REFRESH_NS,
// its flags when a FIN or RST adds one).
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "datapath_fixture.h"
#include "runtime/conntrack_key.h"
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
  polc_ct_key key = runtime::ct_key({ip(src), ip(dst), sport, dport, kTcp});
  polc_ct_value value{};
  auto found = runtime::map_lookup(dp.object().map_fd("polc_ct"), &key, &value);
  REQUIRE(found);
  if (!*found) return std::nullopt;
  return value;
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
    // was, though the coarse clock (a tick of a few ms) has moved on.
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
      CHECK(steady->last_seen_ns == opened->last_seen_ns);
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
}
