// What the kernel judges of a request (docs/http.md, "What the kernel sees:
// normalization and refusals"): a table of tricky request heads, each with
// the verdict that CONTRACT §1.1 plus path normalization gives, checked in
// the kernel (BPF_PROG_TEST_RUN, the drop counter naming the reason) and in
// the reference evaluator; then random paths of dot segments, escapes and
// slashes through both, which must agree request by request.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "http_datapath.h"
#include "ir/evaluator.h"
#include "ir/http_request_check.h"
#include "runtime/http_request.h"
#include "templates/maps_abi.h"
#include "tests/support/test_env.h"

using namespace polc;
using namespace polc::test;

namespace {

// web accepts from frontend on port 80: GET under /public/; OPTIONS and
// CONNECT to proxy.example:443 on any target (no path named); GET /shop/
// for the host shop.example; GET /api/ with an X-Token header.
constexpr const char *kPolicy = R"([{
  "endpointSelector": {"matchLabels": {"app": "web"}},
  "ingress": [{
    "fromEndpoints": [{"matchLabels": {"app": "frontend"}}],
    "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                 "rules": {"http": [{"method": "GET", "path": "/public/.*"},
                                    {"method": "OPTIONS"},
                                    {"method": "CONNECT", "host": "proxy\\.example:443"},
                                    {"method": "GET", "path": "/shop/.*", "host": "shop\\.example"},
                                    {"method": "GET", "path": "/api/.*", "headers": ["X-Token: s3cret"]}]}}]
  }]
}])";

enum class Want { Allow, Denied, NotNormal, Malformed, Unsupported };

std::string want_name(Want w) {
  switch (w) {
    case Want::Allow: return "allow";
    case Want::Denied: return "denied by the rules";
    case Want::NotNormal: return "refused: http-path-not-normal";
    case Want::Malformed: return "refused: http-malformed";
    case Want::Unsupported: return "refused: http-unsupported";
  }
  return "?";
}

struct Case {
  const char *method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  Want want;
};

using H = std::vector<std::pair<std::string, std::string>>;
const H kHostWeb = {{"Host", "web"}};

std::vector<Case> cases() {
  return {
      // Plain requests.
      {"GET", "/public/a.txt", kHostWeb, Want::Allow},
      {"GET", "/public/", kHostWeb, Want::Allow},
      {"GET", "/public", kHostWeb, Want::Denied},
      {"GET", "/private/s.txt", kHostWeb, Want::Denied},
      {"POST", "/public/a", kHostWeb, Want::Denied},
      {"get", "/public/a", kHostWeb, Want::Denied},  // methods compare case-sensitively
      // Dot segments: judged where they lead.
      {"GET", "/public/../private/s.txt", kHostWeb, Want::Denied},
      {"GET", "/public/%2e%2e/private/s.txt", kHostWeb, Want::Denied},
      {"GET", "/public/.%2e/private/s.txt", kHostWeb, Want::Denied},
      {"GET", "/public/%2E%2E/private/s.txt", kHostWeb, Want::Denied},
      {"GET", "/public/%2e./private/s.txt", kHostWeb, Want::Denied},
      {"GET", "/public/a.txt/../../private/s.txt", kHostWeb, Want::Denied},
      {"GET", "/public/./a.txt", kHostWeb, Want::Allow},
      {"GET", "/public/dir/./b", kHostWeb, Want::Allow},
      {"GET", "/public/dir/../b", kHostWeb, Want::Allow},
      {"GET", "/public/dir/..", kHostWeb, Want::Allow},
      {"GET", "/public/.", kHostWeb, Want::Allow},
      {"GET", "/public/..", kHostWeb, Want::Denied},
      {"GET", "/private/../public/a", kHostWeb, Want::Allow},
      {"GET", "/private/%2e%2e/public/a", kHostWeb, Want::Allow},
      {"GET", "/../public/a", kHostWeb, Want::NotNormal},
      {"GET", "/public/../../public/a", kHostWeb, Want::NotNormal},
      {"GET", "/%2e%2e/public/a", kHostWeb, Want::NotNormal},
      {"GET", "/public/...", kHostWeb, Want::Allow},
      {"GET", "/public/..a", kHostWeb, Want::Allow},
      {"GET", "/public/a..", kHostWeb, Want::Allow},
      {"GET", "/public/..;/private", kHostWeb, Want::NotNormal},
      {"GET", "/public/.;x", kHostWeb, Want::NotNormal},
      {"GET", "/public/a;b", kHostWeb, Want::Allow},
      // Escapes: unreserved ones decoded, slash and backslash refused.
      {"GET", "/public/..%2fprivate/s.txt", kHostWeb, Want::NotNormal},
      {"GET", "/public/..%2Fprivate", kHostWeb, Want::NotNormal},
      {"GET", "/public/a%5cb", kHostWeb, Want::NotNormal},
      {"GET", "/public/a\\b", kHostWeb, Want::NotNormal},
      {"GET", "/%70ublic/a", kHostWeb, Want::Allow},
      {"GET", "/pu%62lic/a", kHostWeb, Want::Allow},
      {"GET", "/public/%61.txt", kHostWeb, Want::Allow},
      {"GET", "/public/%20x", kHostWeb, Want::Allow},
      {"GET", "/public/%7e", kHostWeb, Want::Allow},
      {"GET", "/%2Fpublic/a", kHostWeb, Want::NotNormal},
      {"GET", "/public/%zz", kHostWeb, Want::NotNormal},
      {"GET", "/public/%", kHostWeb, Want::NotNormal},
      {"GET", "/public/%4", kHostWeb, Want::NotNormal},
      {"GET", "/public/a%00", kHostWeb, Want::NotNormal},
      {"GET", "/public/a%0d%0a", kHostWeb, Want::NotNormal},
      // Slashes merged; ".." undoes the last segment that is one.
      {"GET", "//public/a", kHostWeb, Want::Allow},
      {"GET", "/public//a", kHostWeb, Want::Allow},
      {"GET", "///private", kHostWeb, Want::Denied},
      {"GET", "/public///..//private", kHostWeb, Want::Denied},
      {"GET", "/public/a//../../private", kHostWeb, Want::Denied},
      // The query is judged as sent.
      {"GET", "/public/a?x=../../private", kHostWeb, Want::Allow},
      {"GET", "/public/a?q=%2e%2e%2f", kHostWeb, Want::Allow},
      {"GET", "/private?/public/", kHostWeb, Want::Denied},
      {"GET", "/public/..?x", kHostWeb, Want::Denied},
      {"GET", "/public/a#frag", kHostWeb, Want::Malformed},
      {"GET", "/public/a?x#y", kHostWeb, Want::Malformed},
      // polc keeps the root and 7 segments for "..".
      {"GET", "/public/1/2/3/4/5/6/7/../../../../../../../a", kHostWeb, Want::Allow},
      {"GET", "/public/1/2/3/4/5/6/7/../../../../../../../../public/a", kHostWeb, Want::NotNormal},
      // Absolute-form: the authority is the host.
      {"GET", "http://web/public/a", {}, Want::Allow},
      {"GET", "HTTP://web/public/a", {}, Want::Allow},
      {"GET", "http://web/private", {}, Want::Denied},
      {"GET", "http://web/public/../private", {}, Want::Denied},
      {"GET", "http://web/public/a", kHostWeb, Want::Allow},
      {"GET", "http://web/public/a", {{"Host", "other"}}, Want::Malformed},
      {"GET", "http://shop.example/shop/x", {}, Want::Allow},
      {"GET", "http://shop.example/shop/x", {{"host", " shop.example "}}, Want::Allow},
      {"GET", "http://evil/shop/x", {{"Host", "shop.example"}}, Want::Malformed},
      {"GET", "http://evil/shop/x", {}, Want::Denied},
      {"GET", "https://web/public/a", {}, Want::Malformed},
      {"GET", "http://user@web/public/a", {}, Want::Malformed},
      {"GET", "http:///public/a", {}, Want::Malformed},
      {"GET", "http://web", {}, Want::Denied},
      {"GET", "http://web?x", {}, Want::Denied},
      // Asterisk and authority forms: only rules that name no path.
      {"OPTIONS", "*", kHostWeb, Want::Allow},
      {"GET", "*", kHostWeb, Want::Malformed},
      {"OPTIONS", "*x", kHostWeb, Want::Malformed},
      {"OPTIONS", "/public/a", kHostWeb, Want::Allow},
      {"CONNECT", "proxy.example:443", {}, Want::Allow},
      {"CONNECT", "proxy.example:443", {{"Host", "proxy.example:443"}}, Want::Allow},
      {"CONNECT", "evil:443", {}, Want::Denied},
      {"CONNECT", "/public/a", {}, Want::Malformed},
      {"CONNECT", "*", {}, Want::Denied},  // "*" is a host name no rule allows
      // The request line: one space, no controls, ASCII, a token for a method.
      {"GET", " /public/a", kHostWeb, Want::Malformed},
      {"GET", "/public/a\x01", kHostWeb, Want::Malformed},
      {"GET", "/public/caf\xc3\xa9", kHostWeb, Want::Malformed},
      {"G(T", "/public/a", kHostWeb, Want::Malformed},
      // Header values compared without surrounding whitespace.
      {"GET", "/shop/x", {{"Host", "shop.example   "}}, Want::Allow},
      {"GET", "/shop/x", {{"Host", "\tshop.example"}}, Want::Allow},
      {"GET", "/shop/x", {{"Host", "shop.example x"}}, Want::Denied},
      {"GET", "/api/x", {{"Host", "web"}, {"X-Token", "s3cret "}}, Want::Allow},
      {"GET", "/api/x", {{"Host", "web"}, {"x-token", " s3cret"}}, Want::Allow},
      {"GET", "/api/x", {{"Host", "web"}, {"X-Token", "s3cre t"}}, Want::Denied},
      {"GET", "/api/x", {{"Host", "web"}, {"X Token", "s3cret"}}, Want::Malformed},
      {"GET", "/public/a", {{"Host", "web"}, {"Content-Length", " 0 "}}, Want::Allow},
      {"GET", "/public/a", {{"Host", "web"}, {"Content-Length", "0 0"}}, Want::Malformed},
      {"GET", "/public/a", {{"Host", "web"}, {"Content-Length", "99999999999"}}, Want::Malformed},
      {"GET", "/public/a", {{"Host", "web"}, {"Transfer-Encoding", "chunked"}}, Want::Unsupported},
      {"GET", "/public/a", {{"Host", "web"}, {"Host", "web"}}, Want::Malformed},
      {"GET", "/public/a", {{"Host", "web\x7f"}}, Want::Malformed},
  };
}

// What the kernel did with the request, by the drop counter that moved.
Want kernel_verdict(HttpDatapath &dp, uint16_t sport, const std::string &head) {
  static const std::pair<uint32_t, Want> kReasons[] = {{POLC_DROP_L7, Want::Denied},
                                                       {POLC_DROP_HTTP_PATH, Want::NotNormal},
                                                       {POLC_DROP_HTTP_MALFORMED, Want::Malformed},
                                                       {POLC_DROP_HTTP_UNSUPPORTED, Want::Unsupported}};
  uint64_t before[4];
  for (size_t i = 0; i < 4; ++i) before[i] = dp.drops(kReasons[i].first);
  Client c;
  c.sport = sport;
  auto frame = c.send(head);
  Outcome o = outcome_of(dp.run(frame), frame);
  if (o == Outcome::Passed) return Want::Allow;
  for (size_t i = 0; i < 4; ++i)
    if (dp.drops(kReasons[i].first) == before[i] + 1) return kReasons[i].second;
  FAIL("the request was " << name(o) << " with no HTTP drop counted");
  return Want::Allow;
}

// What the reference evaluator says of the same request.
Want reference_verdict(const HttpDatapath &dp, const ir::HttpRequest &request) {
  ir::ReferenceEvaluator ref(dp.policy, dp.endpoints);
  ir::Packet p;
  p.src = ip(kFrontend4);
  p.dst = ip(kWeb4);
  p.proto = ast::Proto::TCP;
  p.sport = 40000;
  p.dport = 80;
  p.http = request;
  if (ref.evaluate_direction(p, ir::Direction::Ingress).allowed) return Want::Allow;
  switch (ir::judge_http_request(request).refusal) {
    case ir::HttpRefusal::None: return Want::Denied;
    case ir::HttpRefusal::Malformed: return Want::Malformed;
    case ir::HttpRefusal::Unsupported: return Want::Unsupported;
    case ir::HttpRefusal::PathNotNormal: return Want::NotNormal;
  }
  return Want::Allow;
}

ir::HttpRequest request_of(const Case &c) {
  ir::HttpRequest r;
  r.method = c.method;
  r.path = c.target;
  r.headers = c.headers;
  return r;
}

}  // namespace

TEST_SUITE("datapath") {
  TEST_CASE("tricky request heads: the kernel and the reference evaluator give the documented verdict") {
    if (!bpf_tests_enabled()) return;
    HttpDatapath dp = HttpDatapath::make(kPolicy);
    std::vector<Case> table = cases();
    CHECK(table.size() >= 60);
    uint16_t sport = 45000;
    for (const Case &c : table) {
      ir::HttpRequest request = request_of(c);
      std::string head = runtime::render_request_head(request);
      CAPTURE(head);
      Want kernel = kernel_verdict(dp, sport++, head);
      Want reference = reference_verdict(dp, request);
      CHECK_MESSAGE(kernel == c.want, "kernel: " << want_name(kernel) << ", expected " << want_name(c.want));
      CHECK_MESSAGE(reference == c.want,
                    "reference: " << want_name(reference) << ", expected " << want_name(c.want));
    }
  }

  TEST_CASE("random paths of dot segments, escapes and slashes: kernel and reference agree") {
    if (!bpf_tests_enabled()) return;
    HttpDatapath dp = HttpDatapath::make(kPolicy);
    std::mt19937 rng(1303);
    static const char *kPieces[] = {"public", "private", "a", "..", ".", "", "%2e", "%2E%2e", ".%2e", "%2f",
                                    "%5C",    "%41",     "%7e", "..;", "...", "%zz", "%", "%20", "x.txt", "?q=..",
                                    "#",      "\\",      "b%2e", "%2e.", ";", "api", "shop"};
    const int rounds = scaled_count(1500);
    int disagreements = 0, allowed = 0, not_normal = 0;
    uint16_t sport = 47000;
    for (int n = 0; n < rounds; ++n) {
      ir::HttpRequest request;
      request.method = rng() % 8 ? "GET" : "OPTIONS";
      int parts = 1 + int(rng() % 9);
      if (rng() % 2) request.path = "/public";
      for (int i = 0; i < parts; ++i) {
        request.path += rng() % 9 ? "/" : "//";
        request.path += kPieces[rng() % std::size(kPieces)];
      }
      if (rng() % 6 == 0) request.path = "http://web" + request.path;
      else request.headers = kHostWeb;
      std::string head = runtime::render_request_head(request);
      Want kernel = kernel_verdict(dp, sport++, head);
      Want reference = reference_verdict(dp, request);
      allowed += kernel == Want::Allow;
      not_normal += kernel == Want::NotNormal;
      if (kernel == reference) continue;
      if (++disagreements <= 10)
        FAIL_CHECK(head << "kernel: " << want_name(kernel) << ", reference: " << want_name(reference));
    }
    MESSAGE(rounds << " random paths: " << allowed << " allowed, " << not_normal << " not normal");
    CHECK(disagreements == 0);
    CHECK(allowed > rounds / 20);
    CHECK(not_normal > rounds / 20);
  }
}
