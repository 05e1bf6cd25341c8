// Helpers every reader shares: "expect a map with these fields", type checks
// with messages naming the field, scalars as strings and integers. A null
// value reads as absent, as Go's encoding/json (and so Cilium) reads it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "frontend/document.h"

namespace polc::reader {

// The fields one kind of object may have. `known` are read by the caller;
// `unsupported` are real Cilium/Kubernetes features polc refuses ("is not
// supported yet"); `ignored` are accepted and have no effect.
struct FieldSpec {
  std::span<const std::string_view> known;
  std::span<const std::string_view> unsupported = {};
  std::span<const std::string_view> ignored = {};
};

// The known fields found in one map, after the unknown ones were reported.
class Fields {
 public:
  static constexpr size_t kMaxFields = 16;

  // The value of a known field, or nullptr when it is absent or null.
  const DocNode *get(std::string_view name) const;
  // The key node of a present field (its location is where to point).
  const DocNode *key(std::string_view name) const;
  bool has(std::string_view name) const { return get(name) != nullptr; }
  // The map itself (its location is where the object starts).
  const DocNode *map = nullptr;

 private:
  friend Fields check_fields(const DocNode &, const FieldSpec &, DiagnosticEngine &);
  // Trivial, so that the array is left as is until filled: readers make a
  // Fields for every object they read, and zeroing it cost more than its use.
  struct Entry {
    const std::string_view *name;  // in the FieldSpec
    const DocNode *key;
    const DocNode *value;
  };
  std::array<Entry, kMaxFields> entries_;  // the first count_ are set
  size_t count_ = 0;
};

// Reports unknown fields (with "did you mean") and unsupported ones. Field
// names match exactly, or else without regard to letter case, as Go's
// encoding/json does (legacy Cilium JSON spells "HTTP").
Fields check_fields(const DocNode &map, const FieldSpec &spec, DiagnosticEngine &diags);

// What a value is, for messages: `"ingress"`, `an item of "ingress"`, or
// free text. Formatted only when a message is printed: readers name every
// value they look at, and building those strings eagerly cost more than
// the parsing on large policies.
struct What {
  enum class Form : uint8_t { Plain, Field, Item };
  std::string_view text;
  Form form = Form::Plain;

  What(const char *plain) : text(plain) {}
  What(std::string_view t, Form f) : text(t), form(f) {}
  std::string str() const;
};
inline What quoted(std::string_view name) { return What(name, What::Form::Field); }
inline What item_of(std::string_view name) { return What(name, What::Form::Item); }

// Type checks: report `expected a list for "ingress", found an object`
// (id `type`) and return false when the node has the wrong kind.
bool expect_map(const DocNode &n, What what, DiagnosticEngine &diags);
bool expect_seq(const DocNode &n, What what, DiagnosticEngine &diags);
bool expect_scalar(const DocNode &n, What what, DiagnosticEngine &diags);
// A string scalar; numbers and booleans are accepted as their text, since
// YAML users write `version: 2` for a label that means "2".
bool read_string(const DocNode &n, What what, DiagnosticEngine &diags, std::string &out);

// A decimal integer (optional leading '-'); nullopt for anything else.
std::optional<int64_t> parse_integer(std::string_view text);

// Reports `"toFQDNs" is not supported yet` at the key.
void report_not_supported(const DocNode &key, DiagnosticEngine &diags);

}  // namespace polc::reader
