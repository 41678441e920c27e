// buildschema() and the binary_all_* aggregates.
//
// buildschema(): the minimal schema that admits every dynamic value of a group, in the
// docs' model: a primitive type name ("long", "double", "string", "bool"), a container
// {name: type, ...}, an array as {"`indexer`": type}, and a union as an array of those, in
// order of first appearance. Nulls add nothing.
#include <memory>
#include <string>
#include <vector>

#include "kql/functions/aggregates_extra.h"
#include "kql/functions/cast.h"

namespace calypso::kql::functions {
namespace {

using core::Dynamic;
using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using Registry = std::map<std::string, AggregateFunction, std::less<>>;

constexpr const char* kBag = "{}";
constexpr const char* kArray = "[]";

class SchemaNode {
  public:
    void Add(const Dynamic& d) {
        switch (d.kind()) {
            case Dynamic::Kind::kNull:
                return;
            case Dynamic::Kind::kBool:
                Alternative("bool");
                return;
            case Dynamic::Kind::kLong:
                Alternative("long");
                return;
            case Dynamic::Kind::kReal:
                Alternative("double");
                return;
            case Dynamic::Kind::kString:
                Alternative("string");
                return;
            case Dynamic::Kind::kArray:
                Alternative(kArray);
                if (!element_) element_ = std::make_unique<SchemaNode>();
                for (const auto& e : d.as_array()) element_->Add(e);
                return;
            case Dynamic::Kind::kObject:
                Alternative(kBag);
                for (const auto& [k, v] : d.as_object()) Field(k).Add(v);
                return;
        }
    }
    Dynamic ToDynamic() const {
        Dynamic::Array types;
        for (const auto& a : alternatives_) {
            if (a == kBag) {
                Dynamic::Object o;
                for (size_t k = 0; k < keys_.size(); ++k) {
                    o.emplace_back(keys_[k], fields_[k]->ToDynamic());
                }
                types.push_back(Dynamic::MakeObject(std::move(o)));
            } else if (a == kArray) {
                Dynamic::Object o;
                o.emplace_back("`indexer`", element_->ToDynamic());
                types.push_back(Dynamic::MakeObject(std::move(o)));
            } else {
                types.push_back(Dynamic::String(a));
            }
        }
        if (types.empty()) return Dynamic();
        if (types.size() == 1) return types[0];
        return Dynamic::MakeArray(std::move(types));
    }
    size_t Size() const {
        size_t n = sizeof(SchemaNode) + alternatives_.size() * 32;
        for (size_t k = 0; k < keys_.size(); ++k) n += keys_[k].size() + fields_[k]->Size();
        return element_ ? n + element_->Size() : n;
    }

  private:
    void Alternative(const std::string& a) {
        for (const auto& x : alternatives_) {
            if (x == a) return;
        }
        alternatives_.push_back(a);
    }
    SchemaNode& Field(const std::string& key) {
        for (size_t k = 0; k < keys_.size(); ++k) {
            if (keys_[k] == key) return *fields_[k];
        }
        keys_.push_back(key);
        fields_.push_back(std::make_unique<SchemaNode>());
        return *fields_.back();
    }

    std::vector<std::string> alternatives_;
    std::vector<std::string> keys_;
    std::vector<std::unique_ptr<SchemaNode>> fields_;
    std::unique_ptr<SchemaNode> element_;
};

class BuildSchemaState final : public AggregateState {
  public:
    void Resize(size_t n) override {
        while (nodes_.size() < n) nodes_.push_back(std::make_unique<SchemaNode>());
    }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec v = CastVec(args[0], Type::kDynamic, n);
        for (size_t i = 0; i < n; ++i) nodes_[groups[i]]->Add(v.Dyn(i));
    }
    size_t MemoryBytes(size_t n) const override {
        size_t bytes = n * sizeof(void*);
        for (const auto& node : nodes_) bytes += node->Size();
        return bytes;
    }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kDynamic);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) {
            Dynamic d = nodes_[g]->ToDynamic();
            if (d.is_null()) {
                c.AppendNull();
            } else {
                c.AppendDynamic(std::move(d));
            }
        }
        return c;
    }

  private:
    std::vector<std::unique_ptr<SchemaNode>> nodes_;
};

// binary_all_and / binary_all_or / binary_all_xor over the non-null values (as longs); a
// group without one is null.
class BitwiseState final : public AggregateState {
  public:
    explicit BitwiseState(char op) : op_(op) {}
    void Resize(size_t n) override {
        acc_.resize(n, op_ == '&' ? -1 : 0);
        seen_.resize(n, 0);
    }
    void Update(const std::vector<Vec>& args, const uint32_t* groups, size_t n) override {
        Vec v = CastVec(args[0], Type::kLong, n);
        for (size_t i = 0; i < n; ++i) {
            if (v.IsNull(i)) continue;
            int64_t& a = acc_[groups[i]];
            a = op_ == '&' ? (a & v.I64(i)) : op_ == '|' ? (a | v.I64(i)) : (a ^ v.I64(i));
            seen_[groups[i]] = 1;
        }
    }
    bool Mergeable() const override { return true; }
    void Merge(AggregateState& later, const uint32_t* map, size_t n) override {
        auto& o = static_cast<BitwiseState&>(later);
        for (size_t g = 0; g < n; ++g) {
            if (!o.seen_[g]) continue;
            int64_t& a = acc_[map[g]];
            int64_t b = o.acc_[g];
            a = op_ == '&' ? (a & b) : op_ == '|' ? (a | b) : (a ^ b);
            seen_[map[g]] = 1;
        }
    }
    core::Column Finish(size_t n) override {
        core::Column c(Type::kLong);
        c.Reserve(n);
        for (size_t g = 0; g < n; ++g) {
            if (seen_[g]) {
                c.AppendInt64(acc_[g]);
            } else {
                c.AppendNull();
            }
        }
        return c;
    }

  private:
    char op_;
    std::vector<int64_t> acc_;
    std::vector<uint8_t> seen_;
};

}  // namespace

void AddSchemaAggregates(Registry& r) {
    for (auto [name, op] : {std::pair{"binary_all_and", '&'}, std::pair{"binary_all_or", '|'},
                            std::pair{"binary_all_xor", '^'}}) {
        r[name] = {
            name, 1, 1,
            [name = std::string(name)](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
                if (t[0] != Type::kLong && t[0] != Type::kInt && t[0] != Type::kNull) {
                    return Status::SemanticError(
                        name + "() expects a long, got " + std::string(core::TypeName(t[0])), pos);
                }
                return Type::kLong;
            },
            [op = op](const std::vector<Type>&) { return std::make_unique<BitwiseState>(op); }};
    }
    r["buildschema"] = {
        "schema", 1, 1,
        [](const std::vector<Type>& t, SourcePos pos) -> Result<Type> {
            if (t[0] != Type::kDynamic && t[0] != Type::kNull) {
                return Status::SemanticError("buildschema() expects a dynamic value, got " +
                                                 std::string(core::TypeName(t[0])),
                                             pos);
            }
            return Type::kDynamic;
        },
        [](const std::vector<Type>&) { return std::make_unique<BuildSchemaState>(); }};
}

}  // namespace calypso::kql::functions
