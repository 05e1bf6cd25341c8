// In-process compilation of eBPF C to a BPF ELF object in memory, with the
// clang/LLVM 16 libraries linked into polc: no clang or llc process, no
// header or resource directory read from disk. Every header the source may
// include is given in `headers` or embedded in polc (see embedded_headers.h).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "frontend/result.h"

namespace polc::codegen {

struct CompileInput {
  std::string file_name = "polc.bpf.c";  // appears in BTF line info and errors
  std::string source;
  // Extra in-memory headers: (include path, contents), e.g. ("config.h", ...).
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> defines;  // "NAME" or "NAME=value"
  bool debug_info = true;            // BTF and line info (-g)
  int opt_level = 2;
};

// The ELF bytes (target bpfel), identical for identical input. A compile
// error in the source is returned as an internal error that quotes the
// diagnostics with the generated line (generated C that fails to compile is
// a polc bug).
Result<std::vector<uint8_t>> compile_bpf_c(const CompileInput &input);

}  // namespace polc::codegen
