// The policy-wide half of the HTTP plan: one DFA per field over every
// distinct pattern of the policy, what each accepting state means for the
// kernel, and the layout of it all in polc_http_table:
//   [METHOD next rows][METHOD accept] [PATH ...] [HOST ...] [HNAME ...]
//   [HVALUE ...] [names: present, exact for name id 0, 1, 2, ...]
// Conditions (bits of the request's u64 mask) are numbered host regexes
// first, then header requirements, each in sorted order, so the same policy
// always gives the same bits.
#include "ir/http_plan.h"
#include "ir/rule_sources.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <map>
#include <set>

#include "ir/regex/dfa_builder.h"

namespace polc::ir {
namespace {

constexpr const char *kFieldNames[kHttpFieldCount] = {"method", "path", "host", "header name", "header value"};
// Beyond this the table would not be a sensible array map (8 bytes each).
constexpr size_t kMaxTableEntries = size_t(1) << 24;
// The verdict hash: at least this many, at most that many entries.
constexpr uint32_t kMinVerdictCapacity = 1024, kMaxVerdictCapacity = 1u << 20;


template <typename T>
std::vector<T> sorted_unique(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

template <typename T>
uint32_t index_in(const std::vector<T> &sorted, const T &x) {
  return uint32_t(std::lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin());
}

// Where `text` of `field` was first written (invalid when not known, as
// for a policy read back from an object).
SourceLoc place_of(const Policy &policy, uint32_t field, const std::string &text) {
  for (const PatternPlace &p : policy.pattern_places)
    if (p.field == kFieldNames[field] && p.text == text) return p.loc;
  return {};
}

Error pattern_error(const Policy &policy, uint32_t field, const std::string &text, std::string message,
                    std::string hint) {
  Error e = input_error(std::move(message));
  e.loc = place_of(policy, field, text);
  e.hint = std::move(hint);
  return e;
}

std::string shown(const std::string &text) {
  return text.size() <= 60 ? text : text.substr(0, 40) + "..." + fmt::format(" ({} characters)", text.size());
}

// The DFA of one field's patterns. When the datapath cannot hold it, the
// error names the pattern at fault (building patterns alone to find it,
// when the limit is the set's) with a hint that fits what is wrong with it.
// `written[i]` is pattern i as the policy wrote it (header values are
// escaped into patterns).
Result<Dfa> build_field(uint32_t field, const std::vector<std::string> &patterns,
                        const std::vector<std::string> &written, const Policy &policy) {
  auto dfa = build_dfa(patterns);
  if (dfa) return std::move(dfa).value();
  const regex::RegexError &e = dfa.error();
  const char *name = kFieldNames[field];
  if (e.column != 0 && e.pattern < patterns.size())
    return pattern_error(policy, field, written[e.pattern],
                         fmt::format("HTTP {} regex \"{}\" cannot be enforced in the datapath: {} (column {})", name,
                                     shown(written[e.pattern]), e.message, e.column),
                         "write it without that construct");
  // Which pattern is at fault: the one the error names (its own NFA is too
  // large), or the first that fails alone; else only the set is.
  size_t culprit = patterns.size();
  std::string why = e.message;
  if (e.message.find("NFA") != std::string::npos && e.pattern < patterns.size()) {
    culprit = e.pattern;
  } else {
    for (size_t i = 0; i < patterns.size() && culprit == patterns.size(); ++i)
      if (auto alone = build_dfa({patterns[i]}); !alone) culprit = i, why = alone.error().message;
  }
  if (culprit == patterns.size()) {
    // The first pattern in source order carries the error.
    SourceLoc first;
    for (const PatternPlace &p : policy.pattern_places)
      if (p.field == name && !first.valid()) first = p.loc;
    Error err = input_error(fmt::format("the {} HTTP {} patterns of the policy cannot be enforced in the datapath "
                                        "together: {}",
                                        patterns.size(), name, e.message));
    err.loc = first;
    err.hint = "each pattern fits alone; use fewer distinct patterns, or ones with fewer wildcards and alternations";
    return err;
  }
  const std::string &text = written[culprit];
  std::string hint;
  if (field == kHttpHeaderValue)
    hint = fmt::format("the value is {} bytes long; the datapath compares header values of up to about 4,000 bytes",
                       text.size());
  else if (why.find("NFA") == std::string::npos)
    hint = "a wildcard or alternation followed by more pattern (such as (a|b)*a(a|b){20}) multiplies the states; "
           "rewrite the part after the wildcard without counted repetitions";
  else if (text.find('{') != std::string::npos)
    hint = "use smaller repetition counts: x{n} copies x n times";
  else
    hint = fmt::format("the pattern is {} characters long; the datapath holds patterns of up to about 4,000: match a "
                       "shorter prefix and end it with .*",
                       text.size());
  return pattern_error(policy, field, text,
                       fmt::format("HTTP {} regex \"{}\" cannot be enforced in the datapath: {}", name, shown(text), why),
                       std::move(hint));
}

// For each pattern, the accept-set ids whose set holds it, ascending.
std::vector<std::vector<uint32_t>> sets_holding(const Dfa &dfa) {
  std::vector<std::vector<uint32_t>> out(dfa.num_patterns);
  for (uint32_t id = 1; id < dfa.accept_sets.size(); ++id)
    for (uint32_t p : dfa.accept_sets[id]) out[p].push_back(id);
  return out;
}

// One field's DFA with its accept column already in the kernel's terms.
struct FieldTable {
  Dfa dfa;
  std::vector<uint64_t> accept;  // per state
};

// `meaning[id]`: what accept-set id means to the kernel for this field.
FieldTable field_table(Dfa dfa, const std::vector<uint64_t> &meaning) {
  FieldTable t;
  t.accept.reserve(dfa.num_states);
  for (uint32_t id : dfa.accept) t.accept.push_back(meaning[id]);
  t.dfa = std::move(dfa);
  return t;
}

FieldTable id_table(Dfa dfa) {  // METHOD, PATH: the accept-set id itself
  std::vector<uint64_t> meaning(dfa.accept_sets.size());
  for (size_t id = 0; id < meaning.size(); ++id) meaning[id] = id;
  return field_table(std::move(dfa), meaning);
}

}  // namespace

std::optional<uint32_t> HttpPlan::rule_index(const HttpRule &rule) const {
  auto it = std::lower_bound(rules.begin(), rules.end(), rule);
  if (it == rules.end() || !(*it == rule)) return std::nullopt;
  return uint32_t(it - rules.begin());
}

Result<HttpPlan> plan_http_tables(const Policy &policy) {
  HttpPlan plan;
  std::map<HttpRule, uint32_t> first_rule;  // distinct rules, sorted, with the first IR rule id
  for (size_t ri = 0; ri < policy.rules.size(); ++ri)
    if (policy.rules[ri].has_http && policy.rules[ri].verdict == Verdict::Allow)
      for (const HttpRule &h : policy.rules[ri].http) {
        uint32_t id = rule_id(policy.rules[ri], ri);
        auto [it, fresh] = first_rule.try_emplace(h, id);
        if (!fresh) it->second = std::min(it->second, id);
      }

  std::vector<std::string> methods, paths, hosts, values;
  std::vector<HeaderMatch> headers;
  std::vector<std::string> extra_names;  // beyond the three the parser needs
  for (const auto &[h, id] : first_rule) {
    plan.rules.push_back(h);
    if (!h.method.empty()) methods.push_back(h.method);
    if (!h.path.empty()) paths.push_back(h.path);
    if (!h.host.empty()) hosts.push_back(h.host);
    for (const HeaderMatch &m : h.headers) {
      headers.push_back(m);
      if (m.has_value) values.push_back(m.value);
      if (m.name != "host" && m.name != "content-length" && m.name != "transfer-encoding") extra_names.push_back(m.name);
    }
  }
  methods = sorted_unique(std::move(methods));
  paths = sorted_unique(std::move(paths));
  hosts = sorted_unique(std::move(hosts));
  values = sorted_unique(std::move(values));
  headers = sorted_unique(std::move(headers));
  plan.header_names = {"", "host", "content-length", "transfer-encoding"};
  for (std::string &n : sorted_unique(std::move(extra_names))) plan.header_names.push_back(std::move(n));

  plan.num_conditions = uint32_t(hosts.size() + headers.size());
  if (plan.num_conditions > kHttpMaxConditions)
    return input_error(fmt::format(
        "the policy's HTTP rules test {} distinct conditions ({} host regexes, {} header requirements); the "
        "datapath tracks at most {} per policy",
        plan.num_conditions, hosts.size(), headers.size(), kHttpMaxConditions));
  auto host_bit = [&](const std::string &h) { return uint64_t(1) << index_in(hosts, h); };
  auto header_bit = [&](const HeaderMatch &m) { return uint64_t(1) << (hosts.size() + index_in(headers, m)); };

  // Patterns of the literal fields.
  std::vector<std::string> name_patterns, value_patterns;
  for (size_t n = 1; n < plan.header_names.size(); ++n) {
    auto p = header_name_pattern(plan.header_names[n]);
    if (!p) return p.error();
    name_patterns.push_back(std::move(p).value());
  }
  for (const std::string &v : values) {
    auto p = literal_pattern(v);
    if (!p) return p.error();
    value_patterns.push_back(std::move(p).value());
  }

  std::array<FieldTable, kHttpFieldCount> fields;
  std::vector<std::vector<uint32_t>> method_sets, path_sets;
  {
    auto dfa = build_field(kHttpMethod, methods, methods, policy);
    if (!dfa) return dfa.error();
    method_sets = sets_holding(*dfa);
    fields[kHttpMethod] = id_table(std::move(dfa).value());
  }
  {
    auto dfa = build_field(kHttpPath, paths, paths, policy);
    if (!dfa) return dfa.error();
    path_sets = sets_holding(*dfa);
    fields[kHttpPath] = id_table(std::move(dfa).value());
  }
  {
    auto dfa = build_field(kHttpHost, hosts, hosts, policy);
    if (!dfa) return dfa.error();
    std::vector<uint64_t> meaning;
    for (const auto &set : dfa->accept_sets) {
      uint64_t mask = 0;
      for (uint32_t p : set) mask |= host_bit(hosts[p]);
      meaning.push_back(mask);
    }
    fields[kHttpHost] = field_table(std::move(dfa).value(), meaning);
  }
  {
    auto dfa = build_field(kHttpHeaderName, name_patterns, name_patterns, policy);
    if (!dfa) return dfa.error();
    std::vector<uint64_t> meaning;
    for (const auto &set : dfa->accept_sets) {
      // Distinct names never match the same bytes: at most one per set.
      if (set.size() > 1) return internal_error("two header names match the same bytes");
      meaning.push_back(set.empty() ? 0 : set[0] + 1);  // pattern n - 1 is name id n
    }
    fields[kHttpHeaderName] = field_table(std::move(dfa).value(), meaning);
  }
  {
    auto dfa = build_field(kHttpHeaderValue, value_patterns, values, policy);
    if (!dfa) return dfa.error();
    std::vector<uint64_t> value_mask(values.size());  // conditions "some header has this value"
    for (const HeaderMatch &m : headers)
      if (m.has_value) value_mask[index_in(values, m.value)] |= header_bit(m);
    std::vector<uint64_t> meaning;
    for (const auto &set : dfa->accept_sets) {
      uint64_t mask = 0;
      for (uint32_t p : set) mask |= value_mask[p];
      meaning.push_back(mask);
    }
    fields[kHttpHeaderValue] = field_table(std::move(dfa).value(), meaning);
  }

  // Layout, field by field, then the names' masks.
  for (uint32_t f = 0; f < kHttpFieldCount; ++f) {
    const Dfa &dfa = fields[f].dfa;
    HttpDfaMeta &m = plan.meta[f];
    m.num_classes = dfa.num_classes;
    m.num_states = dfa.num_states;
    m.start = dfa.start;
    m.byte_class = dfa.byte_class;
    m.next_base = uint32_t(plan.table.size());
    m.accept_base = uint32_t(m.next_base + dfa.next.size());
    if (size_t(m.accept_base) + dfa.num_states + 2 * plan.header_names.size() > kMaxTableEntries)
      return input_error(fmt::format("the policy's HTTP tables need more than {} entries; use fewer or simpler "
                                     "patterns (the {} DFA alone has {} states)",
                                     kMaxTableEntries, kFieldNames[f], dfa.num_states));
    plan.table.insert(plan.table.end(), dfa.next.begin(), dfa.next.end());
    plan.table.insert(plan.table.end(), fields[f].accept.begin(), fields[f].accept.end());
  }
  plan.meta[kHttpHeaderName].names_base = uint32_t(plan.table.size());
  std::vector<uint64_t> names(2 * plan.header_names.size());
  for (const HeaderMatch &m : headers) {
    size_t id = std::find(plan.header_names.begin(), plan.header_names.end(), m.name) - plan.header_names.begin();
    names[2 * id + (m.has_value ? 1 : 0)] |= header_bit(m);
  }
  plan.table.insert(plan.table.end(), names.begin(), names.end());

  // Each rule in the verdict's terms.
  uint64_t bound = 0;  // verdict entries if every rule were its own l7 policy
  std::vector<size_t> keys_of_rule;
  for (const auto &[h, id] : first_rule) {
    HttpRuleKeys k;
    k.rule_id = id;
    k.methods = h.method.empty() ? std::vector<uint32_t>{kHttpAny} : method_sets[index_in(methods, h.method)];
    k.paths = h.path.empty() ? std::vector<uint32_t>{kHttpAny} : path_sets[index_in(paths, h.path)];
    if (!h.host.empty()) k.need |= host_bit(h.host);
    for (const HeaderMatch &m : h.headers) k.need |= header_bit(m);
    keys_of_rule.push_back(k.methods.size() * k.paths.size());
    plan.rule_keys.push_back(std::move(k));
  }
  // Size the hash for a plan where each IR rule's HTTP rules form their own
  // l7 policy, four times over for unions the inventory may add.
  for (const Rule &r : policy.rules) {
    if (!r.has_http || r.verdict != Verdict::Allow) continue;
    for (const HttpRule &h : r.http) bound += keys_of_rule[*plan.rule_index(h)];
  }
  uint64_t wanted = std::clamp<uint64_t>(4 * bound, kMinVerdictCapacity, kMaxVerdictCapacity);
  plan.verdict_capacity = uint32_t(std::bit_ceil(wanted));
  return plan;
}

}  // namespace polc::ir
