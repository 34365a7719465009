#pragma once
// A model directory of the tiny model (target.h) without weights, for the targets that fuzz one
// of its files through ModelDirectory::open: config.json, labels.json and, when asked, vocab.txt.
#include <filesystem>
#include <string>
#include <string_view>

#include "data/label_map.h"
#include "model/config.h"
#include "model/model_directory.h"
#include "scratch.h"
#include "target.h"
#include "text/vocab_trainer.h"

namespace greenbert::fuzz {

// The tiny model directory `name` (written on the first call) with `bytes` as its file `file`,
// opened by ModelDirectory::open and handed to `use`. A greenbert::Error is a clean refusal.
template <typename Use>
void open_with_file(const std::string& name, bool with_vocab, const std::string& file,
                    std::string_view bytes, Use use) {
  const auto dir = scratch_dir() / name;
  if (!std::filesystem::exists(dir)) {
    std::filesystem::create_directories(dir);
    const BertConfig config = tiny_config();
    save_config(dir / "config.json", config);
    LabelMap(config.labels).save(dir / "labels.json");
    if (with_vocab) write_vocab(dir / "vocab.txt", tiny_vocab());
  }
  scratch_file(name + "/" + file, bytes);
  read_or_refuse([&] { use(ModelDirectory::open(dir)); });
}

}  // namespace greenbert::fuzz
