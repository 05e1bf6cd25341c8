#include "tests/support/fleet_store.h"

#include <chrono>
#include <regex>
#include <thread>

namespace polc::test {

nlohmann::json status_of(fleet::EtcdClient &client, const std::string &node) {
  auto got = client.get("/polc/status/" + node);
  if (!got || got->kvs.empty()) return nullptr;
  return nlohmann::json::parse(got->kvs.front().value, nullptr, false);
}

std::vector<nlohmann::json> wait_statuses(fleet::EtcdClient &client, const std::vector<std::string> &nodes,
                                          const StatusCheck &done, double timeout_s) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - start).count() < timeout_s) {
    std::vector<nlohmann::json> statuses;
    for (const std::string &node : nodes) {
      nlohmann::json s = status_of(client, node);
      if (s.is_null() || s.is_discarded() || !done(s)) break;
      statuses.push_back(std::move(s));
    }
    if (statuses.size() == nodes.size()) return statuses;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return {};
}

nlohmann::json wait_status(fleet::EtcdClient &client, const std::string &node, const StatusCheck &done,
                           double timeout_s) {
  std::vector<nlohmann::json> got = wait_statuses(client, {node}, done, timeout_s);
  return got.empty() ? nlohmann::json(nullptr) : got.front();
}

int64_t pushed_revision(const CommandResult &push) {
  std::smatch m;
  if (!std::regex_search(push.out, m, std::regex("^revision ([0-9]+):"))) return 0;
  return std::stoll(m[1]);
}

}  // namespace polc::test
