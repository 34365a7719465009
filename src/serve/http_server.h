#pragma once
// The HTTP layer of `greenbert serve`, and the only file that sees cpp-httplib: every request
// goes to ONE handler (routing, admission and errors are the service's), on a thread of its own
// connection.
//
// cpp-httplib 0.11 hands accepted connections to a task queue that never refuses work; a
// keep-alive connection holds its thread while it lasts. Here every connection gets a thread at
// once (threads are started as connections arrive, up to max_connections, and reused), so an
// overloaded service still answers each request at once (429 from the handler) instead of leaving
// connections waiting in a queue behind busy ones.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace greenbert {

struct HttpRequest {
  std::string method;  // "GET", "POST", ... (HEAD is answered as GET)
  std::string path;    // without the query string
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // The first header `name` (case-insensitive), or empty.
  std::string header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;                     // 0: any free port
  size_t payload_limit = 2u << 20;  // bodies above get 413 without reaching the handler
  size_t max_connections = 256;     // connection threads; later connections wait for one
  // The answer to a request refused before the handler (413 payload, 400 unparsable request).
  std::function<HttpResponse(int status)> refused;
};

class HttpServer {
 public:
  // Binds the address (throws greenbert::Error when it cannot); serves once run() is called.
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Accepts and serves until stop(); returns once every connection thread has finished.
  void run();
  // Stops accepting; thread-safe. Open keep-alive connections end within their idle timeout.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace greenbert
