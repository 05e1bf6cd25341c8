#include "cli/object_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "codegen/bpf_compiler.h"
#include "runtime/bpffs.h"

namespace polc::cli {
namespace {

namespace fs = std::filesystem;

constexpr size_t kKeep = 16;

// FNV-1a, 64 bits.
struct Fnv {
  uint64_t h = 1469598103934665603ull;
  void add(std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  void add(uint64_t v) { add(std::to_string(v)); }
};

std::string cache_key(const codegen::GeneratedProgram &program) {
  Fnv d;
  struct stat st {};
  if (::stat("/proc/self/exe", &st) == 0) {
    d.add(uint64_t(st.st_dev));
    d.add(uint64_t(st.st_ino));
    d.add(uint64_t(st.st_size));
    d.add(uint64_t(st.st_mtim.tv_sec));
    d.add(uint64_t(st.st_mtim.tv_nsec));
  }
  d.add(program.main_file);
  d.add(program.source);
  for (const auto &[name, text] : program.headers) {
    d.add(name);
    d.add(text);
  }
  return fmt::format("{:016x}", d.h);
}

bool read_bytes(const std::string &path, std::vector<uint8_t> &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return in.good() || in.eof();
}

// Written under a temporary name and renamed: an object appears whole or
// not at all, whatever kills polc.
void store(const std::string &dir, const std::string &path, const std::vector<uint8_t> &elf) {
  if (!runtime::make_private_dirs(dir)) return;
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool ok = ::write(fd, elf.data(), elf.size()) == ssize_t(elf.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return;
  }
  // Beyond kKeep objects the least recently used go, and so do temporary
  // files an interrupted polc left and compile locks (older than a minute).
  std::vector<std::pair<fs::file_time_type, fs::path>> objects;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto &entry : fs::directory_iterator(dir, ec)) {
    auto written = entry.last_write_time(ec);
    if (ec) continue;
    if (entry.path().extension() == ".o")
      objects.emplace_back(written, entry.path());
    else if (now - written > std::chrono::minutes(1))
      fs::remove(entry.path(), ec);
  }
  if (objects.size() <= kKeep) return;
  std::sort(objects.begin(), objects.end());
  for (size_t i = 0; i + kKeep < objects.size(); ++i) fs::remove(objects[i].second, ec);
}

// flock on <dir>/<key>.lock for as long as the object lives; nothing when
// there is no cache or the lock cannot be had (then each compiles).
class CompileLock {
 public:
  CompileLock(const std::string &dir, const std::string &key) {
    if (dir.empty() || !runtime::make_private_dirs(dir)) return;
    fd_ = ::open((dir + "/" + key + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~CompileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  CompileLock(const CompileLock &) = delete;
  CompileLock &operator=(const CompileLock &) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

std::string object_cache_dir() {
  const char *env = std::getenv("POLC_OBJECT_CACHE");
  if (!env) return kObjectCacheDir;
  return std::string(env) == "off" ? "" : env;
}

Result<CachedObject> cached_object(const codegen::GeneratedProgram &program, const std::string &dir) {
  const std::string key = dir.empty() ? "" : cache_key(program);
  const std::string path = dir.empty() ? "" : dir + "/" + key + ".o";
  CachedObject out;
  auto hit = [&] {
    if (path.empty() || !read_bytes(path, out.elf) || out.elf.empty()) return false;
    out.hit = true;
    ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // most recently used
    return true;
  };
  if (hit()) return out;
  // Processes that need the same program at once (agents started
  // together, applies on several interfaces) compile it once: the first
  // holds the key's lock while it compiles, the others wait for it and
  // then read its object.
  CompileLock lock(dir, key);
  if (hit()) return out;
  codegen::CompileInput input;
  input.file_name = program.main_file;
  input.source = program.source;
  input.headers = program.headers;
  auto elf = codegen::compile_bpf_c(input);
  if (!elf) return elf.error();
  out.elf = std::move(elf).value();
  if (!path.empty()) store(dir, path, out.elf);
  return out;
}

}  // namespace polc::cli
