#include "fleet/fleet_revision.h"

#include <fmt/format.h>

#include "fleet/fleet_keys.h"
#include "frontend/inventory.h"
#include "frontend/policy_loader.h"
#include "frontend/source_reader.h"
#include "ir/lower.h"
#include "ir/rule_sources.h"

namespace polc::fleet {

namespace {

bool part_of_policy(const std::string &prefix, const std::string &key) {
  KeyKind kind = classify_key(prefix, key).kind;
  return kind == KeyKind::Policy || kind == KeyKind::Endpoint || kind == KeyKind::Namespace;
}

// One endpoint or namespace per key: its JSON (CONTRACT §2, "Fleet"),
// read by the strict JSON reader, which is also the fast one.
void read_inventory_key(const std::string &key, const std::string &value, KeyKind kind, CompiledRevision &out,
                        InventoryReader &reader) {
  uint32_t file = out.sources->add(key, value);
  std::vector<Document> docs = parse_json_source(file, *out.sources, *out.diags);
  if (docs.empty()) return;
  if (kind == KeyKind::Endpoint)
    reader.add_endpoint(docs.front().root);
  else
    reader.add_namespace(docs.front().root);
}

}  // namespace

StoreView view_of_range(const RangeResult &range, const std::string &prefix) {
  StoreView view;
  view.revision = range.revision;
  for (const KeyValue &kv : range.kvs)
    if (part_of_policy(prefix, kv.key)) view.values[kv.key] = kv.value;
  return view;
}

int64_t last_revision(const WatchBatch &batch) {
  // A watch catching up on history may put several revisions in one
  // response, whose header then names the store's latest revision: the
  // events say which revision the view has reached.
  int64_t last = 0;
  for (const WatchEvent &e : batch.events) last = std::max(last, e.kv.mod_revision);
  return last ? last : batch.revision;
}

bool apply_batch(StoreView &view, const std::string &prefix, const WatchBatch &batch) {
  bool changed = false;
  for (const WatchEvent &e : batch.events) {
    if (!part_of_policy(prefix, e.kv.key)) continue;
    if (e.type == WatchEvent::Type::Delete) {
      changed = view.values.erase(e.kv.key) > 0 || changed;
      continue;
    }
    auto [it, fresh] = view.values.try_emplace(e.kv.key, e.kv.value);
    if (!fresh && it->second != e.kv.value) it->second = e.kv.value, fresh = true;
    changed = fresh || changed;
  }
  view.revision = std::max(view.revision, last_revision(batch));
  return changed;
}

CompiledRevision compile_revision(const StoreView &view, const std::string &prefix) {
  CompiledRevision out;
  out.revision = view.revision;
  out.sources = std::make_unique<SourceManager>();
  out.diags = std::make_unique<DiagnosticEngine>(*out.sources);
  ast::PolicySet set;
  Inventory inventory;
  InventoryReader reader(*out.diags, inventory);
  bool any_entry = false;
  // Namespaces first: an endpoint's namespace labels come from them
  // whatever order the keys sort in.
  for (KeyKind pass : {KeyKind::Namespace, KeyKind::Endpoint, KeyKind::Policy}) {
    for (const auto &[key, value] : view.values) {
      KeyName name = classify_key(prefix, key);
      if (name.kind != pass) continue;
      if (pass != KeyKind::Policy) {
        any_entry = any_entry || pass == KeyKind::Endpoint;
        read_inventory_key(key, value, pass, out, reader);
        continue;
      }
      if (std::string problem = policy_name_problem(name.name); !problem.empty()) {
        uint32_t file = out.sources->add(key, value);
        out.diags->error(SourceLoc{file, 1, 1}, "policy-key", fmt::format("cannot tell this key's format: {}", problem));
        continue;
      }
      size_t before = set.rules.size();
      if (load_policy_text(key, value, *out.sources, *out.diags, set) && set.rules.size() == before)
        out.diags->warning(SourceLoc{out.sources->last(), 1, 1}, "no-policy", "no network policy in this key");
    }
  }
  out.rule_count = set.rules.size();
  if (out.diags->has_errors()) return out;
  if (out.rule_count == 0) {
    out.diags->error(SourceLoc{}, "no-policy",
                     fmt::format("no network policy under {}policies/: the policy in force stays (polc detach "
                                 "stops enforcing)",
                                 prefix));
    return out;
  }
  out.policy = ir::lower(set, *out.diags);
  ir::index_rule_sources(out.policy, *out.sources);
  if (any_entry) out.endpoints = ir::EndpointSet::from_inventory(inventory);
  return out;
}

std::string CompiledRevision::diagnostics_text() const {
  std::string text;
  for (const Diagnostic &d : diags->all()) text += diags->render(d);
  return text;
}

std::string CompiledRevision::first_error() const {
  for (const Diagnostic &d : diags->all())
    if (d.severity == Severity::Error) {
      std::string line = diags->render(d, false);
      if (auto nl = line.find('\n'); nl != std::string::npos) line.resize(nl);
      return line;
    }
  return {};
}

}  // namespace polc::fleet
