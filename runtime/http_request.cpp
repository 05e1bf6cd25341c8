#include "runtime/http_request.h"

#include <algorithm>

namespace polc::runtime {

namespace {

bool is_host(const std::string &name) {
  return name.size() == 4 && std::equal(name.begin(), name.end(), "host", [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b;
         });
}

}  // namespace

std::string render_request_head(const ir::HttpRequest &request) {
  std::string head = request.method.empty() ? "GET" : request.method;
  head += ' ';
  head += request.path.empty() ? "/" : request.path;
  head += " HTTP/1.1\r\n";
  bool host_header = std::any_of(request.headers.begin(), request.headers.end(),
                                 [](const auto &kv) { return is_host(kv.first); });
  if (request.host && !host_header) head += "Host: " + *request.host + "\r\n";
  for (const auto &[name, value] : request.headers) head += name + ": " + value + "\r\n";
  head += "\r\n";
  return head;
}

}  // namespace polc::runtime
