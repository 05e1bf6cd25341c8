// The substitution layer under the C generator: it fills placeholders and
// refuses every mismatch between a template and its values.
#include <doctest/doctest.h>

#include "codegen/template_engine.h"

using polc::codegen::fill_template;
using polc::codegen::TemplateValues;

TEST_SUITE("codegen") {
  TEST_CASE("placeholders are replaced by their values, the rest is kept") {
    auto out = fill_template("t.in", "#define A {{a}}\n#define B {{b}} /* {{a}} */\n",
                             TemplateValues{{"a", "1"}, {"b", "65536"}});
    REQUIRE(out.ok());
    CHECK(*out == "#define A 1\n#define B 65536 /* 1 */\n");
  }

  TEST_CASE("text without placeholders is unchanged") {
    auto out = fill_template("t.in", "int x = a { b } c;\n", {});
    REQUIRE(out.ok());
    CHECK(*out == "int x = a { b } c;\n");
  }

  TEST_CASE("a placeholder without a value is an error naming it and its line") {
    auto out = fill_template("config.h.in", "one\n{{a}}\n{{missing}}\n", TemplateValues{{"a", "1"}});
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().message == "config.h.in:3: placeholder {{missing}} has no value");
    CHECK(out.error().exit_code == 4);
  }

  TEST_CASE("a value that fills no placeholder is an error") {
    auto out = fill_template("t.in", "{{a}}", TemplateValues{{"a", "1"}, {"typo", "2"}});
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().message.find("\"typo\" fills no placeholder") != std::string::npos);
  }

  TEST_CASE("malformed placeholders are errors") {
    CHECK_FALSE(fill_template("t.in", "{{a", TemplateValues{{"a", "1"}}).ok());
    CHECK_FALSE(fill_template("t.in", "{{a\n}}", TemplateValues{{"a", "1"}}).ok());
    CHECK_FALSE(fill_template("t.in", "{{}}", {}).ok());
    CHECK_FALSE(fill_template("t.in", "{{a b}}", TemplateValues{{"a b", "1"}}).ok());
  }

  TEST_CASE("values are inserted verbatim, never re-scanned") {
    auto out = fill_template("t.in", "{{a}}", TemplateValues{{"a", "{{b}}"}});
    REQUIRE(out.ok());
    CHECK(*out == "{{b}}");
  }
}
