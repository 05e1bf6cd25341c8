#include "ir/lint/lint.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "frontend/dsl_reader.h"
#include "ir/lint/passes.h"

namespace polc::ir {

const std::vector<LintRuleInfo> &lint_catalog() {
  static const std::vector<LintRuleInfo> catalog = {
      {"redundant-allow", Severity::Warning, "an allow rule is shadowed by a broader allow rule"},
      {"dead-allow", Severity::Warning, "an allow rule can never take effect: a deny rule covers it"},
      {"allow-deny-overlap", Severity::Note, "an allow rule and a deny rule overlap; the deny wins where they do"},
      {"selector-matches-nothing", Severity::Warning, "a selector matches no endpoint of the inventory"},
      {"unselected-endpoint", Severity::Warning, "no policy selects an endpoint of the inventory: all its traffic passes"},
      {"allow-world-all-ports", Severity::Warning, "ingress from the whole internet on every port"},
      {"http-on-udp", Severity::Error, "HTTP rules on a UDP or SCTP port never see a request: the port is allowed unchecked"},
      {"http-on-any-protocol", Severity::Warning, "HTTP rules on protocol ANY: only the TCP part is inspected"},
      {"http-on-tls-port", Severity::Warning, "HTTP rules on a TLS port see encrypted bytes and deny every request"},
      {"regex-matches-nothing", Severity::Error, "an HTTP regex matches no value: the rule allows nothing"},
      {"regex-matches-everything", Severity::Warning, "an HTTP regex matches every value: it restricts nothing"},
      {"duplicate-rule", Severity::Warning, "the same rule is written more than once"},
      {"empty-effect", Severity::Warning, "a rule or part of a rule has no effect"},
      {"cidr-covers-endpoints", Severity::Warning,
       "a Cilium CIDR rule's range holds endpoints' addresses, which it never matches"},
      // Read by the frontend (a warning for compile); lint refuses it as
      // Kubernetes' API server does for the CRD.
      {"selector-operator-case", Severity::Error,
       "a selector operator not spelled In, NotIn, Exists or DoesNotExist"},
  };
  return catalog;
}

const LintRuleInfo *find_lint_rule(std::string_view id) {
  for (const auto &r : lint_catalog())
    if (r.id == id) return &r;
  return nullptr;
}

Diagnostic finding(std::string_view id, SourceLoc loc, std::string message, std::string hint) {
  const LintRuleInfo *info = find_lint_rule(id);
  Diagnostic d;
  d.severity = info ? info->severity : Severity::Warning;
  d.id = std::string(id);
  d.loc = loc;
  d.message = std::move(message);
  d.hint = std::move(hint);
  return d;
}

std::vector<std::unique_ptr<LintPass>> default_lint_passes() {
  std::vector<std::unique_ptr<LintPass>> passes;
  passes.push_back(lint::make_shadow_pass());
  passes.push_back(lint::make_duplicate_pass());
  passes.push_back(lint::make_selector_pass());
  passes.push_back(lint::make_broad_allow_pass());
  passes.push_back(lint::make_http_port_pass());
  passes.push_back(lint::make_regex_pass());
  passes.push_back(lint::make_empty_effect_pass());
  passes.push_back(lint::make_cidr_pass());
  return passes;
}

static bool loc_less(SourceLoc a, SourceLoc b) {
  return std::tie(a.file, a.line, a.col) < std::tie(b.file, b.line, b.col);
}

std::vector<Diagnostic> run_lint(const LintInput &input) {
  std::vector<Diagnostic> findings;
  for (const auto &pass : default_lint_passes()) pass->run(input, findings);
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Diagnostic &a, const Diagnostic &b) { return loc_less(a.loc, b.loc); });
  // One finding per kind and place (`world` lowers to two rules with one origin).
  std::set<std::tuple<std::string, uint32_t, uint32_t, uint32_t>> seen;
  std::erase_if(findings, [&](const Diagnostic &d) {
    return d.loc.valid() && !seen.insert({d.id, d.loc.file, d.loc.line, d.loc.col}).second;
  });
  return apply_silences(input.ast, std::move(findings));
}

std::vector<Diagnostic> apply_silences(const ast::PolicySet &rules, std::vector<Diagnostic> findings) {
  // Per file, the rules' start locations with what each silences: a finding
  // belongs to the last rule starting at or before it.
  struct Start {
    SourceLoc loc;
    std::set<std::string> ignored;
  };
  std::map<uint32_t, std::vector<Start>> starts;
  bool any = false;
  for (const ast::Rule &r : rules.rules) {
    SourceLoc loc = r.loc.valid() ? r.loc : r.subject.loc;
    if (!loc.valid()) continue;
    Start s{loc, {}};
    for (const auto &[key, value] : r.labels) {
      std::string_view k = key;
      if (k != kLintIgnoreLabel && !(k.size() > kLintIgnoreLabel.size() && k.ends_with(kLintIgnoreLabel) &&
                                     k[k.size() - kLintIgnoreLabel.size() - 1] == ':'))
        continue;
      std::stringstream ids(value);
      for (std::string id; std::getline(ids, id, ',');) {
        id.erase(0, id.find_first_not_of(' '));
        id.erase(id.find_last_not_of(' ') + 1);
        if (!id.empty()) s.ignored.insert(id), any = true;
      }
    }
    starts[loc.file].push_back(std::move(s));
  }
  if (!any) return findings;
  for (auto &[file, list] : starts)
    std::sort(list.begin(), list.end(), [](const Start &a, const Start &b) { return loc_less(a.loc, b.loc); });
  std::erase_if(findings, [&](const Diagnostic &d) {
    auto it = starts.find(d.loc.file);
    if (it == starts.end() || d.loc.line == 0) return false;
    const Start *owner = nullptr;
    for (const Start &s : it->second) {
      if (loc_less(d.loc, s.loc)) break;
      owner = &s;
    }
    return owner && (owner->ignored.count(d.id) || owner->ignored.count("all"));
  });
  return findings;
}

}  // namespace polc::ir
