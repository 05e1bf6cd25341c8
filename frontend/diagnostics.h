// The diagnostics engine: every mistake found in the user's input is
// reported here with a location, a stable id and a severity, and printed in
// the compiler style of CONTRACT §3:
//   policy.json:12:17: error: invalid CIDR "10.0.0.300/8": octet 300 out of range
// Readers keep going after an error so that one run reports many.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/source.h"

namespace polc {

enum class Severity { Note, Warning, Error };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string id;  // stable kebab-case id, e.g. "invalid-cidr" (SARIF ruleId)
  SourceLoc loc;
  std::string message;
  std::string hint;                // optional: what would be right
  std::vector<Diagnostic> notes;   // secondary locations
};

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(SourceManager &sources) : sources_(sources) {}

  Diagnostic &error(SourceLoc loc, std::string id, std::string message);
  Diagnostic &warning(SourceLoc loc, std::string id, std::string message);
  Diagnostic &note(SourceLoc loc, std::string id, std::string message);
  Diagnostic &report(Diagnostic d);
  // Reports another engine's diagnostics here, in their order, as if they
  // had been reported here (the limit applies; the counts add up).
  void append(DiagnosticEngine &&other);

  size_t error_count() const { return errors_; }
  size_t warning_count() const { return warnings_; }
  bool has_errors() const { return errors_ > 0; }
  const std::vector<Diagnostic> &all() const { return diags_; }
  SourceManager &sources() { return sources_; }

  // "file:line:col" (or the file alone when there is no line).
  std::string where(SourceLoc loc) const;
  // Renders one diagnostic: the CONTRACT line, then the source line with a caret.
  std::string render(const Diagnostic &d, bool with_source = true) const;
  void print(std::ostream &out, bool with_source = true) const;

  // Stop collecting more than this many errors: a file of garbage should not
  // print a million lines.
  static constexpr size_t kMaxErrors = 200;

 private:
  SourceManager &sources_;
  std::vector<Diagnostic> diags_;
  Diagnostic overflow_;
  size_t errors_ = 0;
  size_t warnings_ = 0;
};

std::string_view severity_name(Severity s);

// The closest candidate by edit distance, or "" when none is close enough;
// used for "did you mean" (as llvm::cl's LookupNearestOption).
std::string nearest(std::string_view word, const std::vector<std::string_view> &candidates);

}  // namespace polc
