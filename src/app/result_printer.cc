#include "app/result_printer.h"

#include <algorithm>
#include <vector>

namespace calypso::app {

using core::Dynamic;

namespace {

struct Grid {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

std::string CellText(const Dynamic& v) {
    switch (v.kind()) {
        case Dynamic::Kind::kNull:
            return "";
        case Dynamic::Kind::kString:
            return v.as_string();
        default:
            return v.ToJson();
    }
}

Grid ToGrid(const Dynamic& answer) {
    Grid g;
    const Dynamic* tables = answer.Find("tables");
    const Dynamic* table = tables ? tables->At(0) : nullptr;
    if (table == nullptr) return g;
    if (const Dynamic* cols = table->Find("columns");
        cols && cols->kind() == Dynamic::Kind::kArray) {
        for (const auto& c : cols->as_array()) {
            const Dynamic* name = c.Find("name");
            g.header.push_back(name ? CellText(*name) : "");
        }
    }
    if (const Dynamic* rows = table->Find("rows"); rows && rows->kind() == Dynamic::Kind::kArray) {
        for (const auto& r : rows->as_array()) {
            std::vector<std::string> row;
            if (r.kind() == Dynamic::Kind::kArray) {
                for (const auto& cell : r.as_array()) row.push_back(CellText(cell));
            }
            row.resize(g.header.size());
            g.rows.push_back(std::move(row));
        }
    }
    return g;
}

// Display width in code points (UTF-8 continuation bytes don't count).
size_t Width(const std::string& s) {
    return static_cast<size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string OneLine(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    std::replace(s.begin(), s.end(), '\r', ' ');
    std::replace(s.begin(), s.end(), '\t', ' ');
    return s;
}

}  // namespace

std::string FormatAsTable(const Dynamic& answer) {
    Grid g = ToGrid(answer);
    std::vector<size_t> width(g.header.size(), 0);
    for (size_t c = 0; c < g.header.size(); ++c) width[c] = Width(g.header[c]);
    for (auto& row : g.rows) {
        for (size_t c = 0; c < row.size(); ++c) {
            row[c] = OneLine(row[c]);
            width[c] = std::max(width[c], Width(row[c]));
        }
    }
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        for (size_t c = 0; c < cells.size(); ++c) {
            if (c > 0) out += " | ";
            out += cells[c];
            if (c + 1 < cells.size()) out.append(width[c] - Width(cells[c]), ' ');
        }
        out += '\n';
    };
    line(g.header);
    for (size_t c = 0; c < width.size(); ++c) {
        if (c > 0) out += "-+-";
        out.append(width[c], '-');
    }
    out += '\n';
    for (const auto& row : g.rows) line(row);
    out += "(" + std::to_string(g.rows.size()) + (g.rows.size() == 1 ? " row)\n" : " rows)\n");
    return out;
}

std::string FormatAsCsv(const Dynamic& answer) {
    Grid g = ToGrid(answer);
    std::string out;
    auto field = [&](const std::string& s) {
        if (s.find_first_of(",\"\r\n") == std::string::npos) {
            out += s;
            return;
        }
        out += '"';
        for (char c : s) {
            if (c == '"') out += '"';
            out += c;
        }
        out += '"';
    };
    auto line = [&](const std::vector<std::string>& cells) {
        for (size_t c = 0; c < cells.size(); ++c) {
            if (c > 0) out += ',';
            field(cells[c]);
        }
        out += "\r\n";
    };
    line(g.header);
    for (const auto& row : g.rows) line(row);
    return out;
}

std::string FormatAsLines(const core::Dynamic& answer) {
    Grid g = ToGrid(answer);
    std::string out;
    for (const auto& row : g.rows) {
        if (!row.empty()) out += row[0];
        out += '\n';
    }
    return out;
}

std::string FormatStatistics(const core::Dynamic& answer) {
    const Dynamic* stats = answer.Find("statistics");
    const Dynamic* query = stats ? stats->Find("query") : nullptr;
    if (query == nullptr) return "";
    const Dynamic* scan = query->Find("scan");
    auto number = [&](const char* name) -> std::string {
        const Dynamic* v = scan ? scan->Find(name) : nullptr;
        return v ? CellText(*v) : "?";
    };
    std::string out;
    if (const Dynamic* t = query->Find("executionTime")) {
        out += "execution time: " + CellText(*t) + " s\n";
    }
    out += "segments: " + number("segments") + " (" + number("segmentsSkipped") + " skipped)\n";
    out += "blocks: " + number("blocks") + " (" + number("blocksSkipped") + " skipped)\n";
    out += "rows scanned: " + number("rows") + "\n";
    out += "bytes read: " + number("bytesRead") + "\n";
    out += "bytes cached: " + number("bytesCached") + "\n";
    return out;
}

}  // namespace calypso::app
