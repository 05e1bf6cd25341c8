#include "frontend/doc_reader.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace polc::reader {

namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Field names are short and mostly differ in their first letter: checking
// it first saves a memcmp call per name tried.
bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || (a[0] == b[0] && a == b));
}

// Exact spelling first, then any letter case.
const std::string_view *match(std::span<const std::string_view> names, std::string_view key) {
  for (const std::string_view &n : names)
    if (same_name(n, key)) return &n;
  for (const std::string_view &n : names)
    if (equal_ignoring_case(n, key)) return &n;
  return nullptr;
}

}  // namespace

const DocNode *Fields::get(std::string_view name) const {
  for (size_t i = 0; i < count_; ++i)
    if (same_name(*entries_[i].name, name)) return entries_[i].value->is_null() ? nullptr : entries_[i].value;
  return nullptr;
}

const DocNode *Fields::key(std::string_view name) const {
  for (size_t i = 0; i < count_; ++i)
    if (same_name(*entries_[i].name, name)) return entries_[i].key;
  return nullptr;
}

Fields check_fields(const DocNode &map, const FieldSpec &spec, DiagnosticEngine &diags) {
  Fields fields;
  fields.map = &map;
  for (size_t i = 0; i < map.map_size(); ++i) {
    const DocNode &key = map.key(i);
    if (const std::string_view *name = match(spec.known, key.text())) {
      // A second spelling of a field already seen ("http" and "HTTP"):
      // the first one wins, as in Go.
      auto first = fields.entries_.begin(), last = first + fields.count_;  // match gives one pointer per name
      if (std::none_of(first, last, [&](const Fields::Entry &e) { return e.name == name; }) &&
          fields.count_ < Fields::kMaxFields)
        fields.entries_[fields.count_++] = {name, &key, &map.value(i)};
      continue;
    }
    if (match(spec.unsupported, key.text())) {
      report_not_supported(key, diags);
      continue;
    }
    if (match(spec.ignored, key.text())) continue;
    std::vector<std::string_view> candidates(spec.known.begin(), spec.known.end());
    std::string suggestion = nearest(key.text(), candidates);
    if (suggestion.empty())
      diags.error(key.loc, "unknown-field", fmt::format("unknown field \"{}\"", key.text()));
    else
      diags.error(key.loc, "unknown-field",
                  fmt::format("unknown field \"{}\"; did you mean \"{}\"?", key.text(), suggestion));
  }
  return fields;
}

std::string What::str() const {
  switch (form) {
    case Form::Field: return fmt::format("\"{}\"", text);
    case Form::Item: return fmt::format("an item of \"{}\"", text);
    case Form::Plain: break;
  }
  return std::string(text);
}

static bool expect_kind(const DocNode &n, DocNode::Kind kind, std::string_view expected,
                        What what, DiagnosticEngine &diags) {
  if (n.kind == kind) return true;
  diags.error(n.loc, "type", fmt::format("expected {} for {}, found {}", expected, what.str(), n.kind_name()));
  return false;
}

bool expect_map(const DocNode &n, What what, DiagnosticEngine &diags) {
  return expect_kind(n, DocNode::Kind::Map, "an object", what, diags);
}
bool expect_seq(const DocNode &n, What what, DiagnosticEngine &diags) {
  return expect_kind(n, DocNode::Kind::Seq, "a list", what, diags);
}
bool expect_scalar(const DocNode &n, What what, DiagnosticEngine &diags) {
  return expect_kind(n, DocNode::Kind::Scalar, "a string", what, diags);
}

bool read_string(const DocNode &n, What what, DiagnosticEngine &diags, std::string &out) {
  if (!expect_scalar(n, what, diags)) return false;
  out = n.text();
  return true;
}

std::optional<int64_t> parse_integer(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

void report_not_supported(const DocNode &key, DiagnosticEngine &diags) {
  diags.error(key.loc, "not-supported", fmt::format("\"{}\" is not supported yet", key.text()));
}

}  // namespace polc::reader
