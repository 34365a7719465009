#pragma once
// `GET /openapi.json`: the service's API as an OpenAPI 3.0 document.
#include <string>

namespace greenbert {

const std::string& openapi_document();

}  // namespace greenbert
