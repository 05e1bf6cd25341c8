// Source files and locations. A SourceLoc is three small integers; the line
// text is looked up only when a diagnostic is printed (as llvm::SourceMgr does).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace polc {

struct SourceLoc {
  uint32_t file = 0;  // 0: no file (generated or command-line input)
  uint32_t line = 0;  // 1-based
  uint32_t col = 0;   // 1-based

  bool valid() const { return file != 0; }
  friend bool operator==(const SourceLoc &, const SourceLoc &) = default;
};

class SourceManager {
 public:
  // Registers a file's contents and returns its id (never 0).
  uint32_t add(std::string path, std::string contents);
  const std::string &path(uint32_t file) const;
  // The id the last add() returned (0 when none was added).
  uint32_t last() const { return static_cast<uint32_t>(files_.size()); }
  const std::string &contents(uint32_t file) const;
  // The text of one line, without its newline; empty when out of range.
  std::string_view line_text(SourceLoc loc) const;

 private:
  struct File {
    std::string path;
    std::string contents;
    mutable std::vector<uint32_t> line_starts;  // computed on first use
  };
  // A deque: adding a file moves no other, so each file's text stays where
  // it is (parsed documents hold views into it; frontend/document.h).
  std::deque<File> files_;
};

}  // namespace polc
