#include "runtime/iface_link.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace polc::runtime {
namespace {

// enum bpf_attach_type values of kernel 6.6, absent from older headers.
constexpr int kBpfTcxIngress = 46;
constexpr int kBpfTcxEgress = 47;

int attach_type(AttachPoint point) {
  switch (point) {
    case AttachPoint::TcxIngress: return kBpfTcxIngress;
    case AttachPoint::TcxEgress: return kBpfTcxEgress;
    case AttachPoint::Xdp: return BPF_XDP;
  }
  return BPF_XDP;
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

const char *attach_point_name(AttachPoint point) {
  switch (point) {
    case AttachPoint::TcxIngress: return "tcx ingress";
    case AttachPoint::TcxEgress: return "tcx egress";
    case AttachPoint::Xdp: return "xdp";
  }
  return "?";
}

Result<UniqueFd> link_attach(int prog_fd, int ifindex, AttachPoint point) {
  int fd = bpf_link_create(prog_fd, ifindex, static_cast<bpf_attach_type>(attach_type(point)), nullptr);
  if (fd < 0) {
    int err = errno;
    std::string hint = err == EINVAL && point != AttachPoint::Xdp ? " (tcx needs Linux 6.6 or later)" : "";
    return environment_error(std::string("cannot attach the ") + attach_point_name(point) + " link to ifindex " +
                             std::to_string(ifindex) + ": " + errno_text(err) + hint);
  }
  return UniqueFd(fd);
}

Result<void> link_replace_program(int link_fd, int new_prog_fd) {
  if (bpf_link_update(link_fd, new_prog_fd, nullptr) != 0)
    return environment_error("BPF_LINK_UPDATE failed: " + errno_text(errno));
  return {};
}

namespace {

Result<bpf_link_info> link_info(int link_fd) {
  bpf_link_info info;
  std::memset(&info, 0, sizeof info);
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(link_fd, &info, &len) != 0)
    return environment_error("cannot read a link's info: " + errno_text(errno));
  return info;
}

}  // namespace

Result<uint32_t> link_program_id(int link_fd) {
  auto info = link_info(link_fd);
  if (!info) return info.error();
  return info->prog_id;
}

Result<uint32_t> link_ifindex(int link_fd) {
  auto info = link_info(link_fd);
  if (!info) return info.error();
  // tcx and XDP links both start their union member with the ifindex; the
  // installed UAPI header predates tcx, so read it through the XDP member.
  return info->xdp.ifindex;
}

Result<uint32_t> program_id(int prog_fd) {
  bpf_prog_info info;
  std::memset(&info, 0, sizeof info);
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0)
    return environment_error("cannot read a program's info: " + errno_text(errno));
  return info.id;
}

}  // namespace polc::runtime
