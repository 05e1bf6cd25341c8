#include "tests/support/random_policy.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace polc::test {

using Json = nlohmann::ordered_json;

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint32_t Rng::below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
int Rng::between(int lo, int hi) { return lo + static_cast<int>(below(static_cast<uint32_t>(hi - lo + 1))); }
bool Rng::chance(int percent) { return below(100) < static_cast<uint32_t>(percent); }

namespace {

// ---- addresses -------------------------------------------------------------

// Endpoints live in 10.0.0.0/22 and fd00::/118, so that the policy's CIDRs
// (drawn around them) often cover, split and except endpoint addresses.
IpAddr endpoint_space_ip(Family f, Rng &rng) {
  IpAddr a;
  a.family = f;
  if (f == Family::V4) {
    a.bytes[0] = 10;
    a.bytes[2] = static_cast<uint8_t>(rng.below(4));
    a.bytes[3] = static_cast<uint8_t>(rng.below(256));
  } else {
    a.bytes[0] = 0xfd;
    a.bytes[14] = static_cast<uint8_t>(rng.below(4));
    a.bytes[15] = static_cast<uint8_t>(rng.below(256));
  }
  return a;
}

IpAddr far_ip(Family f, Rng &rng) {
  IpAddr a;
  a.family = f;
  size_t width = f == Family::V4 ? 4 : 16;
  for (size_t i = 0; i < width; ++i) a.bytes[i] = static_cast<uint8_t>(rng.below(256));
  return a;
}

void set_bit(IpAddr &a, size_t i, bool on) {
  uint8_t mask = static_cast<uint8_t>(0x80 >> (i % 8));
  if (on) a.bytes[i / 8] |= mask;
  else a.bytes[i / 8] &= static_cast<uint8_t>(~mask);
}

Prefix make_prefix(IpAddr a, uint8_t len) {
  for (size_t i = len; i < a.width_bits(); ++i) set_bit(a, i, false);
  return Prefix{a, len};
}

IpAddr last_of(const Prefix &p) {
  IpAddr a = p.addr;
  for (size_t i = p.len; i < a.width_bits(); ++i) set_bit(a, i, true);
  return a;
}

IpAddr random_inside(const Prefix &p, Rng &rng) {
  IpAddr a = p.addr;
  for (size_t i = p.len; i < a.width_bits(); ++i) set_bit(a, i, rng.chance(50));
  return a;
}

// Adds `delta` (+1 or -1) to an address, wrapping.
IpAddr step(IpAddr a, int delta) {
  size_t width = a.family == Family::V4 ? 4 : 16;
  for (size_t i = width; i-- > 0;) {
    int v = a.bytes[i] + delta;
    a.bytes[i] = static_cast<uint8_t>(v & 0xff);
    if (v >= 0 && v <= 0xff) break;
  }
  return a;
}

// ---- the vocabulary --------------------------------------------------------

const std::vector<std::string> kNamespaces = {"default", "prod", "dev"};
const std::vector<std::string> kPortNames = {"http", "metrics", "dns"};
struct LabelKey {
  std::string key;
  std::vector<std::string> values;
};
const std::vector<LabelKey> kPodLabels = {
    {"app", {"web", "db", "api", "cache"}}, {"tier", {"front", "back"}}, {"env", {"prod", "dev"}}};
const std::vector<LabelKey> kNamespaceLabels = {{"team", {"shop", "ops"}}, {"env", {"prod", "dev"}}};
const std::vector<std::string> kOps = {"In", "NotIn", "Exists", "DoesNotExist"};
const std::vector<std::string> kEntities = {"world", "all", "cluster", "host", "world-ipv4", "world-ipv6",
                                            "remote-node"};

class Generator {
 public:
  Generator(uint64_t seed, RandomWorld &world) : rng_(seed), world_(world) {}

  void run();

 private:
  // Selectors: `scope` adds the keys a Cilium selector may name beside pod labels.
  Json selector(bool cilium_scope, bool allow_empty = true);
  Json cidr_text(Family f, bool with_except, bool as_set);
  Prefix random_cidr(Family f);
  void remember(const Prefix &p);
  Json port_entry(bool kubernetes);
  Json to_ports(bool deny);
  Json icmps();
  Json cilium_element(bool ingress, bool deny);
  Json cilium_rule();
  Json k8s_peer();
  Json k8s_element(bool ingress);
  Json k8s_policy(int index);
  Json cilium_object(int index, bool clusterwide);
  void inventory();

  Rng rng_;
  RandomWorld &world_;
  std::set<uint16_t> ports_;
};

Json Generator::selector(bool cilium_scope, bool allow_empty) {
  Json sel = Json::object();
  if (allow_empty && rng_.chance(10)) return sel;
  int labels = rng_.between(0, 2), expressions = rng_.between(0, 2);
  if (labels + expressions == 0) labels = 1;
  if (labels) {
    Json ml = Json::object();
    for (int i = 0; i < labels; ++i) {
      const LabelKey &k = rng_.pick(kPodLabels);
      // Cilium's source prefix is accepted and dropped.
      std::string key = cilium_scope && rng_.chance(10) ? "k8s:" + k.key : k.key;
      ml[key] = rng_.pick(k.values);
    }
    sel["matchLabels"] = ml;
  }
  if (expressions) {
    Json me = Json::array();
    for (int i = 0; i < expressions; ++i) {
      std::string key;
      std::vector<std::string> values;
      int which = cilium_scope ? rng_.below(10) : 0;
      if (which == 8) {
        key = "io.kubernetes.pod.namespace", values = kNamespaces;
      } else if (which == 9) {
        const LabelKey &k = rng_.pick(kNamespaceLabels);
        key = "io.cilium.k8s.namespace.labels." + k.key, values = k.values;
      } else {
        const LabelKey &k = rng_.pick(kPodLabels);
        key = k.key, values = k.values;
      }
      std::string op = rng_.pick(kOps);
      Json e = {{"key", key}, {"operator", op}};
      if (op == "In" || op == "NotIn") {
        Json vs = Json::array();
        int n = rng_.between(1, 2);
        for (int j = 0; j < n; ++j) vs.push_back(rng_.pick(values));
        e["values"] = vs;
      }
      me.push_back(e);
    }
    sel["matchExpressions"] = me;
  }
  return sel;
}

void Generator::remember(const Prefix &p) {
  IpAddr first = p.addr, last = last_of(p);
  for (const IpAddr &a : {first, last, step(first, -1), step(last, 1), random_inside(p, rng_)})
    world_.other_ips.push_back(a);
}

Prefix Generator::random_cidr(Family f) {
  static const std::vector<int> v4_lens = {0, 8, 16, 22, 23, 24, 25, 26, 28, 30, 31, 32};
  static const std::vector<int> v6_lens = {0, 16, 64, 112, 118, 120, 121, 122, 124, 126, 127, 128};
  int len = rng_.pick(f == Family::V4 ? v4_lens : v6_lens);
  IpAddr base = rng_.chance(85) ? endpoint_space_ip(f, rng_) : far_ip(f, rng_);
  Prefix p = make_prefix(base, static_cast<uint8_t>(len));
  remember(p);
  return p;
}

Json Generator::cidr_text(Family f, bool with_except, bool as_set) {
  Prefix cidr = random_cidr(f);
  if (!as_set) return cidr.str();
  Json item = {{"cidr", cidr.str()}};
  int max_len = f == Family::V4 ? 32 : 128;
  if (with_except && cidr.len < max_len) {
    Json ex = Json::array();
    int n = rng_.between(1, 2);
    for (int i = 0; i < n; ++i) {
      int len = std::min(max_len, cidr.len + rng_.between(1, 8));
      Prefix e = make_prefix(random_inside(cidr, rng_), static_cast<uint8_t>(len));
      remember(e);
      ex.push_back(e.str());
    }
    item["except"] = ex;
  }
  return item;
}

Json Generator::port_entry(bool kubernetes) {
  static const std::vector<int> common = {22, 53, 80, 443, 8080, 1024, 2048, 65535, 1};
  static const std::vector<std::string> cilium_protos = {"TCP", "UDP", "SCTP", "ANY", "tcp", "udp", "any"};
  static const std::vector<std::string> k8s_protos = {"TCP", "UDP", "SCTP"};
  if (rng_.chance(12)) {  // a named port: resolved on the receiving endpoint
    Json e = {{"port", rng_.pick(kPortNames)}};
    if (kubernetes ? rng_.chance(80) : rng_.chance(85)) e["protocol"] = rng_.pick(kubernetes ? k8s_protos : cilium_protos);
    return e;
  }
  int port = rng_.chance(50) ? rng_.pick(common) : rng_.between(1, 65535);
  int end = 0;
  if (rng_.chance(35) && port < 65535) {
    // Aligned blocks and ragged ranges both: the planner splits ranges into prefixes.
    end = rng_.chance(30) ? std::min(65535, (port | 0xff)) : std::min(65535, port + rng_.between(1, 700));
  }
  for (int p : {port - 1, port, port + 1, end, end + 1})
    if (p > 0 && p <= 65535) ports_.insert(static_cast<uint16_t>(p));
  Json e = Json::object();
  if (kubernetes) {
    if (rng_.chance(80)) e["protocol"] = rng_.pick(k8s_protos);
    if (rng_.chance(15) && !end) return e;  // every port of the protocol
    e["port"] = port;
  } else {
    e["port"] = rng_.chance(50) ? Json(std::to_string(port)) : Json(port);
    if (rng_.chance(85)) e["protocol"] = rng_.pick(cilium_protos);
  }
  if (end) e["endPort"] = end;
  return e;
}

Json Generator::to_ports(bool deny) {
  Json list = Json::array();
  int n = rng_.between(1, 2);
  for (int i = 0; i < n; ++i) {
    Json ports = Json::array();
    int m = rng_.between(1, 3);
    for (int j = 0; j < m; ++j) ports.push_back(port_entry(false));
    Json rule = {{"ports", ports}};
    // Layer 7 leaves the layer-4 verdict alone; it is here for the shape.
    if (!deny && rng_.chance(10))
      rule["rules"] = {{"http", Json::array({Json{{"method", "GET"}, {"path", "/public/.*"}}})}};
    list.push_back(rule);
  }
  return list;
}

Json Generator::icmps() {
  static const std::vector<int> v4_types = {0, 3, 8, 11};
  static const std::vector<int> v6_types = {1, 3, 128, 129};
  Json fields = Json::array();
  int n = rng_.between(1, 2);
  for (int i = 0; i < n; ++i) {
    bool v6 = rng_.chance(40);
    int type = rng_.pick(v6 ? v6_types : v4_types);
    (v6 ? world_.icmp_types6 : world_.icmp_types4).push_back(static_cast<uint8_t>(type));
    Json f = Json::object();
    if (v6) f["family"] = "IPv6";
    else if (rng_.chance(50)) f["family"] = "IPv4";
    if (type == 8 && rng_.chance(50)) f["type"] = "EchoRequest";
    else if (type == 128 && rng_.chance(50)) f["type"] = "EchoRequest";
    else f["type"] = type;
    fields.push_back(f);
  }
  return Json::array({Json{{"fields", fields}}});
}

Json Generator::cilium_element(bool ingress, bool deny) {
  std::string from = ingress ? "from" : "to";
  Json el = Json::object();
  int kind = rng_.below(100);
  bool peerless = false;
  if (kind < 5) return el;  // `ingress: [{}]`: enforces, allows nothing
  if (kind < 30) {
    Json sels = Json::array();
    int n = rng_.between(1, 2);
    for (int i = 0; i < n; ++i) sels.push_back(selector(true));
    el[from + "Endpoints"] = sels;
  } else if (kind < 42) {
    Json cidrs = Json::array();
    int n = rng_.between(1, 2);
    for (int i = 0; i < n; ++i) cidrs.push_back(cidr_text(rng_.chance(50) ? Family::V4 : Family::V6, false, false));
    el[from + "CIDR"] = cidrs;
  } else if (kind < 57) {
    Json sets = Json::array();
    int n = rng_.between(1, 2);
    for (int i = 0; i < n; ++i) sets.push_back(cidr_text(rng_.chance(50) ? Family::V4 : Family::V6, true, true));
    el[from + "CIDRSet"] = sets;
  } else if (kind < 72) {
    Json ents = Json::array();
    int n = rng_.between(1, 2);
    for (int i = 0; i < n; ++i) ents.push_back(rng_.pick(kEntities));
    el[from + "Entities"] = ents;
  } else {
    peerless = true;
  }
  int l4 = rng_.below(100);
  if (peerless) l4 = 40 + l4 % 60;
  if (l4 < 40) return el;
  if (l4 < 85) el["toPorts"] = to_ports(deny);
  else el["icmps"] = icmps();
  return el;
}

Json Generator::cilium_rule() {
  Json rule = {{"endpointSelector", selector(true)}};
  static const std::vector<std::pair<const char *, std::pair<bool, bool>>> sections = {
      {"ingress", {true, false}}, {"egress", {false, false}}, {"ingressDeny", {true, true}},
      {"egressDeny", {false, true}}};
  bool any = false;
  for (const auto &[name, dir] : sections) {
    int percent = dir.second ? 20 : 55;
    if (!rng_.chance(percent)) continue;
    Json list = Json::array();
    int n = rng_.between(1, 3);
    for (int i = 0; i < n; ++i) list.push_back(cilium_element(dir.first, dir.second));
    rule[name] = list;
    any = true;
  }
  if (!any) rule["ingress"] = Json::array({cilium_element(true, false)});
  if (rng_.chance(10)) rule["description"] = "generated";
  return rule;
}

Json Generator::k8s_peer() {
  int kind = rng_.below(100);
  if (kind < 30) return {{"ipBlock", cidr_text(rng_.chance(50) ? Family::V4 : Family::V6, rng_.chance(60), true)}};
  Json peer = Json::object();
  if (kind < 75) peer["podSelector"] = selector(false);
  if (kind >= 55) {
    Json ns = Json::object();
    if (rng_.chance(80)) {
      if (rng_.chance(40)) {
        ns["matchLabels"] = {{"kubernetes.io/metadata.name", rng_.pick(kNamespaces)}};
      } else {
        const LabelKey &k = rng_.pick(kNamespaceLabels);
        ns["matchLabels"] = {{k.key, rng_.pick(k.values)}};
      }
    }
    peer["namespaceSelector"] = ns;
  }
  return peer;
}

Json Generator::k8s_element(bool ingress) {
  Json el = Json::object();
  if (rng_.chance(10)) return el;  // `ingress: [{}]`: in Kubernetes, allows all
  if (rng_.chance(80)) {
    Json peers = Json::array();
    int n = rng_.between(1, 2);
    for (int i = 0; i < n; ++i) peers.push_back(k8s_peer());
    el[ingress ? "from" : "to"] = peers;
  }
  if (rng_.chance(60)) {
    Json ports = Json::array();
    int n = rng_.between(1, 2);
    for (int i = 0; i < n; ++i) ports.push_back(port_entry(true));
    el["ports"] = ports;
  }
  return el;
}

Json Generator::k8s_policy(int index) {
  Json spec = {{"podSelector", selector(false)}};
  for (bool ingress : {true, false}) {
    if (!rng_.chance(ingress ? 70 : 50)) continue;
    Json list = Json::array();
    int n = rng_.between(0, 2);
    for (int i = 0; i < n; ++i) list.push_back(k8s_element(ingress));
    spec[ingress ? "ingress" : "egress"] = list;
  }
  int types = rng_.below(5);
  if (types == 1) spec["policyTypes"] = {"Ingress"};
  if (types == 2) spec["policyTypes"] = {"Egress"};
  if (types == 3) spec["policyTypes"] = {"Ingress", "Egress"};
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "NetworkPolicy"},
          {"metadata", {{"name", fmt::format("np-{}", index)}, {"namespace", rng_.pick(kNamespaces)}}},
          {"spec", spec}};
}

Json Generator::cilium_object(int index, bool clusterwide) {
  Json meta = {{"name", fmt::format("cnp-{}", index)}};
  if (!clusterwide && rng_.chance(85)) meta["namespace"] = rng_.pick(kNamespaces);
  Json obj = {{"apiVersion", "cilium.io/v2"},
              {"kind", clusterwide ? "CiliumClusterwideNetworkPolicy" : "CiliumNetworkPolicy"},
              {"metadata", meta}};
  if (rng_.chance(25)) {
    obj["specs"] = Json::array({cilium_rule(), cilium_rule()});
  } else {
    obj["spec"] = cilium_rule();
  }
  return obj;
}

// Block-style YAML; scalars are written as JSON (YAML reads those alike).
void emit_yaml(const Json &j, int indent, std::string &out) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const Json &v = it.value();
      out += pad + Json(it.key()).dump() + ":";
      if ((v.is_object() || v.is_array()) && !v.empty()) {
        out += "\n";
        emit_yaml(v, indent + 2, out);
      } else {
        out += " " + v.dump() + "\n";
      }
    }
  } else if (j.is_array()) {
    for (const Json &v : j) {
      if ((v.is_object() || v.is_array()) && !v.empty()) {
        std::string nested;
        emit_yaml(v, indent + 2, nested);
        // "- " takes the place of the first line's indentation.
        out += pad + "- " + nested.substr(static_cast<size_t>(indent) + 2);
      } else {
        out += pad + "- " + v.dump() + "\n";
      }
    }
  }
}

std::string as_yaml_stream(const std::vector<Json> &docs) {
  std::string out;
  for (const Json &d : docs) {
    out += "---\n";
    emit_yaml(d, 0, out);
  }
  return out;
}

void Generator::inventory() {
  if (rng_.chance(8)) {  // no inventory: the host alone
    for (Family f : {Family::V4, Family::V6}) {
      int n = rng_.between(0, 2);
      for (int i = 0; i < n; ++i) world_.host_ips.push_back(endpoint_space_ip(f, rng_));
    }
    std::sort(world_.host_ips.begin(), world_.host_ips.end());
    world_.host_ips.erase(std::unique(world_.host_ips.begin(), world_.host_ips.end()), world_.host_ips.end());
    world_.endpoint_ips = world_.host_ips;
    return;
  }
  Json namespaces = Json::array();
  for (const std::string &ns : kNamespaces) {
    Json labels = Json::object();
    for (const LabelKey &k : kNamespaceLabels)
      if (rng_.chance(60)) labels[k.key] = rng_.pick(k.values);
    namespaces.push_back({{"name", ns}, {"labels", labels}});
  }
  std::set<IpAddr> used;
  Json endpoints = Json::array();
  int n = rng_.between(2, 10);
  for (int i = 0; i < n; ++i) {
    Json labels = Json::object();
    bool special = i == 0 && rng_.chance(40);
    if (special) {
      labels[rng_.chance(70) ? "reserved:host" : "reserved:remote-node"] = "";
    } else {
      for (const LabelKey &k : kPodLabels)
        if (rng_.chance(60)) labels[k.key] = rng_.pick(k.values);
    }
    Json ips = Json::array();
    int family = rng_.below(4);  // 0: v4, 1: v6, 2, 3: both
    for (Family f : {Family::V4, Family::V6}) {
      if ((f == Family::V4 && family == 1) || (f == Family::V6 && family == 0)) continue;
      int count = rng_.chance(15) ? 2 : 1;
      for (int c = 0; c < count; ++c) {
        IpAddr a = endpoint_space_ip(f, rng_);
        if (!used.insert(a).second) continue;
        world_.endpoint_ips.push_back(a);
        ips.push_back(a.str());
      }
    }
    Json ep = {{"name", fmt::format("ep-{}", i)}, {"labels", labels}, {"ips", ips}};
    // Named ports: one name means different numbers on different endpoints.
    if (rng_.chance(60)) {
      Json ports = Json::array();
      std::set<std::pair<std::string, std::string>> named;
      for (int k = rng_.between(1, 3); k > 0; --k) {
        static const std::vector<int> numbers = {53, 80, 443, 8080, 9090};
        static const std::vector<std::string> protos = {"TCP", "TCP", "UDP", "SCTP"};
        std::string name = rng_.pick(kPortNames), proto = rng_.pick(protos);
        if (!named.emplace(name, proto).second) continue;
        int number = rng_.chance(70) ? rng_.pick(numbers) : rng_.between(1, 65535);
        ports_.insert(static_cast<uint16_t>(number));
        ports.push_back({{"name", name}, {"port", number}, {"protocol", proto}});
      }
      ep["ports"] = ports;
    }
    if (rng_.chance(80)) ep["namespace"] = rng_.pick(kNamespaces);
    endpoints.push_back(ep);
  }
  world_.inventory_json = Json{{"namespaces", namespaces}, {"endpoints", endpoints}}.dump(2);
}

void Generator::run() {
  inventory();
  int files = rng_.between(1, 3);
  int objects = 0;
  for (int f = 0; f < files; ++f) {
    int kind = rng_.below(100);
    if (kind < 40) {  // rule JSON: a bare array, not namespaced
      Json rules = Json::array();
      int n = rng_.between(1, 4);
      for (int i = 0; i < n; ++i) rules.push_back(cilium_rule());
      world_.policies.push_back({fmt::format("rules-{}.json", f), rules.dump(2)});
      continue;
    }
    std::vector<Json> docs;
    int n = rng_.between(1, 3);
    for (int i = 0; i < n; ++i) {
      int doc = rng_.below(100);
      if (doc < 45) docs.push_back(cilium_object(objects++, false));
      else if (doc < 65) docs.push_back(cilium_object(objects++, true));
      else docs.push_back(k8s_policy(objects++));
    }
    if (docs.size() == 1 && rng_.chance(40)) {
      world_.policies.push_back({fmt::format("objects-{}.json", f), docs.front().dump(2)});
    } else {
      world_.policies.push_back({fmt::format("objects-{}.yaml", f), as_yaml_stream(docs)});
    }
  }
  world_.ports.assign(ports_.begin(), ports_.end());
  for (Family fam : {Family::V4, Family::V6})
    for (int i = 0; i < 3; ++i) world_.other_ips.push_back(far_ip(fam, rng_));
  for (Family fam : {Family::V4, Family::V6})
    for (int i = 0; i < 3; ++i) world_.other_ips.push_back(endpoint_space_ip(fam, rng_));
}

std::vector<IpAddr> of_family(const std::vector<IpAddr> &ips, Family f) {
  std::vector<IpAddr> out;
  for (const IpAddr &a : ips)
    if (a.family == f) out.push_back(a);
  return out;
}

}  // namespace

RandomWorld random_world(uint64_t seed) {
  RandomWorld world;
  world.seed = seed;
  Generator(seed, world).run();
  return world;
}

RandomPacket random_packet(const RandomWorld &world, Rng &rng) {
  RandomPacket p;
  Family f = rng.chance(50) ? Family::V4 : Family::V6;
  std::vector<IpAddr> eps = of_family(world.endpoint_ips, f);
  std::vector<IpAddr> others = of_family(world.other_ips, f);
  auto address = [&]() { return !eps.empty() && rng.chance(65) ? rng.pick(eps) : rng.pick(others); };
  p.src = address();
  p.dst = address();
  int proto = rng.below(100);
  p.sport = static_cast<uint16_t>(rng.between(1024, 65535));
  if (proto < 25) {
    p.proto = f == Family::V4 ? 1 : 58;
    const auto &types = f == Family::V4 ? world.icmp_types4 : world.icmp_types6;
    static const std::vector<uint8_t> some = {0, 1, 3, 8, 11, 128, 129, 135};
    p.icmp_type = !types.empty() && rng.chance(60) ? rng.pick(types) : rng.pick(some);
    p.icmp_code = static_cast<uint8_t>(rng.below(2));
    return p;
  }
  p.proto = proto < 60 ? 6 : proto < 85 ? 17 : 132;
  p.dport = !world.ports.empty() && rng.chance(70) ? rng.pick(world.ports)
                                                   : static_cast<uint16_t>(rng.between(1, 65535));
  return p;
}

std::string describe(const RandomPacket &p) {
  if (p.proto == 1 || p.proto == 58)
    return fmt::format("{} -> {} proto {} icmp type {} code {}", p.src.str(), p.dst.str(), p.proto, p.icmp_type,
                       p.icmp_code);
  return fmt::format("{} -> {} proto {} sport {} dport {}", p.src.str(), p.dst.str(), p.proto, p.sport, p.dport);
}

std::string describe(const RandomWorld &world) {
  std::string out = fmt::format("seed {}\n", world.seed);
  for (const PolicyFile &f : world.policies) out += fmt::format("==== {}\n{}\n", f.name, f.text);
  if (world.inventory_json.empty()) {
    out += "==== no inventory; host addresses:";
    for (const IpAddr &a : world.host_ips) out += " " + a.str();
    out += "\n";
  } else {
    out += "==== endpoints.json\n" + world.inventory_json + "\n";
  }
  return out;
}

}  // namespace polc::test
