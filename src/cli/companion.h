#pragma once
// Commands that need libraries no other command should load when it starts run as executables of
// their own beside greenbert, "companions": `serve` as greenbert-serve (cpp-httplib, and with it
// OpenSSL, zlib and brotli) and `export` as greenbert-export (libonnx and protobuf, whose static
// initialisers alone cost every process about 6 ms of CPU). greenbert's command of the same name
// executes its companion with the arguments that follow it; a companion's main is
// cli/<command>_main.cpp, its options and work cli/<command>.cpp.
#include <filesystem>

#include <CLI/CLI.hpp>

namespace greenbert::cli {

struct Companion {
  const char* command;     // "serve"
  const char* executable;  // "greenbert-serve"
  const char* help;        // in `greenbert --help` and the companion's own --help
};

// Where `companion` belongs: beside the running executable (/proc/self/exe).
std::filesystem::path companion_path(const Companion& companion);

// `companion.command` on `app`: executes the companion with every argument that follows it,
// --help included.
void add_companion_command(CLI::App& app, const Companion& companion);

}  // namespace greenbert::cli
