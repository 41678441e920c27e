// reduce: groups strings by the pattern that describes them. The docs leave the clustering
// open; this is the deterministic rule of docs/kql.md ("reduce"): a term (a run of
// non-separator characters) is kept at its position when at least (1 - threshold) of the
// rows have it there, every other term becomes '*'; rows with the same pattern form a group,
// and a pattern with no kept term is "others".
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "kql/exec/evaluate.h"
#include "kql/exec/table_functions.h"
#include "kql/functions/cast.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Result;
using core::Status;
using core::Value;

// One piece of a value: a term, or the separators between two terms.
struct Piece {
    std::string_view text;
    bool term = false;
};

class ReduceFunction final : public TableFunction {
  public:
    explicit ReduceFunction(ReduceSpec spec) : spec_(std::move(spec)) {
        input_schema = spec_.input;
        for (int c = 0; c < 256; ++c) {
            const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                               (c >= 'A' && c <= 'Z') || c >= 0x80;
            separator_[c] = spec_.characters.empty() && !alnum;
        }
        for (char c : spec_.characters) separator_[static_cast<unsigned char>(c)] = true;
    }
    std::string Describe() const override {
        return std::string("Reduce") + (spec_.source ? " kind=source" : "") +
               " threshold=" + std::to_string(spec_.threshold);
    }

    Result<Batch> Run(const Batch& input, TableFunctionContext& ctx) override {
        RETURN_IF_ERROR(ResolveColumns(*spec_.text, input.schema));
        const size_t n = input.num_rows();
        const Vec text = functions::CastVec(Evaluate(*spec_.text, input), core::Type::kString, n);
        MemoryCharge charge(ctx.governor, "reduce");
        // How many rows have each term at each position ("position\x1fterm").
        std::vector<std::vector<Piece>> pieces(n);
        std::unordered_map<std::string, size_t> counts;
        size_t held = 0;
        for (size_t r = 0; r < n; ++r) {
            if (r % kCheckEveryRows == 0) RETURN_IF_ERROR(ctx.governor.Check());
            pieces[r] = Split(text.Str(r));
            size_t pos = 0;
            std::string key;
            for (const Piece& p : pieces[r]) {
                if (!p.term) continue;
                key = std::to_string(pos++) + '\x1f' + std::string(p.text);
                auto [it, added] = counts.try_emplace(key, 0);
                ++it->second;
                if (added) held += key.size() + 48;
            }
            held += pieces[r].size() * sizeof(Piece) + 24;
            if (r % 1024 == 0) RETURN_IF_ERROR(charge.Set(held));
        }
        RETURN_IF_ERROR(charge.Set(held));
        const double needed = (1.0 - spec_.threshold) * static_cast<double>(n) - 1e-9;
        std::vector<std::string> patterns(n);
        for (size_t r = 0; r < n; ++r) {
            if (r % kCheckEveryRows == 0) RETURN_IF_ERROR(ctx.governor.Check());
            patterns[r] = Pattern(pieces[r], counts, needed);
            held += patterns[r].size() + 32;
        }
        RETURN_IF_ERROR(charge.Set(held));
        Batch out = Batch::Empty(ctx.node.schema);
        if (spec_.source) {
            for (size_t c = 0; c < input.columns.size(); ++c) out.columns[c] = input.columns[c];
            core::Column& col = out.columns.back();
            col.Reserve(n);
            for (const auto& p : patterns) col.Append(Value::String(p));
            return out;
        }
        // Groups in order of first appearance, "others" last.
        std::map<std::string, size_t> index;
        std::vector<std::pair<std::string, size_t>> groups;  // pattern, first row
        std::vector<int64_t> sizes;
        int64_t others = 0;
        for (size_t r = 0; r < n; ++r) {
            if (patterns[r] == kOthers) {
                ++others;
                continue;
            }
            auto [it, added] = index.try_emplace(patterns[r], groups.size());
            if (added) {
                groups.emplace_back(patterns[r], r);
                sizes.push_back(0);
            }
            ++sizes[it->second];
        }
        for (size_t g = 0; g < groups.size(); ++g) {
            out.columns[0].Append(Value::String(groups[g].first));
            out.columns[1].Append(Value::Long(sizes[g]));
            out.columns[2].Append(Value::String(std::string(text.Str(groups[g].second))));
        }
        if (others > 0) {
            out.columns[0].Append(Value::String(kOthers));
            out.columns[1].Append(Value::Long(others));
            out.columns[2].Append(Value::String(""));
        }
        return out;
    }

  private:
    static constexpr const char* kOthers = "others";

    std::vector<Piece> Split(std::string_view s) const {
        std::vector<Piece> out;
        size_t i = 0;
        while (i < s.size()) {
            const bool sep = separator_[static_cast<unsigned char>(s[i])];
            size_t j = i;
            while (j < s.size() && separator_[static_cast<unsigned char>(s[j])] == sep) ++j;
            out.push_back({s.substr(i, j - i), !sep});
            i = j;
        }
        return out;
    }

    // Kept terms as they are, the others as '*'. With the default separators the separators
    // stay; separators named by `characters` next to a '*' are taken into it (the docs'
    // "fooZ1" with characters="Z" gives "foo*"), so wildcards in a row merge.
    std::string Pattern(const std::vector<Piece>& pieces,
                        const std::unordered_map<std::string, size_t>& counts,
                        double needed) const {
        std::string out;
        bool kept_any = false;
        bool last_wild = false;
        std::string_view pending_sep;
        size_t pos = 0;
        for (const Piece& p : pieces) {
            if (!p.term) {
                if (spec_.characters.empty()) {
                    out += p.text;
                } else {
                    pending_sep = p.text;
                }
                continue;
            }
            const std::string key = std::to_string(pos++) + '\x1f' + std::string(p.text);
            const bool kept = static_cast<double>(counts.at(key)) >= needed;
            if (kept) {
                if (!spec_.characters.empty() && !last_wild) out += pending_sep;
                out += p.text;
                kept_any = true;
                last_wild = false;
            } else if (spec_.characters.empty() || !last_wild) {
                out += '*';
                last_wild = true;
            }
            pending_sep = {};
        }
        if (!spec_.characters.empty() && !last_wild) out += pending_sep;
        return kept_any ? out : kOthers;
    }

    ReduceSpec spec_;
    bool separator_[256] = {};
};

}  // namespace

std::shared_ptr<TableFunction> MakeReduceFunction(ReduceSpec spec) {
    return std::make_shared<ReduceFunction>(std::move(spec));
}

}  // namespace calypso::kql
