#include "ir/lint/report.h"

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

json location_json(DiagnosticEngine &engine, SourceLoc loc) {
  json j = json::object();
  if (!loc.valid()) return j;
  j["file"] = engine.sources().path(loc.file);
  j["line"] = loc.line;
  j["column"] = loc.col;
  return j;
}

std::string json_report(const std::vector<Diagnostic> &findings, DiagnosticEngine &engine) {
  json list = json::array();
  size_t counts[3] = {};
  for (const Diagnostic &d : findings) {
    ++counts[static_cast<int>(d.severity)];
    json f = {{"rule_id", d.id}, {"severity", std::string(severity_name(d.severity))}};
    f.update(location_json(engine, d.loc));
    f["message"] = d.message;
    if (!d.hint.empty()) f["hint"] = d.hint;
    json notes = json::array();
    for (const Diagnostic &n : d.notes) {
      json nj = location_json(engine, n.loc);
      nj["message"] = n.message;
      notes.push_back(std::move(nj));
    }
    f["notes"] = std::move(notes);
    list.push_back(std::move(f));
  }
  json doc = {{"findings", std::move(list)},
              {"summary", {{"errors", counts[2]}, {"warnings", counts[1]}, {"notes", counts[0]}}}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
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
