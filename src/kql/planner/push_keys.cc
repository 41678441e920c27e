#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kql/planner/rules.h"

namespace calypso::kql {

namespace {

using K = PlanNode::Kind;
using Names = std::set<std::string>;

// Nodes whose output is their input, rows filtered or reordered.
bool KeepsSchema(K k) {
    return k == K::kFilter || k == K::kSort || k == K::kTop || k == K::kLimit || k == K::kSerialize;
}

// Nodes that find their input columns by name, so extra input columns are harmless and
// their expressions may be rewritten. The others (join, union, mv-expand, parse) map
// columns by position.
bool ReadsByName(K k) {
    return KeepsSchema(k) || k == K::kProject || k == K::kAggregate || k == K::kCount ||
           k == K::kMakeSeries || k == K::kTopNested;
}

// The key `e` reads when it is `c.key` or `c["key"]` on a column in `dynamic`.
std::optional<core::ScanKey> KeyOf(const BoundExpr& e, const Names& dynamic) {
    if (e.kind != BoundExpr::Kind::kCall || e.args.empty()) return std::nullopt;
    std::string key;
    if (e.function == "." && e.args.size() == 1 && e.captured.size() == 1 &&
        e.captured[0].type() == core::Type::kString && !e.captured[0].is_null()) {
        key = e.captured[0].as_string();
    } else if (e.function == "[]" && e.args.size() == 2 &&
               e.args[1]->kind == BoundExpr::Kind::kConst &&
               e.args[1]->type == core::Type::kString && !e.args[1]->value.is_null()) {
        key = e.args[1]->value.as_string();
    } else {
        return std::nullopt;
    }
    const BoundExpr& base = *e.args[0];
    if (key.empty() || base.kind != BoundExpr::Kind::kColumn || dynamic.count(base.column) == 0) {
        return std::nullopt;
    }
    return core::ScanKey{base.column, std::move(key)};
}

class KeyPusher {
  public:
    KeyPusher(PlanNode& scan, const std::vector<PlanNode*>& path) : scan_(scan), path_(path) {
        for (const auto& f : scan.schema.fields) {
            if (f.type == core::Type::kDynamic) dynamic_.insert(f.name);
        }
        // Names already in use on the way up; a key column must not be mistaken for one.
        for (const auto& f : scan.schema.fields) taken_.insert(f.name);
        for (const PlanNode* n : path) {
            for (const auto& f : n->schema.fields) taken_.insert(f.name);
        }
    }

    // Walks up from the scan through nodes that pass its dynamic columns on unchanged
    // (same name), rewriting key reads in every node that evaluates against them.
    void Run() {
        Names visible = dynamic_;
        for (size_t i = path_.size(); i-- > 0 && !visible.empty();) {
            PlanNode& node = *path_[i];
            if (!ReadsByName(node.kind)) break;
            ForEachExpr(node, [&](BoundExprPtr& e) { Rewrite(e, visible, i); });
            if (KeepsSchema(node.kind)) continue;
            if (node.kind != K::kProject) break;
            Names passed;
            for (size_t c = 0; c < node.exprs.size(); ++c) {
                const BoundExpr& e = *node.exprs[c];
                const std::string& name = node.schema.fields[c].name;
                if (e.kind == BoundExpr::Kind::kColumn && e.column == name && visible.count(name))
                    passed.insert(name);
            }
            visible = std::move(passed);
        }
        Plumb();
    }

  private:
    void Rewrite(BoundExprPtr& e, const Names& visible, size_t level) {
        // tostring(d.key) reads the key as a string column: a shredded key then arrives as
        // the stored strings (dictionary codes kept), with no dynamic value per row.
        // todouble(d.key) / toreal(d.key) reads it as a real column the store converts with
        // the same rules (core::DynamicToReal): no dynamic value per row.
        if (e->kind == BoundExpr::Kind::kCall && e->args.size() == 1 &&
            (e->function == "tostring" || e->function == "todouble" || e->function == "toreal")) {
            if (auto key = KeyOf(*e->args[0], visible)) {
                key->type = e->function == "tostring" ? core::Type::kString : core::Type::kReal;
                if (AddKey(*key, level)) {
                    e = MakeColumnRef(ScanKeyName(*key), key->type, e->pos);
                    return;
                }
            }
        }
        // `d.key == "x"` (and the other positive string tests of non-empty constants) is
        // false for a missing key and for "" alike, and isempty() is true for both, so these
        // may read the key as a string too.
        if (IsStringTestOfText(*e) || IsEmptinessTest(*e)) {
            if (auto key = KeyOf(*e->args[0], visible)) {
                key->type = core::Type::kString;
                if (AddKey(*key, level)) {
                    e->args[0] = MakeColumnRef(ScanKeyName(*key), core::Type::kString, e->pos);
                    return;
                }
            }
        }
        if (auto key = KeyOf(*e, visible)) {
            if (AddKey(*key, level)) e = MakeColumnRef(ScanKeyName(*key), key->type, e->pos);
            return;
        }
        for (auto& a : e->args) Rewrite(a, visible, level);
    }

    static bool IsNonEmptyText(const core::Value& v) {
        return v.type() == core::Type::kString && !v.is_null() && !v.as_string().empty();
    }

    // isempty(v) / isnotempty(v): a dynamic v is empty exactly when tostring(v) is "".
    static bool IsEmptinessTest(const BoundExpr& e) {
        return e.kind == BoundExpr::Kind::kCall && e.args.size() == 1 &&
               (e.function == "isempty" || e.function == "isnotempty");
    }

    // A call whose answer is false when its first argument reads as "": a positive string
    // test of a non-empty constant.
    static bool IsStringTestOfText(const BoundExpr& e) {
        if (e.kind != BoundExpr::Kind::kCall || e.args.empty()) return false;
        static const Names kTests = {"==",        "=~",          "has",        "has_cs",
                                     "contains",  "contains_cs", "startswith", "startswith_cs",
                                     "endswith",  "endswith_cs", "hasprefix",  "hasprefix_cs",
                                     "hassuffix", "hassuffix_cs"};
        if (e.args.size() == 2 && kTests.count(e.function) != 0) {
            const BoundExpr& c = *e.args[1];
            return c.kind == BoundExpr::Kind::kConst && IsNonEmptyText(c.value);
        }
        if ((e.function == "in" || e.function == "in~") && e.args.size() == 1 &&
            !e.captured.empty()) {
            return std::all_of(e.captured.begin(), e.captured.end(), IsNonEmptyText);
        }
        return false;
    }

    // Adds `key` to the scan (once) as read at `level`; false when its name is taken by a
    // column that is not a key.
    bool AddKey(const core::ScanKey& key, size_t level) {
        std::string name = ScanKeyName(key);
        if (taken_.count(name) != 0 && keys_.count(name) == 0) return false;
        auto it = keys_.find(name);
        if (it == keys_.end()) {
            scan_.scan_keys.push_back(key);
            scan_.schema.fields.push_back({name, key.type});
            keys_[name] = {level, key.type};
        } else {
            it->second.first = std::min(it->second.first, level);
        }
        return true;
    }

    // Every project between the scan and the highest node reading a key passes it on.
    void Plumb() {
        for (const auto& [name, use] : keys_) {
            const auto& [level, type] = use;
            for (size_t i = level + 1; i < path_.size(); ++i) {
                PlanNode& node = *path_[i];
                if (node.kind != K::kProject || node.schema.IndexOf(name)) continue;
                node.schema.fields.push_back({name, type});
                node.exprs.push_back(MakeColumnRef(name, type));
            }
        }
    }

    PlanNode& scan_;
    const std::vector<PlanNode*>& path_;  // root .. the scan's parent
    Names dynamic_;
    Names taken_;
    // key column -> highest (lowest index) reader, and the type it is read as
    std::map<std::string, std::pair<size_t, core::Type>> keys_;
};

void Visit(PlanNode& node, std::vector<PlanNode*>& path) {
    if (node.kind == K::kScan) {
        KeyPusher(node, path).Run();
        return;
    }
    path.push_back(&node);
    if (node.input) Visit(*node.input, path);
    for (auto& in : node.inputs) Visit(*in, path);
    path.pop_back();
}

void Snapshot(const PlanNode& node, std::map<const PlanNode*, core::Schema>& out) {
    out[&node] = node.schema;
    if (node.input) Snapshot(*node.input, out);
    for (const auto& in : node.inputs) Snapshot(*in, out);
}

void RefreshSchemas(PlanNode& node) {
    if (node.input) RefreshSchemas(*node.input);
    for (auto& in : node.inputs) RefreshSchemas(*in);
    if (KeepsSchema(node.kind) && node.input) node.schema = node.input->schema;
}

// A project giving exactly `schema` from `input`'s columns of the same names.
PlanPtr Restore(PlanPtr input, const core::Schema& schema) {
    auto p = std::make_unique<PlanNode>();
    p->kind = K::kProject;
    p->schema = schema;
    for (const auto& f : schema.fields) p->exprs.push_back(MakeColumnRef(f.name, f.type));
    p->input = std::move(input);
    return p;
}

// Key columns flow up to the first node that picks its columns by name; a node that maps
// columns by position gets its input's old schema back.
void RestoreSchemas(PlanNode& node, const std::map<const PlanNode*, core::Schema>& before) {
    auto fix = [&](PlanPtr& child) {
        RestoreSchemas(*child, before);
        const core::Schema& old = before.at(child.get());
        if (child->schema != old && !ReadsByName(node.kind)) child = Restore(std::move(child), old);
    };
    if (node.input) fix(node.input);
    for (auto& in : node.inputs) fix(in);
}

}  // namespace

void PushKeys(PlanNode& root) {
    std::map<const PlanNode*, core::Schema> before;
    Snapshot(root, before);
    std::vector<PlanNode*> path;
    Visit(root, path);
    RefreshSchemas(root);
    RestoreSchemas(root, before);
    if (root.schema != before.at(&root)) {
        // The root's schema is the query's answer: put the old one back on top.
        const core::Schema old = before.at(&root);
        auto inner = std::make_unique<PlanNode>(std::move(root));
        std::string render = std::move(inner->render);
        root = std::move(*Restore(std::move(inner), old));
        root.render = std::move(render);
    }
}

}  // namespace calypso::kql
