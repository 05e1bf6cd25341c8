#include "runtime/event_monitor.h"

#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "runtime/bpffs.h"
#include "runtime/iface_pins.h"
#include "runtime/rule_stats.h"
#include "templates/maps_abi.h"

namespace polc::runtime {

namespace {

int64_t clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string rfc3339(int64_t realtime_ns) {
  std::time_t secs = realtime_ns / 1000000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06d}Z", buf, (realtime_ns % 1000000000) / 1000);
}

std::string address(int family, const uint8_t *bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 6 ? AF_INET6 : AF_INET, bytes, buf, sizeof buf);
  return buf;
}

std::string proto_name(uint8_t proto) {
  switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmpv6";
    case 132: return "sctp";
    default: return std::to_string(proto);
  }
}

std::string reason_name(uint32_t reason) {
  for (const auto &[r, name] : drop_reason_names())
    if (r == reason) return name;
  return "reason_" + std::to_string(reason);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

HttpHead parse_http_head(std::string_view head) {
  HttpHead out;
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return out;
  out.method = std::string(line.substr(0, sp1));
  size_t sp2 = line.find(' ', sp1 + 1);
  out.path = std::string(line.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1));
  while (eol != std::string_view::npos) {
    size_t start = eol + 2;
    eol = head.find("\r\n", start);
    std::string_view field = head.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    if (field.empty()) break;  // the end of the head
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || lower(field.substr(0, colon)) != "host") continue;
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    out.host = std::string(value);
    break;
  }
  return out;
}

struct EventMonitor::Impl {
  IfaceId id;
  bool verdicts = false;
  UniqueFd events, ctl;
  polc_monitor_ctl *shared = nullptr;  // polc_monitor[0], mmapped
  size_t shared_len = 0;
  ring_buffer *ring = nullptr;
  int64_t realtime_offset_ns = 0;  // CLOCK_REALTIME - CLOCK_MONOTONIC (bpf_ktime_get_ns)

  // What the state file says, re-read when an event names what it lacks.
  std::map<uint32_t, std::string> rules;
  std::map<std::string, std::string> endpoints;
  std::chrono::steady_clock::time_point loaded{};

  const std::function<bool(const MonitorEvent &)> *on_event = nullptr;
  int handed = 0;
  bool stopped = false;

  void load_names() {
    loaded = std::chrono::steady_clock::now();
    IfaceState state = load_state(id);
    rules.clear();
    for (const auto &[index, rule] : state.counters) rules[index] = rule.source;
    std::optional<HookKind> hook = pinned_hook(id);
    if (!hook) return;
    auto live = find_live(id, *hook);
    if (!live || !*live) return;
    auto object = state.objects.find((*live)->object);
    if (object == state.objects.end() || !object->second.slots.count((*live)->slot)) return;
    endpoints = object->second.slots.at((*live)->slot).endpoints;
  }

  void maybe_reload(uint32_t rule) {
    bool unknown = rule >= POLC_RULE_FIRST && !rules.count(rule);
    if (unknown || std::chrono::steady_clock::now() - loaded > std::chrono::seconds(1)) load_names();
  }

  std::optional<std::string> endpoint(const std::string &addr) const {
    auto it = endpoints.find(addr);
    if (it == endpoints.end()) return std::nullopt;
    return it->second;
  }

  MonitorEvent decode(const polc_event &ev) {
    maybe_reload(ev.rule);
    MonitorEvent out;
    out.time = rfc3339(int64_t(ev.time_ns) + realtime_offset_ns);
    out.direction = ev.direction == POLC_DIR_EGRESS ? "egress" : "ingress";
    out.verdict = ev.verdict == POLC_EVENT_ALLOW ? "allow" : ev.verdict == POLC_EVENT_AUDIT ? "audit" : "drop";
    out.reason = ev.verdict == POLC_EVENT_ALLOW ? "" : reason_name(ev.reason);
    out.family = ev.family == 6 ? 6 : 4;
    out.proto = proto_name(ev.proto);
    out.src = address(out.family, ev.saddr);
    out.dst = address(out.family, ev.daddr);
    if (ev.proto == 1 || ev.proto == 58) {
      out.dport = ntohs(ev.dport) >> 8;  // the ICMP type
    } else {
      out.sport = ntohs(ev.sport);
      out.dport = ntohs(ev.dport);
    }
    out.src_endpoint = endpoint(out.src);
    out.dst_endpoint = endpoint(out.dst);
    if (auto it = rules.find(ev.rule); ev.rule >= POLC_RULE_FIRST && it != rules.end()) out.rule = it->second;
    if (ev.http_len > 0)
      out.http = parse_http_head(
          std::string_view(reinterpret_cast<const char *>(ev.http), std::min<size_t>(ev.http_len, sizeof ev.http)));
    out.suppressed = ev.suppressed;
    return out;
  }

  static int on_sample(void *ctx, void *data, size_t size) {
    auto *self = static_cast<Impl *>(ctx);
    if (self->stopped || size < sizeof(polc_event)) return 0;
    polc_event ev;
    std::memcpy(&ev, data, sizeof ev);
    ++self->handed;
    if (!(*self->on_event)(self->decode(ev))) {
      self->stopped = true;
      return -ECANCELED;
    }
    return 0;
  }

  ~Impl() {
    if (ring) ring_buffer__free(ring);
    if (shared) {
      __atomic_fetch_sub(&shared->readers, 1, __ATOMIC_SEQ_CST);
      if (verdicts) __atomic_fetch_sub(&shared->verdict_readers, 1, __ATOMIC_SEQ_CST);
      munmap(shared, shared_len);
    }
  }
};

Result<EventMonitor> EventMonitor::open(const IfaceId &id, bool verdicts) {
  if (!pinned_hook(id)) return input_error("polc enforces nothing on " + id.iface);
  auto impl = std::make_unique<Impl>();
  impl->id = id;
  auto events = open_pinned(id.pin_dir() + "/events");
  if (!events) return events.error();
  auto ctl = open_pinned(id.pin_dir() + "/monitor");
  if (!ctl) return ctl.error();
  if (!events->valid() || !ctl->valid())
    return environment_error("no event stream on " + id.iface + ": it was applied by an older polc; `polc detach` "
                             "and apply again");
  impl->events = std::move(*events);
  impl->ctl = std::move(*ctl);
  impl->ring = ring_buffer__new(impl->events.get(), &Impl::on_sample, impl.get(), nullptr);
  if (!impl->ring) return environment_error("cannot read the event ring buffer of " + id.iface);
  impl->shared_len = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void *mem = mmap(nullptr, impl->shared_len, PROT_READ | PROT_WRITE, MAP_SHARED, impl->ctl.get(), 0);
  if (mem == MAP_FAILED)
    return environment_error(std::string("cannot map the monitor switch of ") + id.iface + ": " + std::strerror(errno));
  impl->realtime_offset_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
  impl->load_names();
  auto *shared = static_cast<polc_monitor_ctl *>(mem);
  // The rate before the switch: a datapath that sees a reader sees its limit.
  __atomic_store_n(&shared->interval_ns, 1000000000ull / kEventsPerSecond, __ATOMIC_SEQ_CST);
  __atomic_store_n(&shared->burst_ns, kBurst * (1000000000ull / kEventsPerSecond), __ATOMIC_SEQ_CST);
  impl->shared = shared;
  impl->verdicts = verdicts;
  if (verdicts) __atomic_fetch_add(&shared->verdict_readers, 1, __ATOMIC_SEQ_CST);
  __atomic_fetch_add(&shared->readers, 1, __ATOMIC_SEQ_CST);
  return EventMonitor(std::move(impl));
}

EventMonitor::EventMonitor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventMonitor::EventMonitor(EventMonitor &&) noexcept = default;
EventMonitor::~EventMonitor() = default;

Result<int> EventMonitor::poll(int timeout_ms, const std::function<bool(const MonitorEvent &)> &on_event) {
  impl_->on_event = &on_event;
  impl_->handed = 0;
  int n = ring_buffer__poll(impl_->ring, timeout_ms);
  impl_->on_event = nullptr;
  if (n < 0 && n != -EINTR && n != -ECANCELED)
    return environment_error(std::string("reading the event ring buffer failed: ") + std::strerror(-n));
  return impl_->handed;
}

}  // namespace polc::runtime
