// HTTP regexes (read from the AST, where each has its own location):
//   regex-matches-nothing     no value can match: the request rule allows nothing
//   regex-matches-everything  every value matches: the field restricts nothing
// Values must match whole (CONTRACT §1.1). "Nothing" is exact: RE2's
// PossibleMatchRange bounds every match between two strings; when the
// bounds are one string that does not match, nothing does. "Everything"
// is tested on probe values of every shape a method, path or host takes.
#include <fmt/format.h>
#include <re2/re2.h>

#include "ir/lint/passes.h"

namespace polc::ir::lint {

namespace {

enum class Reach { Some, Nothing, Everything };

Reach reach(const std::string &pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern, options);
  if (!re.ok()) return Reach::Some;  // the reader reported it
  std::string min, max;
  if (re.PossibleMatchRange(&min, &max, 16) && min == max && !RE2::FullMatch(min, re)) return Reach::Nothing;
  static const char *const probes[] = {"", "a", "GET", "/", "/a/b/c.html?q=1&r=%20", "www.example.com:8080",
                                       "Z", "0", "-_~!$&'()*+,;=", "\xc3\xa9t\xc3\xa9", " \t"};
  for (const char *p : probes)
    if (!RE2::FullMatch(p, re)) return Reach::Some;
  return Reach::Everything;
}

class RegexPass : public LintPass {
 public:
  void run(const LintInput &input, std::vector<Diagnostic> &findings) const override {
    for (const ast::Rule &rule : input.ast.rules)
      for (const auto *section : {&rule.ingress, &rule.egress})
        for (const ast::RuleElement &e : *section)
          for (const ast::PortRule &pr : e.to_ports) {
            if (!pr.http) continue;
            for (const ast::HttpRule &h : *pr.http) {
              check(h.method, h.method_loc.valid() ? h.method_loc : h.loc, "method", findings);
              check(h.path, h.path_loc.valid() ? h.path_loc : h.loc, "path", findings);
              check(h.host, h.host_loc.valid() ? h.host_loc : h.loc, "host", findings);
            }
          }
  }

 private:
  static void check(const std::optional<std::string> &pattern, SourceLoc loc, std::string_view field,
                    std::vector<Diagnostic> &findings) {
    if (!pattern || pattern->empty()) return;
    switch (reach(*pattern)) {
      case Reach::Some: return;
      case Reach::Nothing:
        findings.push_back(finding("regex-matches-nothing", loc,
                                   fmt::format("{} regex \"{}\" matches no value: this request rule allows nothing",
                                               field, *pattern),
                                   "values are matched whole; ^ and $ are only meaningful at the ends"));
        return;
      case Reach::Everything:
        findings.push_back(finding("regex-matches-everything", loc,
                                   fmt::format("{} regex \"{}\" matches every value: it restricts nothing", field, *pattern),
                                   fmt::format("leave \"{}\" out, or make the regex say what is allowed", field)));
        return;
    }
  }
};

}  // namespace

std::unique_ptr<LintPass> make_regex_pass() { return std::make_unique<RegexPass>(); }

}  // namespace polc::ir::lint
