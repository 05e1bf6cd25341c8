#include "fleet/etcd_client.h"

#include <charconv>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

#include <curl/curl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace polc::fleet {

namespace {

using nlohmann::json;

void init_curl_once() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)rc;  // a failure shows again, with its reason, in every curl_easy_init
}

struct EasyCleanup {
  void operator()(CURL *easy) const { curl_easy_cleanup(easy); }
};
using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;

struct MultiCleanup {
  void operator()(CURLM *multi) const { curl_multi_cleanup(multi); }
};
using MultiHandle = std::unique_ptr<CURLM, MultiCleanup>;

struct SlistFree {
  void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistFree>;

HeaderList json_headers() {
  curl_slist *list = curl_slist_append(nullptr, "Content-Type: application/json");
  // Without this curl waits for a "100 Continue" before sending large bodies.
  if (list) list = curl_slist_append(list, "Expect:");
  return HeaderList(list);
}

size_t append_to_string(char *data, size_t size, size_t count, void *user) {
  static_cast<std::string *>(user)->append(data, size * count);
  return size * count;
}

// An answer that does not have the shape etcd's gateway gives.
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(const std::string &in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t n = uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
    out += kBase64[n >> 18 & 63];
    out += kBase64[n >> 12 & 63];
    out += kBase64[n >> 6 & 63];
    out += kBase64[n & 63];
  }
  if (size_t rest = in.size() - i) {
    uint32_t n = uint32_t(uint8_t(in[i])) << 16 | (rest == 2 ? uint32_t(uint8_t(in[i + 1])) << 8 : 0);
    out += kBase64[n >> 18 & 63];
    out += kBase64[n >> 12 & 63];
    out += rest == 2 ? kBase64[n >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(const std::string &in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t bits = 0;
  int nbits = 0;
  size_t i = 0;
  for (; i < in.size() && in[i] != '='; ++i) {
    int v = value(in[i]);
    if (v < 0) throw Malformed("bad base64 in etcd's answer");
    bits = bits << 6 | uint32_t(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out += char(bits >> nbits & 0xff);
    }
  }
  for (; i < in.size(); ++i)
    if (in[i] != '=') throw Malformed("bad base64 in etcd's answer");
  return out;
}

// int64 fields come as JSON strings ("revision":"2"), and are left out
// when zero.
int64_t int_field(const json &object, const char *name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_string()) throw Malformed(fmt::format("\"{}\" is not a number", name));
  const std::string &text = it->get_ref<const std::string &>();
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size())
    throw Malformed(fmt::format("\"{}\" is not a number: \"{}\"", name, text));
  return n;
}

std::string bytes_field(const json &object, const char *name) {
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? std::string() : base64_decode(it->get<std::string>());
}

int64_t header_revision(const json &answer) {
  auto it = answer.find("header");
  return it == answer.end() ? 0 : int_field(*it, "revision");
}

KeyValue key_value(const json &kv) {
  KeyValue out;
  out.key = bytes_field(kv, "key");
  out.value = bytes_field(kv, "value");
  out.mod_revision = int_field(kv, "mod_revision");
  out.create_revision = int_field(kv, "create_revision");
  out.lease = int_field(kv, "lease");
  return out;
}

// The keys a range (or a get, a range of one key) answered, with the
// store's revision when it was read.
RangeResult range_result(const json &answer) {
  RangeResult out;
  out.revision = header_revision(answer);
  if (auto kvs = answer.find("kvs"); kvs != answer.end())
    for (const json &kv : *kvs) out.kvs.push_back(key_value(kv));
  return out;
}

// The message of an error answer: {"error":"...","code":N,"message":"..."}
// from a call, {"error":{"grpc_code":N,"message":"..."}} inside a stream.
std::optional<std::string> error_message(const json &answer) {
  if (!answer.is_object()) return std::nullopt;
  auto it = answer.find("error");
  if (it == answer.end()) return std::nullopt;
  if (it->is_object() && it->contains("message")) return it->at("message").get<std::string>();
  if (it->is_string() && answer.contains("message")) return answer.at("message").get<std::string>();
  return it->dump();
}

std::optional<std::string> error_message(const std::string &body) {
  json answer = json::parse(body, nullptr, /*allow_exceptions=*/false);
  try {
    return error_message(answer);
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

// Parses etcd's answer with `read`, turning what the parser or `read`
// throws into an internal error.
template <typename T, typename Read>
Result<T> read_answer(const Result<std::string> &body, const char *what, Read read) {
  if (!body.ok()) return body.error();
  try {
    return Result<T>(read(json::parse(body.value())));
  } catch (const std::exception &e) {
    return internal_error(fmt::format("etcd's answer to {} is malformed: {}", what, e.what()));
  }
}

void set_common_options(CURL *easy, const std::string &url, const std::string &body, curl_slist *headers,
                        std::string *response, char *error_buffer, const EtcdOptions &options) {
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, long(body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, response);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  // Signals (curl's DNS timeouts) do not mix with threads.
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(options.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  // etcd speaks plain HTTP here; a proxy from the environment would stand
  // between the agent and a loopback or cluster-internal address.
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
}

std::string curl_failure(CURLcode rc, const char *error_buffer) {
  return error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
}

std::string normalized_endpoint(std::string endpoint) {
  if (endpoint.find("://") == std::string::npos) endpoint = "http://" + endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint;
}

}  // namespace

TxnOp TxnOp::put(std::string key, std::string value, int64_t lease) {
  return TxnOp{Kind::Put, std::move(key), std::move(value), lease};
}
TxnOp TxnOp::erase(std::string key) { return TxnOp{Kind::Delete, std::move(key), {}, 0}; }
TxnOp TxnOp::erase_prefix(std::string prefix) { return TxnOp{Kind::DeletePrefix, std::move(prefix), {}, 0}; }

struct EtcdClient::Connection {
  std::mutex mutex;
  EasyHandle easy{curl_easy_init()};
};

EtcdClient::EtcdClient(std::vector<std::string> endpoints, EtcdOptions options) : options_(options) {
  init_curl_once();
  for (auto &endpoint : endpoints) endpoints_.push_back(normalized_endpoint(std::move(endpoint)));
  connection_ = std::make_unique<Connection>();
}

EtcdClient::~EtcdClient() = default;

std::vector<std::string> EtcdClient::split_endpoints(const std::string &comma_separated) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= comma_separated.size()) {
    size_t comma = comma_separated.find(',', start);
    if (comma == std::string::npos) comma = comma_separated.size();
    std::string item = comma_separated.substr(start, comma - start);
    size_t first = item.find_first_not_of(" \t\n");
    if (first != std::string::npos) out.push_back(item.substr(first, item.find_last_not_of(" \t\n") - first + 1));
    start = comma + 1;
  }
  return out;
}

std::string EtcdClient::prefix_end(const std::string &prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    if (uint8_t(end.back()) < 0xff) {
      end.back() = char(uint8_t(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

const std::string &EtcdClient::endpoint() const {
  static const std::string none;
  return endpoints_.empty() ? none : endpoints_[preferred_.load()];
}

std::vector<size_t> EtcdClient::attempt_order() const {
  size_t first = preferred_.load();
  std::vector<size_t> order;
  if (endpoints_.empty()) return order;
  order.push_back(first);
  for (size_t i = 0; i < endpoints_.size(); ++i)
    if (i != first) order.push_back(i);
  return order;
}

Result<std::string> EtcdClient::post(const char *path, const std::string &body) {
  if (endpoints_.empty()) return environment_error("no etcd endpoint given");
  std::lock_guard lock(connection_->mutex);
  CURL *easy = connection_->easy.get();
  if (!easy) return internal_error("curl_easy_init failed");
  HeaderList headers = json_headers();
  std::vector<std::string> failures;
  for (size_t i : attempt_order()) {
    const std::string &endpoint = endpoints_[i];
    // Reset drops the last call's options but keeps its open connection.
    curl_easy_reset(easy);
    std::string response;
    char error_buffer[CURL_ERROR_SIZE] = "";
    set_common_options(easy, endpoint + path, body, headers.get(), &response, error_buffer, options_);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(options_.request_timeout.count()));
    CURLcode rc = curl_easy_perform(easy);
    if (rc != CURLE_OK) {
      failures.push_back(fmt::format("{}: {}", endpoint, curl_failure(rc, error_buffer)));
      continue;
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200) {
      preferred_ = i;
      return response;
    }
    std::optional<std::string> message = error_message(response);
    // A 4xx with etcd's error is etcd refusing the request: another member
    // would refuse it too. A 5xx (503: no leader, shutting down) may be
    // this member's trouble only.
    if (message && status < 500) return environment_error(fmt::format("etcd at {}: {}", endpoint, *message));
    failures.push_back(fmt::format("{}: HTTP {}{}", endpoint, status, message ? ": " + *message : ""));
  }
  return environment_error(fmt::format("cannot reach etcd ({})", fmt::join(failures, "; ")));
}

Result<RangeResult> EtcdClient::range_prefix(const std::string &prefix, int64_t revision) {
  // etcd has no empty key: "\0".."\0" is its spelling of every key.
  json request = {{"key", base64_encode(prefix.empty() ? std::string(1, '\0') : prefix)},
                  {"range_end", base64_encode(prefix_end(prefix))}};
  if (revision > 0) request["revision"] = std::to_string(revision);
  return read_answer<RangeResult>(post("/v3/kv/range", request.dump()), "a range", range_result);
}

Result<RangeResult> EtcdClient::get(const std::string &key) {
  json request = {{"key", base64_encode(key)}};
  return read_answer<RangeResult>(post("/v3/kv/range", request.dump()), "a get", range_result);
}

Result<int64_t> EtcdClient::put(const std::string &key, const std::string &value, int64_t lease) {
  json request = {{"key", base64_encode(key)}, {"value", base64_encode(value)}};
  if (lease != 0) request["lease"] = std::to_string(lease);
  return read_answer<int64_t>(post("/v3/kv/put", request.dump()), "a put",
                              [](const json &answer) { return header_revision(answer); });
}

Result<int64_t> EtcdClient::txn(const std::vector<TxnOp> &ops) {
  json success = json::array();
  for (const TxnOp &op : ops) {
    switch (op.kind) {
      case TxnOp::Kind::Put: {
        json put = {{"key", base64_encode(op.key)}, {"value", base64_encode(op.value)}};
        if (op.lease != 0) put["lease"] = std::to_string(op.lease);
        success.push_back({{"request_put", put}});
        break;
      }
      case TxnOp::Kind::Delete:
        success.push_back({{"request_delete_range", {{"key", base64_encode(op.key)}}}});
        break;
      case TxnOp::Kind::DeletePrefix:
        success.push_back({{"request_delete_range",
                            {{"key", base64_encode(op.key.empty() ? std::string(1, '\0') : op.key)},
                             {"range_end", base64_encode(prefix_end(op.key))}}}});
        break;
    }
  }
  json request = {{"success", success}};
  return read_answer<int64_t>(post("/v3/kv/txn", request.dump()), "a transaction",
                              [](const json &answer) { return header_revision(answer); });
}

Result<int64_t> EtcdClient::lease_grant(int64_t ttl_seconds) {
  json request = {{"TTL", std::to_string(ttl_seconds)}};
  return read_answer<int64_t>(
      post("/v3/lease/grant", request.dump()), "a lease grant", [](const json &answer) -> Result<int64_t> {
        // LeaseGrantResponse has an error field of its own, beside HTTP's.
        if (auto it = answer.find("error"); it != answer.end() && it->is_string() && !it->get<std::string>().empty())
          return environment_error("etcd refused the lease: " + it->get<std::string>());
        int64_t id = int_field(answer, "ID");
        if (id == 0) throw Malformed("no lease ID");
        return id;
      });
}

Result<int64_t> EtcdClient::lease_keepalive(int64_t id) {
  json request = {{"ID", std::to_string(id)}};
  Result<std::string> body = post("/v3/lease/keepalive", request.dump());
  // A stream of one message here, since the request sends one: its line.
  if (body.ok()) body = body.value().substr(0, body.value().find('\n'));
  return read_answer<int64_t>(body, "a lease keepalive", [](const json &answer) -> Result<int64_t> {
    if (auto error = error_message(answer)) return environment_error("etcd failed a lease keepalive: " + *error);
    // etcd tells a lease that is gone by a TTL of 0, left out.
    return int_field(answer.at("result"), "TTL");
  });
}

Result<void> EtcdClient::lease_revoke(int64_t id) {
  json request = {{"ID", std::to_string(id)}};
  Result<std::string> body = post("/v3/lease/revoke", request.dump());
  if (!body.ok()) return body.error();
  return {};
}

Result<void> EtcdClient::compact(int64_t revision) {
  json request = {{"revision", std::to_string(revision)}};
  Result<std::string> body = post("/v3/kv/compaction", request.dump());
  if (!body.ok()) return body.error();
  return {};
}

namespace {

// One watch request on one endpoint, driven by curl's multi interface so
// that `stop` is looked at every 100 ms even when etcd sends nothing.
class WatchStream {
 public:
  WatchStream(const std::string &url, const std::string &body, const EtcdOptions &options)
      : easy_(curl_easy_init()), multi_(curl_multi_init()), headers_(json_headers()) {
    if (!easy_ || !multi_) return;
    set_common_options(easy_.get(), url, body, headers_.get(), &received_, error_buffer_, options);
    // A watch is quiet for as long as the keys are; keepalive probes notice
    // a peer that vanished without closing the connection.
    curl_easy_setopt(easy_.get(), CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy_.get(), CURLOPT_TCP_KEEPIDLE, 10L);
    curl_easy_setopt(easy_.get(), CURLOPT_TCP_KEEPINTVL, 5L);
    added_ = curl_multi_add_handle(multi_.get(), easy_.get()) == CURLM_OK;
  }
  ~WatchStream() {
    if (added_) curl_multi_remove_handle(multi_.get(), easy_.get());
  }
  WatchStream(const WatchStream &) = delete;
  WatchStream &operator=(const WatchStream &) = delete;

  bool ok() const { return added_; }

  // Moves the transfer on; false once it has ended.
  bool pump() {
    int running = 0;
    if (curl_multi_perform(multi_.get(), &running) != CURLM_OK) return false;
    if (running == 0) {
      int left = 0;
      while (CURLMsg *msg = curl_multi_info_read(multi_.get(), &left))
        if (msg->msg == CURLMSG_DONE) result_ = msg->data.result;
    }
    return running != 0;
  }
  void wait() { curl_multi_poll(multi_.get(), nullptr, 0, 100, nullptr); }

  long status() const {
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    return status;
  }
  // The next complete line of a 200 answer, if one came.
  std::optional<std::string> next_line() {
    size_t newline = received_.find('\n');
    if (newline == std::string::npos || status() != 200) return std::nullopt;
    std::string line = received_.substr(0, newline);
    received_.erase(0, newline + 1);
    return line;
  }
  const std::string &received() const { return received_; }
  CURLcode result() const { return result_; }
  std::string failure() const { return curl_failure(result_, error_buffer_); }

 private:
  EasyHandle easy_;
  MultiHandle multi_;
  HeaderList headers_;
  std::string received_;
  char error_buffer_[CURL_ERROR_SIZE] = "";
  CURLcode result_ = CURLE_OK;
  bool added_ = false;
};

}  // namespace

Result<WatchEnd> EtcdClient::watch_prefix(const std::string &prefix, int64_t start_revision,
                                          const std::function<void(WatchBatch &&)> &on_batch,
                                          const std::atomic<bool> &stop, const std::function<void()> &on_created) {
  return watch_range(prefix.empty() ? std::string(1, '\0') : prefix, prefix_end(prefix), start_revision, on_batch,
                     stop, on_created);
}

Result<WatchEnd> EtcdClient::watch_range(const std::string &key, const std::string &range_end,
                                         int64_t start_revision, const std::function<void(WatchBatch &&)> &on_batch,
                                         const std::atomic<bool> &stop, const std::function<void()> &on_created) {
  if (endpoints_.empty()) return environment_error("no etcd endpoint given");
  json create = {{"key", base64_encode(key)}, {"range_end", base64_encode(range_end)}};
  if (start_revision > 0) create["start_revision"] = std::to_string(start_revision);
  const std::string body = json{{"create_request", create}}.dump();

  std::vector<std::string> failures;
  for (size_t i : attempt_order()) {
    const std::string &endpoint = endpoints_[i];
    WatchStream stream(endpoint + "/v3/watch", body, options_);
    if (!stream.ok()) return internal_error("cannot set up curl for the watch");
    bool created = false;
    std::optional<std::string> stream_error;
    bool running = true;
    // A member that takes the connection but never confirms the watch
    // (hung, or cut off from its cluster) would otherwise hold it forever.
    const auto confirm_by = std::chrono::steady_clock::now() + options_.request_timeout;
    while (running && !stream_error) {
      running = stream.pump();
      while (auto line = stream.next_line()) {
        if (line->find_first_not_of(" \r\t") == std::string::npos) continue;
        WatchBatch batch;
        bool confirms = false;
        try {
          json message = json::parse(*line);
          if (auto error = error_message(message)) {
            stream_error = *error;
            break;
          }
          const json &result = message.at("result");
          if (result.value("canceled", false)) {
            if (int64_t compacted = int_field(result, "compact_revision"); compacted > 0)
              return WatchEnd{WatchEnd::Why::Compacted, compacted};
            return environment_error(fmt::format("etcd at {} canceled the watch: {}", endpoint,
                                                 result.value("cancel_reason", std::string("no reason given"))));
          }
          confirms = result.value("created", false);
          batch.revision = header_revision(result);
          if (auto events = result.find("events"); events != result.end())
            for (const json &event : *events) {
              WatchEvent out;
              if (event.value("type", std::string()) == "DELETE") out.type = WatchEvent::Type::Delete;
              out.kv = key_value(event.at("kv"));
              batch.events.push_back(std::move(out));
            }
        } catch (const std::exception &e) {
          return internal_error(fmt::format("etcd's watch message is malformed: {}", e.what()));
        }
        // Outside the try: what the caller's callbacks throw is their own.
        if (confirms && !created) {
          created = true;
          preferred_ = i;
          if (on_created) on_created();
        }
        if (!batch.events.empty()) on_batch(std::move(batch));
      }
      if (stop.load()) return WatchEnd{WatchEnd::Why::Stopped, 0};
      if (!created && !stream_error && std::chrono::steady_clock::now() > confirm_by)
        stream_error = fmt::format("no watch confirmed within {} ms", options_.request_timeout.count());
      if (running && !stream_error) stream.wait();
    }

    std::string why;
    if (stream_error) {
      why = *stream_error;
    } else if (stream.result() != CURLE_OK) {
      why = stream.failure();
    } else if (long status = stream.status(); status != 200) {
      std::optional<std::string> message = error_message(stream.received());
      if (message && status < 500) return environment_error(fmt::format("etcd at {}: {}", endpoint, *message));
      why = fmt::format("HTTP {}{}", status, message ? ": " + *message : "");
    } else {
      why = "etcd closed the watch";
    }
    // Once the watch was live the caller must know it broke (to resume
    // from its revision); before, another endpoint may do.
    if (created) return environment_error(fmt::format("watch on etcd at {} ended: {}", endpoint, why));
    failures.push_back(fmt::format("{}: {}", endpoint, why));
  }
  return environment_error(fmt::format("cannot reach etcd to watch ({})", fmt::join(failures, "; ")));
}

}  // namespace polc::fleet
