// The agent's status key, P/status/NODE, under an etcd lease: the key
// disappears when the agent stops (the lease revoked on SIGTERM) or dies
// (the lease expires, TTL seconds after the last keep-alive).
//
// A thread of its own with its own connection keeps the lease alive and
// writes the latest status: the agent's loop never waits on etcd to
// report, and a status given while etcd is away is written once it is
// back. A lease that expired meanwhile is replaced and the status written
// again under the new one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fleet/etcd_client.h"

namespace polc::fleet {

class StatusPublisher {
 public:
  StatusPublisher(std::vector<std::string> endpoints, std::string key, int64_t ttl_seconds);
  ~StatusPublisher();  // stops the thread; the lease is left to expire (SIGKILL's behaviour)
  StatusPublisher(const StatusPublisher &) = delete;
  StatusPublisher &operator=(const StatusPublisher &) = delete;

  // The status to write: the latest one given wins.
  void publish(std::string value);
  // Revokes the lease, which removes the key (SIGTERM), and stops.
  void revoke();
  // The revision of the last write that reached etcd (0 before any).
  int64_t written_revision() const { return written_revision_.load(); }

 private:
  void run();
  bool ensure_lease(EtcdClient &client);

  std::vector<std::string> endpoints_;
  std::string key_;
  int64_t ttl_seconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;   // written when dirty_
  bool dirty_ = false;
  bool stopping_ = false;
  int64_t lease_ = 0;     // 0: none granted yet, or lost
  std::atomic<int64_t> written_revision_{0};
  std::thread thread_;
};

}  // namespace polc::fleet
