#include "runtime/bpf_object.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "runtime/kernel_clock.h"
#include "runtime/libbpf_messages.h"
#include "runtime/verifier_log.h"
#include "templates/maps_abi.h"

namespace polc::runtime {
namespace {

// BPF_LOG_LEVEL1 prints every instruction the verifier walks; BPF_LOG_STATS
// adds "processed N insns". Successful loads ask for statistics only.
constexpr uint32_t kLogLevelVerbose = 1;
constexpr uint32_t kLogLevelStats = 4;
constexpr size_t kStatsLogSize = 64 * 1024;
// Large enough for the verbose log of a big program; kernels >= 6.4 keep
// the tail of a longer log, which is the part that explains a rejection.
constexpr size_t kVerboseLogSize = 16 * 1024 * 1024;
constexpr size_t kReportedLogLines = 12;

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

std::string with_libbpf_messages(std::string message) {
  std::string said = take_libbpf_messages();
  if (!said.empty()) message += "\nlibbpf said:\n" + said;
  return message;
}

// libbpf names the failing program in "prog 'NAME': BPF program load failed".
std::string failed_program_named_in(const std::string &messages) {
  constexpr std::string_view marker = "prog '";
  for (size_t at = messages.find(marker); at != std::string::npos; at = messages.find(marker, at + 1)) {
    size_t name_start = at + marker.size();
    size_t name_end = messages.find("': BPF program load failed", name_start);
    if (name_end != std::string::npos && messages.find('\n', name_start) > name_end)
      return messages.substr(name_start, name_end - name_start);
  }
  return {};
}

size_t kernel_verified_insns(int prog_fd) {
  bpf_prog_info info;
  std::memset(&info, 0, sizeof info);
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) return 0;
  return info.verified_insns;  // 0 on kernels before 5.16
}

std::string rejection_message(const std::string &program, const std::string &log) {
  std::string message = "the verifier rejected program \"" + program + "\"";
  if (auto at = rejected_source_line(log))
    message += " at " + at->file + ":" + std::to_string(at->line) + ": " + at->text;
  std::string tail = verifier_log_tail(log, kReportedLogLines);
  if (!tail.empty()) message += "\nverifier log (last lines):\n" + tail;
  return message;
}

// A datapath object counts conntrack ages in jiffies: the running
// kernel's tick rate goes into its clock section before load (maps_abi.h).
// Objects without the section (tests' own programs) are left alone.
Result<void> write_kernel_clock(::bpf_object *obj) {
  ::bpf_map *section = bpf_object__find_map_by_name(obj, POLC_CLOCK_SECTION);
  if (!section) return {};
  Result<uint64_t> hz = kernel_hz();
  if (!hz) return hz.error();
  const polc_clock clock{.hz = *hz};
  if (bpf_map__set_initial_value(section, &clock, sizeof clock) != 0)
    return internal_error(with_libbpf_messages(std::string("cannot write " POLC_CLOCK_SECTION ": ") + errno_text(errno)));
  return {};
}

}  // namespace

Result<BpfObject> BpfObject::open_memory(const std::vector<uint8_t> &elf, const std::string &name) {
  capture_libbpf_messages();
  take_libbpf_messages();
  std::vector<uint8_t> copy = elf;
  bpf_object_open_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  opts.object_name = name.c_str();
  ::bpf_object *obj = bpf_object__open_mem(copy.data(), copy.size(), &opts);
  if (!obj) {
    int err = errno;
    return internal_error(with_libbpf_messages("bpf_object__open_mem(\"" + name + "\") failed: " + errno_text(err)));
  }
  take_libbpf_messages();  // warnings about an object that opened fine
  BpfObject opened(obj, std::move(copy), name);
  if (Result<void> clock = write_kernel_clock(obj); !clock) return clock.error();
  return opened;
}

BpfObject::BpfObject(BpfObject &&other) noexcept
    : obj_(std::exchange(other.obj_, nullptr)),
      elf_(std::move(other.elf_)),
      name_(std::move(other.name_)),
      log_bufs_(std::move(other.log_bufs_)),
      reports_(std::move(other.reports_)) {}

BpfObject &BpfObject::operator=(BpfObject &&other) noexcept {
  if (this != &other) {
    if (obj_) bpf_object__close(obj_);
    obj_ = std::exchange(other.obj_, nullptr);
    elf_ = std::move(other.elf_);
    name_ = std::move(other.name_);
    log_bufs_ = std::move(other.log_bufs_);
    reports_ = std::move(other.reports_);
  }
  return *this;
}

BpfObject::~BpfObject() {
  if (obj_) bpf_object__close(obj_);
}

Result<bool> BpfObject::reuse_map(const std::string &name, int fd) {
  ::bpf_map *map = bpf_object__find_map_by_name(obj_, name.c_str());
  if (!map) return false;
  if (bpf_map__reuse_fd(map, fd) != 0)
    return environment_error("cannot reuse a map for " + name + " (" + std::strerror(errno) + ")");
  return true;
}

Result<void> BpfObject::load() {
  take_libbpf_messages();
  log_bufs_.clear();
  reports_.clear();
  ::bpf_program *prog;
  bpf_object__for_each_program(prog, obj_) {
    auto &buf = log_bufs_.emplace_back(kStatsLogSize, '\0');
    bpf_program__set_log_buf(prog, buf.data(), buf.size());
    bpf_program__set_log_level(prog, kLogLevelStats);
  }

  const int err = bpf_object__load(obj_);
  const std::string messages = take_libbpf_messages();

  size_t index = 0;
  bpf_object__for_each_program(prog, obj_) {
    ProgramLoadReport report;
    report.name = bpf_program__name(prog);
    report.section = bpf_program__section_name(prog);
    report.insn_count = bpf_program__insn_cnt(prog);
    report.verifier_log = log_bufs_[index++].data();
    const int fd = bpf_program__fd(prog);
    report.loaded = err == 0 && fd >= 0;
    if (report.loaded) {
      report.verified_insns = kernel_verified_insns(fd);
      if (report.verified_insns == 0) report.verified_insns = processed_insns(report.verifier_log).value_or(0);
    }
    reports_.push_back(std::move(report));
  }
  if (err == 0) return {};

  const std::string failed = failed_program_named_in(messages);
  if (failed.empty()) {
    // Not a program: a map, BTF or relocation the kernel or libbpf refused.
    return environment_error("loading \"" + name_ + "\" failed: " + errno_text(err) +
                             (messages.empty() ? "" : "\nlibbpf said:\n" + messages));
  }
  const std::string log = explain_rejection(failed);
  for (auto &report : reports_) {
    if (report.name == failed) report.verifier_log = log;
  }
  return environment_error(rejection_message(failed, log));
}

std::string BpfObject::explain_rejection(const std::string &program) {
  bpf_object_open_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  opts.object_name = name_.c_str();
  ::bpf_object *again = bpf_object__open_mem(elf_.data(), elf_.size(), &opts);
  if (!again) return take_libbpf_messages();
  std::vector<char> log(kVerboseLogSize, '\0');
  ::bpf_program *prog;
  bpf_object__for_each_program(prog, again) {
    const bool wanted = program == bpf_program__name(prog);
    bpf_program__set_autoload(prog, wanted);
    if (wanted) {
      bpf_program__set_log_buf(prog, log.data(), log.size());
      bpf_program__set_log_level(prog, kLogLevelVerbose | kLogLevelStats);
    }
  }
  bpf_object__load(again);  // expected to fail again, now with the reason
  bpf_object__close(again);
  take_libbpf_messages();
  return log.data();
}

int BpfObject::program_fd(const std::string &name) const {
  ::bpf_program *prog = bpf_object__find_program_by_name(obj_, name.c_str());
  return prog ? bpf_program__fd(prog) : -1;
}

int BpfObject::map_fd(const std::string &name) const {
  ::bpf_map *map = bpf_object__find_map_by_name(obj_, name.c_str());
  return map ? bpf_map__fd(map) : -1;
}

std::vector<std::string> BpfObject::program_names() const {
  std::vector<std::string> names;
  ::bpf_program *prog;
  bpf_object__for_each_program(prog, obj_) names.emplace_back(bpf_program__name(prog));
  return names;
}

std::vector<std::string> BpfObject::map_names() const {
  std::vector<std::string> names;
  ::bpf_map *map;
  bpf_object__for_each_map(map, obj_) names.emplace_back(bpf_map__name(map));
  return names;
}

Result<void> map_update(int map_fd, const void *key, const void *value, uint64_t flags) {
  if (bpf_map_update_elem(map_fd, key, value, flags) != 0) {
    int err = errno;
    return environment_error("bpf_map_update_elem(fd " + std::to_string(map_fd) + ") failed: " + errno_text(err));
  }
  return {};
}

Result<void> map_update_many(int map_fd, const void *keys, const void *values, size_t count, size_t key_size,
                             size_t value_size) {
  const auto *k = static_cast<const uint8_t *>(keys);
  const auto *v = static_cast<const uint8_t *>(values);
  size_t done = 0;
  while (done < count) {
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    __u32 n = static_cast<__u32>(count - done);
    if (bpf_map_update_batch(map_fd, k + done * key_size, v + done * value_size, &n, &opts) == 0) {
      done += n;
      continue;
    }
    int err = errno;
    constexpr int kEnotsupp = 524;  // the kernel's ENOTSUPP, absent from the UAPI headers
    // No batch support (or a bad first entry, which the single update reports).
    if (done == 0 && n == 0 && (err == EINVAL || err == EOPNOTSUPP || err == kEnotsupp)) break;
    return environment_error("bpf_map_update_batch(fd " + std::to_string(map_fd) + ") failed at entry " +
                             std::to_string(done + n + 1) + " of " + std::to_string(count) + ": " + errno_text(err));
  }
  for (; done < count; ++done)
    if (auto written = map_update(map_fd, k + done * key_size, v + done * value_size); !written) return written;
  return {};
}

Result<void> map_update_concurrently(const std::vector<MapWrite> &writes) {
  std::vector<Result<void>> results(writes.size());
  std::vector<std::thread> threads;
  threads.reserve(writes.size());
  for (size_t i = 1; i < writes.size(); ++i)
    threads.emplace_back([&, i] { results[i] = map_update(writes[i].map_fd, writes[i].key, writes[i].value); });
  if (!writes.empty()) results[0] = map_update(writes[0].map_fd, writes[0].key, writes[0].value);
  for (std::thread &t : threads) t.join();
  for (Result<void> &r : results)
    if (!r) return r;
  return {};
}

Result<bool> map_lookup(int map_fd, const void *key, void *value) {
  if (bpf_map_lookup_elem(map_fd, key, value) == 0) return true;
  int err = errno;
  if (err == ENOENT) return false;
  return environment_error("bpf_map_lookup_elem(fd " + std::to_string(map_fd) + ") failed: " + errno_text(err));
}

Result<void> map_clear(int map_fd) {
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(map_fd, &info, &len) != 0)
    return environment_error("cannot read map fd " + std::to_string(map_fd) + ": " + errno_text(errno));
  std::vector<uint8_t> key(info.key_size);
  // Always the first key: the one just deleted cannot lead to the next.
  while (bpf_map_get_next_key(map_fd, nullptr, key.data()) == 0) {
    if (bpf_map_delete_elem(map_fd, key.data()) != 0) {
      const int err = errno;
      return environment_error("cannot delete from map \"" + std::string(info.name) + "\": " + errno_text(err));
    }
  }
  return {};
}

Result<uint64_t> percpu_counter_sum(int map_fd, uint32_t key) {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return environment_error("cannot count the possible CPUs: " + errno_text(-cpus));
  std::vector<uint64_t> per_cpu(static_cast<size_t>(cpus));
  auto found = map_lookup(map_fd, &key, per_cpu.data());
  if (!found) return found.error();
  uint64_t sum = 0;
  for (uint64_t v : per_cpu) sum += v;
  return sum;
}

Result<TestRunResult> test_run(int prog_fd, const std::vector<uint8_t> &packet, uint32_t repeat) {
  // Room for a program that grows the packet (encapsulation, VLAN push).
  std::vector<uint8_t> out(packet.size() + 4096);
  bpf_test_run_opts opts;
  std::memset(&opts, 0, sizeof opts);
  opts.sz = sizeof opts;
  opts.data_in = packet.data();
  opts.data_size_in = static_cast<uint32_t>(packet.size());
  opts.data_out = out.data();
  opts.data_size_out = static_cast<uint32_t>(out.size());
  opts.repeat = repeat;
  if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) {
    int err = errno;
    return environment_error("BPF_PROG_TEST_RUN on program fd " + std::to_string(prog_fd) + " failed: " +
                             errno_text(err));
  }
  out.resize(opts.data_size_out);
  return TestRunResult{opts.retval, opts.duration, std::move(out)};
}

}  // namespace polc::runtime
