#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/time.h"
#include "format.h"
#include "kql/binder/binder.h"
#include "kql/engine.h"
#include "kql/exec/executor.h"
#include "kql/planner/optimizer.h"
#include "kql/syntax/parser.h"
#include "memory_source.h"

namespace calypso::kql::testing {

// A traces table in a MemorySource (which applies pushed hints strictly) and helpers to
// look at optimized plans and run queries, with now() fixed at 2024-01-02T00:00:00Z.
class PlanTest : public ::testing::Test {
  protected:
    static int64_t Dt(const char* s) { return *core::ParseDatetime(s); }
    static constexpr const char* kNow = "2024-01-02T00:00:00Z";

    void SetUp() override {
        core::Schema schema;
        schema.fields = {
            {"timestamp", core::Type::kDatetime}, {"message", core::Type::kString},
            {"severityLevel", core::Type::kInt},  {"customDimensions", core::Type::kDynamic},
            {"itemCount", core::Type::kLong},     {"success", core::Type::kBool},
            {"duration", core::Type::kTimespan}};
        core::Batch b = core::Batch::Empty(schema);
        const char* dims[] = {
            R"({"parent_run_id":"r1","step":"prep","n":1,"a":{"b":"x"}})",
            R"({"parent_run_id":"r1","step":"train","n":2})",
            R"({"parent_run_id":"r2","step":"train","n":3,"a":{"b":"y"}})",
            R"({"parent_run_id":5,"step":"eval"})",
            R"({"step":"prep"})",
            R"({"parent_run_id":"r2","step":"Eval Model","n":"7"})",
            R"([1,2])",
            R"({"parent_run_id":"","step":"train"})",
        };
        const char* messages[] = {"Step started",
                                  "Out of memory error",
                                  "step finished",
                                  "RUN-42 done",
                                  "error: disk full",
                                  "Training epoch 1",
                                  "",
                                  "ERROR again"};
        for (int i = 0; i < 8; ++i) {
            b.columns[0].AppendInt64(Dt("2024-01-01T16:00:00Z") + i * core::kTicksPerHour);
            b.columns[1].AppendString(messages[i]);
            b.columns[2].AppendInt64(i % 4);
            b.columns[3].AppendDynamic(*core::Dynamic::Parse(dims[i]));
            if (i == 2) {
                b.columns[4].AppendNull();
                b.columns[5].AppendNull();
            } else {
                b.columns[4].AppendInt64(i * 10);
                b.columns[5].AppendInt64(i % 2);
            }
            b.columns[6].AppendInt64(i * core::kTicksPerMinute);
        }
        source_.AddTable("traces", std::move(b), "timestamp");
        source_.set_max_batch_rows(3);
    }

    core::QueryRequest Request(std::string text) const {
        core::QueryRequest req;
        req.text = std::move(text);
        req.now_ticks = Dt(kNow);
        return req;
    }

    // The optimized plan of the query's first statement.
    PlanPtr Plan(const std::string& text) {
        auto q = syntax::Parse(text);
        EXPECT_TRUE(q.ok()) << text;
        if (!q.ok()) return nullptr;
        Binder binder(source_, BindContext{Dt(kNow)});
        auto plans = binder.BindQuery(*q);
        EXPECT_TRUE(plans.ok()) << text << ": " << plans.status().ToString();
        if (!plans.ok()) return nullptr;
        PlanPtr p = std::move(plans->front());
        Optimize(*p);
        return p;
    }

    std::string Explain(const std::string& text) {
        auto r = engine_.Explain(Request(text));
        EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
        return r.ok() ? *r : "";
    }

    // The first scan of a plan, depth first.
    static const PlanNode* FindScan(const PlanNode& n) {
        if (n.kind == PlanNode::Kind::kScan) return &n;
        if (n.input) {
            if (const PlanNode* s = FindScan(*n.input)) return s;
        }
        for (const auto& in : n.inputs) {
            if (const PlanNode* s = FindScan(*in)) return s;
        }
        return nullptr;
    }

    // The scan of `text`'s optimized plan, kept alive by plan_.
    const PlanNode& Scan(const std::string& text) {
        plan_ = Plan(text);
        static const PlanNode kNone;
        const PlanNode* s = plan_ ? FindScan(*plan_) : nullptr;
        EXPECT_NE(s, nullptr) << text;
        return s != nullptr ? *s : kNone;
    }

    // The rows of the first result, formatted, with the header first.
    std::vector<std::string> Rows(const std::string& text) {
        auto r = engine_.Run(Request(text));
        EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
        std::vector<std::string> out;
        if (!r.ok()) return out;
        const auto& b = r->tables.at(0).data;
        out.push_back(FormatHeader(b.schema));
        for (size_t i = 0; i < b.num_rows(); ++i) out.push_back(FormatRow(b, i));
        return out;
    }

    // The rows of the first result computed from the plan as bound, without the optimizer
    // (so no keys, predicates or time ranges reach the source): the reference answer.
    std::vector<std::string> Reference(const std::string& text) {
        std::vector<std::string> out;
        auto q = syntax::Parse(text);
        if (!q.ok()) return out;
        Binder binder(source_, BindContext{Dt(kNow)});
        auto plans = binder.BindQuery(*q);
        if (!plans.ok()) return out;
        auto r = ExecutePlan(*plans->front(), source_, ExecOptions{});
        EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
        if (!r.ok()) return out;
        out.push_back(FormatHeader(r->batch.schema));
        for (size_t i = 0; i < r->batch.num_rows(); ++i) out.push_back(FormatRow(r->batch, i));
        return out;
    }

    // Optimized and unoptimized plans give the same answer.
    void ExpectSameAnswer(const std::string& text) {
        EXPECT_EQ(Rows(text), Reference(text)) << text << "\n" << Explain(text);
    }

    MemorySource source_;
    Engine engine_{source_};
    PlanPtr plan_;
};

}  // namespace calypso::kql::testing
