// The etcd client against a real etcd (tests/support/etcd_server.h): bytes
// survive the JSON gateway, a transaction is one revision and reaches a
// watch as one batch, leases expire keys, a compacted watch says so, and
// an unreachable etcd is a quick environment error that heals on restart.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fleet/etcd_client.h"
#include "tests/support/etcd_server.h"

namespace {

using polc::Result;
using polc::fleet::EtcdClient;
using polc::fleet::KeyValue;
using polc::fleet::TxnOp;
using polc::fleet::WatchBatch;
using polc::fleet::WatchEnd;
using polc::fleet::WatchEvent;
using polc::test::EtcdServer;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

template <typename T>
std::string why(const Result<T> &r) {
  return r.ok() ? std::string() : r.error().message;
}

// An endpoint that takes connections (the kernel's backlog does) and never
// answers: a hung member.
class HungEndpoint {
 public:
  HungEndpoint() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(fd_ >= 0);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd_, 16) == 0);
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
    endpoint_ = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  }
  ~HungEndpoint() {
    if (fd_ >= 0) close(fd_);
  }
  HungEndpoint(const HungEndpoint &) = delete;
  HungEndpoint &operator=(const HungEndpoint &) = delete;
  const std::string &endpoint() const { return endpoint_; }

 private:
  int fd_ = -1;
  std::string endpoint_;
};

std::string dead_endpoint() { return "http://127.0.0.1:" + std::to_string(polc::test::unused_port()); }

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A watch on a thread of its own, as the agent runs it, sharing the test's
// client. Stopped and joined when it goes away.
class WatchThread {
 public:
  WatchThread(EtcdClient &client, std::string prefix, int64_t from) {
    thread_ = std::thread([this, &client, prefix, from] {
      auto end = client.watch_prefix(
          prefix, from,
          [this](WatchBatch &&batch) {
            std::lock_guard lock(mutex_);
            batches_.push_back(std::move(batch));
            changed_.notify_all();
          },
          stop_,
          [this] {
            std::lock_guard lock(mutex_);
            ++created_;
            changed_.notify_all();
          });
      std::lock_guard lock(mutex_);
      end_.emplace(std::move(end));
      changed_.notify_all();
    });
  }
  ~WatchThread() {
    stop_ = true;
    thread_.join();
  }

  void stop() { stop_ = true; }
  bool wait_created(std::chrono::milliseconds timeout = 5s) {
    return wait(timeout, [this] { return created_ > 0 || end_; }) && created_ > 0;
  }
  bool wait_batches(size_t n, std::chrono::milliseconds timeout = 5s) {
    return wait(timeout, [&] { return batches_.size() >= n || end_; }) && batches_.size() >= n;
  }
  bool wait_end(std::chrono::milliseconds timeout) {
    return wait(timeout, [this] { return end_.has_value(); });
  }
  std::vector<WatchBatch> batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  int created() {
    std::lock_guard lock(mutex_);
    return created_;
  }
  // Only after wait_end() said true.
  const Result<WatchEnd> &end() { return *end_; }

 private:
  template <typename Pred>
  bool wait(std::chrono::milliseconds timeout, Pred pred) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, pred);
  }

  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<WatchBatch> batches_;
  int created_ = 0;
  std::optional<Result<WatchEnd>> end_;
  std::thread thread_;
};

std::vector<std::string> keys_of(const std::vector<KeyValue> &kvs) {
  std::vector<std::string> keys;
  for (const auto &kv : kvs) keys.push_back(kv.key);
  return keys;
}

}  // namespace

TEST_SUITE("fleet") {
  TEST_CASE("etcd client: endpoints and prefix ends") {
    CHECK(EtcdClient::split_endpoints("a:2379, http://b:2379 ,,c:1,") ==
          std::vector<std::string>{"a:2379", "http://b:2379", "c:1"});
    CHECK(EtcdClient::split_endpoints(" ").empty());
    CHECK(EtcdClient(std::vector<std::string>{"127.0.0.1:2379", "http://h:1/"}).endpoint() == "http://127.0.0.1:2379");
    CHECK(EtcdClient(std::vector<std::string>{"h:1", "https://h:2/"}).endpoints() ==
          std::vector<std::string>{"http://h:1", "https://h:2"});
    CHECK(EtcdClient::prefix_end("/polc/") == "/polc0");
    CHECK(EtcdClient::prefix_end("a\xff") == "b");
    CHECK(EtcdClient::prefix_end("a\xfe\xff") == "a\xff");
    CHECK(EtcdClient::prefix_end("\xff\xff") == std::string(1, '\0'));
    CHECK(EtcdClient::prefix_end("") == std::string(1, '\0'));

    EtcdClient none(std::vector<std::string>{});
    auto r = none.get("k");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().exit_code == 3);
  }

  TEST_CASE("etcd client: put, get and range_prefix keep bytes as they are") {
    if (!polc::test::etcd_tests_enabled()) return;
    EtcdServer etcd;
    REQUIRE_MESSAGE(etcd.ok(), etcd.log());
    EtcdClient client({etcd.endpoint()});

    const std::string binary("v\0al\xff\x80\n\"\\ué\xc3", 13);
    const std::string binary_key = std::string("/p/b\0in\xfe", 8);
    auto r1 = client.put("/p/a", "one");
    REQUIRE_MESSAGE(r1.ok(), why(r1));
    auto r2 = client.put(binary_key, binary);
    REQUIRE_MESSAGE(r2.ok(), why(r2));
    CHECK(r2.value() == r1.value() + 1);
    auto r3 = client.put("/p/a", "two");
    REQUIRE(r3.ok());
    // Neighbours that a sloppy range end would take in.
    REQUIRE(client.put("/p", "parent").ok());
    REQUIRE(client.put("/q/a", "next").ok());
    REQUIRE(client.put("/o/a", "before").ok());

    auto got = client.get(binary_key);
    REQUIRE_MESSAGE(got.ok(), why(got));
    REQUIRE(got->kvs.size() == 1);
    CHECK(got->kvs[0].key == binary_key);
    CHECK(got->kvs[0].value == binary);
    CHECK(got->kvs[0].value.size() == 13);
    CHECK(got->kvs[0].mod_revision == r2.value());
    CHECK(got->kvs[0].create_revision == r2.value());
    CHECK(got->kvs[0].lease == 0);
    CHECK(got->revision == r3.value() + 3);

    auto absent = client.get("/p/none");
    REQUIRE(absent.ok());
    CHECK(absent->kvs.empty());
    CHECK(absent->revision == r3.value() + 3);

    auto range = client.range_prefix("/p/");
    REQUIRE_MESSAGE(range.ok(), why(range));
    CHECK(keys_of(range->kvs) == std::vector<std::string>{"/p/a", binary_key});
    CHECK(range->kvs[0].value == "two");
    CHECK(range->kvs[0].mod_revision == r3.value());
    CHECK(range->kvs[0].create_revision == r1.value());
    CHECK(range->revision == r3.value() + 3);

    // The past, as a watch resuming would see it.
    auto old = client.range_prefix("/p/", r1.value());
    REQUIRE_MESSAGE(old.ok(), why(old));
    REQUIRE(old->kvs.size() == 1);
    CHECK(old->kvs[0].value == "one");

    auto all = client.range_prefix("");
    REQUIRE(all.ok());
    CHECK(all->kvs.size() == 5);

    // Every byte, and every length modulo base64's 3 (0: etcd leaves an empty value out).
    std::string every_byte;
    for (int b = 0; b < 256; ++b) every_byte += char(b);
    for (size_t n : {0, 1, 2, 3, 4, 5, 256}) {
      const std::string value = every_byte.substr(256 - n);
      REQUIRE(client.put("/bytes/" + every_byte.substr(0, n), value).ok());
      auto back = client.get("/bytes/" + every_byte.substr(0, n));
      REQUIRE(back.ok());
      REQUIRE(back->kvs.size() == 1);
      CHECK(back->kvs[0].key == "/bytes/" + every_byte.substr(0, n));
      CHECK(back->kvs[0].value == value);
    }

    auto high = client.put("/z\xff\xff", "high");
    REQUIRE(high.ok());
    auto z = client.range_prefix("/z\xff");
    REQUIRE(z.ok());
    CHECK(keys_of(z->kvs) == std::vector<std::string>{"/z\xff\xff"});
  }

  TEST_CASE("etcd client: etcd's refusals are errors with its message") {
    if (!polc::test::etcd_tests_enabled()) return;
    EtcdServer etcd;
    REQUIRE_MESSAGE(etcd.ok(), etcd.log());
    EtcdClient client({etcd.endpoint()});

    auto no_lease = client.put("/k", "v", 1234567);
    REQUIRE_FALSE(no_lease.ok());
    CHECK(no_lease.error().exit_code == 3);
    CHECK_MESSAGE(no_lease.error().message.find("lease not found") != std::string::npos, no_lease.error().message);

    auto future = client.range_prefix("/", 1000);
    REQUIRE_FALSE(future.ok());
    CHECK_MESSAGE(future.error().message.find("future revision") != std::string::npos, future.error().message);

    // A put inside a prefix the same transaction deletes.
    auto twice = client.txn({TxnOp::erase_prefix("/a/"), TxnOp::put("/a/b", "x")});
    REQUIRE_FALSE(twice.ok());
    CHECK_MESSAGE(twice.error().message.find("duplicate key") != std::string::npos, twice.error().message);
    // Refusals do not count as a dead endpoint.
    CHECK(client.endpoint() == etcd.endpoint());
  }

  TEST_CASE("etcd client: txn puts and deletes in one revision") {
    if (!polc::test::etcd_tests_enabled()) return;
    EtcdServer etcd;
    REQUIRE_MESSAGE(etcd.ok(), etcd.log());
    EtcdClient client({etcd.endpoint()});

    for (const char *key : {"/f/old", "/f/gone/1", "/f/gone/2", "/f/kept", "/f/gone0"}) REQUIRE(client.put(key, "x").ok());
    auto before = client.range_prefix("/f/");
    REQUIRE(before.ok());

    auto rev = client.txn({TxnOp::put("/f/new1", std::string("\0a", 2)), TxnOp::put("/f/new2", "b"),
                           TxnOp::erase("/f/old"), TxnOp::erase_prefix("/f/gone/")});
    REQUIRE_MESSAGE(rev.ok(), why(rev));
    CHECK(rev.value() == before->revision + 1);

    auto after = client.range_prefix("/f/");
    REQUIRE(after.ok());
    CHECK(after->revision == rev.value());
    CHECK(keys_of(after->kvs) == std::vector<std::string>{"/f/gone0", "/f/kept", "/f/new1", "/f/new2"});
    CHECK(after->kvs[2].value == std::string("\0a", 2));
    CHECK(after->kvs[2].mod_revision == rev.value());
    CHECK(after->kvs[3].mod_revision == rev.value());

    // The state just before is one revision back, whole.
    auto then = client.range_prefix("/f/", rev.value() - 1);
    REQUIRE(then.ok());
    CHECK(then->kvs.size() == 5);
  }

  TEST_CASE("etcd client: leases keep keys alive and revoking removes them") {
    if (!polc::test::etcd_tests_enabled()) return;
    EtcdServer etcd;
    REQUIRE_MESSAGE(etcd.ok(), etcd.log());
    EtcdClient client({etcd.endpoint()});

    auto lease = client.lease_grant(30);
    REQUIRE_MESSAGE(lease.ok(), why(lease));
    CHECK(lease.value() > 0);
    REQUIRE(client.put("/status/n1", "up", lease.value()).ok());
    auto txn = client.txn({TxnOp::put("/status/n2", "up", lease.value())});
    REQUIRE_MESSAGE(txn.ok(), why(txn));
    REQUIRE(client.put("/status/n3", "unleased").ok());

    auto got = client.get("/status/n1");
    REQUIRE(got.ok());
    REQUIRE(got->kvs.size() == 1);
    CHECK(got->kvs[0].lease == lease.value());

    auto ttl = client.lease_keepalive(lease.value());
    REQUIRE_MESSAGE(ttl.ok(), why(ttl));
    CHECK(ttl.value() > 0);
    CHECK(ttl.value() <= 30);

    auto revoked = client.lease_revoke(lease.value());
    REQUIRE_MESSAGE(revoked.ok(), why(revoked));
    auto left = client.range_prefix("/status/");
    REQUIRE(left.ok());
    CHECK(keys_of(left->kvs) == std::vector<std::string>{"/status/n3"});

    auto gone = client.lease_keepalive(lease.value());
    REQUIRE_MESSAGE(gone.ok(), why(gone));
    CHECK(gone.value() == 0);
    auto again = client.lease_revoke(lease.value());
    REQUIRE_FALSE(again.ok());
    CHECK_MESSAGE(again.error().message.find("not found") != std::string::npos, again.error().message);
  }

  TEST_CASE("etcd client: a lease that is not kept alive expires") {
    if (!polc::test::etcd_tests_enabled()) return;
    EtcdServer etcd;
    REQUIRE_MESSAGE(etcd.ok(), etcd.log());
    EtcdClient client({etcd.endpoint()});

    auto lease = client.lease_grant(1);  // etcd may round a TTL this short up
    REQUIRE_MESSAGE(lease.ok(), why(lease));
    REQUIRE(client.put("/status/n1", "up", lease.value()).ok());
    auto deadline = Clock::now() + 10s;
    bool expired = false;
    while (!expired && Clock::now() < deadline) {
      std::this_thread::sleep_for(200ms);
      auto got = client.get("/status/n1");
      REQUIRE(got.ok());
      expired = got->kvs.empty();
    }
    CHECK(expired);
    auto ttl = client.lease_keepalive(lease.value());
    REQUIRE(ttl.ok());
    CHECK(ttl.value() == 0);
  }

  TEST_CASE("etcd client: watch delivers a transaction as one batch and stops on request") {
    if (!polc::test::etcd_tests_enabled()) return;
    EtcdServer etcd;
    REQUIRE_MESSAGE(etcd.ok(), etcd.log());
    EtcdClient client({etcd.endpoint()});
    REQUIRE(client.put("/w/old", "x").ok());

    int64_t txn_rev = 0;
    {
      WatchThread watch(client, "/w/", 0);
      REQUIRE(watch.wait_created());
      CHECK(watch.created() == 1);
      auto rev = client.txn({TxnOp::put("/w/a", std::string("1\0", 2)), TxnOp::put("/w/b", "2"),
                             TxnOp::erase("/w/old"), TxnOp::put("/x/outside", "3")});
      REQUIRE_MESSAGE(rev.ok(), why(rev));
      txn_rev = rev.value();
      REQUIRE(watch.wait_batches(1));
      REQUIRE(client.put("/w/c", "later").ok());
      REQUIRE(watch.wait_batches(2));
      // Far more than one read of the stream: lines arrive in pieces.
      std::string big(300000, 'x');
      for (size_t i = 0; i < big.size(); i += 7) big[i] = char(i % 251);
      REQUIRE(client.put("/w/big", big).ok());
      REQUIRE(watch.wait_batches(3));

      auto batches = watch.batches();
      REQUIRE(batches.size() == 3);
      REQUIRE(batches[2].events.size() == 1);
      CHECK(batches[2].events[0].kv.value == big);
      const WatchBatch &batch = batches[0];
      CHECK(batch.revision == txn_rev);
      REQUIRE(batch.events.size() == 3);
      CHECK(batch.events[0].type == WatchEvent::Type::Put);
      CHECK(batch.events[0].kv.key == "/w/a");
      CHECK(batch.events[0].kv.value == std::string("1\0", 2));
      CHECK(batch.events[0].kv.mod_revision == txn_rev);
      CHECK(batch.events[1].type == WatchEvent::Type::Put);
      CHECK(batch.events[1].kv.key == "/w/b");
      CHECK(batch.events[2].type == WatchEvent::Type::Delete);
      CHECK(batch.events[2].kv.key == "/w/old");
      CHECK(batch.events[2].kv.mod_revision == txn_rev);
      CHECK(batches[1].revision == txn_rev + 1);
      REQUIRE(batches[1].events.size() == 1);
      CHECK(batches[1].events[0].kv.value == "later");

      auto asked = Clock::now();
      watch.stop();
      REQUIRE(watch.wait_end(2s));
      CHECK(seconds_since(asked) < 1.0);
      REQUIRE_MESSAGE(watch.end().ok(), why(watch.end()));
      CHECK(watch.end().value().why == WatchEnd::Why::Stopped);
    }

    // Resuming after the first batch replays exactly what came after it.
    // etcd hands history over in one response, however many revisions it
    // spans, with the store's revision in the header.
    WatchThread resumed(client, "/w/", txn_rev + 1);
    REQUIRE(resumed.wait_batches(1));
    auto batches = resumed.batches();
    REQUIRE(batches.size() == 1);
    REQUIRE(batches[0].events.size() == 2);
    CHECK(batches[0].revision == txn_rev + 2);
    CHECK(batches[0].events[0].kv.key == "/w/c");
    CHECK(batches[0].events[0].kv.mod_revision == txn_rev + 1);
    CHECK(batches[0].events[1].kv.key == "/w/big");
    CHECK(batches[0].events[1].kv.mod_revision == txn_rev + 2);
  }

  TEST_CASE("etcd client: watch from a compacted revision ends Compacted") {
    if (!polc::test::etcd_tests_enabled()) return;
    EtcdServer etcd;
    REQUIRE_MESSAGE(etcd.ok(), etcd.log());
    EtcdClient client({etcd.endpoint()});
    auto first = client.put("/c/k", "1");
    REQUIRE(first.ok());
    REQUIRE(client.put("/c/k", "2").ok());
    auto last = client.put("/c/k", "3");
    REQUIRE(last.ok());
    auto compacted = client.compact(last.value());
    REQUIRE_MESSAGE(compacted.ok(), why(compacted));

    std::atomic<bool> stop{false};
    int batches = 0;
    auto end = client.watch_prefix("/c/", first.value(), [&](WatchBatch &&) { ++batches; }, stop);
    REQUIRE_MESSAGE(end.ok(), why(end));
    CHECK(end->why == WatchEnd::Why::Compacted);
    CHECK(end->compact_revision == last.value());
    CHECK(batches == 0);

    auto old = client.range_prefix("/c/", first.value());
    REQUIRE_FALSE(old.ok());
    CHECK_MESSAGE(old.error().message.find("compacted") != std::string::npos, old.error().message);

    // From the compaction on, history is there.
    WatchThread watch(client, "/c/", last.value());
    REQUIRE(watch.wait_batches(1));
    REQUIRE(watch.batches()[0].events.size() == 1);
    CHECK(watch.batches()[0].events[0].kv.value == "3");
  }

  TEST_CASE("etcd client: failover skips a dead endpoint") {
    if (!polc::test::etcd_tests_enabled()) return;
    EtcdServer etcd;
    REQUIRE_MESSAGE(etcd.ok(), etcd.log());
    const std::string dead = dead_endpoint();
    EtcdClient client({dead, etcd.endpoint()});
    CHECK(client.endpoint() == dead);  // nothing answered yet

    auto put = client.put("/k", "v");
    REQUIRE_MESSAGE(put.ok(), why(put));
    CHECK(client.endpoint() == etcd.endpoint());
    auto got = client.get("/k");
    REQUIRE(got.ok());
    REQUIRE(got->kvs.size() == 1);
    CHECK(got->kvs[0].value == "v");

    EtcdClient watcher({dead, etcd.endpoint()});
    WatchThread watch(watcher, "/", 0);
    REQUIRE(watch.wait_created());
    CHECK(watcher.endpoint() == etcd.endpoint());

    // A member that hangs costs one request timeout, then the next answers.
    HungEndpoint hung;
    polc::fleet::EtcdOptions quick;
    quick.request_timeout = 500ms;
    EtcdClient past_hung({hung.endpoint(), etcd.endpoint()}, quick);
    auto start = Clock::now();
    auto through = past_hung.get("/k");
    REQUIRE_MESSAGE(through.ok(), why(through));
    CHECK(seconds_since(start) < 2.0);
    CHECK(past_hung.endpoint() == etcd.endpoint());
    EtcdClient watch_past_hung({hung.endpoint(), etcd.endpoint()}, quick);
    WatchThread watch2(watch_past_hung, "/", 0);
    REQUIRE(watch2.wait_created(3s));
    CHECK(watch_past_hung.endpoint() == etcd.endpoint());
    EtcdClient only_hung({hung.endpoint()}, quick);
    start = Clock::now();
    auto timed_out = only_hung.put("/k", "v");
    REQUIRE_FALSE(timed_out.ok());
    CHECK(timed_out.error().exit_code == 3);
    CHECK(seconds_since(start) < 2.0);

    EtcdClient nowhere({dead, dead_endpoint()});
    start = Clock::now();
    auto failed = nowhere.get("/k");
    REQUIRE_FALSE(failed.ok());
    CHECK(seconds_since(start) < 3.0);
    CHECK(failed.error().exit_code == 3);
    CHECK_MESSAGE(failed.error().message.find(dead) != std::string::npos, failed.error().message);
    CHECK_MESSAGE(failed.error().message.find(nowhere.endpoints()[1]) != std::string::npos, failed.error().message);
  }

  TEST_CASE("etcd client: etcd stopped is an environment error, started again works again") {
    if (!polc::test::etcd_tests_enabled()) return;
    EtcdServer etcd;
    REQUIRE_MESSAGE(etcd.ok(), etcd.log());
    EtcdClient client({etcd.endpoint()});
    auto put = client.put("/k", "before");
    REQUIRE_MESSAGE(put.ok(), why(put));

    std::optional<WatchThread> watch;
    watch.emplace(client, "/", put.value() + 1);
    REQUIRE(watch->wait_created());

    etcd.stop();
    // The live watch notices that etcd went away.
    REQUIRE(watch->wait_end(5s));
    REQUIRE_FALSE(watch->end().ok());
    CHECK(watch->end().error().exit_code == 3);
    CHECK_MESSAGE(watch->end().error().message.find(etcd.endpoint()) != std::string::npos,
                  watch->end().error().message);
    watch.reset();

    auto start = Clock::now();
    auto failed_put = client.put("/k", "during");
    auto failed_range = client.range_prefix("/");
    auto failed_lease = client.lease_grant(5);
    CHECK(seconds_since(start) < 3.0);
    REQUIRE_FALSE(failed_put.ok());
    REQUIRE_FALSE(failed_range.ok());
    REQUIRE_FALSE(failed_lease.ok());
    CHECK(failed_put.error().exit_code == 3);
    CHECK(failed_range.error().exit_code == 3);
    CHECK_MESSAGE(failed_put.error().message.find(etcd.endpoint()) != std::string::npos, failed_put.error().message);

    std::atomic<bool> stop{false};
    start = Clock::now();
    auto failed_watch = client.watch_prefix("/", 0, [](WatchBatch &&) {}, stop);
    CHECK(seconds_since(start) < 3.0);
    REQUIRE_FALSE(failed_watch.ok());
    CHECK(failed_watch.error().exit_code == 3);

    REQUIRE_MESSAGE(etcd.start(), etcd.log());
    auto got = client.get("/k");
    REQUIRE_MESSAGE(got.ok(), why(got));
    REQUIRE(got->kvs.size() == 1);
    CHECK(got->kvs[0].value == "before");
    auto again = client.put("/k", "after");
    REQUIRE_MESSAGE(again.ok(), why(again));
    CHECK(again.value() == put.value() + 1);

    WatchThread resumed(client, "/", put.value() + 1);
    REQUIRE(resumed.wait_batches(1));
    CHECK(resumed.batches()[0].events[0].kv.value == "after");
  }
}
