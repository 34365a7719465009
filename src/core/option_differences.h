#pragma once
// How a command's options differ from those a run or an output recorded when it started, for the
// error that refuses to continue it under other ones. Options are keyed by their name without
// dashes, as run files record them.
#include <span>
#include <string>

#include <nlohmann/json.hpp>

namespace greenbert {

// "--key THEN (this command: NOW)" for each key of `now` whose value `then` does not share
// ("(unset)" when `then` lacks it), comma-separated; empty when none differs. Keys in `ignored`
// are not compared.
std::string differing_options(const nlohmann::json& then, const nlohmann::json& now,
                              std::span<const std::string> ignored = {});

}  // namespace greenbert
