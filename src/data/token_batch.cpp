#include "data/token_batch.h"

#include <algorithm>

#include "core/error.h"

namespace greenbert {

int64_t TokenBatch::max_length() const {
  int64_t longest = 0;
  for (int64_t s = 0; s < sequences(); ++s) longest = std::max(longest, length(s));
  return longest;
}

void TokenBatch::clear() {
  input_ids.clear();
  token_type_ids.clear();
  position_ids.clear();
  seq_start.assign(1, 0);
}

void TokenBatch::add_sequence(std::span<const int32_t> ids, std::span<const int32_t> types) {
  if (ids.empty()) fail("add_sequence: a sequence needs at least one token");
  if (!types.empty() && types.size() != ids.size())
    fail("add_sequence: ", ids.size(), " ids but ", types.size(), " token types");
  if (!types.empty() && token_type_ids.empty()) token_type_ids.assign(input_ids.size(), 0);
  input_ids.insert(input_ids.end(), ids.begin(), ids.end());
  if (!types.empty())
    token_type_ids.insert(token_type_ids.end(), types.begin(), types.end());
  else if (!token_type_ids.empty())
    token_type_ids.resize(input_ids.size(), 0);
  for (size_t i = 0; i < ids.size(); ++i) position_ids.push_back(static_cast<int32_t>(i));
  seq_start.push_back(static_cast<int32_t>(input_ids.size()));
}

}  // namespace greenbert
