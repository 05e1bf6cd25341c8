// Getting a file from disk into the SourceManager and parsing it into
// located documents. Shared by the policy, inventory and flow readers.
#pragma once

#include <string>
#include <vector>

#include "frontend/document.h"

namespace polc {

// How standard input is named in messages.
inline constexpr std::string_view kStdinName = "<stdin>";

// Reads `path` and registers it; "-" reads standard input, registered as
// kStdinName. An I/O failure is a diagnostic (id `io`) naming the path;
// the result is then 0.
uint32_t read_source_file(const std::string &path, SourceManager &sources, DiagnosticEngine &diags);

// Parses a registered file: `.json` with the strict JSON reader, anything
// else as a YAML stream (which also reads JSON).
std::vector<Document> parse_source(uint32_t file, SourceManager &sources, DiagnosticEngine &diags);
// The same with the strict JSON reader whatever the name (an etcd key
// whose value is JSON by contract).
std::vector<Document> parse_json_source(uint32_t file, SourceManager &sources, DiagnosticEngine &diags);

// Standard input has no extension to tell its syntax: DSL text starts
// (after blank and comment lines) with the keyword `policy`; anything else
// is read as YAML, which also reads JSON.
bool looks_like_dsl(std::string_view text);

// True when `path` ends with `ext` (".json"), in any letter case.
bool has_extension(std::string_view path, std::string_view ext);

}  // namespace polc
