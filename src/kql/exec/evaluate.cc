#include "kql/exec/evaluate.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace calypso::kql {

core::Status ResolveColumns(BoundExpr& expr, const core::Schema& schema) {
    if (expr.kind == BoundExpr::Kind::kColumn) {
        auto idx = schema.IndexOf(expr.column);
        if (!idx)
            return core::Status::Internal("column '" + expr.column + "' missing at execution");
        expr.index = *idx;
    }
    for (auto& a : expr.args) RETURN_IF_ERROR(ResolveColumns(*a, schema));
    return core::Status::Ok();
}

Vec Evaluate(const BoundExpr& expr, const core::Batch& batch) {
    switch (expr.kind) {
        case BoundExpr::Kind::kConst:
            return Vec::Const(expr.value, expr.type);
        case BoundExpr::Kind::kColumn:
            return Vec::Borrow(&batch.columns[expr.index]);
        case BoundExpr::Kind::kCall:
            break;
    }
    std::vector<Vec> args;
    args.reserve(expr.args.size());
    for (const auto& a : expr.args) args.push_back(Evaluate(*a, batch));
    return expr.kernel(args, batch.num_rows());
}

namespace {

// Numbers gathered from one column with straight loops (GatherFrom indirects every row
// through a list of sources); nullopt for other columns.
std::optional<core::Column> GatherNumbers(const core::Column& col,
                                          const std::vector<uint32_t>& rows) {
    const auto phys = core::PhysicalOf(col.type());
    if (phys != core::Physical::kInt64 && phys != core::Physical::kDouble) return std::nullopt;
    const size_t n = rows.size();
    const auto valid = col.validity();
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = valid[rows[i]];
    if (phys == core::Physical::kInt64) {
        std::vector<int64_t> out(n);
        if (const auto narrow = col.narrow_values(); !narrow.empty()) {
            const int64_t base = col.narrow_base();
            for (size_t i = 0; i < n; ++i) out[i] = base + narrow[rows[i]];
        } else {
            const auto src = col.int64s();
            for (size_t i = 0; i < n; ++i) out[i] = src[rows[i]];
        }
        return core::Column::FromInt64s(col.type(), std::move(out), std::move(v));
    }
    const auto src = col.doubles();
    std::vector<double> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = src[rows[i]];
    return core::Column::FromDoubles(col.type(), std::move(out), std::move(v));
}

// Dictionary codes gathered with straight loops, under a copy of the dictionary (a
// column's dictionary cannot be shared from here): only when the dictionary is small
// beside the rows gathered, else nullopt.
std::optional<core::Column> GatherCodes(const core::Column& col,
                                        const std::vector<uint32_t>& rows) {
    if (!col.is_dictionary() || col.dictionary().size() * 4 > rows.size()) return std::nullopt;
    const size_t n = rows.size();
    const auto valid = col.validity();
    std::vector<uint8_t> v(n);
    std::vector<uint32_t> out(n);
    for (size_t i = 0; i < n; ++i) {
        v[i] = valid[rows[i]];
        out[i] = col.code_at(rows[i]);
    }
    return core::Column::FromDictionary(
        col.type(), std::make_shared<const std::vector<std::string>>(col.dictionary()),
        std::move(out), std::move(v));
}

}  // namespace

core::Column GatherColumn(const core::Column& col, const std::vector<uint32_t>& rows) {
    if (auto numbers = GatherNumbers(col, rows)) return std::move(*numbers);
    if (auto codes = GatherCodes(col, rows)) return std::move(*codes);
    std::vector<core::Column::RowRef> refs(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) refs[i] = {0, rows[i]};
    const core::Column* source = &col;
    return core::Column::GatherFrom(col.type(), std::span<const core::Column* const>(&source, 1),
                                    refs);
}

core::Batch Gather(const core::Batch& batch, const std::vector<uint32_t>& rows) {
    core::Batch out;
    out.schema = batch.schema;
    out.columns.reserve(batch.columns.size());
    for (const auto& col : batch.columns) out.columns.push_back(GatherColumn(col, rows));
    return out;
}

void AppendBatch(core::Batch& to, const core::Batch& from) {
    for (size_t c = 0; c < to.columns.size(); ++c) {
        core::Column& dst = to.columns[c];
        const core::Column& src = from.columns[c];
        dst.Reserve(dst.size() + src.size());
        for (size_t i = 0; i < src.size(); ++i) dst.AppendFrom(src, i);
    }
}

void EncodeKey(const Vec& v, size_t i, std::string& out) {
    auto phys = core::PhysicalOf(v.type());
    if (phys != core::Physical::kString && phys != core::Physical::kDynamic && v.IsNull(i)) {
        out.push_back('\0');
        return;
    }
    out.push_back('\1');
    switch (phys) {
        case core::Physical::kInt64: {
            int64_t x = v.I64(i);
            out.append(reinterpret_cast<const char*>(&x), sizeof x);
            break;
        }
        case core::Physical::kDouble: {
            double x = v.F64(i);
            out.append(reinterpret_cast<const char*>(&x), sizeof x);
            break;
        }
        case core::Physical::kString: {
            std::string_view s = v.Str(i);
            auto len = static_cast<uint32_t>(s.size());
            out.append(reinterpret_cast<const char*>(&len), sizeof len);
            out.append(s);
            break;
        }
        case core::Physical::kDynamic: {
            std::string j = v.Dyn(i).ToJson();
            auto len = static_cast<uint32_t>(j.size());
            out.append(reinterpret_cast<const char*>(&len), sizeof len);
            out.append(j);
            break;
        }
        case core::Physical::kNone:
            break;
    }
}

}  // namespace calypso::kql
