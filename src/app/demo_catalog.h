#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace calypso::app::demo {

// The simulated Azure ML estate: workspaces, compute clusters, experiments and their
// pipeline steps, and how each step fails. Fixed data; the seed only varies the runs.

struct AmlWorkspace {
    std::string subscription;
    std::string resource_group;
    std::string name;
    std::string location;
    // "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/
    // workspaces/{name}": split on "/", element 8 is the workspace name.
    std::string ArmId() const;
};

struct Cluster {
    std::string name;
    std::string vm_size;
    std::string vm_family;
    int cores_per_node = 0;
    int max_nodes = 0;
    bool gpu = false;
};

// A Python stack frame, outermost first (as a traceback prints them).
struct Frame {
    std::string method;
    std::string file;
    int line = 0;
};

struct FailureMode {
    std::string type;  // "RuntimeError"
    std::string message;
    std::vector<Frame> frames;
};

enum class StepEffect { kNone, kRegistersModel, kChecksDrift };

struct StepSpec {
    std::string name;    // the pipeline step's name: step_name in the logs
    std::string script;  // its entry script, "train.py"
    size_t cluster = 0;  // index into Catalog::clusters
    int nodes = 1;
    int64_t typical_seconds = 60;
    int epochs = 0;          // > 0: logs loss, accuracy and learning_rate per epoch
    double fail_weight = 0;  // how likely this step is the one that fails a failing run
    FailureMode failure;
    StepEffect effect = StepEffect::kNone;
};

struct ExperimentSpec {
    std::string name;
    std::string id;                // experiment GUID
    std::string pipeline_id;       // published pipeline GUID
    size_t workspace = 0;          // index into Catalog::workspaces
    int64_t cadence_minutes = 60;  // how often it is scheduled during backfill
    double failure_rate = 0.1;
    std::string model_name;    // registered by a kRegistersModel step
    std::string build_prefix;  // build_version is "{prefix}.{n}"
    std::vector<StepSpec> steps;
};

struct Catalog {
    std::vector<AmlWorkspace> workspaces;
    std::vector<Cluster> clusters;
    std::vector<ExperimentSpec> experiments;
};

const Catalog& DemoCatalog();

}  // namespace calypso::app::demo
