// Comparing compiled objects of one policy written in two files (or
// forms): the program and the policy sections are equal, and each rule
// table (.polc.rules) names every IR rule by a place in its own file. The
// tables themselves differ: places differ, and a converted file may group
// rules into elements otherwise.
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

// True when the rule table gives each of the object's IR rules a source.
inline bool names_every_rule(const std::string &object) {
  auto rules = nlohmann::json::parse(object_section(object, codegen::kRulesSection), nullptr, false);
  auto policy = nlohmann::json::parse(object_section(object, codegen::kPolicySection), nullptr, false);
  if (rules.is_discarded() || policy.is_discarded()) return false;
  if (rules["rule_sources"].size() != policy["rules"].size()) return false;
  for (const auto &id : rules["rule_sources"])
    if (id.get<size_t>() == 0 || id.get<size_t>() > rules["sources"].size()) return false;
  return true;
}

inline bool same_program_and_policy(const std::string &a, const std::string &b) {
  return !object_section(a, codegen::kPolicySection).empty() &&
         object_section(a, codegen::kPolicySection) == object_section(b, codegen::kPolicySection) &&
         object_section(a, codegen::kProgramSection) == object_section(b, codegen::kProgramSection) &&
         names_every_rule(a) && names_every_rule(b);
}

}  // namespace polc::test
