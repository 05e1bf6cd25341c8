// A strict JSON (RFC 8259) reader into the located DocNode tree. yaml-cpp
// reads JSON as YAML flow style and so accepts things JSON forbids
// (`[1,,2]`, comments, unquoted keys); `.json` files go through this reader
// instead, which is also several times faster than the YAML event parser on
// large generated policies.
#pragma once

#include <string_view>
#include <vector>

#include "frontend/document.h"

namespace polc {

// Parses one JSON text. Syntax errors (id `syntax`) and duplicate keys (id
// `duplicate-key`) go to `diags`; on a syntax error no document is returned.
std::vector<Document> parse_json(uint32_t file, std::string_view text, DiagnosticEngine &diags);

}  // namespace polc
