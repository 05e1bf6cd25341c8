// The polc DSL reader (`.pol` files, grammar/Policy.g4, docs/dsl.md): one
// `policy` block becomes one ast::Rule with origin Dsl (not namespaced, as
// rule JSON), one statement one rule element, with a location on every
// value so IR origins and lint findings point into the `.pol` file. The
// checks are those of the JSON readers (labels, CIDRs, ports, ICMP types,
// regexes, no HTTP in deny statements), with the same diagnostic ids.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "frontend/ast.h"
#include "frontend/diagnostics.h"

namespace polc {

// A `#` or `//` comment, kept for `polc fmt`.
struct DslComment {
  SourceLoc loc;
  std::string text;  // with its leading `#` or `//`
};

// The rule label that silences lint findings: `polc.lint/ignore=<id>[,<id>]`
// in JSON/YAML `labels`, `lint ignore <id>, ...;` in the DSL (which stores
// it as this label, so the two forms are one).
inline constexpr std::string_view kLintIgnoreLabel = "polc.lint/ignore";

// Reads a registered `.pol` file into `out`. Syntax errors are all
// reported; the rules of a file with syntax errors are not read (their
// meaning is unknown). `comments`, when given, receives the comments.
// Returns false when the file added an error.
bool read_dsl(uint32_t file, SourceManager &sources, DiagnosticEngine &diags, ast::PolicySet &out,
              std::vector<DslComment> *comments = nullptr);

}  // namespace polc
