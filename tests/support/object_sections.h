// Comparing compiled objects of one policy written in two files: the
// program and the policy sections are equal, and the rule tables
// (.polc.rules) list rules of equal meaning, each at its own file's place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codegen/elf_section.h"

namespace polc::test {

inline std::vector<uint8_t> bytes_of(const std::string &s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// Empty when the object lacks a section, which then fails the comparison.
inline std::string object_section(const std::string &object, const char *name) {
  auto s = codegen::read_elf_section(bytes_of(object), name);
  return s ? std::string(*s) : std::string();
}

// The digests, directions and verdicts of the rule table, in order.
inline std::vector<std::string> rule_meanings(const std::string &object) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(object_section(object, codegen::kRulesSection), nullptr, false);
  if (j.is_discarded()) return out;
  for (const auto &s : j["sources"])
    out.push_back(s.value("direction", "") + " " + s.value("verdict", "") + " " + s.value("digest", ""));
  return out;
}

inline bool same_program_and_policy(const std::string &a, const std::string &b) {
  return !object_section(a, codegen::kPolicySection).empty() &&
         object_section(a, codegen::kPolicySection) == object_section(b, codegen::kPolicySection) &&
         object_section(a, codegen::kProgramSection) == object_section(b, codegen::kProgramSection) &&
         !rule_meanings(a).empty() && rule_meanings(a) == rule_meanings(b);
}

}  // namespace polc::test
