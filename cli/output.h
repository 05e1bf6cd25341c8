// Small output helpers shared by the commands.
#pragma once

#include <string>

#include "frontend/result.h"

namespace polc::cli {

// Writes `text` to `path` ("-": stdout); prints an error and returns false
// on failure.
bool write_output(const std::string &path, const std::string &text);
// Prints a machine failure and returns its exit code.
int report_error(const Error &error);

}  // namespace polc::cli
