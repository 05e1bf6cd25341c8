// RAII ownership of libbpf objects and the kernel operations polc needs for
// compile-time checks: open an ELF from memory, load it (the verifier runs),
// look up programs and maps, run a program on packet bytes. Every handle is
// closed by its owner's destructor; errors come back as Result with the
// libbpf call and errno.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frontend/result.h"

struct bpf_object;
struct bpf_program;
struct bpf_map;

namespace polc::runtime {

struct ProgramLoadReport {
  std::string name;        // the program's function name
  std::string section;     // "tc", "xdp", ...
  size_t insn_count = 0;   // instructions in the object
  size_t verified_insns = 0;  // the verifier's "processed N insns"
  std::string verifier_log;   // kept on success too (statistics level)
  bool loaded = false;
};

class BpfObject {
 public:
  // Opens (does not load) an ELF held in memory. `name` names the object in
  // messages and in the kernel.
  static Result<BpfObject> open_memory(const std::vector<uint8_t> &elf, const std::string &name);

  BpfObject(BpfObject &&) noexcept;
  BpfObject &operator=(BpfObject &&) noexcept;
  ~BpfObject();  // bpf_object__close: unloads programs, closes maps

  // Before load: the map `name` is `fd` instead of a new one (a map shared
  // by every object of an interface, such as polc_ct). A name the object
  // does not have is not an error: false.
  Result<bool> reuse_map(const std::string &name, int fd);

  // Loads every program (maps are created). On a verifier rejection the
  // error's exit_code is 3 and the reports keep each program's log.
  Result<void> load();
  const std::vector<ProgramLoadReport> &reports() const { return reports_; }

  // fd of a loaded program or created map, or -1 when there is none by that name.
  int program_fd(const std::string &name) const;
  int map_fd(const std::string &name) const;
  std::vector<std::string> program_names() const;
  std::vector<std::string> map_names() const;
  ::bpf_object *raw() const { return obj_; }

 private:
  BpfObject(::bpf_object *obj, std::vector<uint8_t> elf, std::string name)
      : obj_(obj), elf_(std::move(elf)), name_(std::move(name)) {}
  // After a rejection, loads the failed program alone again from `elf_`
  // with the verbose log, to learn why (the first load only asked for
  // statistics, which keeps successful loads fast).
  std::string explain_rejection(const std::string &program);

  ::bpf_object *obj_ = nullptr;
  // libbpf reads the ELF in place until the object is loaded, and the
  // rejection explanation reopens it: the object keeps its own copy.
  std::vector<uint8_t> elf_;
  std::string name_;
  std::vector<std::vector<char>> log_bufs_;
  std::vector<ProgramLoadReport> reports_;
};

// The program's verifier log, when loaded with line info, points at source
// lines: see verifier_log.h to report a rejection against the C.

// Map element access by fd; key/value sizes must match the map's.
Result<void> map_update(int map_fd, const void *key, const void *value, uint64_t flags = 0);
Result<bool> map_lookup(int map_fd, const void *key, void *value);  // false: not found
// Deletes every element of a hash, LRU hash or LPM trie.
Result<void> map_clear(int map_fd);
// A per-CPU u64 counter (e.g. polc_drops) summed over every possible CPU.
Result<uint64_t> percpu_counter_sum(int map_fd, uint32_t key);

// `count` entries, keys and values each laid out back to back (as arrays of
// the map's key and value structs), in one BPF_MAP_UPDATE_BATCH instead of
// one syscall each (half the time for 10,000 LPM entries). A kernel
// without batch updates for the map's type gets one update per entry.
Result<void> map_update_many(int map_fd, const void *keys, const void *values, size_t count, size_t key_size,
                             size_t value_size);

// Several updates of different maps, each on a thread of its own, all
// waited for. An update of an array of maps waits in the kernel for an RCU
// grace period (every program has let go of the inner map replaced):
// sequential updates of N such arrays wait N periods, concurrent ones
// share one. The first error is returned; the other writes may have happened.
struct MapWrite {
  int map_fd;
  const void *key;
  const void *value;
};
Result<void> map_update_concurrently(const std::vector<MapWrite> &writes);

struct TestRunResult {
  uint32_t retval = 0;
  uint32_t duration_ns = 0;  // average per run, as the kernel reports it
  std::vector<uint8_t> data_out;
};

// BPF_PROG_TEST_RUN on one packet (Ethernet frame), `repeat` times.
Result<TestRunResult> test_run(int prog_fd, const std::vector<uint8_t> &packet, uint32_t repeat = 1);

}  // namespace polc::runtime
