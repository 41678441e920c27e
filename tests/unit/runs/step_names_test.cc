#include "runs/step_names.h"

#include <gtest/gtest.h>

namespace calypso::runs {
namespace {

core::Dynamic Dims(const char* json) { return *core::Dynamic::Parse(json); }

core::TableBatch Traces(const std::vector<core::Dynamic>& dims) {
    core::Batch b = core::Batch::Empty(core::Schema{
        {{"message", core::Type::kString}, {"customDimensions", core::Type::kDynamic}}});
    for (const auto& d : dims) {
        b.columns[0].AppendString("m");
        b.columns[1].AppendDynamic(d);
    }
    return {"traces", std::move(b), 0};
}

TEST(StepNames, DistinctPairsFromCustomDimensions) {
    std::vector<core::TableBatch> batches;
    batches.push_back(Traces({
        Dims(R"({"step_id":"r1","step_name":"prep_data","parent_run_id":"p"})"),
        Dims(R"({"step_id":"r1","step_name":"prep_data"})"),
        Dims(R"({"step_id":"r2","step_name":"train_model"})"),
        Dims(R"({"step_id":"r1","step_name":"prep_data"})"),  // again, not consecutive
        Dims(R"({"step_id":"r3"})"),                          // no name
        Dims(R"({"step_id":"","step_name":"x"})"),            // empty id
        Dims(R"({"step_id":7,"step_name":"x"})"),             // not a string
        Dims(R"([1,2])"),
        core::Dynamic(),
    }));
    // A table without customDimensions is skipped.
    core::Batch other = core::Batch::Empty(core::Schema{{{"x", core::Type::kString}}});
    other.columns[0].AppendString("y");
    batches.push_back({"other", std::move(other), 0});
    batches.push_back(Traces({Dims(R"({"step_id":"r4","step_name":"register_model"})")}));

    const std::vector<StepName> expected = {
        {"r1", "prep_data"}, {"r2", "train_model"}, {"r4", "register_model"}};
    EXPECT_EQ(StepNamesIn(batches), expected);
}

TEST(StepNames, NoneInPlainLogs) {
    std::vector<core::TableBatch> batches;
    batches.push_back(Traces({Dims(R"({"a":"b"})"), core::Dynamic()}));
    EXPECT_TRUE(StepNamesIn(batches).empty());
}

}  // namespace
}  // namespace calypso::runs
