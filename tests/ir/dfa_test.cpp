// The HTTP DFA builder against RE2 on hand-picked patterns, plus the
// properties the datapath relies on: minimal tables, few byte classes, a
// dead state, determinism, accept masks per pattern.
#include <doctest/doctest.h>

#include <random>

#include "ir/regex/dfa_builder.h"
#include "tests/ir/dfa_oracle.h"

using namespace polc;
using namespace polc::ir;

namespace {

Dfa build(const std::vector<std::string> &patterns) {
  auto dfa = build_dfa(patterns);
  INFO("first pattern: " << (patterns.empty() ? "" : patterns[0]));
  REQUIRE_MESSAGE(dfa.ok(), (dfa.ok() ? "" : dfa.error().message));
  return std::move(dfa).value();
}

// Compares the DFA with RE2 on `values` plus samples and near misses;
// returns the number of (pattern, value) comparisons.
size_t compare_with_re2(const std::vector<std::string> &patterns, const Dfa &dfa, std::vector<std::string> values,
                        std::mt19937 &rng) {
  test::Re2Oracle oracle(patterns);
  REQUIRE(oracle.ok());
  std::vector<std::string> probes = values;
  probes.push_back("");
  for (const std::string &v : test::walk_samples(dfa, rng, 20)) test::add_mutations(v, rng, probes);
  for (const std::string &v : values) test::add_mutations(v, rng, probes);
  for (const std::string &v : probes) {
    uint64_t want = oracle.mask(v), got = dfa.accept_mask(v);
    if (want != got) {
      for (size_t i = 0; i < patterns.size(); ++i)
        if ((want ^ got) >> i & 1)
          FAIL_CHECK("pattern \"" << patterns[i] << "\" on \"" << test::printable(v) << "\": RE2 says "
                                  << (want >> i & 1) << ", the DFA " << (got >> i & 1));
    }
  }
  return probes.size() * patterns.size();
}

const std::vector<std::string> kRealistic = {
    "GET", "GET|HEAD", "POST", "PUT|PATCH|DELETE", "/public/.*", "/public", "/path1$", "^external-service.org$",
    "/api/v[0-9]+/users/[^/]+", "(?i)www\\.example\\.com", ".*\\.example\\.com", "/a{2,4}b?", "/v1/.*/status",
    "/(foo|bar)+/?", "[[:alpha:]]+-[[:digit:]]{2,3}", "(?i)api\\.[a-z0-9-]+\\.svc(\\.cluster\\.local)?",
    "/static/[\\w.-]+\\.(css|js|png)", "/items/\\d{1,6}", "[^/]*", "\\S+", "/x\\x2fy", "(?s).*", "",
    "/\\Qa.b\\E*", "(?:/[^/]+){1,3}", "/[^a-z]", "a^b", "(^a|b)c", "a$|b", "x*$^", "(?i)[^k]+", "(?i)\\w+", "é.+",
    "/ünï", "[à-ÿ]+", "\\D\\W\\S",
};

const std::vector<std::string> kValues = {
    "GET", "get", "HEAD", "GETX", "PATCH", "/public/", "/public/a/b", "/public", "/publi", "/path1", "/path1\n",
    "external-service.org", "external-serviceXorg", "/api/v1/users/bob", "/api/v12/users/bob/x", "/api/v/users/a",
    "WWW.Example.COM", "www.example.com.", "a.b.example.com", ".example.com", "/aa", "/aaaab", "/aaaaa", "/a",
    "/v1/x/status", "/foo/bar/", "abc-12", "abc-1234", "api.my-svc.svc", "API.X.SVC.cluster.local",
    "/static/site.min.css", "/items/123456", "/items/1234567", "no/slash", "a b", "/x/y", "line\nbreak", "/a.b",
    "/a.bbb", "/a/b/c", "/a/b/c/d", "/0", "/\xc3\xa9", "ab", "ac", "bc", "a", "b", "\xe2\x84\xaa",
    "\xe2\x84\xaa" "K", "\xc5\xbf", "abc\xc5\xbf", "\xc3\xa9x", "\xc3\xa9\n", "\xe0\x80\x80", "\xed\xa0\x80",
    "\xf4\x90\x80\x80", "\xff", "/\xc3\xbc" "n\xc3\xaf", "\xc3\xa0\xc3\xbf", "a \x80", "a \xc2\x80",
};

}  // namespace

TEST_SUITE("ir") {
  TEST_CASE("http dfa: each realistic pattern alone agrees with RE2::FullMatch") {
    std::mt19937 rng(1);
    size_t comparisons = 0;
    for (const std::string &p : kRealistic) {
      Dfa dfa = build({p});
      comparisons += compare_with_re2({p}, dfa, kValues, rng);
    }
    CHECK(comparisons > 5000);
  }

  TEST_CASE("http dfa: a set of patterns gives each pattern's verdict in its bit") {
    std::mt19937 rng(2);
    for (size_t first = 0; first < kRealistic.size(); first += 7) {
      std::vector<std::string> set(kRealistic.begin() + first,
                                   kRealistic.begin() + std::min(kRealistic.size(), first + 12));
      Dfa dfa = build(set);
      compare_with_re2(set, dfa, kValues, rng);
    }
    Dfa methods = build({"GET", "GET|HEAD", ".*", "POST"});
    CHECK(methods.match("GET") == std::vector<uint32_t>{0, 1, 2});
    CHECK(methods.match("HEAD") == std::vector<uint32_t>{1, 2});
    CHECK(methods.match("PUT") == std::vector<uint32_t>{2});
    CHECK(methods.accept_mask("POST") == 0b1100);
  }

  TEST_CASE("http dfa: minimization merges equivalent states") {
    CHECK(build({"a*|a*"}).num_states == build({"a*"}).num_states);
    CHECK(build({"a*"}).num_states == 2);  // dead + one looping accepting state
    CHECK(build({"(a|b)*"}).next == build({"[ab]*"}).next);
    CHECK(build({"(?:ab|ab|a(b))"}).num_states == build({"ab"}).num_states);
    // dead, start, after "a", then 1..3 more a's with an optional b, then b.
    CHECK(build({"a{2,4}b?"}).num_states == 7);
    // Two patterns with the same language accept in the same states.
    Dfa twins = build({"x+", "xx*"});
    for (uint32_t id : twins.accept)
      CHECK((twins.accept_sets[id].empty() || twins.accept_sets[id] == std::vector<uint32_t>{0, 1}));
  }

  TEST_CASE("http dfa: byte classes group the bytes no state tells apart") {
    Dfa get = build({"GET"});
    CHECK(get.num_classes == 4);  // G, E, T, everything else
    CHECK(get.byte_class['G'] != get.byte_class['E']);
    CHECK(get.byte_class['a'] == get.byte_class[0xFF]);
    Dfa digits = build({"[0-9]+"});
    CHECK(digits.num_classes == 2);
    CHECK(digits.byte_class['0'] == digits.byte_class['9']);
    Dfa path = build({"/api/v[0-9]+/users/[^/]+"});
    CHECK(path.num_classes < 20);
    CHECK(path.next.size() == size_t(path.num_states) * path.num_classes);
    // Class numbers follow the smallest byte of each class.
    CHECK(get.byte_class[0] == 0);
  }

  TEST_CASE("http dfa: state 0 is dead and the table is complete") {
    Dfa dfa = build({"/public/.*", "GET"});
    CHECK(dfa.dead == 0);
    CHECK(dfa.accept[dfa.dead] == 0);
    for (uint32_t c = 0; c < dfa.num_classes; ++c) CHECK(dfa.next[c] == dfa.dead);
    for (uint32_t n : dfa.next) CHECK(n < dfa.num_states);
    CHECK(dfa.walk("x") == dfa.dead);
    CHECK(dfa.walk("/public/") != dfa.dead);
    CHECK(build({"[^\\x00-\\x{10FFFF}]"}).start == 0);  // matches nothing: the start is dead
  }

  TEST_CASE("http dfa: the same patterns give the same table") {
    std::vector<std::string> set = {"/api/v[0-9]+/.*", "(?i)host\\.example", "GET|POST"};
    Dfa a = build(set), b = build(set);
    CHECK(a.next == b.next);
    CHECK(a.accept == b.accept);
    CHECK(a.byte_class == b.byte_class);
    CHECK(a.start == b.start);
  }

  TEST_CASE("http dfa: (?i) follows RE2's Unicode folding of k and s") {
    Dfa host = build({"(?i)kiosk"});
    CHECK(host.match("KIOSK") == std::vector<uint32_t>{0});
    CHECK(host.match("\xe2\x84\xaaiosk") == std::vector<uint32_t>{0});  // U+212A KELVIN SIGN
    CHECK(host.match("kio\xc5\xbfk") == std::vector<uint32_t>{0});      // U+017F LONG S
    CHECK(host.match("kiosq").empty());
  }
}
