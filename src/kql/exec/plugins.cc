// The evaluate plugins narrow, bag_unpack and pivot.
#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "kql/exec/evaluate.h"
#include "kql/exec/table_functions.h"
#include "kql/functions/aggregates.h"
#include "kql/functions/cast.h"

namespace calypso::kql {
namespace {

using core::Batch;
using core::Dynamic;
using core::Result;
using core::Schema;
using core::Status;
using core::Type;

class NarrowFunction final : public TableFunction {
  public:
    std::string Describe() const override { return "Evaluate narrow"; }
    Result<Batch> Run(const Batch& input, TableFunctionContext& ctx) override {
        Batch out = Batch::Empty(ctx.node.schema);
        for (size_t r = 0; r < input.num_rows(); ++r) {
            if (r % kCheckEveryRows == 0) RETURN_IF_ERROR(ctx.governor.Check());
            for (size_t c = 0; c < input.columns.size(); ++c) {
                out.columns[0].AppendInt64(static_cast<int64_t>(r));
                out.columns[1].AppendString(input.schema.fields[c].name);
                core::Value v = functions::CastValue(input.columns[c].Get(r), Type::kString);
                out.columns[2].AppendString(v.is_null() ? "" : v.as_string());
            }
        }
        return out;
    }
};

// The column type of one dynamic slot value; kNull for a null (ignored when typing).
Type SlotType(const Dynamic& d) {
    switch (d.kind()) {
        case Dynamic::Kind::kNull:
            return Type::kNull;
        case Dynamic::Kind::kBool:
            return Type::kBool;
        case Dynamic::Kind::kLong:
            return Type::kLong;
        case Dynamic::Kind::kReal:
            return Type::kReal;
        case Dynamic::Kind::kString:
            return Type::kString;
        default:
            return Type::kDynamic;
    }
}

class BagUnpackFunction final : public TableFunction {
  public:
    explicit BagUnpackFunction(BagUnpackSpec spec) : spec_(std::move(spec)) {}
    std::string Describe() const override { return "Evaluate bag_unpack"; }
    Result<Batch> Run(const Batch& input, TableFunctionContext& ctx) override {
        ASSIGN_OR_RETURN(Batch unpacked, BagUnpack(input, spec_));
        return ConformBatch(unpacked, ctx.node.schema);
    }

  private:
    BagUnpackSpec spec_;
};

class PivotFunction final : public TableFunction {
  public:
    explicit PivotFunction(PivotSpec spec) : spec_(std::move(spec)) {}
    std::string Describe() const override { return "Evaluate pivot"; }
    Result<Batch> Run(const Batch& input, TableFunctionContext& ctx) override {
        ASSIGN_OR_RETURN(Batch pivoted, Pivot(input, spec_));
        return ConformBatch(pivoted, ctx.node.schema);
    }

  private:
    PivotSpec spec_;
};

}  // namespace

std::shared_ptr<TableFunction> MakeNarrowFunction() { return std::make_shared<NarrowFunction>(); }

// The slots become columns sorted by name after the input's other columns. A slot whose
// name (with the prefix) is an input column: an error, or one column at the slot's place
// holding the slot's values (replace_source) or the input column's (keep_source).
Result<Batch> BagUnpack(const Batch& in, const BagUnpackSpec& spec) {
    const size_t n = in.num_rows();
    const core::Column& bags = in.columns[spec.column];
    std::map<std::string, Type> slots;  // name -> type (kNull: only nulls so far)
    for (size_t i = 0; i < n; ++i) {
        if (bags.IsNull(i)) continue;
        const Dynamic& d = bags.dynamic_at(i);
        if (d.kind() != Dynamic::Kind::kObject) continue;
        for (const auto& [key, value] : d.as_object()) {
            if (spec.ignored.count(key) != 0) continue;
            Type t = SlotType(value);
            auto [it, inserted] = slots.try_emplace(key, t);
            if (inserted || t == Type::kNull || it->second == t) continue;
            it->second = it->second == Type::kNull ? t : Type::kDynamic;
        }
    }
    Schema schema;
    std::vector<int> source;  // per output column: the input column, or -1 for a slot
    std::vector<std::string> slot_of;
    std::map<std::string, size_t> input_cols;
    for (size_t c = 0; c < in.schema.size(); ++c) {
        if (c != spec.column) input_cols[in.schema.fields[c].name] = c;
    }
    std::set<size_t> merged;
    for (const auto& [key, type] : slots) {
        auto it = input_cols.find(spec.prefix + key);
        if (it == input_cols.end()) continue;
        if (spec.conflict == BagUnpackSpec::Conflict::kError) {
            return Status::SemanticError("bag_unpack: the slot '" + key +
                                             "' conflicts with the existing column '" +
                                             it->first + "' (see columnsConflict)",
                                         spec.pos);
        }
        merged.insert(it->second);
    }
    for (size_t c = 0; c < in.schema.size(); ++c) {
        if (c == spec.column || merged.count(c) != 0) continue;
        schema.fields.push_back(in.schema.fields[c]);
        source.push_back(static_cast<int>(c));
        slot_of.emplace_back();
    }
    for (const auto& [key, type] : slots) {
        std::string name = spec.prefix + key;
        auto it = input_cols.find(name);
        if (it != input_cols.end() && spec.conflict == BagUnpackSpec::Conflict::kKeepSource) {
            schema.fields.push_back(in.schema.fields[it->second]);
            source.push_back(static_cast<int>(it->second));
        } else {
            schema.fields.push_back({name, type == Type::kNull ? Type::kDynamic : type});
            source.push_back(-1);
        }
        slot_of.push_back(key);
    }
    Batch out = Batch::Empty(schema);
    for (size_t c = 0; c < schema.size(); ++c) {
        if (source[c] >= 0) {
            out.columns[c] = in.columns[static_cast<size_t>(source[c])];
            continue;
        }
        core::Column& col = out.columns[c];
        col.Reserve(n);
        Type t = schema.fields[c].type;
        for (size_t i = 0; i < n; ++i) {
            const Dynamic* v = nullptr;
            if (!bags.IsNull(i)) v = bags.dynamic_at(i).Find(slot_of[c]);
            if (v == nullptr || v->is_null()) {
                col.AppendNull();
            } else if (t == Type::kDynamic) {
                col.AppendDynamic(*v);
            } else {
                col.Append(functions::CastValue(core::Value::FromDynamic(*v), t));
            }
        }
    }
    return out;
}

std::shared_ptr<TableFunction> MakeBagUnpackFunction(BagUnpackSpec spec, Schema schema) {
    (void)schema;
    return std::make_shared<BagUnpackFunction>(std::move(spec));
}

// Key columns first, then one column per distinct pivot value (first appearance order,
// named by the value as text) holding the aggregate of the rows with that key and value.
Result<Batch> Pivot(const Batch& in, const PivotSpec& spec) {
    const size_t n = in.num_rows();
    std::vector<Vec> keys;
    for (size_t k : spec.keys) keys.push_back(Vec::Borrow(&in.columns[k]));
    Vec pivot = Vec::Borrow(&in.columns[spec.pivot]);
    std::unordered_map<std::string, uint32_t> group_ids, pivot_ids;
    std::vector<uint32_t> group_of(n), pivot_of(n), group_rows, pivot_rows;
    std::string buf;
    for (size_t i = 0; i < n; ++i) {
        buf.clear();
        for (const auto& k : keys) EncodeKey(k, i, buf);
        auto [g, new_group] = group_ids.try_emplace(buf, static_cast<uint32_t>(group_rows.size()));
        if (new_group) group_rows.push_back(static_cast<uint32_t>(i));
        group_of[i] = g->second;
        buf.clear();
        EncodeKey(pivot, i, buf);
        auto [p, new_pivot] = pivot_ids.try_emplace(buf, static_cast<uint32_t>(pivot_rows.size()));
        if (new_pivot) pivot_rows.push_back(static_cast<uint32_t>(i));
        pivot_of[i] = p->second;
    }
    const size_t ngroups = group_rows.size();
    const size_t npivots = pivot_rows.size();
    std::vector<core::Type> types;
    std::vector<core::Value> consts;
    std::vector<Vec> args;
    for (const auto& e : spec.args) {
        types.push_back(e->type);
        consts.push_back(e->kind == BoundExpr::Kind::kConst ? e->value : core::Value());
        BoundExprPtr arg = CloneBoundExpr(*e);
        RETURN_IF_ERROR(ResolveColumns(*arg, in.schema));
        args.push_back(Evaluate(*arg, in));
    }
    auto state = spec.fn->make(types);
    state->SetConstants(consts);
    state->Resize(ngroups * npivots);
    std::vector<uint32_t> cells(n);
    for (size_t i = 0; i < n; ++i) {
        cells[i] = static_cast<uint32_t>(group_of[i] * npivots + pivot_of[i]);
    }
    if (n > 0) state->Update(args, cells.data(), n);
    core::Column values = state->Finish(ngroups * npivots);
    Schema schema;
    for (size_t k : spec.keys) schema.fields.push_back(in.schema.fields[k]);
    std::set<std::string> taken;
    for (const auto& f : schema.fields) taken.insert(f.name);
    for (uint32_t r : pivot_rows) {
        core::Value v = functions::CastValue(pivot.Get(r), Type::kString);
        std::string name = v.is_null() ? "" : v.as_string();
        if (taken.count(name) != 0) {
            return Status::SemanticError("pivot: the value '" + name +
                                             "' names a column that already exists",
                                         core::SourcePos{});
        }
        taken.insert(name);
        schema.fields.push_back({name, values.type()});
    }
    Batch out = Batch::Empty(schema);
    for (size_t k = 0; k < keys.size(); ++k) {
        for (uint32_t r : group_rows) out.columns[k].AppendFrom(in.columns[spec.keys[k]], r);
    }
    for (size_t p = 0; p < npivots; ++p) {
        core::Column& col = out.columns[keys.size() + p];
        for (size_t g = 0; g < ngroups; ++g) col.AppendFrom(values, g * npivots + p);
    }
    return out;
}

std::shared_ptr<TableFunction> MakePivotFunction(PivotSpec spec, Schema schema) {
    (void)schema;
    return std::make_shared<PivotFunction>(std::move(spec));
}

}  // namespace calypso::kql
