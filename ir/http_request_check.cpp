#include "ir/http_request_check.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace polc::ir {
namespace {

constexpr std::string_view kTchar = "!#$%&'*+-.^_`|~";
constexpr std::string_view kSubDelims = "!$&'()*+,;=";

bool is_alnum(unsigned char c) { return std::isalnum(c) != 0 && c < 0x80; }
bool is_tchar(unsigned char c) { return is_alnum(c) || kTchar.find(char(c)) != std::string_view::npos; }
bool is_unreserved(unsigned char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
bool is_authority_char(unsigned char c) {
  return is_unreserved(c) || kSubDelims.find(char(c)) != std::string_view::npos || c == ':' || c == '[' || c == ']';
}
bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(uint8_t(c)); });
}
// POLC_HTTP_MAX_BODY (templates/http_parse.h).
constexpr uint64_t kMaxBody = 0x40000000;

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out) c = char(std::tolower(uint8_t(c)));
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = char(std::tolower(uint8_t(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

NormalizedPath refuse(HttpRefusal r, std::string why) { return {r, std::move(why), {}}; }

// One path segment after decoding: its text, and whether it is exactly a
// dot segment (an escape kept as %XX never makes one).
struct Segment {
  std::string text;
  bool plain = false;  // holds something other than dots, or more than two
};

}  // namespace

std::string_view http_refusal_name(HttpRefusal r) {
  switch (r) {
    case HttpRefusal::None: return "none";
    case HttpRefusal::Malformed: return "http-malformed";
    case HttpRefusal::Unsupported: return "http-unsupported";
    case HttpRefusal::PathNotNormal: return "http-path-not-normal";
  }
  return "?";
}

NormalizedPath normalize_http_path(std::string_view target) {
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q), query = q == std::string_view::npos ? "" : target.substr(q);
  if (path.empty() || path.front() != '/') return refuse(HttpRefusal::Malformed, "the path does not start with \"/\"");

  // One pass, left to right as a server reads it: each segment is decoded,
  // then kept, dropped ("", "."), or undoes the one before (".."). RFC 3986
  // §5.2.4 on merged slashes. The kernel keeps the root and the last
  // kSegmentMemory - 1 segments for "..", so `memory` counts what it holds.
  std::vector<std::string> kept;
  int memory = 1;
  Segment seg;
  std::string why;
  auto finish = [&]() -> bool {
    Segment s = std::move(seg);
    seg = Segment{};
    if (!s.plain && (s.text.empty() || s.text == ".")) return true;
    if (!s.plain && s.text == "..") {
      if (memory <= 1) {
        why = kept.empty() ? "\"..\" above the root" : "\"..\" further back than polc keeps segments";
        return false;
      }
      --memory;
      kept.pop_back();
      return true;
    }
    kept.push_back(std::move(s.text));
    memory = std::min(memory + 1, kSegmentMemory);
    return true;
  };
  for (size_t i = 1; i < path.size(); ++i) {
    char c = path[i];
    if (c == '/') {
      if (!finish()) return refuse(HttpRefusal::PathNotNormal, why);
      continue;
    }
    if (c == '\\') return refuse(HttpRefusal::PathNotNormal, "a backslash in the path");
    if (c == '#') return refuse(HttpRefusal::Malformed, "a fragment (\"#\") in the target");
    if (c == '%') {
      int hi = i + 1 < path.size() ? hex_value(path[i + 1]) : -1;
      int lo = hi >= 0 && i + 2 < path.size() ? hex_value(path[i + 2]) : -1;
      if (hi < 0 || lo < 0) return refuse(HttpRefusal::PathNotNormal, "a broken percent-escape in the path");
      unsigned char v = uint8_t(hi * 16 + lo);
      i += 2;
      if (v == '/' || v == '\\' || v < 0x20 || v == 0x7f)
        return refuse(HttpRefusal::PathNotNormal, fmt::format("an escaped slash, backslash or control (%{:02X})", v));
      if (!is_unreserved(v)) {
        seg.text += fmt::format("%{:02X}", v);
        seg.plain = true;
        continue;
      }
      c = char(v);
    }
    if (c == ';' && !seg.plain && !seg.text.empty())
      return refuse(HttpRefusal::PathNotNormal, "a dot segment followed by \";\"");
    seg.text += c;
    if (c != '.' || seg.text.size() > 2) seg.plain = true;
  }
  bool ends_in_slash = !seg.plain;  // "/a/", "/a/.", "/a/b/.." leave a slash
  if (!finish()) return refuse(HttpRefusal::PathNotNormal, why);
  if (query.find('#') != std::string_view::npos) return refuse(HttpRefusal::Malformed, "a fragment (\"#\") in the target");
  NormalizedPath out;
  out.path = "/";
  for (size_t i = 0; i < kept.size(); ++i) out.path += (i ? "/" : "") + kept[i];
  if (!kept.empty() && ends_in_slash) out.path += '/';
  out.path += query;
  return out;
}

JudgedRequest judge_http_request(const HttpRequest &request) {
  JudgedRequest out;
  auto refuse_request = [&](HttpRefusal r, std::string why) {
    out.refusal = r;
    out.why = std::move(why);
    return out;
  };
  out.method = request.method.empty() ? "GET" : request.method;
  std::string target = request.path.empty() ? "/" : request.path;
  if (!is_token(out.method)) return refuse_request(HttpRefusal::Malformed, "the method is not a token");
  for (char c : target)
    if (uint8_t(c) <= 0x20 || uint8_t(c) >= 0x7f)
      return refuse_request(HttpRefusal::Malformed, "a space, control or non-ASCII byte in the request-target");

  std::optional<std::string> authority;
  if (out.method == "CONNECT") {
    authority = target;  // authority-form: no path
  } else if (target == "*") {
    if (out.method != "OPTIONS") return refuse_request(HttpRefusal::Malformed, "\"*\" is a target of OPTIONS only");
  } else if (target.front() == '/') {
    NormalizedPath p = normalize_http_path(target);
    if (p.refusal != HttpRefusal::None) return refuse_request(p.refusal, p.why);
    out.path = std::move(p.path);
  } else {
    if (target.size() < 7 || lower(target.substr(0, 4)) != "http" || target.substr(4, 3) != "://")
      return refuse_request(HttpRefusal::Malformed, "a request-target that is neither a path nor an http:// URL");
    size_t end = target.find_first_of("/?", 7);
    authority = target.substr(7, end == std::string::npos ? std::string::npos : end - 7);
    std::string rest = end == std::string::npos ? "/" : target.substr(end);
    if (rest.front() == '?') rest = "/" + rest;
    NormalizedPath p = normalize_http_path(rest);
    if (p.refusal != HttpRefusal::None) return refuse_request(p.refusal, p.why);
    out.path = std::move(p.path);
  }
  if (authority) {
    if (authority->empty() || !std::all_of(authority->begin(), authority->end(),
                                           [](char c) { return is_authority_char(uint8_t(c)); }))
      return refuse_request(HttpRefusal::Malformed, "the target's authority is empty or holds userinfo or escapes");
    out.host = authority;
  }

  // The header lines as rendered: a Host line from `host` unless the
  // headers carry one.
  std::vector<std::pair<std::string, std::string>> lines;
  bool host_header = std::any_of(request.headers.begin(), request.headers.end(),
                                 [](const auto &kv) { return lower(kv.first) == "host"; });
  if (request.host && !host_header) lines.emplace_back("host", *request.host);
  for (const auto &[name, value] : request.headers) lines.emplace_back(name, value);

  bool host_line = false;
  std::optional<uint64_t> content_length;
  for (auto &[name, raw] : lines) {
    if (!is_token(name)) return refuse_request(HttpRefusal::Malformed, fmt::format("header name \"{}\" is not a token", name));
    for (char c : raw)
      if ((uint8_t(c) < 0x20 && c != '\t') || c == 0x7f)
        return refuse_request(HttpRefusal::Malformed, "a control byte in a header value");
    std::string key = lower(name);
    std::string value(trim(raw));
    if (key == "host") {
      if (host_line) return refuse_request(HttpRefusal::Malformed, "two Host lines");
      host_line = true;
      if (authority) {
        if (value != *authority)
          return refuse_request(HttpRefusal::Malformed, "the Host line differs from the target's authority");
      } else {
        out.host = value;
      }
    } else if (key == "content-length") {
      // As the kernel reads it: digits only, a digit refused once the
      // number reaches kMaxBody / 10 (so it never overflows).
      uint64_t number = 0;
      bool ok = !value.empty();
      for (char c : value) {
        if (c < '0' || c > '9' || number >= kMaxBody / 10) ok = false;
        else number = number * 10 + uint64_t(c - '0');
      }
      if (!ok) return refuse_request(HttpRefusal::Malformed, "a Content-Length that is not a number polc follows");
      if (content_length && *content_length != number)
        return refuse_request(HttpRefusal::Malformed, "two different Content-Length values");
      content_length = number;
    } else if (key == "transfer-encoding") {
      return refuse_request(HttpRefusal::Unsupported, "Transfer-Encoding bodies are not followed");
    }
    out.headers.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace polc::ir
