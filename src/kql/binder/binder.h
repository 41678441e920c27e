#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/table_source.h"
#include "kql/binder/bound.h"
#include "kql/planner/plan.h"
#include "kql/syntax/ast.h"

namespace calypso::kql {

// Resolves names and types of a parsed query against a TableSource and builds one logical
// plan per tabular (non-let) statement. All semantic errors (unknown table, column or
// function, argument count, type errors, aggregates outside summarize) are found here,
// before execution, and carry the line:column of the offending name.
class Binder {
  public:
    // `stored_functions` are consulted when a called name is not a function of the query's
    // lets.
    Binder(const core::TableSource& source, BindContext ctx,
           std::shared_ptr<const FunctionMap> stored_functions = nullptr)
        : source_(source), ctx_(ctx), stored_functions_(std::move(stored_functions)) {}

    core::Result<std::vector<PlanPtr>> BindQuery(const syntax::Query& query);

    // Binds the body of `f` once, with a sample value of each scalar parameter's type (its
    // default when it has one), so a stored function's errors show when it is created.
    // Functions with tabular parameters are only parsed (their columns are open).
    core::Status CheckFunction(const syntax::FunctionDef& f);

    // Binds one scalar expression against `scope` (used by tests and by the planner).
    core::Result<BoundExprPtr> BindScalar(const syntax::Expr& expr, const core::Schema& scope);

  private:
    // A let statement (also one inside a function body): records the name's value.
    core::Status BindLet(const syntax::Statement& st);
    // The query's let functions, then the stored ones; null when neither has `name`.
    const syntax::FunctionDef* FindFunction(std::string_view name, bool* stored = nullptr) const;
    // Whether `f` returns a table (its result is tabular or names a table / tabular function).
    bool ReturnsTable(const syntax::FunctionDef& f, int depth = 0) const;
    std::vector<std::string> FunctionNames() const;
    // A user-defined function called in a scalar expression (binder/bind_function.cc).
    core::Result<BoundExprPtr> BindScalarFunctionCall(const syntax::FunctionDef& f, bool stored,
                                                      const syntax::Expr& call,
                                                      const core::Schema& scope);
    // A tabular function call `f(args)`; with `piped` (invoke) the piped rows are the first
    // tabular argument.
    struct TabularArg;
    // `def` (with `resource`): a stored function of another workspace, workspace("x").F().
    core::Result<PlanPtr> BindTabularCall(const syntax::Expr& call, const TabularArg* piped,
                                          const syntax::FunctionDef* def = nullptr,
                                          const syntax::ResourceRef* resource = nullptr);
    // workspace("x").F(args) (binder/bind_subquery.cc).
    core::Result<PlanPtr> BindResourceCall(const syntax::Source& src);
    core::Result<PlanPtr> BindTabularArg(const TabularArg& arg);
    // search (binder/bind_search.cc): `piped` is the input of `T | search`, or null when
    // search starts the query (then the tables are op.tabulars, or every table).
    core::Result<PlanPtr> BindSearch(const syntax::Operator& op, PlanPtr piped);
    // find (binder/bind_search.cc): the tables' filtered rows in find's output schema.
    core::Result<PlanPtr> BindFind(const syntax::Operator& op);
    core::Result<PlanPtr> BindMvApply(const syntax::Operator& op, PlanPtr input);
    // evaluate plugins (binder/bind_evaluate.cc), scan (binder/bind_scan.cc), partition
    // and the multi-result fork / facet (binder/bind_partition.cc).
    core::Result<PlanPtr> BindEvaluate(const syntax::Operator& op, PlanPtr input);
    core::Result<PlanPtr> BindScanOperator(const syntax::Operator& op, PlanPtr input);
    core::Result<PlanPtr> BindPartition(const syntax::Operator& op, PlanPtr input);
    // parse-kv (binder/bind_parse_kv.cc) and reduce (binder/bind_reduce.cc).
    core::Result<PlanPtr> BindParseKv(const syntax::Operator& op, PlanPtr input);
    core::Result<PlanPtr> BindReduce(const syntax::Operator& op, PlanPtr input);
    // toscalar(T), `x in (T)` (binder/bind_subquery.cc): T is run while the query is bound.
    core::Result<BoundExprPtr> BindToScalar(const syntax::Expr& call, const core::Schema& scope);
    core::Result<std::vector<core::Value>> SubqueryValues(const syntax::TabularExpr& tab);
    core::Result<core::Batch> RunSubquery(const syntax::TabularExpr& tab);
    // The tabular expression `e` stands for: its subquery, or a bare name of a tabular let,
    // `as` result, view or table; null for anything else.
    const syntax::TabularExpr* TabularOperand(const syntax::Expr& e);
    // pack_all([ignore_null_empty]) and bag_pack_columns(c, ...): bag_pack over the row's
    // columns (binder/bind_subquery.cc).
    core::Result<BoundExprPtr> BindPackColumns(const syntax::Expr& call, const core::Schema& scope);
    // sample, sample-distinct, top-hitters (binder/bind_sampling.cc).
    core::Result<PlanPtr> BindSampling(const syntax::Operator& op, PlanPtr input);
    // A statement ending in fork or facet: one plan per result, appended to `plans`.
    core::Status BindMultiResult(const syntax::TabularExpr& tab, std::vector<PlanPtr>& plans);
    // The operators of `sub` (its source is implicit) over `input`; `as_name` gets the
    // name of a trailing `as`.
    core::Result<PlanPtr> BindOpsOver(const syntax::TabularExpr& sub, PlanPtr input,
                                      std::string* as_name = nullptr);
    // Runs `plan` now (the operators whose output columns depend on the data: bag_unpack
    // and pivot without an output schema, partition with a `{ }` subquery).
    core::Result<core::Batch> RunAtBind(PlanPtr plan);
    // The source and the first `num_ops` operators of `tab` (all by default).
    core::Result<PlanPtr> BindTabular(const syntax::TabularExpr& tab,
                                      size_t num_ops = static_cast<size_t>(-1));
    core::Result<PlanPtr> BindSource(const syntax::Source& src);
    // The tables a kTable source reads: the query's own, or those of the workspace or app
    // it names (resolved once per query; an unknown one is a SemanticError at the name).
    core::Result<const core::TableSource*> TablesOf(const syntax::Source& src);
    // A scan of `src.table` in `tables` (an unknown table is a SemanticError).
    core::Result<PlanPtr> BindScan(const syntax::Source& src, const core::TableSource& tables);
    core::Result<PlanPtr> BindOperator(const syntax::Operator& op, PlanPtr input);
    // join / lookup with `left` as the left side (binder/bind_join.cc).
    core::Result<PlanPtr> BindJoin(const syntax::Operator& op, PlanPtr left);
    // union; `first` is the piped input, or null when union starts the query.
    core::Result<PlanPtr> BindUnion(const syntax::Operator& op, PlanPtr first);
    core::Result<PlanPtr> BindRange(const syntax::Source& src);
    // mv-expand, parse, serialize, getschema (binder/bind_reshape.cc).
    core::Result<PlanPtr> BindMvExpand(const syntax::Operator& op, PlanPtr input);
    core::Result<PlanPtr> BindParse(const syntax::Operator& op, PlanPtr input);
    core::Result<PlanPtr> BindSerialize(const syntax::Operator& op, PlanPtr input);
    static core::Result<PlanPtr> BindGetSchema(PlanPtr input);
    core::Result<PlanPtr> BindMakeSeries(const syntax::Operator& op, PlanPtr input);
    core::Result<PlanPtr> BindTopNested(const syntax::Operator& op, PlanPtr input);
    core::Result<PlanPtr> BindSummarize(const syntax::Operator& op, PlanPtr input);
    static bool IsAggregateCall(const syntax::Expr& e);
    static void FindAggregateCalls(const syntax::Expr& e, std::vector<const syntax::Expr*>& out);
    // Adds one aggregate's output column(s) to `node`; returns the first name and appends
    // any further ones (percentiles) to `extra`.
    core::Result<std::string> AddAggregate(const syntax::Expr& call, const std::string& name,
                                           PlanNode& node, const core::Schema& in,
                                           std::set<std::string>& taken,
                                           std::vector<std::string>* extra = nullptr);
    // arg_max(key, cols... | *) / arg_min: the key column, then one column per value.
    core::Result<std::vector<std::string>> AddArgAggregates(const syntax::Expr& call,
                                                            const std::string& name, PlanNode& node,
                                                            const core::Schema& in,
                                                            std::set<std::string>& taken);
    core::Result<PlanPtr> BindExtend(const syntax::Operator& op, PlanPtr input);
    // series_stats(x) / array_sort_*(a, b, ...) as a whole item of extend, project or
    // print: one (name, expression) per output column; empty for any other item
    // (binder/bind_multi_column.cc).
    core::Result<std::vector<std::pair<std::string, BoundExprPtr>>> BindMultiColumn(
        const syntax::NamedExpr& ne, const core::Schema& scope);
    core::Result<std::vector<PlanNode::SortKey>> BindSortKeys(
        const std::vector<syntax::SortKey>& keys, const core::Schema& scope);
    core::Result<int64_t> BindCount(const syntax::Expr& expr);
    core::Result<BoundExprPtr> BindCall(const syntax::Expr& expr, const core::Schema& scope);
    core::Result<BoundExprPtr> BindName(const syntax::Expr& expr, const core::Schema& scope);
    core::Result<BoundExprPtr> MakeCall(std::string name, BoundCall call,
                                        std::vector<BoundExprPtr> args, core::SourcePos pos,
                                        std::vector<core::Value> captured = {});

    const core::TableSource& source_;
    BindContext ctx_;
    std::shared_ptr<const FunctionMap> stored_functions_;
    // What names mean at one point of the query; saved and restored around function bodies
    // and around arguments, which are bound where the call was written.
    struct Frame;
    struct Scope {
        std::map<std::string, core::Value, std::less<>> scalar_lets;
        std::map<std::string, const syntax::TabularExpr*, std::less<>> tabular_lets;
        std::map<std::string, std::pair<const syntax::TabularExpr*, size_t>, std::less<>>
            as_results;
        FunctionMap functions;
        std::vector<std::shared_ptr<Frame>> frames;
        std::map<std::string, std::shared_ptr<const BoundExpr>, std::less<>> expr_lets;
    };
    Scope SaveScope() const;
    void RestoreScope(Scope s);
    // Before binding a call's body: the scope where `f` was defined (none for a stored one).
    void RestoreDefinitionScope(const syntax::FunctionDef& f, bool stored);
    // Tabular argument: `num_ops` operators of `tab`, bound in `scope` (where it was written).
    struct TabularArg {
        const syntax::TabularExpr* tab = nullptr;
        size_t num_ops = static_cast<size_t>(-1);
        std::shared_ptr<const Scope> scope;
    };
    // The parameters of one function call being bound.
    struct Frame {
        std::map<std::string, std::shared_ptr<const BoundExpr>, std::less<>> scalars;
        std::map<std::string, TabularArg, std::less<>> tables;
    };
    FunctionMap functions_;
    std::vector<std::shared_ptr<Frame>> frames_;
    // Inside a stored function's body: the resource its bare table names belong to (empty:
    // the query's own tables).
    syntax::ResourceRef default_resource_;
    // The definitions of workspace("x").F() functions bound so far (kept alive).
    std::vector<std::shared_ptr<const syntax::FunctionDef>> resource_functions_;
    // The scope each let function was defined in (what names in its body mean).
    std::map<const syntax::FunctionDef*, std::shared_ptr<const Scope>> definition_scopes_;
    std::vector<std::string> calling_;  // functions whose bodies are being bound (recursion)
    // Cross-resource references resolved so far, by (function, identifier).
    std::map<std::pair<std::string, std::string>, const core::TableSource*> resources_;
    // The cache of each materialize() source of the query.
    std::map<const syntax::Source*, std::shared_ptr<PlanNode::MaterializeCache>> materialized_;
    // mv-apply: the schema of the subquery's implicit source while it is bound.
    std::vector<core::Schema> mv_apply_rows_;
    std::map<std::string, core::Value, std::less<>> scalar_lets_;
    // Scalar lets that are not constants (`let g = new_guid();`): the bound expression,
    // computed at each use (it reads no column).
    std::map<std::string, std::shared_ptr<const BoundExpr>, std::less<>> expr_lets_;
    std::map<std::string, const syntax::TabularExpr*, std::less<>> tabular_lets_;
    std::vector<std::unique_ptr<syntax::TabularExpr>> owned_;
    // `T | ... | as Name`: Name stands for that prefix of its tabular expression (bound
    // again at each use, as a let is) for the rest of the query.
    std::map<std::string, std::pair<const syntax::TabularExpr*, size_t>, std::less<>> as_results_;
    // While binding summarize output expressions: aggregate calls -> their hidden columns.
    std::map<const syntax::Expr*, std::string> agg_columns_;
    // While an extend is bound: its input's columns (what pack_all() packs, not the columns
    // the same extend adds; the docs' example).
    std::optional<core::Schema> pack_scope_;
    // Whether the operator being bound reads a serialized row set (one ordered batch), where
    // row_number(), prev() and next() are allowed.
    bool serialized_ = false;
};

// True when `node` yields its rows as one ordered batch: sort, top, serialize, datatable,
// or filter / project / take over one of those.
bool IsSerialized(const PlanNode& node);

// The column name KQL gives an unnamed expression: the column for `x`, `d_a_b` for
// `d.a.b` / `d['a']['b']`, the first argument's name for tostring(), bin() and similar;
// "" when the expression has no natural name (the caller then uses Column1, ...).
std::string InferColumnName(const syntax::Expr& expr);

// Glob match of a table name against a pattern with '*' wildcards.
bool WildcardMatch(std::string_view pattern, std::string_view s);

// A union of `inputs` (column rules of the union operator: one column per distinct name and
// type, `name_type` when a name has several types; `inner`: only those in every input).
// With `with_source`, that column comes first and holds names[i] for the rows of input i.
PlanPtr MakeUnion(std::vector<PlanPtr> inputs, std::vector<std::string> names, bool inner,
                  const std::string& with_source);

// Closest candidate to `name` for "did you mean" hints, or "".
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace calypso::kql
