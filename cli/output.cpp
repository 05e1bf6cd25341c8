#include "cli/output.h"

#include <fstream>
#include <iostream>
#include <iterator>

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

bool is_object_file(const std::string &path) {
  // By name too: a truncated or corrupt "x.o" must be refused as an
  // object, not read as a policy.
  if (path.size() > 2 && path.compare(path.size() - 2, 2, ".o") == 0) return true;
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

Result<std::vector<uint8_t>> read_binary_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  if (!in && !in.eof()) return Error{"cannot read " + path, 1};
  return bytes;
}

int report_error(const Error &error) {
  std::cerr << "polc: " << (error.exit_code == 4 ? "internal error: " : "error: ") << error.message << "\n";
  return error.exit_code;
}

}  // namespace polc::cli
