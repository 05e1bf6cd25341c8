// The BPF filesystem: where polc pins what must outlive the command
// (programs, links, maps). Mounted by polc when missing; every directory
// polc makes is owner-only (0700), every pin 0600.
#pragma once

#include <string>

#include "frontend/result.h"
#include "runtime/unique_fd.h"

namespace polc::runtime {

inline constexpr const char *kBpffsRoot = "/sys/fs/bpf";

Result<void> ensure_bpffs_mounted();
Result<void> make_private_dirs(const std::string &path);  // mkdir -p, mode 0700
// Pins `fd` at `path`, replacing whatever was pinned there.
Result<void> pin_object(int fd, const std::string &path);
// The object pinned at `path`; an invalid fd (not an error) when nothing is.
Result<UniqueFd> open_pinned(const std::string &path);
bool path_exists(const std::string &path);
// Removes a directory of pins (unpinning each), if present.
void remove_pins(const std::string &path);

}  // namespace polc::runtime
