#include "serve/http_server.h"

#include <httplib.h>
#include <strings.h>
#include <sys/socket.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "core/error.h"

namespace greenbert {
namespace {

// cpp-httplib's task queue: a thread for every connection waiting to be served (up to a
// maximum), started on demand and reused once its connection closes.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(size_t max_threads) : max_threads_(max_threads) {}

  void enqueue(std::function<void()> connection) override {
    std::lock_guard lock(mutex_);
    waiting_.push_back(std::move(connection));
    if (waiting_.size() > idle_ && threads_.size() < max_threads_)
      threads_.emplace_back([this] { work(); });
    else
      wake_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      ++idle_;
      wake_.wait(lock, [this] { return !waiting_.empty() || stopping_; });
      --idle_;
      if (waiting_.empty()) return;  // stopping
      auto connection = std::move(waiting_.front());
      waiting_.pop_front();
      lock.unlock();
      connection();
      lock.lock();
    }
  }

  const size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> waiting_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

void fill(httplib::Response& out, const HttpResponse& response) {
  out.status = response.status;
  for (const auto& [name, value] : response.headers) out.set_header(name, value);
  out.set_content(response.body, response.content_type.c_str());
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0)
      return value;
  return {};
}

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  httplib::Server server;
  int port = 0;
  // run() and stop() may race: cpp-httplib ignores a stop() that comes before it listens.
  std::mutex mutex;
  bool started = false, finished = false, stopped = false;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  Impl& impl = *impl_;
  httplib::Server& server = impl.server;
  server.new_task_queue = [max = impl.options.max_connections] {
    return new ConnectionThreads(max);
  };
  // Without it, a small response waits for the client's delayed ACK (tens of ms).
  server.set_tcp_nodelay(true);
  // cpp-httplib's default adds SO_REUSEPORT, with which a second service on a busy port starts
  // and silently takes half its connections; SO_REUSEADDR alone only allows a quick restart.
  server.set_socket_options([](socket_t socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_keep_alive_max_count(1000);
  server.set_payload_max_length(impl.options.payload_limit);
  const auto route = [&impl](const httplib::Request& in, httplib::Response& out) {
    HttpRequest request;
    request.method = in.method == "HEAD" ? "GET" : in.method;
    request.path = in.path;
    request.body = in.body;
    request.headers.assign(in.headers.begin(), in.headers.end());
    fill(out, impl.handler(request));
  };
  server.Get(".*", route);
  server.Post(".*", route);
  server.Put(".*", route);
  server.Patch(".*", route);
  server.Delete(".*", route);
  server.Options(".*", route);
  // Errors cpp-httplib answers itself (413, 400) get the service's body; the handler's own
  // error answers already have one.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [&impl](const httplib::Request&, httplib::Response& out) {
        if (!out.body.empty() || !impl.options.refused)
          return httplib::Server::HandlerResponse::Unhandled;
        fill(out, impl.options.refused(out.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [&impl](const httplib::Request&, httplib::Response& out, std::exception_ptr) {
        out.status = 500;
        if (impl.options.refused) fill(out, impl.options.refused(500));
      });
  impl.port =
      impl.options.port == 0
          ? server.bind_to_any_port(impl.options.host)
          : (server.bind_to_port(impl.options.host, impl.options.port) ? impl.options.port : -1);
  if (impl.port < 0)
    fail("cannot listen on ", impl.options.host, ":", impl.options.port,
         " (the port is in use, or the host is not an address of this machine)");
}

HttpServer::~HttpServer() {
  stop();
}

int HttpServer::port() const {
  return impl_->port;
}

void HttpServer::run() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->started = true;
  }
  impl_->server.listen_after_bind();
  std::lock_guard lock(impl_->mutex);
  impl_->finished = true;
}

void HttpServer::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopped = true;
    if (!impl_->started) return;
  }
  // Started: it is listening, or about to (a moment), or done.
  for (;;) {
    {
      std::lock_guard lock(impl_->mutex);
      if (impl_->finished) return;
    }
    if (impl_->server.is_running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server.stop();
}

}  // namespace greenbert
