#include "report/document.h"

#include <cstring>

#include "core/atomic_file.h"
#include "core/error.h"

namespace greenbert {
namespace {

// Characters that would start Markdown markup inside running text or a table cell.
std::string md_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::strchr("\\`*_[]|<", c) != nullptr) out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void check_table(const Table& table) {
  for (const auto& row : table.rows)
    if (row.size() != table.header.size())
      fail("report table: a row has ", row.size(), " cells for ", table.header.size(), " columns");
}

bool numeric_column(const Table& table, size_t column) {
  return column < table.numeric.size() && table.numeric[column];
}

struct MarkdownWriter {
  std::string out;
  void operator()(const Heading& h) {
    out += cat(std::string(h.level, '#'), " ", md_escape(h.text), "\n\n");
  }
  void operator()(const Paragraph& p) { out += md_escape(p.text) + "\n\n"; }
  void operator()(const KeyValues& list) {
    for (const auto& [key, value] : list.items)
      out += cat("- **", md_escape(key), "**: ", md_escape(value), "\n");
    out += "\n";
  }
  void operator()(const Table& table) {
    check_table(table);
    std::string rule = "|";
    out += "|";
    for (size_t c = 0; c < table.header.size(); ++c) {
      out += cat(" ", md_escape(table.header[c]), " |");
      rule += numeric_column(table, c) ? " ---: |" : " --- |";
    }
    out += "\n" + rule + "\n";
    for (const auto& row : table.rows) {
      out += "|";
      for (const auto& cell : row) out += cat(" ", md_escape(cell), " |");
      out += "\n";
    }
    out += "\n";
  }
  void operator()(const Figure& f) {
    out += cat("![", md_escape(f.title), "](", f.png, ")\n\n");
    if (!f.caption.empty()) out += md_escape(f.caption) + " ";
    out += cat("[SVG](", f.svg, ")\n\n");
  }
  void operator()(const Code& code) {
    out += "```sh\n";
    for (const auto& line : code.lines) out += line + "\n";
    out += "```\n\n";
  }
};

struct HtmlWriter {
  const std::filesystem::path& base;
  std::string out;
  void operator()(const Heading& h) {
    out += cat("<h", h.level, ">", html_escape(h.text), "</h", h.level, ">\n");
  }
  void operator()(const Paragraph& p) { out += cat("<p>", html_escape(p.text), "</p>\n"); }
  void operator()(const KeyValues& list) {
    out += "<ul>\n";
    for (const auto& [key, value] : list.items)
      out += cat("<li><strong>", html_escape(key), "</strong>: ", html_escape(value), "</li>\n");
    out += "</ul>\n";
  }
  void operator()(const Table& table) {
    check_table(table);
    out += "<table>\n<thead><tr>";
    for (size_t c = 0; c < table.header.size(); ++c)
      out += cat("<th", numeric_column(table, c) ? " class=\"num\"" : "", ">",
                 html_escape(table.header[c]), "</th>");
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : table.rows) {
      out += "<tr>";
      for (size_t c = 0; c < row.size(); ++c)
        out += cat("<td", numeric_column(table, c) ? " class=\"num\"" : "", ">",
                   html_escape(row[c]), "</td>");
      out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  void operator()(const Figure& f) {
    const auto svg_path = base / f.svg;
    if (!std::filesystem::exists(svg_path))
      fail(svg_path.string(), ": plot missing, cannot embed it in the HTML report");
    out +=
        cat("<figure>\n<img alt=\"", html_escape(f.title), "\" src=\"data:image/svg+xml;base64,",
            base64_encode(read_file(svg_path)), "\">\n<figcaption>", html_escape(f.title),
            f.caption.empty() ? "" : ". " + html_escape(f.caption), "</figcaption>\n</figure>\n");
  }
  void operator()(const Code& code) {
    out += "<pre><code>";
    for (const auto& line : code.lines) out += html_escape(line) + "\n";
    out += "</code></pre>\n";
  }
};

constexpr const char* kStyle =
    "body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222;"
    "line-height:1.45}\n"
    "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}\n"
    "th,td{border:1px solid #bbb;padding:0.3em 0.6em;vertical-align:top}\n"
    "th{background:#eef1f5}\ntd.num,th.num{text-align:right}\ntd:first-child{white-space:nowrap}\n"
    "figure{margin:1.5em 0}\nimg{max-width:100%;height:auto;border:1px solid #ddd}\n"
    "figcaption{font-size:0.9em;color:#555}\n"
    "pre{background:#f6f6f6;padding:0.8em;overflow-x:auto}\n";

}  // namespace

std::string to_markdown(const Document& document) {
  MarkdownWriter writer;
  writer.out = cat("# ", md_escape(document.title), "\n\n");
  for (const auto& block : document.blocks) std::visit(writer, block);
  return writer.out;
}

std::string to_html(const Document& document, const std::filesystem::path& base) {
  HtmlWriter writer{base, ""};
  writer.out = cat("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
                   "<title>", html_escape(document.title), "</title>\n<style>\n", kStyle,
                   "</style>\n</head>\n<body>\n<h1>", html_escape(document.title), "</h1>\n");
  for (const auto& block : document.blocks) std::visit(writer, block);
  writer.out += "</body>\n</html>\n";
  return writer.out;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) |
                       (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    if (rest == 2) v |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace greenbert
