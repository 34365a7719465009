#pragma once
// A minimal HTTP/1.1 client for the service's tests: one request per connection to 127.0.0.1,
// "Connection: close", the whole answer read until the server closes. No library between the
// test and the socket, so what the test sees is what the server sent.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace greenbert::testing {

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection refused, closed early, timed out)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() != name.size()) continue;
      bool same = true;
      for (size_t i = 0; i < key.size() && same; ++i)
        same = std::tolower(static_cast<unsigned char>(key[i])) ==
               std::tolower(static_cast<unsigned char>(name[i]));
      if (same) return value;
    }
    return {};
  }
};

// Sends `raw` bytes to 127.0.0.1:port and parses the answer; gives up after `timeout`.
inline HttpAnswer http_exchange(int port, const std::string& raw,
                                std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  HttpAnswer answer;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return answer;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    for (size_t sent = 0; sent < raw.size();) {
      const ssize_t n = ::send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;  // the server may answer (413) before reading everything
      sent += static_cast<size_t>(n);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[16384];
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd readable{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) <= 0) break;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      response.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  const size_t head_end = response.find("\r\n\r\n");
  if (head_end == std::string::npos || response.compare(0, 9, "HTTP/1.1 ") != 0) return answer;
  answer.status = std::stoi(response.substr(9, 3));
  size_t line = response.find("\r\n") + 2;
  while (line < head_end) {
    const size_t end = response.find("\r\n", line);
    const std::string header = response.substr(line, end - line);
    const size_t colon = header.find(':');
    if (colon != std::string::npos) {
      size_t value = colon + 1;
      while (value < header.size() && header[value] == ' ') ++value;
      answer.headers.emplace_back(header.substr(0, colon), header.substr(value));
    }
    line = end + 2;
  }
  answer.body = response.substr(head_end + 4);
  return answer;
}

inline HttpAnswer http_request(int port, const std::string& method, const std::string& path,
                               const std::string& body = "",
                               const std::vector<std::string>& headers = {},
                               std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  std::string raw = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& header : headers) raw += header + "\r\n";
  if (method == "POST" || !body.empty()) {
    raw +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return http_exchange(port, raw + "\r\n" + body, timeout);
}

}  // namespace greenbert::testing
