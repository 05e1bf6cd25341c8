#include "frontend/policy_loader.h"

#include <fmt/format.h>

#include "frontend/cilium_reader.h"
#include "frontend/doc_reader.h"
#include "frontend/dsl_reader.h"
#include "frontend/json_parser.h"
#include "frontend/k8s_reader.h"
#include "frontend/source_reader.h"

namespace polc {

namespace {

using reader::check_fields;
using reader::expect_map;
using reader::expect_seq;
using reader::Fields;
using reader::item_of;
using reader::quoted;

// `description` at the top level is the pre-1.9 CNP layout, still common.
constexpr std::string_view kPolicyObjectFields[] = {"apiVersion", "kind", "metadata", "spec", "specs", "description"};
constexpr std::string_view kNetworkPolicyFields[] = {"apiVersion", "kind", "metadata", "spec"};
constexpr std::string_view kListFields[] = {"apiVersion", "kind", "metadata", "items"};
constexpr std::string_view kObjectIgnored[] = {"status"};
constexpr std::string_view kMetadataFields[] = {"name", "namespace", "labels", "annotations"};
constexpr std::string_view kMetadataIgnored[] = {
    "uid", "resourceVersion", "creationTimestamp", "generation", "generateName", "selfLink", "managedFields",
    "finalizers", "ownerReferences", "deletionTimestamp", "deletionGracePeriodSeconds", "clusterName",
    // Not Kubernetes metadata, but some Cilium examples put it there; the
    // API server drops it with a warning.
    "description"};

struct Metadata {
  std::string name;
  std::string namespace_;
};

Metadata read_metadata(const Fields &object, DiagnosticEngine &diags) {
  Metadata m;
  const DocNode *meta = object.get("metadata");
  if (!meta || !expect_map(*meta, quoted("metadata"), diags)) return m;
  Fields f = check_fields(*meta, {kMetadataFields, {}, kMetadataIgnored}, diags);
  if (const DocNode *name = f.get("name")) reader::read_string(*name, quoted("name"), diags, m.name);
  if (const DocNode *ns = f.get("namespace")) reader::read_string(*ns, quoted("namespace"), diags, m.namespace_);
  if (const DocNode *labels = f.get("labels")) expect_map(*labels, quoted("labels"), diags);
  if (const DocNode *notes = f.get("annotations")) expect_map(*notes, quoted("annotations"), diags);
  return m;
}

void read_cilium_object(const DocNode &node, ast::Origin origin, DiagnosticEngine &diags, ast::PolicySet &out) {
  Fields f = check_fields(node, {kPolicyObjectFields, {}, kObjectIgnored}, diags);
  Metadata meta = read_metadata(f, diags);
  bool namespaced = origin == ast::Origin::CiliumNetworkPolicy;
  std::string description;
  if (const DocNode *d = f.get("description")) reader::read_string(*d, quoted("description"), diags, description);
  auto add_rule = [&](const DocNode &spec, reader::What what) {
    ast::Rule rule;
    rule.origin = origin;
    rule.name = meta.name;
    if (namespaced) rule.namespace_ = meta.namespace_.empty() ? "default" : meta.namespace_;
    reader::read_cilium_rule(spec, what, diags, rule);
    if (rule.description.empty()) rule.description = description;
    out.rules.push_back(std::move(rule));
  };
  const DocNode *spec = f.get("spec");
  const DocNode *specs = f.get("specs");
  if (spec) add_rule(*spec, quoted("spec"));
  if (specs && expect_seq(*specs, quoted("specs"), diags))
    for (const DocNode &s : specs->children()) add_rule(s, item_of("specs"));
  if (!spec && !specs)
    diags.error(node.loc, "missing-field", "policy has neither \"spec\" nor \"specs\"");
}

void read_network_policy(const DocNode &node, DiagnosticEngine &diags, ast::PolicySet &out) {
  Fields f = check_fields(node, {kNetworkPolicyFields, {}, kObjectIgnored}, diags);
  Metadata meta = read_metadata(f, diags);
  ast::Rule rule;
  rule.origin = ast::Origin::KubernetesNetworkPolicy;
  rule.name = meta.name;
  rule.namespace_ = meta.namespace_.empty() ? "default" : meta.namespace_;
  const DocNode *spec = f.get("spec");
  if (!spec) {
    diags.error(node.loc, "missing-field", "NetworkPolicy has no \"spec\"");
    return;
  }
  reader::read_network_policy_spec(*spec, diags, rule);
  out.rules.push_back(std::move(rule));
}

void read_object(const DocNode &node, DiagnosticEngine &diags, ast::PolicySet &out, int depth);

// An object polc reads as policy: one of the kinds read_object knows.
bool is_policy_object(const DocNode &node) {
  const DocNode *kind = node.find("kind");
  if (!kind || !kind->is_scalar()) return false;
  for (std::string_view k : {"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "NetworkPolicy", "List",
                             "CiliumNetworkPolicyList", "NetworkPolicyList"})
    if (kind->text() == k) return true;
  return false;
}

void read_list(const DocNode &node, DiagnosticEngine &diags, ast::PolicySet &out, int depth) {
  Fields f = check_fields(node, {kListFields, {}, kObjectIgnored}, diags);
  const DocNode *items = f.get("items");
  if (!items || !expect_seq(*items, quoted("items"), diags)) return;
  for (const DocNode &item : items->children())
    if (expect_map(item, item_of("items"), diags)) read_object(item, diags, out, depth + 1);
}

void read_object(const DocNode &node, DiagnosticEngine &diags, ast::PolicySet &out, int depth) {
  const DocNode *kind = node.find("kind");
  if (!kind) {
    diags.error(node.loc, "type",
                "expected a list of Cilium rules or an object with \"kind\", found an object without \"kind\"");
    return;
  }
  if (!reader::expect_scalar(*kind, quoted("kind"), diags)) return;
  std::string_view k = kind->text();
  if (k == "CiliumNetworkPolicy") read_cilium_object(node, ast::Origin::CiliumNetworkPolicy, diags, out);
  else if (k == "CiliumClusterwideNetworkPolicy")
    read_cilium_object(node, ast::Origin::CiliumClusterwidePolicy, diags, out);
  else if (k == "NetworkPolicy") read_network_policy(node, diags, out);
  else if ((k == "List" || k == "CiliumNetworkPolicyList" || k == "NetworkPolicyList") && depth < 4)
    read_list(node, diags, out, depth);
  else
    diags.note(kind->loc, "skipped-kind", fmt::format("skipping a \"{}\" object: it is not a network policy", k));
}

// One item of a rule JSON list.
void read_rule_item(const DocNode &item, DiagnosticEngine &diags, ast::PolicySet &out) {
  ast::Rule &rule = out.rules.emplace_back();
  rule.origin = ast::Origin::RuleJson;
  reader::read_cilium_rule(item, "a rule", diags, rule);
}

// A JSON policy is read as it is parsed: a rule list rule by rule, each
// rule's tree freed once read, so that the tree of a 100,000-rule list
// (140 MiB) never exists whole. The readers' diagnostics wait in their own
// engine until the parse is done, so that they come after the parser's,
// and not at all after a syntax error: as when the tree is read whole.
void read_json_policy(uint32_t file, SourceManager &sources, DiagnosticEngine &diags, ast::PolicySet &out) {
  DiagnosticEngine reader_diags(sources);
  size_t first_rule = out.rules.size();
  std::vector<Document> docs = parse_json(file, sources.contents(file), diags,
                                          [&](const DocNode &item) { read_rule_item(item, reader_diags, out); });
  if (docs.empty()) {
    out.rules.erase(out.rules.begin() + static_cast<std::ptrdiff_t>(first_rule), out.rules.end());
    return;
  }
  diags.append(std::move(reader_diags));
  if (!docs[0].root.is_seq()) read_policy_documents(docs, diags, out);  // an object: read whole
}

// Whether text that does not parse could be meant as a policy: it names a
// policy kind or a selector. A Helm template of a Deployment does not.
bool names_a_policy(std::string_view text) {
  for (std::string_view word : {"NetworkPolicy", "endpointSelector", "nodeSelector", "podSelector"})
    if (text.find(word) != std::string_view::npos) return true;
  return false;
}

bool read_policy_source(uint32_t file, SourceManager &sources, DiagnosticEngine &diags, ast::PolicySet &out,
                        const PolicyReadOptions &options) {
  size_t errors = diags.error_count();
  const std::string &path = sources.path(file);
  bool from_stdin = path == kStdinName;
  if (has_extension(path, ".pol") || (from_stdin && looks_like_dsl(sources.contents(file))))
    return read_dsl(file, sources, diags, out) && diags.error_count() == errors;
  if (options.skip_non_policy) {
    // Parsed whole (no streaming), so that a list can be looked at first;
    // the parser's errors are kept back until the text is known to be
    // meant as a policy.
    DiagnosticEngine parse_diags(sources);
    std::vector<Document> docs = has_extension(path, ".json") ? parse_json(file, sources.contents(file), parse_diags)
                                                              : parse_source(file, sources, parse_diags);
    if (parse_diags.has_errors() && !names_a_policy(sources.contents(file))) return true;
    diags.append(std::move(parse_diags));
    read_policy_documents(docs, diags, out, options);
    return diags.error_count() == errors;
  }
  if (has_extension(path, ".json")) read_json_policy(file, sources, diags, out);
  else read_policy_documents(parse_source(file, sources, diags), diags, out);
  return diags.error_count() == errors;
}

// A list of Cilium rules has rules in it; a list of anything else (a JSON
// array of settings) does not.
bool holds_rules(const DocNode &list) {
  for (const DocNode &item : list.children())
    if (item.is_map() && (item.find("endpointSelector") || item.find("nodeSelector"))) return true;
  return false;
}

}  // namespace

void read_policy_documents(const std::vector<Document> &docs, DiagnosticEngine &diags, ast::PolicySet &out,
                           const PolicyReadOptions &options) {
  for (const Document &doc : docs) {
    const DocNode &root = doc.root;
    if (root.is_null()) continue;  // an empty document, e.g. after a final "---"
    if (options.skip_non_policy) {
      if (root.is_seq() && !holds_rules(root)) continue;
      if (root.is_map() && !is_policy_object(root)) continue;
      if (!root.is_seq() && !root.is_map()) continue;
    }
    if (root.is_seq()) {
      out.rules.reserve(out.rules.size() + root.children().size());
      for (const DocNode &item : root.children()) read_rule_item(item, diags, out);
    } else if (root.is_map()) {
      read_object(root, diags, out, 0);
    } else {
      diags.error(root.loc, "type",
                  fmt::format("expected a list of Cilium rules or a Kubernetes object, found {}", root.kind_name()));
    }
  }
}

bool load_policy_text(const std::string &path, std::string text, SourceManager &sources, DiagnosticEngine &diags,
                      ast::PolicySet &out, const PolicyReadOptions &options) {
  return read_policy_source(sources.add(path, std::move(text)), sources, diags, out, options);
}

bool load_policy_file(const std::string &path, SourceManager &sources, DiagnosticEngine &diags,
                      ast::PolicySet &out, const PolicyReadOptions &options) {
  uint32_t file = read_source_file(path, sources, diags);
  if (file == 0) return false;
  return read_policy_source(file, sources, diags, out, options);
}

}  // namespace polc
