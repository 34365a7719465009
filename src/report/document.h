#pragma once
// The report's content, written once and rendered twice: as Markdown (report.md, plots linked
// as PNG files) and as one self-contained HTML page (report.html, plots embedded as SVG data
// URIs, no external resource). Text is plain: the renderers escape it.
#include <filesystem>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace greenbert {

struct Heading {
  int level = 2;  // 1..3
  std::string text;
};

struct Paragraph {
  std::string text;
};

// "- **key**: value" items.
struct KeyValues {
  std::vector<std::pair<std::string, std::string>> items;
};

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as wide as the header
  std::vector<bool> numeric;                   // per column: right-aligned
};

// A plot drawn to STEM.png and STEM.svg; paths are relative to the report's directory.
struct Figure {
  std::string title;
  std::string png;
  std::string svg;
  std::string caption;
};

// Commands to copy, one per line.
struct Code {
  std::vector<std::string> lines;
};

using Block = std::variant<Heading, Paragraph, KeyValues, Table, Figure, Code>;

struct Document {
  std::string title;
  std::vector<Block> blocks;
};

std::string to_markdown(const Document& document);
// Reads each figure's SVG (relative to `base`) to embed it; throws greenbert::Error when one is
// missing.
std::string to_html(const Document& document, const std::filesystem::path& base);

std::string base64_encode(std::string_view bytes);

}  // namespace greenbert
