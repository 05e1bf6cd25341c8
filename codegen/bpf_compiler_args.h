// The cc1 command line compile_bpf_c gives clang, separate from the
// compiler driving so tests can check it promises what polc needs: no
// system or builtin include directory from the disk, fixed paths in debug
// info, target bpfel. No LLVM types here.
#pragma once

#include <string>
#include <vector>

#include "codegen/bpf_compiler.h"

namespace polc::codegen {

// The root of the in-memory file system: working directory, debug
// compilation directory, and the directory of the main file.
inline constexpr const char *kVirtualRoot = "/polc";
// Where embedded_headers() are mounted (an -I directory).
inline constexpr const char *kEmbeddedIncludeDir = "/polc/include";

std::vector<std::string> cc1_arguments(const CompileInput &input);

}  // namespace polc::codegen
