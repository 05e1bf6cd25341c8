#include "ir/rule_sources.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "frontend/fnv_digest.h"
#include "ir/ir_json.h"

namespace polc::ir {
namespace {

using Place = std::tuple<uint32_t, uint32_t, uint32_t>;  // file, line, col

Place place_of(const SourceLoc &loc) { return {loc.file, loc.line, loc.col}; }

std::string verdict_name(Verdict v) { return v == Verdict::Allow ? "allow" : "deny"; }

}  // namespace

void index_rule_sources(Policy &policy, const SourceManager &sources) {
  // Each element's rules, keyed by place; rules without one by their index
  // after every real place.
  struct Element {
    Direction direction;
    Verdict verdict;
    std::vector<size_t> rules;
  };
  std::map<std::pair<Place, size_t>, Element> elements;
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const Rule &r = policy.rules[i];
    std::pair<Place, size_t> key{{UINT32_MAX, 0, 0}, i};
    if (!r.origins.empty()) {
      // Origins are sorted by place (canonicalize), but rules built in code
      // may not be.
      auto first = std::min_element(r.origins.begin(), r.origins.end(), [](const SourceLoc &a, const SourceLoc &b) {
        return place_of(a) < place_of(b);
      });
      if (first->valid()) key = {place_of(*first), 0};
    }
    auto [it, fresh] = elements.try_emplace(key, Element{r.direction, r.verdict, {}});
    it->second.rules.push_back(i);
  }
  policy.sources.clear();
  policy.sources.reserve(elements.size());
  for (const auto &[key, element] : elements) {
    RuleSource s;
    const auto &[file, line, col] = key.first;
    if (file != UINT32_MAX) s.source = fmt::format("{}:{}:{}", sources.path(file), line, col);
    s.direction = element.direction;
    s.verdict = element.verdict;
    FnvDigest d;
    for (size_t i : element.rules) d.add(rule_to_json(policy.rules[i]).dump());
    s.digest = d.hex();
    policy.sources.push_back(std::move(s));
    for (size_t i : element.rules) policy.rules[i].source = static_cast<uint32_t>(policy.sources.size());
  }
}

std::string_view source_file(std::string_view place) {
  size_t col = place.rfind(':');
  size_t line = col == std::string_view::npos || col == 0 ? std::string_view::npos : place.rfind(':', col - 1);
  return line == std::string_view::npos ? place : place.substr(0, line);
}

std::vector<std::string> rule_anchors(const std::vector<RuleSource> &sources) {
  std::vector<std::string> out;
  out.reserve(sources.size());
  std::map<std::string, size_t, std::less<>> files;
  for (const RuleSource &s : sources) {
    std::string_view file = source_file(s.source);
    if (file.size() == s.source.size()) {
      out.push_back("0:" + s.source);
      continue;
    }
    auto [it, fresh] = files.try_emplace(std::string(file), files.size() + 1);
    out.push_back(std::to_string(it->second) + s.source.substr(file.size()));
  }
  return out;
}

std::string rule_sources_to_json(const Policy &policy) {
  nlohmann::ordered_json sources = nlohmann::ordered_json::array();
  for (const RuleSource &s : policy.sources)
    sources.push_back({{"source", s.source},
                       {"direction", direction_name(s.direction)},
                       {"verdict", verdict_name(s.verdict)},
                       {"digest", s.digest}});
  nlohmann::ordered_json ids = nlohmann::ordered_json::array();
  for (const Rule &r : policy.rules) ids.push_back(r.source);
  return nlohmann::ordered_json{{"sources", std::move(sources)}, {"rule_sources", std::move(ids)}}.dump() + "\n";
}

Result<void> rule_sources_from_json(std::string_view text, Policy &policy) {
  auto bad = [](std::string_view why) { return input_error(fmt::format("its rule table is unreadable: {}", why)); };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not JSON");
  const auto &sources = j.find("sources");
  const auto &ids = j.find("rule_sources");
  if (sources == j.end() || ids == j.end() || !sources->is_array() || !ids->is_array()) return bad("no table");
  if (ids->size() != policy.rules.size()) return bad("it names another number of rules than the policy has");
  std::vector<RuleSource> table;
  for (const auto &s : *sources) {
    if (!s.is_object() || !s.value("source", nlohmann::json()).is_string() ||
        !s.value("digest", nlohmann::json()).is_string())
      return bad("a source is not an object with a place and a digest");
    RuleSource r;
    r.source = s["source"].get<std::string>();
    r.digest = s["digest"].get<std::string>();
    std::string dir = s.value("direction", ""), verdict = s.value("verdict", "");
    if ((dir != "ingress" && dir != "egress") || (verdict != "allow" && verdict != "deny"))
      return bad("a source has no direction or verdict");
    r.direction = dir == "ingress" ? Direction::Ingress : Direction::Egress;
    r.verdict = verdict == "allow" ? Verdict::Allow : Verdict::Deny;
    table.push_back(std::move(r));
  }
  for (size_t i = 0; i < ids->size(); ++i) {
    const auto &id = (*ids)[i];
    if (!id.is_number_unsigned() || id.get<uint64_t>() > table.size())  // 0: a rule never indexed
      return bad("a rule's source id is out of range");
    policy.rules[i].source = id.get<uint32_t>();
  }
  policy.sources = std::move(table);
  return {};
}

}  // namespace polc::ir
