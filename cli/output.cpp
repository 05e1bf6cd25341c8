#include "cli/output.h"

#include <fstream>
#include <iostream>

#include <cstring>

namespace polc::cli {

bool write_output(const std::string &path, const std::string &text) {
  if (path == "-") {
    std::cout << text;
    return bool(std::cout);
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << text;
  if (!out) {
    std::cerr << path << ": error: cannot write: " << std::strerror(errno) << "\n";
    return false;
  }
  return true;
}

int report_error(const Error &error) {
  std::cerr << "polc: " << (error.exit_code == 4 ? "internal error: " : "error: ") << error.message << "\n";
  return error.exit_code;
}

}  // namespace polc::cli
