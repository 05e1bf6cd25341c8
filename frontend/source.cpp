#include "frontend/source.h"

#include <stdexcept>

namespace polc {

uint32_t SourceManager::add(std::string path, std::string contents) {
  files_.push_back(File{std::move(path), std::move(contents), {}});
  return static_cast<uint32_t>(files_.size());
}

const std::string &SourceManager::path(uint32_t file) const {
  static const std::string none = "<input>";
  return file == 0 || file > files_.size() ? none : files_[file - 1].path;
}

const std::string &SourceManager::contents(uint32_t file) const {
  static const std::string none;
  return file == 0 || file > files_.size() ? none : files_[file - 1].contents;
}

std::string_view SourceManager::line_text(SourceLoc loc) const {
  if (loc.file == 0 || loc.file > files_.size() || loc.line == 0) return {};
  const File &f = files_[loc.file - 1];
  if (f.line_starts.empty()) {
    f.line_starts.push_back(0);
    for (uint32_t i = 0; i < f.contents.size(); ++i)
      if (f.contents[i] == '\n') f.line_starts.push_back(i + 1);
  }
  if (loc.line > f.line_starts.size()) return {};
  uint32_t begin = f.line_starts[loc.line - 1];
  uint32_t end = loc.line < f.line_starts.size() ? f.line_starts[loc.line] - 1
                                                 : static_cast<uint32_t>(f.contents.size());
  std::string_view text(f.contents.data() + begin, end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

}  // namespace polc
