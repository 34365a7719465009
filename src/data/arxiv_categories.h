#pragma once
// Human-readable names of arXiv's subject categories (https://arxiv.org/category_taxonomy), the
// codes the data's `terms` and a model's labels use: "cs.LG" -> "Machine Learning".
#include <optional>
#include <string_view>

namespace greenbert {

// The category's name, or nullopt for a code arXiv does not define.
std::optional<std::string_view> arxiv_category_name(std::string_view code);

}  // namespace greenbert
