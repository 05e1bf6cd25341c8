#include "frontend/diagnostics.h"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

namespace polc {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Note: return "note";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "error";
}

Diagnostic &DiagnosticEngine::report(Diagnostic d) {
  if (d.severity == Severity::Error) ++errors_;
  if (d.severity == Severity::Warning) ++warnings_;
  if (diags_.size() >= kMaxErrors) {
    if (diags_.size() == kMaxErrors)
      diags_.push_back(Diagnostic{Severity::Note, "too-many-errors", {},
                                  "too many diagnostics; stopping here", {}, {}});
    return overflow_ = std::move(d);
  }
  diags_.push_back(std::move(d));
  return diags_.back();
}

void DiagnosticEngine::append(DiagnosticEngine &&other) {
  // `other` kept only its first kMaxErrors; this engine's limit is reached
  // no later, so replaying them gives what reporting here would have given.
  size_t errors = errors_ + other.errors_, warnings = warnings_ + other.warnings_;
  for (Diagnostic &d : other.diags_) report(std::move(d));
  errors_ = errors;
  warnings_ = warnings;
  other.diags_.clear();
  other.errors_ = other.warnings_ = 0;
}

Diagnostic &DiagnosticEngine::error(SourceLoc loc, std::string id, std::string message) {
  return report(Diagnostic{Severity::Error, std::move(id), loc, std::move(message), {}, {}});
}
Diagnostic &DiagnosticEngine::warning(SourceLoc loc, std::string id, std::string message) {
  return report(Diagnostic{Severity::Warning, std::move(id), loc, std::move(message), {}, {}});
}
Diagnostic &DiagnosticEngine::note(SourceLoc loc, std::string id, std::string message) {
  return report(Diagnostic{Severity::Note, std::move(id), loc, std::move(message), {}, {}});
}

std::string DiagnosticEngine::where(SourceLoc loc) const {
  if (!loc.valid()) return "polc";
  if (loc.line == 0) return sources_.path(loc.file);
  return fmt::format("{}:{}:{}", sources_.path(loc.file), loc.line, loc.col);
}

static void render_one(const DiagnosticEngine &engine, const SourceManager &sources,
                       const Diagnostic &d, bool with_source, std::string &out) {
  out += fmt::format("{}: {}: {}\n", engine.where(d.loc), severity_name(d.severity), d.message);
  if (with_source && d.loc.valid() && d.loc.line > 0) {
    std::string_view text = sources.line_text(d.loc);
    if (!text.empty() && text.size() < 400) {
      std::string caret;
      for (uint32_t i = 1; i < d.loc.col && i <= text.size(); ++i)
        caret += text[i - 1] == '\t' ? '\t' : ' ';
      out += fmt::format("  {}\n  {}^\n", text, caret);
    }
  }
  if (!d.hint.empty()) out += fmt::format("  hint: {}\n", d.hint);
}

std::string DiagnosticEngine::render(const Diagnostic &d, bool with_source) const {
  std::string out;
  render_one(*this, sources_, d, with_source, out);
  for (const Diagnostic &n : d.notes) render_one(*this, sources_, n, with_source, out);
  return out;
}

void DiagnosticEngine::print(std::ostream &out, bool with_source) const {
  for (const Diagnostic &d : diags_) out << render(d, with_source);
}

static size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string_view> &candidates) {
  std::string_view best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (std::string_view c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return std::string(best);
}

}  // namespace polc
