// The regex parser refuses what the datapath cannot enforce, with a column
// the caller can point at, and the builder refuses work beyond its limits.
#include <doctest/doctest.h>

#include <string>

#include "ir/regex/dfa_builder.h"
#include "ir/regex/nfa.h"
#include "ir/regex/parser.h"

using namespace polc::ir;
using namespace polc::ir::regex;

namespace {

// The error for `pattern`, which must not parse.
RegexError parse_error(const std::string &pattern) {
  auto parsed = parse_regex(pattern);
  INFO("pattern: " << pattern);
  REQUIRE_FALSE(parsed.ok());
  return parsed.error();
}

}  // namespace

TEST_SUITE("ir") {
  TEST_CASE("regex parser: unsupported features are named, with their column") {
    struct Case {
      const char *pattern;
      size_t column;
      const char *says;
    };
    for (const Case &c : std::vector<Case>{
             {"/a(?=b)", 3, "lookahead"},
             {"(?<!x)y", 1, "lookbehind"},
             {"\\bfoo", 1, "word boundary"},
             {"foo\\B", 4, "word boundary"},
             {"ab\\pL", 3, "Unicode class"},
             {"a\\p{Greek}", 2, "Unicode class"},
             {"x\\C", 2, "\\C"},
             {"(a)\\1", 4, "backreference"},
             {"a(?i)b", 2, "flags after the start"},
             {"a(?i:b)", 2, "flags after the start"},
             {"(?m)^a$", 3, "multi-line"},
             {"(?i)caf\xc3\xa9", 8, "non-ASCII character under (?i)"},
         }) {
      RegexError e = parse_error(c.pattern);
      INFO("pattern: " << c.pattern << " -> " << e.message);
      CHECK(e.column == c.column);
      CHECK(e.message.find(c.says) != std::string::npos);
      CHECK(e.message.find("is not supported in the datapath") != std::string::npos);
    }
  }

  TEST_CASE("regex parser: malformed patterns are errors with a column") {
    struct Case {
      const char *pattern;
      size_t column;
      const char *says;
    };
    for (const Case &c : std::vector<Case>{
             {"(abc", 1, "missing closing )"},
             {"abc)", 4, "unexpected )"},
             {"[a-", 1, "missing closing ]"},
             {"[z-a]", 2, "invalid character class range"},
             {"[[:foo:]]", 2, "[:foo:]"},
             {"a**", 3, "bad repetition operator"},
             {"*a", 1, "missing argument"},
             {"x{2}", 0, ""},  // valid: checked below
             {"a{1001}", 2, "invalid repetition size"},
             {"a{3,2}", 2, "invalid repetition size"},
             {"ab\\", 3, "trailing backslash"},
             {"\\x4", 1, "\\x"},
             {"\\e", 1, "invalid escape"},
         }) {
      if (c.column == 0) {
        CHECK(parse_regex(c.pattern).ok());
        continue;
      }
      RegexError e = parse_error(c.pattern);
      INFO("pattern: " << c.pattern << " -> " << e.message);
      CHECK(e.column == c.column);
      CHECK(e.message.find(c.says) != std::string::npos);
    }
  }

  TEST_CASE("regex parser: the supported syntax parses") {
    for (const char *p : {"", "GET", "a|", "(?:)", "[]a]", "[^]a]", "[a-]", "[\\d-z]", "a{,3}", "{", "x{2}?",
                          "(?P<name>a+)", "(?i)ABC", "(?is)a.b", "(?U)a*", "\\Qa.b\\E+", "\\x{41}\\x41\\101",
                          "[[:^alpha:][:digit:]]", "\\A/a\\z", "^a$", "a^b", "\\.\\/\\-\\_\\ "}) {
      INFO("pattern: " << p);
      CHECK(parse_regex(p).ok());
    }
  }

  TEST_CASE("regex parser: rune sets of escapes and classes") {
    auto runes_of = [](const std::string &p) {
      auto n = parse_regex(p);
      REQUIRE(n.ok());
      REQUIRE(n->kind == Node::Kind::Runes);
      return n->runes;
    };
    CHECK(runes_of("\\s").contains('\f'));
    CHECK_FALSE(runes_of("\\s").contains('\v'));  // RE2's \s has no \v
    CHECK(runes_of("[[:space:]]").contains('\v'));
    CHECK(runes_of("[^a]").contains('\n'));      // negated classes match \n
    CHECK_FALSE(runes_of(".").contains('\n'));   // . does not
    CHECK(runes_of("(?s).").contains('\n'));
    CHECK(runes_of("(?i)k").contains(0x212A));
    CHECK_FALSE(runes_of("(?i)\\W").contains(0x17F));  // folded first, then negated
    CHECK(runes_of("\\W").contains(0x17F));
  }

  TEST_CASE("regex nfa: UTF-8 sequences follow RE2's split of code point ranges") {
    auto seqs = utf8_sequences(0x80, 0x10FFFF);  // RE2's loose special case
    REQUIRE(seqs.size() == 3);
    CHECK(seqs[0].length == 2);
    CHECK(seqs[0].lo[0] == 0xC2);
    CHECK(seqs[2].hi[0] == 0xF4);
    auto two = utf8_sequences(0x80, 0x7FF);
    REQUIRE(two.size() == 1);
    CHECK(two[0].lo[0] == 0xC2);
    CHECK(two[0].hi[0] == 0xDF);
    CHECK(utf8_sequences('a', 'z').size() == 1);
    CHECK(utf8_sequences(0x7F, 0x80).size() == 2);  // split by encoded length
  }

  TEST_CASE("http dfa limits: too many states or patterns are clear errors") {
    auto nfa_cap = build_dfa({"GET", "(?:a{1000}){1000}"});
    REQUIRE_FALSE(nfa_cap.ok());
    CHECK(nfa_cap.error().pattern == 1);
    CHECK(nfa_cap.error().message.find("NFA states") != std::string::npos);

    // The classic blow-up: the 13th byte from the end must be an a (2^13
    // states), over a lowered cap; the default cap stops the 18th.
    DfaLimits small_cap;
    small_cap.max_dfa_states = 4096;
    auto dfa_cap = build_dfa({"(a|b)*a(a|b){12}"}, small_cap);
    REQUIRE_FALSE(dfa_cap.ok());
    CHECK(dfa_cap.error().message.find("more than 4096 DFA states") != std::string::npos);
    auto default_cap = build_dfa({"(a|b)*a(a|b){17}"});
    REQUIRE_FALSE(default_cap.ok());
    CHECK(default_cap.error().message.find("more than 65536 DFA states") != std::string::npos);
    auto small = build_dfa({"(a|b)*a(a|b){3}"});
    REQUIRE(small.ok());
    CHECK(small->num_states == 17);  // 16 windows of 4 bytes + dead

    DfaLimits few;
    few.max_patterns = 64;
    std::vector<std::string> many(few.max_patterns + 1, "GET");
    auto too_many = build_dfa(many, few);
    REQUIRE_FALSE(too_many.ok());
    CHECK(too_many.error().message.find("at most 64") != std::string::npos);
    many.pop_back();
    CHECK(build_dfa(many, few).ok());
    CHECK(build_dfa(std::vector<std::string>(300, "GET")).ok());  // no 64-bit mask any more

    DfaLimits tight;
    tight.max_nfa_states_per_pattern = 10;
    CHECK_FALSE(build_dfa({"abcdefghijkl"}, tight).ok());
    CHECK(build_dfa({"abcdefghi"}, tight).ok());

    auto parse_fail = build_dfa({"GET", "/a", "/b(?=c)"});
    REQUIRE_FALSE(parse_fail.ok());
    CHECK(parse_fail.error().pattern == 2);
    CHECK(parse_fail.error().column == 3);
  }
}
