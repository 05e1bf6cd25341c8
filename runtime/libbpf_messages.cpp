#include "runtime/libbpf_messages.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace polc::runtime {
namespace {

thread_local std::string captured;

int keep_message(enum libbpf_print_level level, const char *format, va_list args) {
  static const bool want_debug = std::getenv("POLC_LIBBPF_DEBUG") != nullptr;
  if (level == LIBBPF_DEBUG && !want_debug) return 0;
  char line[1024];
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(line, sizeof line, format, copy);
  va_end(copy);
  if (n < 0) return 0;
  if (static_cast<size_t>(n) < sizeof line) {
    captured.append(line, n);
  } else {  // long lines (a whole verifier log) need the exact size
    std::string long_line(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(long_line.data(), long_line.size(), format, args);
    long_line.pop_back();
    captured += long_line;
  }
  return n;
}

}  // namespace

void capture_libbpf_messages() {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(keep_message); });
}

std::string take_libbpf_messages() {
  std::string out;
  out.swap(captured);
  return out;
}

}  // namespace polc::runtime
