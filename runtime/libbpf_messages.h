// libbpf reports through one process-wide print callback that writes to
// stderr by default. polc keeps those lines instead (per thread), so they
// end up in the message of the error they explain and never interleave with
// polc's own diagnostics or JSON on the terminal.
#pragma once

#include <string>

namespace polc::runtime {

// Installs polc's callback (once; later calls do nothing). Debug-level
// messages are dropped unless POLC_LIBBPF_DEBUG is set in the environment.
void capture_libbpf_messages();

// What libbpf printed on this thread since the last call; clears it.
std::string take_libbpf_messages();

}  // namespace polc::runtime
