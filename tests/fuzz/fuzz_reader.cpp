#include "tests/fuzz/fuzz_reader.h"

#include "frontend/document.h"
#include "frontend/flows.h"
#include "frontend/inventory.h"
#include "frontend/json_parser.h"
#include "frontend/policy_loader.h"
#include "ir/lower.h"

namespace polc::fuzz {

int read_bytes(Reader reader, const char *file_name, const uint8_t *data, size_t size) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  std::string text(reinterpret_cast<const char *>(data), size);
  std::string name = file_name;
  switch (reader) {
    case Reader::Policy: {
      ast::PolicySet set;
      load_policy_text(name, std::move(text), sources, diags, set);
      ir::Policy policy = ir::lower(set, diags);
      (void)policy;
      break;
    }
    case Reader::Inventory:
    case Reader::Flows: {
      uint32_t file = sources.add(name, std::move(text));
      bool json = name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0;
      auto docs = json ? parse_json(file, sources.contents(file), diags)
                       : parse_documents(file, sources.contents(file), diags);
      for (const auto &doc : docs) {
        if (reader == Reader::Inventory) {
          Inventory inventory;
          read_inventory(doc.root, diags, inventory);
        } else {
          FlowFile flows;
          read_flows(doc.root, nullptr, diags, flows);
        }
      }
      break;
    }
  }
  // Rendering every diagnostic exercises the caret printer on odd input.
  for (const auto &d : diags.all()) (void)diags.render(d);
  return 0;
}

}  // namespace polc::fuzz
