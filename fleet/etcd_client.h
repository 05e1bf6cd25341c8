// An etcd v3 client for `polc agent` and `polc push`: libcurl on etcd's
// JSON gateway (grpc-gateway, POST /v3/...), so that polc needs neither gRPC
// nor protobuf. Only what the fleet uses: reads of a prefix at a revision,
// puts, one-shot transactions, leases and a prefix watch.
//
// Keys and values are bytes (any, '\0' included). Calls try the endpoint
// that last worked, then the others in order: a connection failure or an
// HTTP 5xx moves on, an answer of etcd's own (a refused request) does not.
// Unreachable etcd is an environment error (exit 3), an answer polc cannot
// read an internal one (exit 4). Nothing throws.
//
// Thread-safe: calls take turns on one connection; each watch has its own,
// so one thread may watch while another keeps a lease alive.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "frontend/result.h"

namespace polc::fleet {

struct EtcdOptions {
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds request_timeout{5000};  // every call but watch
};

struct KeyValue {
  std::string key, value;
  int64_t mod_revision = 0;
  int64_t create_revision = 0;
  int64_t lease = 0;
};

// revision: the store's revision the read saw (the header's), even when
// kvs is empty, so a watch can resume from revision + 1.
struct RangeResult {
  int64_t revision = 0;
  std::vector<KeyValue> kvs;
};

struct WatchEvent {
  enum class Type { Put, Delete } type = Type::Put;
  KeyValue kv;  // for Delete: the key and the delete's mod_revision
};

// One watch response with events; revision = its header revision. A live
// watch gets one batch per transaction, but a watch catching up on history
// may get the events of several revisions in one batch (each event's
// kv.mod_revision tells them apart).
struct WatchBatch {
  int64_t revision = 0;
  std::vector<WatchEvent> events;
};

// One operation of a transaction. etcd refuses a transaction that touches a
// key twice (a put inside a deleted prefix included): "duplicate key".
struct TxnOp {
  enum class Kind { Put, Delete, DeletePrefix } kind = Kind::Put;
  std::string key, value;  // key: the prefix for DeletePrefix
  int64_t lease = 0;
  static TxnOp put(std::string key, std::string value, int64_t lease = 0);
  static TxnOp erase(std::string key);
  static TxnOp erase_prefix(std::string prefix);
};

struct WatchEnd {
  enum class Why { Stopped, Compacted } why = Why::Stopped;
  int64_t compact_revision = 0;  // Compacted: the oldest revision still readable
};

class EtcdClient {
 public:
  // endpoints: "http://127.0.0.1:2379" or "127.0.0.1:2379" (http:// added);
  // several for failover.
  explicit EtcdClient(std::vector<std::string> endpoints, EtcdOptions options = {});
  ~EtcdClient();
  EtcdClient(const EtcdClient &) = delete;
  EtcdClient &operator=(const EtcdClient &) = delete;

  // "a:2379, b:2379" -> {"a:2379", "b:2379"}; blanks and empty items dropped.
  static std::vector<std::string> split_endpoints(const std::string &comma_separated);
  // etcd's range_end for "every key starting with prefix": the prefix with
  // its last byte below 0xff incremented (and what follows dropped); "\0"
  // (every key) when there is no such byte.
  static std::string prefix_end(const std::string &prefix);

  // Every key under `prefix` ("" for all), at `revision` (0: the latest).
  Result<RangeResult> range_prefix(const std::string &prefix, int64_t revision = 0);
  Result<RangeResult> get(const std::string &key);  // kvs empty when absent
  Result<int64_t> put(const std::string &key, const std::string &value, int64_t lease = 0);  // the new revision
  // All ops in one transaction (no compares), so one revision; returns it.
  Result<int64_t> txn(const std::vector<TxnOp> &ops);
  Result<int64_t> lease_grant(int64_t ttl_seconds);  // lease ID
  Result<int64_t> lease_keepalive(int64_t id);       // remaining TTL in s; 0 when the lease is gone
  Result<void> lease_revoke(int64_t id);             // an error when the lease is gone
  // Forgets the history before `revision`; watches from older revisions
  // then end with WatchEnd::Compacted.
  Result<void> compact(int64_t revision);

  // Watches the keys under `prefix` from `start_revision` (0: from now),
  // calling on_batch for each response that carries events, until
  //  - `stop` becomes true (checked every 100 ms): WatchEnd{Stopped};
  //  - etcd cancels the watch because start_revision was compacted:
  //    WatchEnd{Compacted, compact_revision};
  //  - the connection fails or etcd goes away: an Error; the caller
  //    reconnects with backoff and resumes from the last revision + 1.
  // on_created, when given, is called once etcd confirmed the watch, which
  // tells the caller that the watch is live. etcd 3.4 confirms even a watch
  // it cancels for compaction right after. An endpoint that does not confirm
  // within request_timeout counts as unreachable, like a failed connection:
  // the next one is tried.
  // on_batch and on_created run on the calling thread; what they throw
  // propagates (the connection is closed first).
  Result<WatchEnd> watch_prefix(const std::string &prefix, int64_t start_revision,
                                const std::function<void(WatchBatch &&)> &on_batch, const std::atomic<bool> &stop,
                                const std::function<void()> &on_created = {});
  // The same on the keys in [key, range_end): several folders of a prefix
  // in one watch. range_end "\0" means every key from `key` on.
  Result<WatchEnd> watch_range(const std::string &key, const std::string &range_end, int64_t start_revision,
                               const std::function<void(WatchBatch &&)> &on_batch, const std::atomic<bool> &stop,
                               const std::function<void()> &on_created = {});

  const std::string &endpoint() const;  // the endpoint the last successful call used
  const std::vector<std::string> &endpoints() const { return endpoints_; }  // as normalized

 private:
  struct Connection;

  // POSTs `body` (JSON text) to `path` on each endpoint in turn until one
  // answers: the body of its 200, or the error etcd gave.
  Result<std::string> post(const char *path, const std::string &body);
  // The endpoints in the order a call tries them.
  std::vector<size_t> attempt_order() const;

  std::vector<std::string> endpoints_;
  EtcdOptions options_;
  std::atomic<size_t> preferred_{0};
  std::unique_ptr<Connection> connection_;  // the calls' (not the watch's)
};

}  // namespace polc::fleet
