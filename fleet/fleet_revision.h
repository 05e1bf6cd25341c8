// One revision of a fleet's store, and what it compiles to. The agent keeps
// a view of every key under the prefix, updated from the watch a whole
// etcd revision at a time, and compiles the view as `polc apply` would
// compile files: each policy key is read as a file named by its key (so a
// diagnostic reads /polc/policies/web.yaml:12:7), each endpoint and
// namespace key as one inventory entry.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "fleet/etcd_client.h"
#include "frontend/diagnostics.h"
#include "frontend/source.h"
#include "ir/endpoints.h"
#include "ir/ir.h"

namespace polc::fleet {

struct StoreView {
  int64_t revision = 0;  // the etcd revision the view is at
  // Full key to value: the policy, endpoint and namespace keys (status
  // keys are the agents' own, not part of the policy). Sorted, so that a
  // revision compiles to the same policy and digest on every host.
  std::map<std::string, std::string> values;
};

// The view of a range read of the prefix.
StoreView view_of_range(const RangeResult &range, const std::string &prefix);
// The revision a watch response brings a view to: that of its last event.
int64_t last_revision(const WatchBatch &batch);
// Applies one watch response; true when a key of the policy changed.
bool apply_batch(StoreView &view, const std::string &prefix, const WatchBatch &batch);

struct CompiledRevision {
  int64_t revision = 0;
  std::unique_ptr<SourceManager> sources;  // the keys, as files
  std::unique_ptr<DiagnosticEngine> diags;
  ir::Policy policy;
  size_t rule_count = 0;
  // The endpoints of the store's endpoint and namespace keys; none when it
  // has no endpoint key (each interface then holds the host alone, as
  // `apply` without --endpoints).
  std::optional<ir::EndpointSet> endpoints;

  bool ok() const { return !diags->has_errors(); }
  // Every diagnostic, rendered as the compiler prints them.
  std::string diagnostics_text() const;
  // The first error, on one line: "KEY:LINE:COL: error: message".
  std::string first_error() const;
};

CompiledRevision compile_revision(const StoreView &view, const std::string &prefix);

}  // namespace polc::fleet
