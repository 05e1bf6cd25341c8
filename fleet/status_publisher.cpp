#include "fleet/status_publisher.h"

namespace polc::fleet {

namespace {

using Clock = std::chrono::steady_clock;

// Up to kBurst writes at once, refilled at kPerSecond.
class WriteBucket {
 public:
  static constexpr double kBurst = 4, kPerSecond = 4;
  // When the next write may go (now, or when a token is back).
  Clock::time_point next_token() {
    refill();
    if (tokens_ >= 1) return Clock::now();
    return last_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>((1 - tokens_) / kPerSecond));
  }
  void take() {
    refill();
    tokens_ -= 1;
  }

 private:
  void refill() {
    auto now = Clock::now();
    tokens_ = std::min(kBurst, tokens_ + std::chrono::duration<double>(now - last_).count() * kPerSecond);
    last_ = now;
  }
  double tokens_ = kBurst;
  Clock::time_point last_ = Clock::now();
};

}  // namespace

StatusPublisher::StatusPublisher(std::vector<std::string> endpoints, std::string key, int64_t ttl_seconds)
    : endpoints_(std::move(endpoints)), key_(std::move(key)), ttl_seconds_(ttl_seconds) {
  thread_ = std::thread([this] { run(); });
}

StatusPublisher::~StatusPublisher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StatusPublisher::publish(std::string value) {
  {
    std::lock_guard lock(mutex_);
    pending_ = std::move(value);
    dirty_ = true;
  }
  wake_.notify_all();
}

void StatusPublisher::revoke() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (lease_ == 0) return;
  EtcdOptions quick;
  quick.request_timeout = std::chrono::milliseconds(2000);
  EtcdClient client(endpoints_, quick);
  (void)client.lease_revoke(lease_);  // unreachable etcd: the lease expires instead
}

bool StatusPublisher::ensure_lease(EtcdClient &client) {
  if (lease_ != 0) return true;
  auto granted = client.lease_grant(ttl_seconds_);
  if (!granted) return false;
  lease_ = *granted;
  // A new lease holds no key yet: what was published goes again.
  std::lock_guard lock(mutex_);
  dirty_ = !pending_.empty();
  return true;
}

void StatusPublisher::run() {
  EtcdOptions options;
  // A keep-alive must come back well within the TTL; a slow etcd is
  // retried at the next beat rather than waited for.
  options.request_timeout = std::chrono::milliseconds(std::max<int64_t>(1000, ttl_seconds_ * 1000 / 4));
  EtcdClient client(endpoints_, options);
  const auto beat = std::chrono::milliseconds(std::max<int64_t>(300, ttl_seconds_ * 1000 / 3));
  auto next_beat = Clock::now();
  WriteBucket writes;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_beat, [this] { return stopping_ || dirty_; });
      if (stopping_) return;
    }
    bool ok = ensure_lease(client);
    if (ok && Clock::now() >= next_beat) {
      auto ttl = client.lease_keepalive(lease_);
      if (ttl && *ttl == 0) {  // expired while etcd was away, or revoked
        lease_ = 0;
        ok = ensure_lease(client);
      }
      ok = ok && ttl.ok();
      if (ok) next_beat = Clock::now() + beat;
    }
    // A token bucket: a few writes go at once, then four a second, and a
    // status that waits is replaced by a newer one. Under churn each agent
    // writes a few times a second, not once per revision (what etcd can
    // take from thousands of hosts); a status after a quiet spell, the
    // usual push, goes at once.
    const auto next_write = writes.next_token();
    if (ok && Clock::now() < next_write) {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, std::min(next_write, next_beat), [this] { return stopping_; });
      if (stopping_) return;
    }
    std::string value;
    if (ok && Clock::now() >= next_write) {
      std::lock_guard lock(mutex_);
      if (dirty_) value = pending_;
      dirty_ = false;
    }
    if (!value.empty()) {
      if (auto written = client.put(key_, value, lease_)) {
        written_revision_.store(*written);
        writes.take();
      } else {
        // etcd forgot the lease (it expired while this host could not reach it).
        if (written.error().message.find("lease not found") != std::string::npos) lease_ = 0;
        std::lock_guard lock(mutex_);
        dirty_ = true;  // this one again, unless a newer one came meanwhile (then that one)
        if (pending_.empty()) pending_ = value;
        ok = false;
      }
    }
    if (ok) continue;
    // Unreachable: try again soon, not a whole beat later, but not at once
    // either (a refused connection fails in microseconds).
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_; });
  }
}

}  // namespace polc::fleet
