// A compiled object carries its policy in a section of its own
// (".polc.policy"), so an object built on one machine can be verified or
// applied on another (CONTRACT §2). libbpf skips sections it does not know.
// This is the little ELF surgery that needs: append one non-allocated
// section to an ELF64 little-endian relocatable object, and read it back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/result.h"

namespace polc::codegen {

inline constexpr const char *kPolicySection = ".polc.policy";
// The program's record (compiled_object.h): its main file and config.h.
inline constexpr const char *kProgramSection = ".polc.program";
// The rule table (ir/rule_sources.h): each rule element's file:line:col,
// so that `apply OBJ.o` hosts name rules in counters and drops too.
inline constexpr const char *kRulesSection = ".polc.rules";

Result<std::vector<uint8_t>> add_elf_section(const std::vector<uint8_t> &elf, std::string_view name,
                                             std::string_view contents);
// The section's bytes, or nothing when the object has no such section (or
// is not an ELF64 object).
std::optional<std::string> read_elf_section(const std::vector<uint8_t> &elf, std::string_view name);

}  // namespace polc::codegen
