// Layer-7 HTTP in the kernel, on real TCP segment bytes through
// BPF_PROG_TEST_RUN: heads in one or several segments, keep-alive streams
// with bodies, retransmissions and holes, and every fail-closed case with
// its counter. A refused request leaves the program as a RST to the server
// (the 403 copy goes out through bpf_clone_redirect, which the netns tests
// observe with a real client); the RST is checked field by field here.
#include <doctest/doctest.h>

#include <bpf/bpf.h>
#include <linux/pkt_cls.h>

#include <optional>
#include <string>

#include "codegen/compile_policy.h"
#include "datapath_fixture.h"
#include "http_datapath.h"
#include "frontend/inventory.h"
#include "ir/endpoints.h"
#include "ir/plan.h"
#include "runtime/checksum.h"
#include "runtime/netns_guard.h"
#include "runtime/policy_maps.h"
#include "templates/maps_abi.h"
#include "tests/support/policy_fixture.h"
#include "tests/support/test_env.h"

using namespace polc;
using namespace polc::test;

namespace {

// web accepts from frontend on port 80: GET under /public/, and POST /cart
// with a JSON Content-Type. Port 81 has no HTTP rule.
constexpr const char *kPolicy = R"([{
  "endpointSelector": {"matchLabels": {"app": "web"}},
  "ingress": [{
    "fromEndpoints": [{"matchLabels": {"app": "frontend"}}],
    "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                 "rules": {"http": [{"method": "GET", "path": "/public/.*"},
                                    {"method": "POST", "path": "/cart",
                                     "headers": ["Content-Type: application/json"]}]}},
                {"ports": [{"port": "81", "protocol": "TCP"}]}]
  }]
}])";

// The RST a refusal leaves: addresses and ports as the client sent them,
// sequence number where the server's stream stands, no payload, valid
// checksums.
void check_rst(const std::vector<uint8_t> &out, const Client &c, uint32_t expected_seq) {
  bool v6 = c.v6;
  uint32_t expected_ack = c.ack;
  size_t l3 = 14, iphl = v6 ? 40 : 20, l4 = l3 + iphl;
  REQUIRE(out.size() == l4 + 20);
  if (!v6) {
    CHECK(out[l3] == 0x45);
    CHECK(((out[l3 + 2] << 8) | out[l3 + 3]) == 40);
    CHECK(runtime::fold_checksum(runtime::ones_complement_sum(&out[l3], 20)) == 0);
  } else {
    CHECK((out[l3] >> 4) == 6);
    CHECK(((out[l3 + 4] << 8) | out[l3 + 5]) == 20);
  }
  auto be32 = [&](size_t at) {
    return (uint32_t(out[at]) << 24) | (uint32_t(out[at + 1]) << 16) | (uint32_t(out[at + 2]) << 8) | out[at + 3];
  };
  CHECK(((out[l4] << 8) | out[l4 + 1]) == c.sport);
  CHECK(((out[l4 + 2] << 8) | out[l4 + 3]) == 80);
  CHECK(be32(l4 + 4) == expected_seq);
  CHECK(be32(l4 + 8) == expected_ack);
  CHECK(out[l4 + 13] == kRstAck);
  // TCP checksum over the pseudo-header and the segment.
  std::vector<uint8_t> pseudo;
  size_t addr = v6 ? l3 + 8 : l3 + 12, alen = v6 ? 16 : 4;
  pseudo.insert(pseudo.end(), out.begin() + addr, out.begin() + addr + 2 * alen);
  if (v6) pseudo.insert(pseudo.end(), {0, 0, 0, 20, 0, 0, 0, 6});
  else pseudo.insert(pseudo.end(), {0, 6, 0, 20});
  uint32_t sum = runtime::ones_complement_sum(pseudo.data(), pseudo.size());
  CHECK(runtime::fold_checksum(runtime::ones_complement_sum(&out[l4], 20, sum)) == 0);
}

std::string get(const std::string &path, const std::string &extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: web\r\n" + extra + "\r\n";
}

}  // namespace

TEST_SUITE("datapath") {
  TEST_CASE("HTTP requests are judged in the kernel, one segment each") {
    if (!bpf_tests_enabled()) return;
    HttpDatapath dp = HttpDatapath::make(kPolicy);
    for (bool v6 : {false, true}) {
      CAPTURE(v6);
      Client c{v6, static_cast<uint16_t>(v6 ? 40002 : 40000), 80, v6 ? 7000u : 1000u};
      auto allowed = c.send(get("/public/index.html"));
      CHECK(name(outcome_of(dp.run(allowed), allowed)) == std::string("passed"));

      // A keep-alive POST with a body, then a GET: both read, in order.
      std::string post = "POST /cart HTTP/1.1\r\nHost: web\r\ncontent-type: application/json\r\nContent-Length: 7\r\n\r\n";
      auto head = c.send(post);
      CHECK(name(outcome_of(dp.run(head), head)) == std::string("passed"));
      auto body = c.send("{\"a\":1}");
      CHECK(name(outcome_of(dp.run(body), body)) == std::string("passed"));
      auto next = c.send(get("/public/2"));
      CHECK(name(outcome_of(dp.run(next), next)) == std::string("passed"));

      // A retransmission of bytes already read passes untouched.
      Client again = c;
      again.seq -= static_cast<uint32_t>(get("/public/2").size());
      auto retransmitted = again.send(get("/public/2"));
      CHECK(name(outcome_of(dp.run(retransmitted), retransmitted)) == std::string("passed"));

      // A denied request on the same connection: refused, the server gets
      // a RST at the request's first byte, the counter moves, and the
      // connection carries no more data.
      uint64_t l7 = dp.drops(POLC_DROP_L7);
      uint32_t at = c.seq;
      auto denied = c.send(get("/private/keys"));
      auto r = dp.run(denied);
      REQUIRE(name(outcome_of(r, denied)) == std::string("refused"));
      check_rst(r.data_out, c, at);
      CHECK(dp.drops(POLC_DROP_L7) == l7 + 1);
      auto after = c.send(get("/public/3"));
      CHECK(name(outcome_of(dp.run(after), after)) == std::string("dropped"));
      // ... but a FIN or ACK without data still passes, so both ends close.
      auto fin = runtime::build_packet(c.segment("", 0x11));
      CHECK(name(outcome_of(dp.run(fin), fin)) == std::string("passed"));
    }
  }

  TEST_CASE("a head split over segments is followed across them") {
    if (!bpf_tests_enabled()) return;
    HttpDatapath dp = HttpDatapath::make(kPolicy);
    for (bool deny : {false, true}) {
      CAPTURE(deny);
      Client c;
      c.sport = deny ? 41001 : 41000;
      auto syn = runtime::build_packet(c.segment("", kSyn));
      CHECK(name(outcome_of(dp.run(syn), syn)) == std::string("passed"));
      c.seq += 1;  // the SYN takes one sequence number
      std::string request = get(deny ? "/admin" : "/public/split", "Accept: */*\r\n");
      auto first = c.send(request.substr(0, 9));
      CHECK(name(outcome_of(dp.run(first), first)) == std::string("passed"));
      auto second = c.send(request.substr(9, 14));
      CHECK(name(outcome_of(dp.run(second), second)) == std::string("passed"));
      uint32_t at = c.seq;
      auto last = c.send(request.substr(23));
      auto r = dp.run(last);
      if (!deny) {
        CHECK(name(outcome_of(r, last)) == std::string("passed"));
      } else {
        REQUIRE(name(outcome_of(r, last)) == std::string("refused"));
        check_rst(r.data_out, c, at);
      }
    }
  }

  TEST_CASE("a SYN carrying a request (TCP Fast Open) is dropped and counted; bare ACKs pass") {
    if (!bpf_tests_enabled()) return;
    HttpDatapath dp = HttpDatapath::make(kPolicy);
    Client c;
    c.sport = 41500;
    uint64_t before = dp.drops(POLC_DROP_HTTP_UNSUPPORTED);
    auto fast_open = runtime::build_packet(c.segment(get("/admin"), kSyn));
    CHECK(name(outcome_of(dp.run(fast_open), fast_open)) == std::string("dropped"));
    CHECK(dp.drops(POLC_DROP_HTTP_UNSUPPORTED) == before + 1);
    // The same connection opened without data reads its requests as usual.
    auto syn = runtime::build_packet(c.segment("", kSyn));
    CHECK(name(outcome_of(dp.run(syn), syn)) == std::string("passed"));
    c.seq += 1;
    auto ack = runtime::build_packet(c.segment(""));
    CHECK(name(outcome_of(dp.run(ack), ack)) == std::string("passed"));
    auto denied = c.send(get("/admin"));
    CHECK(name(outcome_of(dp.run(denied), denied)) == std::string("refused"));
  }

  TEST_CASE("what cannot be inspected is refused and counted") {
    if (!bpf_tests_enabled()) return;
    HttpDatapath dp = HttpDatapath::make(kPolicy);
    uint16_t port = 42000;
    auto refused_with = [&](const std::vector<std::string> &segments, uint32_t reason) {
      Client c;
      c.sport = port++;
      uint64_t before = dp.drops(reason);
      for (size_t i = 0; i + 1 < segments.size(); ++i) {
        auto f = c.send(segments[i]);
        CHECK(name(outcome_of(dp.run(f), f)) == std::string("passed"));
      }
      auto last = c.send(segments.back());
      CHECK(name(outcome_of(dp.run(last), last)) == std::string("refused"));
      CHECK(dp.drops(reason) == before + 1);
    };
    SUBCASE("HTTP/2 and TLS are not HTTP/1.x") {
      refused_with({"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"}, POLC_DROP_HTTP_MALFORMED);
      refused_with({std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)}, POLC_DROP_HTTP_MALFORMED);
    }
    SUBCASE("bare LF, space before the colon, line folding") {
      refused_with({"GET /public/a HTTP/1.1\nHost: web\n\n"}, POLC_DROP_HTTP_MALFORMED);
      refused_with({"GET /public/a HTTP/1.1\r\nHost : web\r\n\r\n"}, POLC_DROP_HTTP_MALFORMED);
      refused_with({"GET /public/a HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n"}, POLC_DROP_HTTP_MALFORMED);
    }
    SUBCASE("two Host lines") {
      refused_with({"GET /public/a HTTP/1.1\r\nHost: web\r\nHost: other\r\n\r\n"}, POLC_DROP_HTTP_MALFORMED);
    }
    SUBCASE("two different Content-Length values") {
      refused_with({"POST /cart HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"},
                   POLC_DROP_HTTP_MALFORMED);
    }
    SUBCASE("chunked bodies") {
      refused_with({"POST /cart HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"},
                   POLC_DROP_HTTP_UNSUPPORTED);
    }
    SUBCASE("a head longer than the window, over several segments") {
      std::vector<std::string> parts = {"GET /public/a HTTP/1.1\r\nX-Big: "};
      for (int i = 0; i < 9; ++i) parts.push_back(std::string(1000, 'a'));
      refused_with(parts, POLC_DROP_HTTP_TOO_LONG);
    }
  }

  TEST_CASE("a segment past a hole is dropped until the hole is filled") {
    if (!bpf_tests_enabled()) return;
    HttpDatapath dp = HttpDatapath::make(kPolicy);
    Client c;
    c.sport = 43000;
    std::string request = get("/public/hole");
    auto first = c.send(request.substr(0, 10));
    CHECK(name(outcome_of(dp.run(first), first)) == std::string("passed"));
    Client ahead = c;
    ahead.seq += 5;
    uint64_t seqdrops = dp.drops(POLC_DROP_HTTP_SEQUENCE);
    auto early = ahead.send(request.substr(15));
    CHECK(name(outcome_of(dp.run(early), early)) == std::string("dropped"));
    CHECK(dp.drops(POLC_DROP_HTTP_SEQUENCE) == seqdrops + 1);
    // The sender fills the hole (and resends the rest): the head completes.
    auto rest = c.send(request.substr(10));
    CHECK(name(outcome_of(dp.run(rest), rest)) == std::string("passed"));
  }

  TEST_CASE("ports without HTTP rules and padded frames are left alone") {
    if (!bpf_tests_enabled()) return;
    HttpDatapath dp = HttpDatapath::make(kPolicy);
    Client c;
    c.sport = 44000;
    c.dport = 81;
    auto anything = c.send("not http at all\r\n\r\n");
    CHECK(name(outcome_of(dp.run(anything), anything)) == std::string("passed"));
    // A pure ACK padded to the Ethernet minimum: the padding is not payload.
    Client d;
    d.sport = 44001;
    auto ack = runtime::build_packet(d.segment("", kAck));
    ack.resize(ack.size() + 6, 0);
    CHECK(name(outcome_of(dp.run(ack), ack)) == std::string("passed"));
    auto request = d.send(get("/public/after-padding"));
    CHECK(name(outcome_of(dp.run(request), request)) == std::string("passed"));
  }

  TEST_CASE("audit mode: nothing is dropped or answered, every verdict is counted, the stream is read on") {
    if (!bpf_tests_enabled()) return;
    HttpDatapath dp = HttpDatapath::make(kPolicy, kHttpInventory, /*audit=*/true);
    Client c;
    auto syn = runtime::build_packet(c.segment("", kSyn));
    c.seq += 1;
    CHECK(name(outcome_of(dp.run(syn), syn)) == std::string("passed"));
    // A denied request passes untouched (no RST, no 403) and is counted ...
    auto denied = c.send(get("/private/keys"));
    CHECK(name(outcome_of(dp.run(denied), denied)) == std::string("passed"));
    CHECK(dp.drops(POLC_DROP_L7) == 1);
    // ... and the requests after it are still judged, each on its own.
    auto allowed = c.send(get("/public/index.html"));
    CHECK(name(outcome_of(dp.run(allowed), allowed)) == std::string("passed"));
    CHECK(dp.drops(POLC_DROP_L7) == 1);
    auto denied_again = c.send(get("/admin"));
    CHECK(name(outcome_of(dp.run(denied_again), denied_again)) == std::string("passed"));
    CHECK(dp.drops(POLC_DROP_L7) == 2);
    // What the layer-4 policy denies passes too, counted as a policy drop.
    Client other{false, 40010, 82};
    auto no_rule = runtime::build_packet(other.segment("", kSyn));
    CHECK(name(outcome_of(dp.run(no_rule), no_rule)) == std::string("passed"));
    CHECK(dp.drops(POLC_DROP_POLICY) == 1);
    // Unparseable bytes: counted, passed.
    auto garbage = c.send("\x16\x03\x01 not http\r\n\r\n");
    CHECK(name(outcome_of(dp.run(garbage), garbage)) == std::string("passed"));
    CHECK(dp.drops(POLC_DROP_HTTP_MALFORMED) == 1);
  }
}
