// Writing the HTTP half of a map plan (ir/http_plan.h) into the three maps
// of templates/maps_abi.h, "HTTP (layer 7)": polc_http_meta (one
// polc_http_dfa_meta per field), polc_http_table (the u64 array of every
// DFA and the header names' masks) and polc_http_verdict (the verdict of
// each (l7 policy, method id, path id)).
#pragma once

#include "frontend/result.h"
#include "ir/map_plan.h"
#include "templates/maps_abi.h"

namespace polc::runtime {

inline constexpr const char *kHttpMetaMap = "polc_http_meta";
inline constexpr const char *kHttpTableMap = "polc_http_table";
inline constexpr const char *kHttpVerdictMap = "polc_http_verdict";

polc_http_dfa_meta http_meta_value(const ir::HttpDfaMeta &meta);
polc_http_verdict_key http_verdict_key(const ir::HttpVerdict &verdict);
polc_http_verdict_value http_verdict_value(const ir::HttpVerdict &verdict);

struct HttpMapFds {
  int meta = -1, table = -1, verdict = -1;
};

// Fails when the plan's HTTP rules cannot be enforced (plan.http.error),
// when an object without HTTP maps (`has_http_maps` false) is given a plan
// whose entries name l7 policies: either would enforce less than the policy.
Result<void> check_http_support(bool has_http_maps, const ir::MapPlan &plan);

// Writes the tables and verdicts; the maps must be large enough (the table
// holds plan.table.size() entries, the hash plan.verdicts.size()).
Result<void> fill_http_map_fds(const HttpMapFds &maps, const ir::HttpPlan &http);

}  // namespace polc::runtime
