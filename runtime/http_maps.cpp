#include "runtime/http_maps.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <vector>

#include <fmt/format.h>

#include "runtime/bpf_object.h"
#include "runtime/policy_slots.h"

namespace polc::runtime {
namespace {

static_assert(ir::kHttpFieldCount == POLC_HTTP_FIELDS);
static_assert(ir::kHttpAny == POLC_HTTP_ANY);
static_assert(ir::kHttpMaxAlternatives == POLC_HTTP_ALTS);
static_assert(ir::kHttpNameHost == POLC_HTTP_NAME_HOST && ir::kHttpNameContentLength == POLC_HTTP_NAME_CONTENT_LENGTH &&
              ir::kHttpNameTransferEncoding == POLC_HTTP_NAME_TRANSFER_ENCODING);

// In batches where the kernel has them (map_update_many): a 1,000-path
// table is a few hundred thousand entries, a syscall each otherwise.
Result<void> write_all(int fd, const void *keys, const void *values, size_t key_size, size_t value_size,
                       size_t count) {
  return map_update_many(fd, keys, values, count, key_size, value_size);
}

}  // namespace

polc_http_dfa_meta http_meta_value(const ir::HttpDfaMeta &meta) {
  polc_http_dfa_meta m;
  std::memset(&m, 0, sizeof m);
  m.next_base = meta.next_base;
  m.accept_base = meta.accept_base;
  m.num_classes = meta.num_classes;
  m.start = meta.start;
  m.num_states = meta.num_states;
  m.names_base = meta.names_base;
  std::memcpy(m.byte_class, meta.byte_class.data(), sizeof m.byte_class);
  return m;
}

polc_http_verdict_key http_verdict_key(const ir::HttpVerdict &verdict) {
  polc_http_verdict_key key;
  std::memset(&key, 0, sizeof key);  // pad included: the hash compares every byte
  key.l7_policy = verdict.l7_policy;
  key.method = verdict.method;
  key.path = verdict.path;
  return key;
}

polc_http_verdict_value http_verdict_value(const ir::HttpVerdict &verdict) {
  polc_http_verdict_value value;
  std::memset(&value, 0, sizeof value);
  value.rule_id = verdict.rule_id;
  value.count = static_cast<__u32>(std::min<size_t>(verdict.need.size(), POLC_HTTP_ALTS));
  for (size_t k = 0; k < value.count; ++k) value.need[k] = verdict.need[k];
  return value;
}

Result<void> check_http_support(bool has_http_maps, const ir::MapPlan &plan) {
  bool names_l7 = std::any_of(plan.allow.begin(), plan.allow.end(), [](const ir::PolicyEntry &e) { return e.l7_policy; });
  if (plan.shape.http && plan.http.error) return *plan.http.error;
  if (names_l7 && !has_http_maps)
    return internal_error("the plan has HTTP rules but the datapath object was compiled without HTTP tables");
  return {};
}

Result<void> fill_http_map_fds(const HttpMapFds &maps, const ir::HttpPlan &http) {
  if (http.error) return *http.error;
  if (http.table.size() > map_max_entries(maps.table))
    return Error{fmt::format("the HTTP tables need {} entries but polc_http_table holds {}: the object was compiled "
                             "for another policy; compile it again",
                             http.table.size(), map_max_entries(maps.table)),
                 1};
  if (http.verdicts.size() > map_max_entries(maps.verdict))
    return Error{fmt::format("the plan needs {} HTTP verdict entries but polc_http_verdict holds {}: compile the "
                             "policy again with this inventory",
                             http.verdicts.size(), map_max_entries(maps.verdict)),
                 1};

  for (uint32_t f = 0; f < ir::kHttpFieldCount; ++f) {
    polc_http_dfa_meta meta = http_meta_value(http.meta[f]);
    if (auto put = map_update(maps.meta, &f, &meta); !put) return put;
  }

  std::vector<uint32_t> indices(http.table.size());
  std::iota(indices.begin(), indices.end(), 0u);
  if (auto put = write_all(maps.table, indices.data(), http.table.data(), sizeof(uint32_t), sizeof(uint64_t),
                           http.table.size());
      !put)
    return put;

  std::vector<polc_http_verdict_key> keys;
  std::vector<polc_http_verdict_value> values;
  for (const ir::HttpVerdict &v : http.verdicts) {
    keys.push_back(http_verdict_key(v));
    values.push_back(http_verdict_value(v));
  }
  return write_all(maps.verdict, keys.data(), values.data(), sizeof(polc_http_verdict_key),
                   sizeof(polc_http_verdict_value), keys.size());
}

}  // namespace polc::runtime
