// Getting a file from disk into the SourceManager and parsing it into
// located documents. Shared by the policy, inventory and flow readers.
#pragma once

#include <string>
#include <vector>

#include "frontend/document.h"

namespace polc {

// Reads `path` and registers it. An I/O failure is a diagnostic (id `io`)
// naming the path; the result is then 0.
uint32_t read_source_file(const std::string &path, SourceManager &sources, DiagnosticEngine &diags);

// Parses a registered file: `.json` with the strict JSON reader, anything
// else as a YAML stream (which also reads JSON).
std::vector<Document> parse_source(uint32_t file, SourceManager &sources, DiagnosticEngine &diags);

// True when `path` ends with `ext` (".json"), in any letter case.
bool has_extension(std::string_view path, std::string_view ext);

}  // namespace polc
