#pragma once
// `GET /`: one self-contained HTML page (no external scripts, styles or fonts) where a person
// pastes a title and an abstract and sees the suggested arXiv categories: a bar per category
// with its probability, the decision threshold marked on it, and the time and energy the
// classification took. It calls POST /v1/classify and GET /v1/model like any client.
#include <string>

namespace greenbert {

const std::string& web_page();

}  // namespace greenbert
