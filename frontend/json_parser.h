// A strict JSON (RFC 8259) reader into the located DocNode tree. yaml-cpp
// reads JSON as YAML flow style and so accepts things JSON forbids
// (`[1,,2]`, comments, unquoted keys); `.json` files go through this reader
// instead, which is also several times faster than the YAML event parser on
// large generated policies.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "frontend/document.h"

namespace polc {

// Parses one JSON text. Syntax errors (id `syntax`) and duplicate keys (id
// `duplicate-key`) go to `diags`; on a syntax error no document is returned.
std::vector<Document> parse_json(uint32_t file, std::string_view text, DiagnosticEngine &diags);

// The same, except that when the text is a list, each item goes to
// `on_item` as soon as it is parsed and is freed before the next one: a list
// of 100,000 rules never exists as one tree. `on_item` must keep nothing of
// the node. The document returned then has the list without its items. On a
// syntax error no document is returned, but the items before it were handed
// over: the caller undoes what it did with them.
std::vector<Document> parse_json(uint32_t file, std::string_view text, DiagnosticEngine &diags,
                                 const std::function<void(const DocNode &)> &on_item);

}  // namespace polc
