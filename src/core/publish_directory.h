#pragma once
// A directory of files that belong together (a data split, a vocabulary and its tokenizer
// config, a model) appears all at once or not at all: a reader never sees the new train.csv
// beside the old val.csv. The files are written into a fresh sibling directory
// "<dir>.tmp.<6 random letters or digits>", fsynced, and that directory then takes the place of
// `dir` in one step: rename(2) when `dir` does not exist (or is empty), else
// renameat2(RENAME_EXCHANGE) swaps the two atomically and the old one is removed. (Where the
// filesystem cannot exchange, the old directory is moved aside first: a reader may then briefly
// find no directory, never a mixed one.)
//
//   publish_directory(out, "data split", [&](const std::filesystem::path& staging) {
//     write_file_atomically(staging / "train.csv", ...);  // any writes, into `staging` only
//     ...
//   });
//
// Replacing a directory removes what it held, so `dir` is only replaced when everything in it
// is something `write` wrote again (a previous run of the same command); a directory holding
// anything else is refused by name before anything is touched. A symbolic link at `dir` is
// refused too (it could point anywhere). If `write` throws or a write fails, `dir` is untouched
// and the staging directory removed.
#include <filesystem>
#include <functional>
#include <string_view>

namespace greenbert {

// `what` names the writer in messages ("data split", "vocab").
void publish_directory(const std::filesystem::path& dir, std::string_view what,
                       const std::function<void(const std::filesystem::path& staging)>& write);

}  // namespace greenbert
