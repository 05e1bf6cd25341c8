#include "frontend/selector_reader.h"

#include <fmt/format.h>

#include "frontend/doc_reader.h"
#include "frontend/labels.h"

namespace polc::reader {

namespace {

constexpr std::string_view kSelectorFields[] = {"matchLabels", "matchExpressions"};
constexpr std::string_view kExpressionFields[] = {"key", "operator", "values"};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Kubernetes spells operators exactly, and so does Cilium's CRD schema;
// some of Cilium's own examples write "in". Read in any case (so those
// files compile, with a warning), refused by lint (selector-operator-case).
std::optional<ast::SelectorOp> parse_operator(std::string_view text) {
  if (equal_ignoring_case(text, "In")) return ast::SelectorOp::In;
  if (equal_ignoring_case(text, "NotIn")) return ast::SelectorOp::NotIn;
  if (equal_ignoring_case(text, "Exists")) return ast::SelectorOp::Exists;
  if (equal_ignoring_case(text, "DoesNotExist")) return ast::SelectorOp::DoesNotExist;
  return std::nullopt;
}

bool read_expression(const DocNode &node, DiagnosticEngine &diags, ast::Requirement &req,
                     std::string_view key_prefix) {
  if (!expect_map(node, item_of("matchExpressions"), diags)) return false;
  size_t errors = diags.error_count();
  Fields f = check_fields(node, {kExpressionFields}, diags);
  req.loc = node.loc;
  const DocNode *key = f.get("key");
  const DocNode *op = f.get("operator");
  if (!key) diags.error(node.loc, "missing-field", "selector expression has no \"key\"");
  else if (expect_scalar(*key, quoted("key"), diags) && read_label_key(*key, diags, req.key))
    if (!key_prefix.empty()) req.key.insert(0, key_prefix);
  if (!op) {
    diags.error(node.loc, "missing-field", "selector expression has no \"operator\"");
    return false;
  }
  if (!expect_scalar(*op, quoted("operator"), diags)) return false;
  auto parsed = parse_operator(op->text());
  if (!parsed) {
    std::string hint = nearest(op->text(), {"In", "NotIn", "Exists", "DoesNotExist"});
    diags.error(op->loc, "invalid-selector",
                hint.empty() ? fmt::format("unknown selector operator \"{}\"; expected In, NotIn, Exists or DoesNotExist", op->text())
                             : fmt::format("unknown selector operator \"{}\"; did you mean \"{}\"?", op->text(), hint));
    return false;
  }
  req.op = *parsed;
  static constexpr const char *kSpelled[] = {"In", "NotIn", "Exists", "DoesNotExist"};
  const char *spelled = kSpelled[static_cast<int>(*parsed)];
  if (op->text() != spelled)
    diags.warning(op->loc, "selector-operator-case",
                  fmt::format("selector operator \"{}\" is spelled \"{}\": Kubernetes refuses other spellings", op->text(),
                              spelled))
        .hint = fmt::format("write \"{}\"", spelled);
  bool needs_values = req.op == ast::SelectorOp::In || req.op == ast::SelectorOp::NotIn;
  const DocNode *values = f.get("values");
  if (values && expect_seq(*values, quoted("values"), diags)) {
    for (const DocNode &v : values->children()) {
      std::string text;
      if (read_label_value(v, item_of("values"), diags, text)) req.values.push_back(std::move(text));
    }
  }
  bool has_values = values && !values->children().empty();
  if (needs_values && !has_values)
    diags.error(values ? values->loc : op->loc, "invalid-selector",
                fmt::format("operator {} needs a non-empty \"values\" list", op->text()));
  if (!needs_values && has_values)
    diags.error(values->loc, "invalid-selector",
                fmt::format("operator {} takes no \"values\"", op->text()));
  return diags.error_count() == errors;
}

}  // namespace

bool read_label_key(const DocNode &key, DiagnosticEngine &diags, std::string &out) {
  std::string reason = check_label_key(key.text(), out);
  if (reason.empty()) return true;
  diags.error(key.loc, "invalid-label", fmt::format("invalid label key \"{}\": {}", key.text(), reason));
  return false;
}

bool read_label_value(const DocNode &value, What what, DiagnosticEngine &diags, std::string &out) {
  if (value.is_null()) {  // `app:` with nothing after it: the empty value
    out.clear();
    return true;
  }
  if (!read_string(value, what, diags, out)) return false;
  std::string reason = check_label_value(out);
  if (reason.empty()) return true;
  diags.error(value.loc, "invalid-label", fmt::format("invalid label value \"{}\": {}", out, reason));
  return false;
}

bool read_selector(const DocNode &node, What what, DiagnosticEngine &diags,
                   ast::Selector &out, std::string_view key_prefix) {
  out.loc = node.loc;
  if (node.is_null()) return true;  // `podSelector:` with nothing: select all
  if (!expect_map(node, what, diags)) return false;
  size_t errors = diags.error_count();
  Fields f = check_fields(node, {kSelectorFields}, diags);
  if (const DocNode *labels = f.get("matchLabels"); labels && expect_map(*labels, quoted("matchLabels"), diags)) {
    for (size_t i = 0; i < labels->map_size(); ++i) {
      ast::Requirement req;
      req.loc = labels->key(i).loc;
      req.op = ast::SelectorOp::In;
      std::string value;
      bool ok = read_label_key(labels->key(i), diags, req.key);
      ok = read_label_value(labels->value(i), quoted(labels->key(i).text()), diags, value) && ok;
      if (!ok) continue;
      if (!key_prefix.empty()) req.key.insert(0, key_prefix);
      req.values.push_back(std::move(value));
      out.requirements.push_back(std::move(req));
    }
  }
  if (const DocNode *exprs = f.get("matchExpressions"); exprs && expect_seq(*exprs, quoted("matchExpressions"), diags)) {
    for (const DocNode &e : exprs->children()) {
      ast::Requirement req;
      if (read_expression(e, diags, req, key_prefix)) out.requirements.push_back(std::move(req));
    }
  }
  return diags.error_count() == errors;
}

}  // namespace polc::reader
