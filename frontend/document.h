// A located document tree: what the JSON and YAML readers see. Built from
// yaml-cpp's event parser (JSON is read as YAML flow style), so every value
// carries the line:col where it starts, which yaml-cpp's Node API and
// nlohmann-json 3.11 do not keep.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "frontend/diagnostics.h"

namespace polc {

struct DocNode {
  enum class Kind : uint8_t { Null, Scalar, Map, Seq };

  Kind kind = Kind::Null;
  bool quoted = false;  // a quoted scalar: "80" rather than 80
  SourceLoc loc;
  std::string text;               // Scalar
  std::vector<DocNode> children;  // Seq: items; Map: key, value, key, value, ...

  bool is_map() const { return kind == Kind::Map; }
  bool is_seq() const { return kind == Kind::Seq; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_null() const { return kind == Kind::Null; }
  size_t map_size() const { return children.size() / 2; }
  const DocNode &key(size_t i) const { return children[2 * i]; }
  const DocNode &value(size_t i) const { return children[2 * i + 1]; }
  // The value under `name` in a map, or nullptr.
  const DocNode *find(std::string_view name) const;
  // "a string", "a number", "a list", "an object", "null": for messages.
  std::string_view kind_name() const;
};

struct Document {
  DocNode root;
};

// Parses every document of a YAML stream (one for JSON). Syntax errors,
// duplicate keys and limits (depth, size) are reported to `diags`; on a
// syntax error the documents read so far are returned.
std::vector<Document> parse_documents(uint32_t file, std::string_view text,
                                      DiagnosticEngine &diags);

}  // namespace polc
