// The HTTP DFA builder on pattern sets far past 64 (the benchmark's 1,000
// path rules): accept sets are ids, state numbers pass 65535, and the
// answer is still RE2::FullMatch's, pattern by pattern.
#include <doctest/doctest.h>

#include <chrono>
#include <random>

#include "ir/regex/dfa_builder.h"
#include "tests/ir/dfa_oracle.h"

using namespace polc;
using namespace polc::ir;

namespace {

Dfa build(const std::vector<std::string> &patterns, double *seconds = nullptr) {
  auto t0 = std::chrono::steady_clock::now();
  auto dfa = build_dfa(patterns);
  if (seconds) *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE_MESSAGE(dfa.ok(), (dfa.ok() ? "" : dfa.error().message));
  return std::move(dfa).value();
}

// Every probe's matching pattern list against RE2's; returns the mismatches.
size_t compare_sets(const std::vector<std::string> &patterns, const Dfa &dfa, const std::vector<std::string> &probes) {
  test::Re2Oracle oracle(patterns);
  REQUIRE(oracle.ok());
  size_t mismatches = 0;
  for (const std::string &v : probes) {
    std::vector<uint32_t> want = oracle.matches(v);
    const std::vector<uint32_t> &got = dfa.match(v);
    if (want == got) continue;
    if (++mismatches < 10) {
      std::string w, g;
      for (uint32_t i : want) w += std::to_string(i) + " ";
      for (uint32_t i : got) g += std::to_string(i) + " ";
      FAIL_CHECK("\"" << test::printable(v) << "\": RE2 says {" << w << "}, the DFA {" << g << "}");
    }
  }
  return mismatches;
}

std::vector<std::string> item_paths(int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back("/api/v1/item-" + std::to_string(i) + "/.*");
  return out;
}

}  // namespace

TEST_SUITE("ir") {
  TEST_CASE("http dfa: 1,000 literal-prefix paths build fast and match as RE2 does") {
    std::vector<std::string> patterns = item_paths(1000);
    double seconds = 0;
    Dfa dfa = build(patterns, &seconds);
    MESSAGE("1,000 paths: " << dfa.num_states << " states, " << dfa.num_classes << " classes, "
                            << dfa.accept_sets.size() << " accept sets, built in " << seconds * 1000 << " ms");
    // "Well under a second" in the plain build; the bound leaves room for
    // the sanitizer build of the suite.
    CHECK(seconds < 3.0);
    CHECK(dfa.accept_sets.size() == 1001);  // each path alone, plus the empty set
    CHECK(dfa.next.size() == size_t(dfa.num_states) * dfa.num_classes);

    std::mt19937 rng(7);
    // RE2 runs every pattern on every probe: a few thousand probes keep
    // the oracle's million FullMatch calls under a second.
    std::vector<std::string> probes = {"", "/", "/api/v1/item-", "/api/v1/item-/x", "/api/v1/item-1000/x"};
    for (int n = 0; n < 60; ++n) {
      std::string base = "/api/v1/item-" + std::to_string(rng() % 1100);
      for (std::string v : {base, base + "/", base + "/a/b?c=d", base + "x/", base + "/\xc3\xa9", base + "/\n"})
        probes.push_back(v);
      test::add_mutations(base + "/a", rng, probes);
    }
    for (const std::string &v : test::walk_samples(dfa, rng, 50)) probes.push_back(v);
    CHECK(compare_sets(patterns, dfa, probes) == 0);
  }

  TEST_CASE("http dfa: 250 overlapping patterns give each value its exact set of patterns") {
    std::vector<std::string> patterns;
    for (int i = 0; i < 250; ++i) {
      std::string n = std::to_string(i);
      switch (i % 5) {
        case 0: patterns.push_back("/api/v" + std::to_string(i % 7) + "/users/[0-9]+"); break;
        case 1: patterns.push_back("/files/" + n + "/.*\\.(png|jpg)"); break;
        case 2: patterns.push_back("/api/.*/" + n); break;
        case 3: patterns.push_back("/static/" + n + "(/[a-z]+)*"); break;
        case 4: patterns.push_back("(?i)/CASE/" + n + "/?"); break;
      }
    }
    patterns.push_back(".*");
    patterns.push_back("/api/.*");
    patterns.push_back("[^/]+");
    Dfa dfa = build(patterns);
    MESSAGE("253 overlapping patterns: " << dfa.num_states << " states, " << dfa.accept_sets.size()
                                         << " accept sets");
    CHECK(dfa.num_patterns == 253);
    std::mt19937 rng(11);
    std::vector<std::string> probes = {"", "x", "/", "/api/", "/api/v3/users/12", "/api/v3/users/12/x"};
    for (int n = 0; n < 150; ++n) {
      std::string k = std::to_string(rng() % 260);
      for (std::string v : {"/api/v" + std::to_string(rng() % 9) + "/users/" + k, "/files/" + k + "/a/b.png",
                            "/files/" + k + "/.jpg", "/api/x/y/" + k, "/api/" + k, "/static/" + k + "/ab/c",
                            "/case/" + k + "/", "/CaSe/" + k, "/static/" + k + "/"})
        test::add_mutations(v, rng, probes);
    }
    for (const std::string &v : test::walk_samples(dfa, rng, 100)) test::add_mutations(v, rng, probes);
    CHECK(compare_sets(patterns, dfa, probes) == 0);
    // Every state's id names its set; sets are unique and ascending.
    for (uint32_t id : dfa.accept) CHECK(id < dfa.accept_sets.size());
    for (const auto &set : dfa.accept_sets) CHECK(std::is_sorted(set.begin(), set.end()));
  }

  TEST_CASE("http dfa: state numbers past 65535 are kept whole") {
    // Distinct 6-digit literals accept apart, so nothing past their common
    // prefixes merges: about 85,000 states, over the default cap.
    std::vector<std::string> patterns;
    for (int i = 0; i < 20000; ++i) patterns.push_back("/" + std::to_string(100000 + i * 7919 % 900000) + "/x");
    DfaLimits limits;
    limits.max_dfa_states = 1u << 18;
    auto built = build_dfa(patterns, limits);
    REQUIRE_MESSAGE(built.ok(), (built.ok() ? "" : built.error().message));
    const Dfa &dfa = built.value();
    MESSAGE("20,000 literals: " << dfa.num_states << " states");
    CHECK(dfa.num_states > 65535);
    uint32_t max_next = 0;
    for (uint32_t n : dfa.next) max_next = std::max(max_next, n);
    CHECK(max_next > 65535);
    for (int i : {0, 1, 5000, 19999}) {
      std::string v = "/" + std::to_string(100000 + i * 7919 % 900000) + "/x";
      CAPTURE(v);
      const auto &m = dfa.match(v);
      REQUIRE(m.size() == 1);
      CHECK(m[0] == uint32_t(i));
      CHECK(dfa.match(v + "x").empty());
    }
  }

  TEST_CASE("http dfa: large sets give the same table every time") {
    std::vector<std::string> patterns = item_paths(200);
    patterns.push_back(".*");
    Dfa a = build(patterns), b = build(patterns);
    CHECK(a.next == b.next);
    CHECK(a.accept == b.accept);
    CHECK(a.accept_sets == b.accept_sets);
  }
}
