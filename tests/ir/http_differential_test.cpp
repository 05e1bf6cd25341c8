// Differential test of the HTTP plan: random policies with HTTP rules
// (regex methods, paths and hosts, header requirements, several rules per
// port, several ports, peers and protocols that shadow one another in the
// trie), random packets and requests; the kernel model of the plan
// (tests/ir/http_model.h) against the reference evaluator (RE2), request
// by request. Seeded: a failure prints its policy and request and repeats.
#include <doctest/doctest.h>

#include <random>

#include "ir/evaluator.h"
#include "ir/ir_json.h"
#include "ir/lower.h"
#include "ir/plan.h"
#include "tests/ir/http_model.h"
#include "tests/support/test_env.h"

using namespace polc;
using namespace polc::ir;

namespace {

IpAddr ip(const char *text) { return *parse_ip(text).value; }

EndpointSet inventory() {
  return EndpointSet::from_inventory({{"prod", {}}},
                                     {{"a-1", "prod", {{"app", "a"}}, {ip("10.0.0.1"), ip("fd00::1")}},
                                      {"a-2", "prod", {{"app", "a"}}, {ip("10.0.0.2")}},
                                      {"b-1", "prod", {{"app", "b"}}, {ip("10.0.1.1"), ip("fd00::11")}},
                                      {"c-1", "prod", {{"app", "c"}}, {ip("10.0.2.1")}}});
}

const std::vector<const char *> kV4 = {"10.0.0.1", "10.0.0.2", "10.0.1.1", "10.0.2.1", "192.0.2.9", "198.51.100.7"};
const std::vector<const char *> kV6 = {"fd00::1", "fd00::11", "2001:db8::9"};

const std::vector<std::string> kMethods = {"GET", "POST", "GET|HEAD", "P(UT|OST)", "[A-Z]+", "DELETE", ".*", "G.T"};
const std::vector<std::string> kPaths = {"/public/.*", "/api/v[0-9]+/users/[^/]+", "/", "/a", "/a/.*", ".*",
                                         "/items/[0-9]{1,3}", "/x\\.html", "(?i)/admin(/.*)?",
                                         "/caf\xc3\xa9", "/[^/]*", "/a|/b"};
const std::vector<std::string> kHosts = {"(www\\.)?shop\\.example", ".*\\.example", "api\\.svc", "(?i)API\\.svc",
                                         "[a-z]+"};
struct HeaderChoice {
  const char *name;
  std::vector<std::string> values;  // a requirement's value, or a request's
};
const std::vector<HeaderChoice> kHeaders = {
    {"x-token", {"abc", "1", "caf\xc3\xa9", "a b"}},
    {"content-type", {"application/json", "text/plain"}},
    {"x-a", {"", "v"}},
    {"content-length", {"1", "12"}},
    {"host", {"shop.example", "api.svc"}},
};

const std::vector<std::string> kReqMethods = {"GET", "POST", "HEAD", "PUT", "DELETE", "get", "PATCH", "GOT", "OPTIONS", "CONNECT"};
const std::vector<std::string> kReqPaths = {"/public/x", "/public/", "/api/v1/users/bob", "/api/v12/users/", "/",
                                            "/a", "/a/b", "/b", "/items/12", "/items/1234", "/x.html", "/xahtml",
                                            "/ADMIN/x", "/admin", "/caf\xc3\xa9", "/other?q=1", "*",
                                            "api.svc:443"};
const std::vector<std::string> kReqHosts = {"shop.example", "www.shop.example", "a.example", "api.svc", "API.SVC",
                                            "evil", "shop.example.net"};

class Generator {
 public:
  explicit Generator(std::mt19937 &rng) : rng_(rng) {}

  Policy policy() {
    Policy p;
    host_header_rules_ = false;
    int rules = 1 + int(pick(6));
    for (int i = 0; i < rules; ++i) p.rules.push_back(rule());
    for (const Rule &r : p.rules) p.enforcements.push_back(Enforcement{r.subject, r.direction});
    if (roll(4)) p.enforcements.push_back(Enforcement{app_selector({"c"}), Direction::Ingress});
    canonicalize(p);
    return p;
  }

  Packet packet() {
    Packet p;
    const auto &family = roll(4) ? kV6 : kV4;
    p.src = ip(family[pick(family.size())]);
    p.dst = ip(family[pick(family.size())]);
    p.proto = roll(6) ? ast::Proto::UDP : ast::Proto::TCP;
    static const uint16_t ports[] = {80, 81, 8080, 443};
    p.dport = ports[pick(4)];
    p.sport = 40000;
    if (p.proto == ast::Proto::TCP && !roll(6)) p.http = request();
    return p;
  }

 private:
  bool roll(int one_in) { return rng_() % one_in == 0; }
  size_t pick(size_t n) { return rng_() % n; }

  static Selector app_selector(std::vector<std::string> apps) {
    return Selector{{Requirement{"app", ast::SelectorOp::In, std::move(apps)}}};
  }

  Rule rule() {
    Rule r;
    static const std::vector<std::vector<std::string>> subjects = {{"a"}, {"b"}, {"a", "b"}};
    r.subject = app_selector(subjects[pick(subjects.size())]);
    r.direction = roll(4) ? Direction::Egress : Direction::Ingress;
    switch (pick(5)) {
      case 0: r.peer.kind = Peer::Kind::Any; break;
      case 1: r.peer.kind = Peer::Kind::Cluster; break;
      case 2:
        r.peer.kind = Peer::Kind::Cidr;
        r.peer.cidr = *parse_prefix(roll(2) ? "192.0.2.0/24" : "0.0.0.0/0").value;
        break;
      default: r.peer.kind = Peer::Kind::Selector, r.peer.selector = app_selector({roll(2) ? "a" : "b"}); break;
    }
    switch (pick(8)) {
      case 0: r.l4 = L4{}; break;  // every protocol: HTTP rules here are crafted IR, no reader makes them
      case 1: r.l4 = L4{L4::Kind::Ports, ast::Proto::UDP, 80, 80}; break;
      case 2: r.l4 = L4{L4::Kind::Ports, ast::Proto::TCP, 0, 65535}; break;
      case 3: r.l4 = L4{L4::Kind::Ports, ast::Proto::TCP, 80, 81}; break;
      case 4: r.l4 = L4{L4::Kind::Ports, ast::Proto::TCP, 8080, 8080}; break;
      default: r.l4 = L4{L4::Kind::Ports, ast::Proto::TCP, 80, 80}; break;
    }
    if (roll(12)) {
      r.verdict = Verdict::Deny;
      return r;
    }
    if (roll(3)) return r;  // no HTTP rules: every request
    r.has_http = true;
    int count = 1 + int(pick(3));
    for (int i = 0; i < count; ++i) r.http.push_back(http_rule());
    std::sort(r.http.begin(), r.http.end());
    r.http.erase(std::unique(r.http.begin(), r.http.end()), r.http.end());
    return r;
  }

  HttpRule http_rule() {
    HttpRule h;
    if (!roll(3)) h.method = kMethods[pick(kMethods.size())];
    if (!roll(3)) h.path = kPaths[pick(kPaths.size())];
    if (roll(3)) h.host = kHosts[pick(kHosts.size())];
    int headers = roll(2) ? 0 : 1 + int(pick(2));
    for (int i = 0; i < headers; ++i) {
      const HeaderChoice &c = kHeaders[pick(kHeaders.size())];
      HeaderMatch m;
      m.name = c.name;
      if (m.name == "host") host_header_rules_ = true;
      if (roll(2)) {
        m.has_value = true;
        m.value = c.values[pick(c.values.size())];
      }
      h.headers.push_back(m);
    }
    std::sort(h.headers.begin(), h.headers.end());
    h.headers.erase(std::unique(h.headers.begin(), h.headers.end()), h.headers.end());
    return h;
  }

  // Header names in a random letter case.
  std::string spelled(const std::string &name) {
    std::string out = name;
    for (char &c : out)
      if (c >= 'a' && c <= 'z' && roll(2)) c = char(c - 'a' + 'A');
    return out;
  }

  // A path of random pieces: dot segments plain and escaped, escaped
  // slashes, broken escapes, empty segments, queries; sometimes in
  // absolute form.
  std::string tricky_path() {
    static const std::vector<std::string> pieces = {"public", "api", "v1", "users", "a", "b", "items", "12", "..",
                                                    ".", "", "%2e", "%2E%2e", ".%2e", "%2e.", "%2f", "%5c", "%61",
                                                    "%7E", "..;", "...", "%zz", "%", "%20", "x.html", "?q=../..",
                                                    "#", "\\", "admin", "ADMIN", "caf%C3%A9"};
    std::string path;
    int parts = 1 + int(pick(7));
    for (int i = 0; i < parts; ++i) path += (roll(8) ? "//" : "/") + pieces[pick(pieces.size())];
    if (roll(8)) path = (roll(2) ? "http://" : "HTTP://") + kReqHosts[pick(kReqHosts.size())] + path;
    return path;
  }

  HttpRequest request() {
    HttpRequest r;
    r.method = kReqMethods[pick(kReqMethods.size())];
    r.path = roll(2) ? tricky_path() : kReqPaths[pick(kReqPaths.size())];
    if (!roll(4)) {
      std::string host = kReqHosts[pick(kReqHosts.size())];
      // The evaluator reads `host` for host regexes but not for header
      // requirements, while the wire has one Host line for both: with a
      // rule that requires a Host header, the host travels as a header.
      if (host_header_rules_ || roll(2)) r.headers.emplace_back(spelled("host"), host);
      else r.host = host;
    }
    int headers = int(pick(4));
    for (int i = 0; i < headers; ++i) {
      const HeaderChoice &c = kHeaders[pick(kHeaders.size() - 1)];  // not host: one Host line at most
      std::string value = roll(5) ? "other" : c.values[pick(c.values.size())];
      if (roll(10)) value += roll(2) ? " " : " \t";  // trimmed, on both sides
      r.headers.emplace_back(spelled(c.name), value);
    }
    return r;
  }

  std::mt19937 &rng_;
  bool host_header_rules_ = false;
};

std::string describe(const Packet &p) {
  std::string out = p.src.str() + " -> " + p.dst.str() + " " + std::string(proto_name(p.proto)) + "/" +
                    std::to_string(p.dport);
  if (p.http) {
    out += " " + p.http->method + " " + p.http->path;
    if (p.http->host) out += " host=" + *p.http->host;
    for (const auto &[k, v] : p.http->headers) out += " [" + k + ": " + v + "]";
  }
  return out;
}

}  // namespace

TEST_SUITE("ir") {
  TEST_CASE("http plan: the kernel model of the plan agrees with the reference evaluator on random requests") {
    std::mt19937 rng(20250301);
    Generator gen(rng);
    EndpointSet eps = inventory();
    size_t policies = 0, packets = 0, requests = 0, l7_denied = 0, disagreements = 0, refused = 0;
    const int rounds = polc::test::scaled_count(400);
    for (int round = 0; round < rounds; ++round) {
      Policy policy = gen.policy();
      MapPlan plan = plan_maps(policy, eps);
      if (plan.http.error) {
        // Only the datapath's limits may refuse a policy here.
        ++refused;
        CHECK_MESSAGE(plan.http.error->exit_code == 1, plan.http.error->message);
        continue;
      }
      ++policies;
      ReferenceEvaluator ref(policy, eps);
      test::PlanModel model(plan);
      for (int n = 0; n < 150; ++n) {
        Packet p = gen.packet();
        bool want = ref.evaluate(p).allowed, got = model.allows(p);
        ++packets;
        if (p.http) {
          ++requests;
          Packet l4 = p;
          l4.http.reset();
          if (!want && ref.evaluate(l4).allowed) ++l7_denied;
        }
        if (want == got) continue;
        if (++disagreements <= 5)
          FAIL_CHECK("round " << round << ": " << describe(p) << ": evaluator " << want << ", model " << got
                              << "\npolicy: " << policy_to_json_text(policy));
      }
    }
    MESSAGE(policies << " policies, " << packets << " packets, " << requests << " requests, " << l7_denied
                     << " denied at layer 7 only, " << refused << " refused");
    CHECK(disagreements == 0);
    CHECK(policies > static_cast<size_t>(rounds) * 7 / 8);
    CHECK(l7_denied > static_cast<size_t>(rounds) * 5 / 2);
  }
}
