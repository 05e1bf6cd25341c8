#include "runtime/bpffs.h"

#include <bpf/bpf.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace polc::runtime {
namespace {

constexpr long kBpfFsMagic = 0xcafe4a11;

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Result<void> ensure_bpffs_mounted() {
  struct statfs fs {};
  if (statfs(kBpffsRoot, &fs) == 0 && fs.f_type == kBpfFsMagic) return {};
  ::mkdir(kBpffsRoot, 0755);
  if (::mount("bpf", kBpffsRoot, "bpf", 0, "mode=0700") != 0)
    return environment_error(std::string("cannot mount the BPF filesystem on ") + kBpffsRoot + ": " + errno_text());
  return {};
}

Result<void> make_private_dirs(const std::string &path) {
  std::error_code ec;
  std::filesystem::path so_far;
  for (const auto &part : std::filesystem::path(path)) {
    so_far /= part;
    if (so_far == "/" || std::filesystem::exists(so_far, ec)) continue;
    if (::mkdir(so_far.c_str(), 0700) != 0 && errno != EEXIST)
      return environment_error("cannot create " + so_far.string() + ": " + errno_text());
  }
  return {};
}

Result<void> pin_object(int fd, const std::string &path) {
  ::unlink(path.c_str());
  if (bpf_obj_pin(fd, path.c_str()) != 0) return environment_error("cannot pin " + path + ": " + errno_text());
  ::chmod(path.c_str(), 0600);
  return {};
}

Result<UniqueFd> open_pinned(const std::string &path) {
  if (!path_exists(path)) return UniqueFd();
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) return environment_error("cannot open the pin " + path + ": " + errno_text());
  return UniqueFd(fd);
}

bool path_exists(const std::string &path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void remove_pins(const std::string &path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);  // unlinking a pin unpins it
}

}  // namespace polc::runtime
