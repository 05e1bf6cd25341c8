#include "ir/lint/report.h"

#include <iterator>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ir/lint/lint.h"

namespace polc::ir {

using json = nlohmann::ordered_json;

namespace {

std::string text_report(const std::vector<Diagnostic> &findings, DiagnosticEngine &engine) {
  std::string out;
  size_t counts[3] = {};
  for (Diagnostic d : findings) {
    ++counts[static_cast<int>(d.severity)];
    d.message += fmt::format(" [{}]", d.id);
    out += engine.render(d);
  }
  if (!findings.empty())
    out += fmt::format("{} error(s), {} warning(s), {} note(s)\n", counts[2], counts[1], counts[0]);
  return out;
}

// A JSON string literal: nlohmann escapes it (invalid UTF-8 replaced).
std::string quoted(const std::string &s) { return json(s).dump(-1, ' ', false, json::error_handler_t::replace); }

// `"file": ..., "line": ..., "column": ...,` at the given indentation.
void append_location(std::string &out, DiagnosticEngine &engine, SourceLoc loc, std::string_view pad) {
  if (!loc.valid()) return;
  fmt::format_to(std::back_inserter(out), "{0}\"file\": {1},\n{0}\"line\": {2},\n{0}\"column\": {3},\n", pad,
                 quoted(engine.sources().path(loc.file)), loc.line, loc.col);
}

// Written finding by finding, in the layout of nlohmann's dump(2): a JSON
// tree of 200,000 findings costs more to build and free than to print.
std::string json_report(const std::vector<Diagnostic> &findings, DiagnosticEngine &engine) {
  std::string out = "{\n  \"findings\": [";
  size_t counts[3] = {};
  for (size_t i = 0; i < findings.size(); ++i) {
    const Diagnostic &d = findings[i];
    ++counts[static_cast<int>(d.severity)];
    out += i ? ",\n    {\n" : "\n    {\n";
    fmt::format_to(std::back_inserter(out), "      \"rule_id\": {},\n      \"severity\": \"{}\",\n", quoted(d.id),
                   severity_name(d.severity));
    append_location(out, engine, d.loc, "      ");
    fmt::format_to(std::back_inserter(out), "      \"message\": {},\n", quoted(d.message));
    if (!d.hint.empty()) fmt::format_to(std::back_inserter(out), "      \"hint\": {},\n", quoted(d.hint));
    if (d.notes.empty()) {
      out += "      \"notes\": []\n    }";
      continue;
    }
    out += "      \"notes\": [";
    for (size_t k = 0; k < d.notes.size(); ++k) {
      out += k ? ",\n        {\n" : "\n        {\n";
      append_location(out, engine, d.notes[k].loc, "          ");
      fmt::format_to(std::back_inserter(out), "          \"message\": {}\n        }}", quoted(d.notes[k].message));
    }
    out += "\n      ]\n    }";
  }
  out += findings.empty() ? "],\n" : "\n  ],\n";
  fmt::format_to(std::back_inserter(out),
                 "  \"summary\": {{\n    \"errors\": {},\n    \"warnings\": {},\n    \"notes\": {}\n  }}\n}}\n",
                 counts[2], counts[1], counts[0]);
  return out;
}

std::string sarif_level(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

// A URI reference for a path: relative paths stay relative (GitHub resolves
// them against the repository root), absolute ones become file URIs.
std::string path_uri(const std::string &path) {
  std::string out = path.starts_with("/") ? "file://" : "";
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::string_view("/-._~").find(static_cast<char>(c)) != std::string_view::npos) out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

json physical_location(DiagnosticEngine &engine, SourceLoc loc) {
  json region = {{"startLine", std::max<uint32_t>(loc.line, 1)}};
  if (loc.col > 0) region["startColumn"] = loc.col;
  return {{"artifactLocation", {{"uri", path_uri(engine.sources().path(loc.file))}}}, {"region", region}};
}

std::string sarif_report(const std::vector<Diagnostic> &findings, DiagnosticEngine &engine) {
  // Rules: the catalog, plus the reader diagnostics' ids that occur.
  json rules = json::array();
  std::map<std::string, size_t> index;
  auto add_rule = [&](const std::string &id, Severity severity, std::string_view summary) {
    index[id] = rules.size();
    rules.push_back({{"id", id},
                     {"name", id},
                     {"shortDescription", {{"text", std::string(summary)}}},
                     {"helpUri", "https://github.com/polc/polc/blob/main/docs/lint.md#" + id},
                     {"defaultConfiguration", {{"level", sarif_level(severity)}}}});
  };
  for (const LintRuleInfo &r : lint_catalog()) add_rule(std::string(r.id), r.severity, r.summary);
  for (const Diagnostic &d : findings)
    if (!index.count(d.id)) add_rule(d.id, d.severity, "the policy reader rejects this input");

  json results = json::array();
  for (const Diagnostic &d : findings) {
    std::string text = d.message;
    if (!d.hint.empty()) text += ". Hint: " + d.hint;
    json r = {{"ruleId", d.id}, {"ruleIndex", index[d.id]}, {"level", sarif_level(d.severity)}, {"message", {{"text", text}}}};
    json locations = json::array();
    if (d.loc.valid()) locations.push_back({{"physicalLocation", physical_location(engine, d.loc)}});
    r["locations"] = std::move(locations);
    json related = json::array();
    int id = 0;
    for (const Diagnostic &n : d.notes)
      if (n.loc.valid())
        related.push_back({{"id", id++}, {"physicalLocation", physical_location(engine, n.loc)}, {"message", {{"text", n.message}}}});
    if (!related.empty()) r["relatedLocations"] = std::move(related);
    results.push_back(std::move(r));
  }
  json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({{{"tool", {{"driver", {{"name", "polc"},
                                                           {"version", "0.1.0"},
                                                           {"informationUri", "https://github.com/polc/polc"},
                                                           {"rules", std::move(rules)}}}}},
                                     {"results", std::move(results)},
                                     {"columnKind", "unicodeCodePoints"}}})}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string render_lint(const std::vector<Diagnostic> &findings, DiagnosticEngine &engine, LintFormat format) {
  switch (format) {
    case LintFormat::Text: return text_report(findings, engine);
    case LintFormat::Json: return json_report(findings, engine);
    case LintFormat::Sarif: return sarif_report(findings, engine);
  }
  return "";
}

bool has_lint_errors(const std::vector<Diagnostic> &findings) {
  for (const Diagnostic &d : findings)
    if (d.severity == Severity::Error) return true;
  return false;
}

}  // namespace polc::ir
