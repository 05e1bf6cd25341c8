#include "frontend/source_reader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "frontend/json_parser.h"

namespace polc {

bool has_extension(std::string_view path, std::string_view ext) {
  if (path.size() < ext.size()) return false;
  std::string_view tail = path.substr(path.size() - ext.size());
  for (size_t i = 0; i < ext.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(tail[i])) != std::tolower(static_cast<unsigned char>(ext[i])))
      return false;
  return true;
}

uint32_t read_source_file(const std::string &path, SourceManager &sources, DiagnosticEngine &diags) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return sources.add(std::string(kStdinName), std::move(ss).str());
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diags.error(SourceLoc{sources.add(path, ""), 0, 0}, "io", "cannot read file: it is a directory");
    return 0;
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  std::string contents;
  if (in) {
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    in.seekg(0, std::ios::beg);
    if (size > 0) {
      contents.resize(static_cast<size_t>(size));
      in.read(contents.data(), size);
    } else {  // not seekable (a pipe): read it as a stream
      in.clear();
      std::ostringstream ss;
      ss << in.rdbuf();
      contents = std::move(ss).str();
    }
  }
  if (!in || in.bad()) {
    int err = errno;
    // Register the path anyway so the diagnostic prints it.
    uint32_t file = sources.add(path, "");
    diags.error(SourceLoc{file, 0, 0}, "io",
                fmt::format("cannot read file: {}", err ? std::strerror(err) : "read error"));
    return 0;
  }
  return sources.add(path, std::move(contents));
}

std::vector<Document> parse_source(uint32_t file, SourceManager &sources, DiagnosticEngine &diags) {
  const std::string &text = sources.contents(file);
  if (has_extension(sources.path(file), ".json")) return parse_json(file, text, diags);
  return parse_documents(file, text, diags);
}

std::vector<Document> parse_json_source(uint32_t file, SourceManager &sources, DiagnosticEngine &diags) {
  return parse_json(file, sources.contents(file), diags);
}

bool looks_like_dsl(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '#') {  // a comment line, in the DSL as in YAML
      size_t nl = text.find('\n', i);
      i = nl == std::string_view::npos ? text.size() : nl + 1;
    } else {
      return text.compare(i, 6, "policy") == 0 && (i + 6 == text.size() || !std::isalnum(static_cast<unsigned char>(text[i + 6])));
    }
  }
  return false;
}

}  // namespace polc
