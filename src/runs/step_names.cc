#include "runs/step_names.h"

#include <string_view>
#include <unordered_set>
#include <utility>

namespace calypso::runs {

std::vector<StepName> StepNamesIn(const std::vector<core::TableBatch>& batches) {
    std::vector<StepName> out;
    std::unordered_set<std::string> seen;
    std::string_view last_id, last_name;  // consecutive rows of one step are the rule
    for (const auto& tb : batches) {
        auto index = tb.batch.schema.IndexOf("customDimensions");
        if (!index) continue;
        const core::Column& column = tb.batch.columns[*index];
        if (column.type() != core::Type::kDynamic) continue;
        for (const core::Dynamic& dims : column.dynamics()) {
            if (dims.kind() != core::Dynamic::Kind::kObject) continue;
            const core::Dynamic* id = dims.Find("step_id");
            if (id == nullptr || id->kind() != core::Dynamic::Kind::kString) continue;
            const core::Dynamic* name = dims.Find("step_name");
            if (name == nullptr || name->kind() != core::Dynamic::Kind::kString) continue;
            const std::string& i = id->as_string();
            const std::string& n = name->as_string();
            if (i.empty() || n.empty() || (i == last_id && n == last_name)) continue;
            last_id = i;  // views into the batch, which outlives this loop
            last_name = n;
            if (!seen.insert(i + '\n' + n).second) continue;
            out.push_back({i, n});
        }
    }
    return out;
}

}  // namespace calypso::runs
