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

namespace {

// The length of the valid UTF-8 sequence at s[i], or 0.
size_t utf8_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size() || (n == 2 && c < 0xc2)) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  return n;
}

// Bytes a terminal should not be handed: controls, and what is not UTF-8.
std::string escape_bytes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_length(s, i);
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7f))) {
      out += c == '\t' ? std::string("\\t") : c == '\n' ? std::string("\\n") : fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

// A message quotes the user's values ("..."): each is shown escaped, and
// cut to about 80 characters, so that a 10,000-byte value or a binary file
// does not flood the terminal.
std::string tidy_message(std::string_view message) {
  constexpr size_t kMaxValue = 80;
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    size_t open = message.find('"', i);
    size_t close = open == std::string_view::npos ? open : message.find('"', open + 1);
    if (close == std::string_view::npos) {
      out += escape_bytes(message.substr(i));
      break;
    }
    out += escape_bytes(message.substr(i, open + 1 - i));
    std::string value = escape_bytes(message.substr(open + 1, close - open - 1));
    if (value.size() > kMaxValue) {
      size_t cut = kMaxValue - 3;
      while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xc0) == 0x80) --cut;  // not inside a character
      value = value.substr(0, cut) + "...";
    }
    out += value + '"';
    i = close + 1;
  }
  return out;
}

}  // namespace

Diagnostic &DiagnosticEngine::report(Diagnostic d) {
  d.message = tidy_message(d.message);
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
    // A line that is not plain text is not echoed: the caret would not line up.
    if (!text.empty() && text.size() < 400 && escape_bytes(text) == text) {
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
