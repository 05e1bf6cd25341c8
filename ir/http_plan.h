// The HTTP part of the map plan: what the datapath walks to judge a request
// head (templates/maps_abi.h, "HTTP (layer 7)"; docs/http_dfa.md, "Table
// layout and verdict").
//
// Two halves with two lifetimes:
//   - the tables (five DFAs and the header names' masks, all in one u64
//     array) come from the policy alone, so their size is known when the
//     object is compiled (config.h) and equal policies give equal bytes;
//   - the l7 policies (sets of HTTP rules that allow entries point at) and
//     their verdict entries come from the allow entries, so they depend on
//     the inventory (which rules end up on the same key).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frontend/result.h"
#include "ir/ir.h"

namespace polc::ir {

// The fields, in polc_http_meta order (POLC_HTTP_METHOD..POLC_HTTP_HVALUE).
enum HttpField : uint32_t { kHttpMethod = 0, kHttpPath, kHttpHost, kHttpHeaderName, kHttpHeaderValue };
inline constexpr uint32_t kHttpFieldCount = 5;
inline constexpr uint32_t kHttpAny = 0xffffffffu;   // POLC_HTTP_ANY: the rule names no method (path)
inline constexpr uint32_t kHttpMaxConditions = 64;  // bits of the request's condition mask
inline constexpr uint32_t kHttpMaxAlternatives = 8; // POLC_HTTP_ALTS
inline constexpr uint32_t kHttpMaxL7Policies = 65535;  // polc_policy_value.l7_policy is a u16, 0 = none
// Header-name ids the parser itself needs, whether or not a rule names them.
inline constexpr uint32_t kHttpNameHost = 1, kHttpNameContentLength = 2, kHttpNameTransferEncoding = 3;

// polc_http_dfa_meta: where one field's DFA lives in the table.
struct HttpDfaMeta {
  uint32_t next_base = 0, accept_base = 0, num_classes = 1, start = 0, num_states = 1, names_base = 0;
  std::array<uint8_t, 256> byte_class{};
  friend bool operator==(const HttpDfaMeta &, const HttpDfaMeta &) = default;
};

// One polc_http_verdict entry: a request of l7 policy `l7_policy` whose
// method and path walks gave these ids passes when, for some k,
// (conditions & need[k]) == need[k].
struct HttpVerdict {
  uint16_t l7_policy = 0;
  uint32_t method = kHttpAny, path = kHttpAny;
  uint32_t rule_id = 0;          // the first rule in source order among the alternatives (ir/rule_sources.h)
  std::vector<uint64_t> need;    // 1..kHttpMaxAlternatives, no one a superset of another
  friend bool operator==(const HttpVerdict &, const HttpVerdict &) = default;
};

// One distinct HTTP rule of the policy in the tables' terms.
struct HttpRuleKeys {
  std::vector<uint32_t> methods;  // accept-set ids holding its method pattern; {kHttpAny}: no method named
  std::vector<uint32_t> paths;    // the same for the path
  uint64_t need = 0;              // its host condition and header conditions
  uint32_t rule_id = 0;           // the first rule in source order that has it, as PolicyEntry::rule_id
};

struct HttpPlan {
  // ---- from the policy alone ----
  std::array<HttpDfaMeta, kHttpFieldCount> meta{};
  std::vector<uint64_t> table;          // polc_http_table, index by index
  std::vector<HttpRule> rules;          // every distinct HTTP rule of the policy, sorted
  std::vector<HttpRuleKeys> rule_keys;  // rule_keys[i] for rules[i]
  std::vector<std::string> header_names;  // by name id: "", "host", "content-length", "transfer-encoding", ...
  uint32_t num_conditions = 0;
  // A polc_http_verdict size that holds the verdicts of any inventory's
  // plan in practice (config.h; a hash's size is fixed per object).
  uint32_t verdict_capacity = 0;
  // The polc_http_table size compiled in (config.h): the table rounded up
  // to a power of two, so that policies whose tables grow a little keep
  // their object. Fixed per object like the verdict hash's, so that the
  // kernel inlines the table's lookups (an inner array without
  // BPF_F_INNER_MAP), one or two per byte of a request head.
  uint32_t table_capacity() const {
    uint32_t capacity = 256;
    while (capacity < table.size()) capacity <<= 1;
    return capacity;
  }

  // ---- from the allow entries ----
  std::vector<std::vector<uint32_t>> l7_policies;  // [id - 1]: indices into `rules`, ascending
  std::vector<HttpVerdict> verdicts;               // sorted by (l7_policy, method, path)

  // Set when the policy's HTTP rules cannot be enforced (a regex beyond
  // the datapath, too many conditions or alternatives or l7 policies):
  // filling maps from this plan fails with it rather than enforce less.
  std::optional<Error> error;

  bool has_rules() const { return !rules.empty(); }
  // The index of `rule` in `rules`, if the policy has it.
  std::optional<uint32_t> rule_index(const HttpRule &rule) const;
};

// The tables of the policy's HTTP rules. Fails (exit code 1: the input is
// at fault) when a rule cannot be enforced in the datapath.
Result<HttpPlan> plan_http_tables(const Policy &policy);

// Numbers `sets` (indices into plan.rules; each sorted) as l7 policies
// 1..n in the order given and computes their verdict entries.
Result<void> plan_http_verdicts(HttpPlan &plan, std::vector<std::vector<uint32_t>> sets);

// The escaped RE2 patterns the header-name and header-value DFAs are built
// from: names ASCII case-insensitive, values exact bytes (valid UTF-8).
Result<std::string> header_name_pattern(std::string_view lowercase_name);
Result<std::string> literal_pattern(std::string_view value);

}  // namespace polc::ir
