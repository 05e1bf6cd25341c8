// The headers polc carries inside its binary, so compiling eBPF C never
// reads kernel headers, libbpf headers or clang's resource directory from
// the machine it runs on (the build machine's copies are embedded by
// cmake/embed_files.cmake). Names are include paths: "maps_abi.h" for a file
// of templates/, "linux/bpf.h", "bpf/bpf_helpers.h", "stdint.h" for the
// system headers the templates need.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace polc::codegen {

// (include path, contents), sorted by include path. The contents live for
// the whole run.
const std::vector<std::pair<std::string_view, std::string_view>> &embedded_headers();

// The contents of one embedded header, or an empty view when there is none.
std::string_view embedded_header(std::string_view include_path);

}  // namespace polc::codegen
