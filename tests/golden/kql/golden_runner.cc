// Runs KQL golden record files (format in tests/golden/kql/README.md).
// Usage: kql_golden [--rewrite] FILE.test...
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/time.h"
#include "format.h"
#include "kql/engine.h"
#include "memory_source.h"

namespace {

using calypso::kql::testing::FormatHeader;
using calypso::kql::testing::FormatRow;

struct Record {
    int line = 0;                      // 1-based line of the first query line
    std::vector<std::string> leading;  // comment lines before the query
    bool rowsort = false;
    bool alltables = false;  // "# alltables": every result table, each after "table <name>"
    std::string query;
    std::vector<std::string> expected;  // lines after ----
};

std::vector<std::string> ReadLines(const std::string& path, bool& ok) {
    std::ifstream in(path);
    ok = static_cast<bool>(in);
    std::vector<std::string> lines;
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
    return lines;
}

std::vector<Record> ParseRecords(const std::vector<std::string>& lines,
                                 std::vector<std::string>& trailer) {
    std::vector<Record> out;
    size_t i = 0;
    while (i < lines.size()) {
        Record r;
        // Comments and blank lines before the query.
        while (i < lines.size() && (lines[i].empty() || lines[i][0] == '#')) {
            if (lines[i] == "# rowsort") r.rowsort = true;
            if (lines[i] == "# alltables") r.alltables = true;
            r.leading.push_back(lines[i]);
            ++i;
        }
        if (i >= lines.size()) {
            trailer = r.leading;
            break;
        }
        r.line = static_cast<int>(i) + 1;
        while (i < lines.size() && lines[i] != "----") {
            if (!r.query.empty()) r.query += "\n";
            r.query += lines[i];
            ++i;
        }
        ++i;  // ----
        while (i < lines.size() && !lines[i].empty()) r.expected.push_back(lines[i++]);
        out.push_back(std::move(r));
    }
    return out;
}

calypso::kql::testing::MemorySource MakeSource() {
    using namespace calypso;
    calypso::kql::testing::MemorySource src;
    core::Schema schema;
    schema.fields = {{"timestamp", core::Type::kDatetime},
                     {"message", core::Type::kString},
                     {"severityLevel", core::Type::kInt},
                     {"customDimensions", core::Type::kDynamic}};
    core::Batch b = core::Batch::Empty(schema);
    const char* rows[][4] = {
        {"2024-01-01T10:00:00Z", "Step started", "1", R"({"step_id":"s1","parent_run_id":"r1"})"},
        {"2024-01-01T10:30:00Z", "Training epoch 1 loss=0.5", "1", R"({"step_id":"s1","epoch":1})"},
        {"2024-01-01T11:15:00Z", "Out of memory error", "3",
         R"({"step_id":"s2","parent_run_id":"r1"})"},
        {"2024-01-01T11:45:00Z", "Step finished", "1", R"({"step_id":"s2"})"},
    };
    for (const auto& r : rows) {
        b.columns[0].AppendInt64(*core::ParseDatetime(r[0]));
        b.columns[1].AppendString(r[1]);
        b.columns[2].AppendInt64(std::stoll(r[2]));
        b.columns[3].AppendDynamic(*core::Dynamic::Parse(r[3]));
    }
    src.AddTable("traces", std::move(b), "timestamp");
    // An older table whose severityLevel is a string, for union tests.
    core::Schema old_schema;
    old_schema.fields = {{"timestamp", core::Type::kDatetime},
                         {"message", core::Type::kString},
                         {"severityLevel", core::Type::kString}};
    core::Batch old = core::Batch::Empty(old_schema);
    const char* old_rows[][3] = {{"2023-12-31T09:00:00Z", "Legacy start", "Info"},
                                 {"2023-12-31T09:05:00Z", "Legacy crash", "Error"}};
    for (const auto& r : old_rows) {
        old.columns[0].AppendInt64(*core::ParseDatetime(r[0]));
        old.columns[1].AppendString(r[1]);
        old.columns[2].AppendString(r[2]);
    }
    src.AddTable("traces_old", std::move(old), "timestamp");
    return src;
}

std::vector<std::string> Actual(calypso::kql::Engine& engine, const Record& r) {
    calypso::core::QueryRequest req;
    req.text = r.query;
    req.now_ticks = *calypso::core::ParseDatetime("2024-01-02T00:00:00Z");
    auto res = engine.Run(req);
    std::vector<std::string> out;
    if (!res.ok()) {
        const auto& s = res.status();
        out.push_back("error " + std::string(calypso::core::StatusCodeName(s.code())) + " " +
                      std::to_string(s.pos().line) + ":" + std::to_string(s.pos().column));
        out.push_back(s.message());
        return out;
    }
    size_t ntables = r.alltables ? res->tables.size() : 1;
    for (size_t t = 0; t < ntables; ++t) {
        const auto& batch = res->tables.at(t).data;
        if (r.alltables) out.push_back("table " + res->tables[t].name);
        out.push_back(FormatHeader(batch.schema));
        std::vector<std::string> rows;
        for (size_t i = 0; i < batch.num_rows(); ++i) rows.push_back(FormatRow(batch, i));
        if (r.rowsort) std::sort(rows.begin(), rows.end());
        out.insert(out.end(), rows.begin(), rows.end());
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    bool rewrite = false;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--rewrite") {
            rewrite = true;
        } else {
            files.push_back(a);
        }
    }
    if (files.empty()) {
        std::cerr << "usage: kql_golden [--rewrite] FILE.test...\n";
        return 2;
    }
    auto source = MakeSource();
    calypso::kql::Engine engine(source);
    int failures = 0, total = 0;
    for (const auto& path : files) {
        bool ok = false;
        auto lines = ReadLines(path, ok);
        if (!ok) {
            std::cerr << path << ": cannot read\n";
            ++failures;
            continue;
        }
        std::vector<std::string> trailer;
        auto records = ParseRecords(lines, trailer);
        std::ostringstream rewritten;
        for (auto& r : records) {
            ++total;
            auto actual = Actual(engine, r);
            auto expected = r.expected;
            if (r.rowsort && r.alltables && !expected.empty() &&
                expected[0].rfind("error ", 0) != 0) {
                // Each "table <name>" section's rows (after its header) sort on their own.
                size_t start = 0;
                while (start < expected.size()) {
                    size_t end = start + 1;
                    while (end < expected.size() && expected[end].rfind("table ", 0) != 0) ++end;
                    if (end > start + 2) std::sort(expected.begin() + static_cast<long>(start) + 2,
                                                   expected.begin() + static_cast<long>(end));
                    start = end;
                }
            } else if (r.rowsort && expected.size() > 1 && expected[0].rfind("error ", 0) != 0) {
                std::sort(expected.begin() + 1, expected.end());
            }
            if (actual != expected) {
                if (!rewrite) {
                    ++failures;
                    std::cerr << path << ":" << r.line << ": mismatch\n  query: " << r.query
                              << "\n  expected:\n";
                    for (const auto& l : r.expected) std::cerr << "    " << l << "\n";
                    std::cerr << "  actual:\n";
                    for (const auto& l : actual) std::cerr << "    " << l << "\n";
                }
            }
            for (const auto& l : r.leading) rewritten << l << "\n";
            rewritten << r.query << "\n----\n";
            for (const auto& l : actual) rewritten << l << "\n";
        }
        for (const auto& l : trailer) rewritten << l << "\n";
        if (rewrite) {
            std::ofstream out(path);
            out << rewritten.str();
        }
    }
    std::cout << total << " records, " << failures << " failures\n";
    return failures == 0 ? 0 : 1;
}
