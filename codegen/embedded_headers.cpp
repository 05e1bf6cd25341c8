// embedded_headers() itself is generated at build time
// (embedded_headers_data.cpp in the build tree); this file adds the lookup.
#include "codegen/embedded_headers.h"

#include <algorithm>

namespace polc::codegen {

std::string_view embedded_header(std::string_view include_path) {
  const auto &files = embedded_headers();
  auto it = std::lower_bound(files.begin(), files.end(), include_path,
                             [](const auto &entry, std::string_view name) { return entry.first < name; });
  if (it == files.end() || it->first != include_path) return {};
  return it->second;
}

}  // namespace polc::codegen
