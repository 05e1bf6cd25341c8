#include "runtime/iface_state.h"

#include <filesystem>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/bpffs.h"

namespace polc::runtime {

std::string IfaceId::pin_dir() const { return std::string(kBpffsRoot) + "/polc/" + scope() + "/" + iface; }
std::string IfaceId::state_path() const { return "/run/polc/" + scope() + "/" + iface + ".json"; }
std::string IfaceId::lock_path() const { return "/run/polc/" + scope() + "/" + iface + ".lock"; }

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

IfaceState load_state(const IfaceId &id) {
  IfaceState state;
  std::ifstream in(id.state_path());
  if (!in) return state;
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    state.hook = j.value("hook", "");
    state.attached_since = j.value("attached_since", "");
    state.next_object = j.value("next_object", uint64_t{1});
    state.next_generation = j.value("next_generation", uint64_t{1});
    state.activations = j.value("activations", uint64_t{0});
    for (auto &[key, obj] : j.at("objects").items()) {
      ObjectRecord record;
      record.shape_digest = obj.value("shape_digest", "");
      for (auto &[slot, s] : obj.at("slots").items()) {
        SlotRecord sr;
        sr.generation = s.value("generation", uint64_t{0});
        sr.policy_digest = s.value("policy_digest", "");
        sr.since = s.value("since", "");
        sr.activated = s.value("activated", uint64_t{0});
        sr.rules = s.value("rules", std::vector<uint32_t>{});
        sr.endpoints = s.value("endpoints", std::map<std::string, std::string>{});
        record.slots[static_cast<uint32_t>(std::stoul(slot))] = sr;
      }
      state.objects[std::stoull(key)] = record;
    }
    if (j.contains("counters"))
      for (auto &[index, c] : j.at("counters").items())
        state.counters[static_cast<uint32_t>(std::stoul(index))] =
            CountedRule{c.value("source", ""), c.value("anchor", ""), c.value("direction", ""),
                        c.value("verdict", ""), c.value("digest", "")};
  } catch (const std::exception &) {
    return IfaceState{};  // a torn or foreign file: start from the kernel's view
  }
  return state;
}

void mark_in_force(IfaceState &state, SlotRecord &slot) { slot.activated = ++state.activations; }

Result<void> save_state(const IfaceId &id, const IfaceState &state) {
  nlohmann::json j = {{"hook", state.hook},
                      {"attached_since", state.attached_since},
                      {"next_object", state.next_object},
                      {"next_generation", state.next_generation},
                      {"activations", state.activations},
                      {"objects", nlohmann::json::object()}};
  for (const auto &[key, obj] : state.objects) {
    nlohmann::json slots = nlohmann::json::object();
    for (const auto &[slot, s] : obj.slots)
      slots[std::to_string(slot)] = {{"generation", s.generation},
                                     {"policy_digest", s.policy_digest},
                                     {"since", s.since},
                                     {"activated", s.activated},
                                     {"rules", s.rules},
                                     {"endpoints", s.endpoints}};
    j["objects"][std::to_string(key)] = {{"shape_digest", obj.shape_digest}, {"slots", slots}};
  }
  nlohmann::json counters = nlohmann::json::object();
  for (const auto &[index, c] : state.counters)
    counters[std::to_string(index)] = {
        {"source", c.source}, {"anchor", c.anchor}, {"direction", c.direction}, {"verdict", c.verdict},
        {"digest", c.digest}};
  j["counters"] = std::move(counters);
  std::string dir = "/run/polc/" + id.scope();
  if (auto made = make_private_dirs(dir); !made) return made;
  std::string tmp = id.state_path() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << "\n";
    out.flush();
    if (!out) return environment_error("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0600);
  if (std::rename(tmp.c_str(), id.state_path().c_str()) != 0)
    return environment_error("cannot replace " + id.state_path() + ": " + std::strerror(errno));
  return {};
}

Result<IfaceLock> IfaceLock::acquire(const IfaceId &id, int timeout_ms) {
  const std::string path = id.lock_path();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (auto made = make_private_dirs("/run/polc/" + id.scope()); !made) return made.error();
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd.valid()) return environment_error("cannot open " + path + ": " + std::strerror(errno));
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) return environment_error("cannot lock " + path + ": " + std::strerror(errno));
      if (std::chrono::steady_clock::now() > deadline)
        return environment_error("another polc is changing " + id.iface + " (lock " + path + " held)");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // The holder before us may have removed the file (remove_file): then
    // this lock guards nothing, and the path must be opened again.
    struct stat held {}, named {};
    if (::fstat(fd.get(), &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
        held.st_ino == named.st_ino)
      return IfaceLock(std::move(fd), path);
  }
}

void IfaceLock::remove_file() {
  ::unlink(path_.c_str());
  ::rmdir(std::filesystem::path(path_).parent_path().c_str());  // fails harmlessly unless empty
}

}  // namespace polc::runtime
