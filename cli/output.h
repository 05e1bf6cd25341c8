// Small output helpers shared by the commands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frontend/result.h"

namespace polc::cli {

// Writes `text` to `path` ("-": stdout); prints an error and returns false
// on failure.
bool write_output(const std::string &path, const std::string &text);
// True when `path` starts with the ELF magic: a compiled object, not a policy.
bool is_object_file(const std::string &path);
// The file's bytes; an error (exit 1) naming the file when it cannot be read.
Result<std::vector<uint8_t>> read_binary_file(const std::string &path);
// Prints a machine failure and returns its exit code.
int report_error(const Error &error);

}  // namespace polc::cli
