// bpf_link attachments to an interface: tcx (tc ingress/egress, kernel
// 6.6+) and XDP. A link is replaced in place with BPF_LINK_UPDATE, one
// atomic kernel operation, and detaches when its last reference (fd or
// pin) goes away. libbpf 1.1.2 has no tcx helpers: the raw
// bpf_link_create is used with the attach types defined by hand.
#pragma once

#include <cstdint>

#include "frontend/result.h"
#include "runtime/unique_fd.h"

namespace polc::runtime {

enum class AttachPoint { TcxIngress, TcxEgress, Xdp };

const char *attach_point_name(AttachPoint point);

// Must run in the interface's network namespace (netns_guard.h).
Result<UniqueFd> link_attach(int prog_fd, int ifindex, AttachPoint point);
Result<void> link_replace_program(int link_fd, int new_prog_fd);
// The id of the program a link runs, and of a program fd.
Result<uint32_t> link_program_id(int link_fd);
// The interface a link is attached to; 0 once the link is severed (the
// interface or its namespace went away).
Result<uint32_t> link_ifindex(int link_fd);
Result<uint32_t> program_id(int prog_fd);

}  // namespace polc::runtime
