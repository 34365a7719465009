#pragma once
// A model directory of the tiny model (target.h) without weights, for the targets that fuzz one
// of its files through ModelDirectory::open: config.json, labels.json and, when asked, vocab.txt.
#include <filesystem>
#include <string>

#include "data/label_map.h"
#include "model/config.h"
#include "scratch.h"
#include "target.h"
#include "text/vocab_trainer.h"

namespace greenbert::fuzz {

inline std::filesystem::path tiny_model_dir(const std::string& name, bool with_vocab) {
  const auto dir = scratch_dir() / name;
  std::filesystem::create_directories(dir);
  const BertConfig config = tiny_config();
  save_config(dir / "config.json", config);
  LabelMap(config.labels).save(dir / "labels.json");
  if (with_vocab) write_vocab(dir / "vocab.txt", tiny_vocab());
  return dir;
}

}  // namespace greenbert::fuzz
