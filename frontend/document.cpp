#include "frontend/document.h"

#include <cstring>
#include <map>
#include <sstream>
#include <unordered_set>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

namespace polc {

const DocNode *DocNode::find(std::string_view name) const {
  if (kind != Kind::Map) return nullptr;
  for (size_t i = 0; i < map_size(); ++i)
    if (key(i).text() == name) return &value(i);
  return nullptr;
}

std::string_view DocNode::kind_name() const {
  switch (kind) {
    case Kind::Null: return "null";
    case Kind::Map: return "an object";
    case Kind::Seq: return "a list";
    case Kind::Scalar: {
      if (quoted) return "a string";
      std::string_view text = this->text();
      if (text == "true" || text == "false") return "a boolean";
      if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-'))
        return "a number";
      return "a string";
    }
  }
  return "a value";
}

std::span<const DocNode> DocArena::copy(std::span<const DocNode> nodes) {
  if (nodes.empty()) return {};
  void *p = memory_.allocate(nodes.size_bytes(), alignof(DocNode));
  std::memcpy(p, nodes.data(), nodes.size_bytes());
  return {static_cast<const DocNode *>(p), nodes.size()};
}

std::string_view DocArena::copy(std::string_view text) {
  if (text.empty()) return {};
  char *p = static_cast<char *>(memory_.allocate(text.size(), 1));
  std::memcpy(p, text.data(), text.size());
  return {p, text.size()};
}

namespace {

// Bounds that keep a hostile file from exhausting the stack or memory.
constexpr size_t kMaxDepth = 256;
constexpr size_t kMaxNodes = 50'000'000;

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(uint32_t file, DiagnosticEngine &diags, size_t max_documents)
      : file_(file), diags_(diags), max_documents_(max_documents), arena_(std::make_shared<DocArena>()) {}

  std::vector<Document> documents;
  bool failed = false;

  void OnDocumentStart(const YAML::Mark &mark) override {
    // yaml-cpp 0.7 can report empty documents forever on some malformed
    // input; a document takes at least one byte, so more is a parser loop.
    if (documents.size() >= max_documents_) fail(mark, "the YAML parser does not advance (malformed input)");
    stack_.clear();
    items_.clear();
    documents.emplace_back();
    documents.back().arena = arena_;
    has_root_ = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override {
    DocNode n;
    n.loc = loc(mark);
    add(n, anchor);
  }
  void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      fail(mark, "unknown alias");
      return;
    }
    expanded_ += count(it->second);
    if (expanded_ > kMaxNodes) {
      fail(mark, "document too large after expanding aliases");
      return;
    }
    add(it->second, 0);
  }
  void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                const std::string &value) override {
    DocNode n;
    n.kind = DocNode::Kind::Scalar;
    n.loc = loc(mark);
    n.quoted = tag == "!";
    n.set_text(arena_->copy(value));
    // A plain `null` or `~` is YAML's null.
    if (!n.quoted && (value == "null" || value == "~" || value == "Null" || value == "NULL"))
      n.kind = DocNode::Kind::Null;
    add(n, anchor);
  }
  void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(DocNode::Kind::Seq, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(DocNode::Kind::Map, mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    DocNode node;
    YAML::anchor_t anchor;
    size_t first_item;  // where its children start in items_
    std::unordered_set<std::string_view> keys;  // maps: duplicate-key check (views into the arena)
  };

  SourceLoc loc(const YAML::Mark &m) const {
    return SourceLoc{file_, static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)};
  }
  static size_t count(const DocNode &n) {
    size_t c = 1;
    for (const DocNode &k : n.children()) c += count(k);
    return c;
  }
  void fail(const YAML::Mark &mark, std::string message) {
    if (!failed) diags_.error(loc(mark), "syntax", std::move(message));
    failed = true;
    throw Abort{};
  }
  void open(DocNode::Kind kind, const YAML::Mark &mark, YAML::anchor_t anchor) {
    if (stack_.size() >= kMaxDepth) fail(mark, fmt::format("nesting deeper than {} levels", kMaxDepth));
    Open o;
    o.node.kind = kind;
    o.node.loc = loc(mark);
    o.anchor = anchor;
    o.first_item = items_.size();
    stack_.push_back(std::move(o));
  }
  void close() {
    Open o = std::move(stack_.back());
    stack_.pop_back();
    std::span<const DocNode> items(items_.data() + o.first_item, items_.size() - o.first_item);
    o.node.set_children(arena_->copy(items));
    items_.resize(o.first_item);
    add(o.node, o.anchor);
  }
  // Nodes are small and point into the arena: an alias shares its anchor's subtree.
  void add(const DocNode &n, YAML::anchor_t anchor) {
    if (++nodes_ > kMaxNodes) {
      YAML::Mark m;
      m.line = static_cast<int>(n.loc.line) - 1;
      m.column = static_cast<int>(n.loc.col) - 1;
      fail(m, "document too large");
    }
    if (anchor) anchors_[anchor] = n;
    if (stack_.empty()) {
      documents.back().root = n;
      has_root_ = true;
      return;
    }
    Open &parent = stack_.back();
    if (parent.node.kind == DocNode::Kind::Map && (items_.size() - parent.first_item) % 2 == 0) {
      // A key. Keys are scalars in every format polc reads.
      if (n.kind != DocNode::Kind::Scalar) {
        diags_.error(n.loc, "syntax", fmt::format("object key must be a string, found {}", n.kind_name()));
      } else if (!parent.keys.insert(n.text()).second) {
        diags_.error(n.loc, "duplicate-key", fmt::format("duplicate key \"{}\"", n.text()));
      }
    }
    items_.push_back(n);
  }

 public:
  struct Abort {};

 private:
  uint32_t file_;
  DiagnosticEngine &diags_;
  std::vector<Open> stack_;
  // The children of every open map and list, innermost last; a closed one
  // moves its own to the arena, contiguous.
  std::vector<DocNode> items_;
  std::map<YAML::anchor_t, DocNode> anchors_;
  size_t max_documents_;
  size_t nodes_ = 0;
  size_t expanded_ = 0;
  bool has_root_ = false;
  std::shared_ptr<DocArena> arena_;
};

// yaml-cpp's messages start lowercase already; strip its "yaml-cpp: " prefix
// and location, which polc prints itself.
std::string clean_message(const YAML::Exception &e) { return e.msg; }

}  // namespace

std::vector<Document> parse_documents(uint32_t file, std::string_view text, DiagnosticEngine &diags) {
  TreeBuilder builder(file, diags, text.size() + 1);
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception &e) {
    if (!builder.failed) {
      SourceLoc loc{file, static_cast<uint32_t>(std::max(0, e.mark.line) + 1),
                    static_cast<uint32_t>(std::max(0, e.mark.column) + 1)};
      diags.error(loc, "syntax", fmt::format("syntax error: {}", clean_message(e)));
    }
    if (!builder.documents.empty()) builder.documents.pop_back();
  } catch (const TreeBuilder::Abort &) {
    if (!builder.documents.empty()) builder.documents.pop_back();
  }
  return std::move(builder.documents);
}

}  // namespace polc
