#include "serve/openapi.h"

namespace greenbert {

const std::string& openapi_document() {
  static const std::string document = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "greenbert serve",
    "version": ")json" GREENBERT_VERSION R"json(",
    "description": "Multi-label classification of arXiv papers with a BERT-family model: a sigmoid per label (a softmax only for models whose config.json says problem_type single_label_classification), decisions by the model's tuned thresholds, and the energy each request took."
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "Only when the service was started with --api-key (or GREENBERT_API_KEY)"}},
    "schemas": {
      "Text": {
        "oneOf": [
          {"type": "string", "description": "An abstract"},
          {"type": "object", "required": ["abstract"], "additionalProperties": false,
           "properties": {"title": {"type": "string"}, "abstract": {"type": "string"},
                          "text": {"type": "string", "description": "Same as abstract"}}}
        ]
      },
      "ClassifyRequest": {
        "type": "object", "required": ["inputs"], "additionalProperties": false,
        "properties": {
          "inputs": {"oneOf": [{"$ref": "#/components/schemas/Text"},
                               {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Text"},
                                "description": "At most --max-batch-requests texts"}]},
          "top_k": {"type": "integer", "minimum": 0, "default": 5, "description": "How many of the most probable labels to score"},
          "threshold": {"type": "number", "minimum": 0, "maximum": 1, "description": "One decision threshold for every label instead of the model's tuned ones"},
          "return_logits": {"type": "boolean", "default": false}
        }
      },
      "Score": {
        "type": "object",
        "properties": {"label": {"type": "string", "example": "cs.LG"},
                       "name": {"type": "string", "nullable": true, "example": "Machine Learning"},
                       "probability": {"type": "number"}, "threshold": {"type": "number"}}
      },
      "Result": {
        "type": "object",
        "properties": {
          "labels": {"type": "array", "items": {"type": "string"}, "description": "Labels at or above their threshold"},
          "scores": {"type": "array", "items": {"$ref": "#/components/schemas/Score"}, "description": "The top_k most probable labels"},
          "logits": {"type": "array", "items": {"type": "number"}},
          "tokens": {"type": "integer"}
        }
      },
      "ClassifyResponse": {
        "type": "object",
        "properties": {
          "model": {"type": "string"}, "precision": {"type": "string"},
          "activation": {"type": "string", "enum": ["sigmoid", "softmax"]},
          "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
          "timing": {"type": "object", "properties": {
            "queue_ms": {"type": "number"}, "inference_ms": {"type": "number"}, "total_ms": {"type": "number"},
            "batch_sequences": {"type": "integer"}, "batch_tokens": {"type": "integer"}}},
          "energy": {"type": "object", "properties": {
            "joules": {"type": "number", "nullable": true, "description": "This request's share of its batch's inference energy; null until the service has measured its power"},
            "g_co2eq": {"type": "number", "nullable": true},
            "method": {"type": "string", "enum": ["measured", "estimated"]},
            "source": {"type": "string", "enum": ["rapl", "perf", "estimated"]}}}
        }
      },
      "Error": {
        "type": "object",
        "properties": {"error": {"type": "object", "properties": {
          "status": {"type": "integer"}, "type": {"type": "string"}, "message": {"type": "string"}}}}
      }
    },
    "responses": {
      "Error": {"description": "What was wrong", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
  },
  "paths": {
    "/v1/classify": {
      "post": {
        "summary": "Classify texts (many clients' requests share inference batches)",
        "security": [{}, {"bearer": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClassifyRequest"}}}},
        "responses": {
          "200": {"description": "One result per input", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClassifyResponse"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"},
          "504": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/model": {
      "get": {
        "summary": "The model: configuration, labels with arXiv category names and thresholds, precision, max length, limits",
        "security": [{}, {"bearer": []}],
        "responses": {"200": {"description": "The model", "content": {"application/json": {}}},
                      "401": {"$ref": "#/components/responses/Error"},
                      "503": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/health/live": {"get": {"summary": "The process answers", "responses": {"200": {"description": "Live"}}}},
    "/health/ready": {"get": {"summary": "The model is loaded and the service is not draining",
                              "responses": {"200": {"description": "Ready"}, "503": {"$ref": "#/components/responses/Error"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics: requests by status, queue, batches, latencies, energy",
                         "security": [{}, {"bearer": []}],
                         "responses": {"200": {"description": "Text exposition format 0.0.4", "content": {"text/plain": {}}}}}},
    "/": {"get": {"summary": "A web page to classify a title and abstract", "responses": {"200": {"description": "HTML", "content": {"text/html": {}}}}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.0"}}}}
  }
})json";
  return document;
}

}  // namespace greenbert
