// A located document tree: what the JSON and YAML readers see. JSON goes
// through polc's strict parser (frontend/json_parser.h), YAML through
// yaml-cpp's event parser; either way every value carries the line:col
// where it starts, which yaml-cpp's Node API and nlohmann-json 3.11 do not
// keep.
//
// The tree is compact, because a large policy has millions of nodes (a
// 100,000-rule list has about 4.6 million; as strings and vectors they took
// over 300 MiB): a node is 32 bytes, its children sit contiguously in the
// parse's arena and its text is a view, into the source text where it needs
// no unescaping (JSON) and into the arena otherwise. So a Document refers to
// the text it was parsed from, which must outlive it (SourceManager keeps
// every file's text at a stable address for its whole life). Rule lists in
// JSON are not even kept whole: see parse_json's `on_item`.
#pragma once

#include <cstddef>
#include <memory>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/diagnostics.h"

namespace polc {

struct DocNode {
  enum class Kind : uint8_t { Null, Scalar, Map, Seq };

  Kind kind = Kind::Null;
  bool quoted = false;  // a quoted scalar: "80" rather than 80
  SourceLoc loc;

  // Scalar (and the spelling of a YAML null); empty for maps and lists.
  std::string_view text() const { return is_container() ? std::string_view() : std::string_view(chars_, size_); }
  // Seq: items; Map: key, value, key, value, ...; empty for scalars.
  std::span<const DocNode> children() const {
    return is_container() ? std::span<const DocNode>(nodes_, size_) : std::span<const DocNode>();
  }

  bool is_map() const { return kind == Kind::Map; }
  bool is_seq() const { return kind == Kind::Seq; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_null() const { return kind == Kind::Null; }
  size_t map_size() const { return size_ / 2; }
  const DocNode &key(size_t i) const { return nodes_[2 * i]; }
  const DocNode &value(size_t i) const { return nodes_[2 * i + 1]; }
  // The value under `name` in a map, or nullptr.
  const DocNode *find(std::string_view name) const;
  // "a string", "a number", "a list", "an object", "null": for messages.
  std::string_view kind_name() const;

  // For the parsers: the memory viewed must outlive the node (the source
  // text or the document's arena).
  void set_text(std::string_view text) {
    chars_ = text.data();
    size_ = static_cast<uint32_t>(text.size());
  }
  void set_children(std::span<const DocNode> children) {
    nodes_ = children.data();
    size_ = static_cast<uint32_t>(children.size());
  }

 private:
  bool is_container() const { return kind == Kind::Map || kind == Kind::Seq; }

  uint32_t size_ = 0;  // characters or children: SourceManager's offsets are 32-bit too
  union {
    const char *chars_ = nullptr;  // not a container
    const DocNode *nodes_;         // Map or Seq
  };
};

static_assert(sizeof(DocNode) <= 32, "DocNode is meant to stay small: there are millions");

// Where one parse keeps children arrays and unescaped strings: a monotonic
// arena, freed at once with the last document of the parse (no per-node
// allocation to make or free).
class DocArena {
 public:
  std::span<const DocNode> copy(std::span<const DocNode> nodes);
  std::string_view copy(std::string_view text);
  // Frees everything copied so far, keeping the first block for reuse: a
  // parse that hands each part over and forgets it needs no more memory.
  void clear() { memory_.release(); }

 private:
  alignas(DocNode) std::byte first_block_[16 * 1024];
  std::pmr::monotonic_buffer_resource memory_{first_block_, sizeof first_block_};
};

struct Document {
  DocNode root;
  std::shared_ptr<const DocArena> arena;  // owns the tree under `root`
};

// Parses every document of a YAML stream (one for JSON). Syntax errors,
// duplicate keys and limits (depth, size) are reported to `diags`; on a
// syntax error the documents read so far are returned.
std::vector<Document> parse_documents(uint32_t file, std::string_view text,
                                      DiagnosticEngine &diags);

}  // namespace polc
