#include "app/demo_catalog.h"

#include <string_view>
#include <utility>

#include "app/demo_random.h"

namespace calypso::app::demo {

std::string AmlWorkspace::ArmId() const {
    return "/subscriptions/" + subscription + "/resourceGroups/" + resource_group +
           "/providers/Microsoft.MachineLearningServices/workspaces/" + name;
}

namespace {

// Stable GUIDs from a name, so experiment and pipeline ids do not depend on the seed.
std::string NameGuid(std::string_view name) {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return Random(h).Guid();
}

// "{wd}" in a file name is the step's working directory, filled in per run.
constexpr const char* kTorch = "/azureml-envs/azureml_py38/lib/python3.8/site-packages/torch";
constexpr const char* kPandas = "/azureml-envs/azureml_py38/lib/python3.8/site-packages/pandas";

FailureMode CudaOutOfMemory(const std::string& script, const std::string& model_fn) {
    return {"RuntimeError",
            "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity; "
            "13.12 GiB already allocated; 1.41 GiB free; 13.40 GiB reserved in total by PyTorch)",
            {{"<module>", "{wd}/" + script, 212},
             {"main", "{wd}/" + script, 187},
             {"train_epoch", "{wd}/" + script, 96},
             {"_call_impl", std::string(kTorch) + "/nn/modules/module.py", 1194},
             {model_fn, "{wd}/model.py", 58},
             {"forward", std::string(kTorch) + "/nn/modules/linear.py", 114}}};
}

FailureMode BlobTimeout(const std::string& script) {
    return {"azure.core.exceptions.ServiceResponseError",
            "('Connection aborted.', timeout('The read operation timed out'))",
            {{"<module>", "{wd}/" + script, 88},
             {"main", "{wd}/" + script, 61},
             {"download",
              "/azureml-envs/azureml_py38/lib/python3.8/site-packages/azureml/"
              "data/_dataset_client.py",
              431},
             {"send",
              "/azureml-envs/azureml_py38/lib/python3.8/site-packages/azure/core/"
              "pipeline/transport/_requests_basic.py",
              361}}};
}

Catalog MakeCatalog() {
    Catalog c;
    c.workspaces = {
        {"5f3c2a71-8d4e-4b9a-9c1e-2a7b6d0e4f18", "rg-mlops-prod", "mlw-churn-prod", "westeurope"},
        {"5f3c2a71-8d4e-4b9a-9c1e-2a7b6d0e4f18", "rg-vision-dev", "mlw-vision-dev", "northeurope"},
    };
    c.clusters = {
        {"cpu-cluster", "STANDARD_DS3_V2", "standardDSv2Family", 4, 8, false},
        {"gpu-cluster", "STANDARD_NC6S_V3", "standardNCSv3Family", 6, 4, true},
        {"cpu-highmem", "STANDARD_E8S_V3", "standardESv3Family", 8, 4, false},
    };
    constexpr size_t kCpu = 0, kGpu = 1, kHighMem = 2;

    ExperimentSpec churn;
    churn.name = "churn-training-pipeline";
    churn.workspace = 0;
    churn.cadence_minutes = 360;
    churn.failure_rate = 0.18;
    churn.model_name = "churn-classifier";
    churn.build_prefix = "1.4";
    churn.steps = {
        {"prep_data", "prep.py", kCpu, 1, 240, 0, 0.2, BlobTimeout("prep.py"), StepEffect::kNone},
        {"feature_engineering",
         "features.py",
         kHighMem,
         2,
         420,
         0,
         0.1,
         {"KeyError",
          "'tenure_months'",
          {{"<module>", "{wd}/features.py", 142},
           {"build_features", "{wd}/features.py", 77},
           {"__getitem__", std::string(kPandas) + "/core/frame.py", 3505},
           {"get_loc", std::string(kPandas) + "/core/indexes/base.py", 3623}}},
         StepEffect::kNone},
        {"train_model", "train.py", kGpu, 2, 760, 12, 0.6, CudaOutOfMemory("train.py", "forward"),
         StepEffect::kNone},
        {"evaluate_model",
         "evaluate.py",
         kCpu,
         1,
         150,
         0,
         0.05,
         {"AssertionError",
          "AUC 0.812 is below the promotion threshold 0.85",
          {{"<module>", "{wd}/evaluate.py", 64}, {"check_promotion", "{wd}/evaluate.py", 41}}},
         StepEffect::kNone},
        {"register_model", "register.py", kCpu, 1, 45, 0, 0.05, BlobTimeout("register.py"),
         StepEffect::kRegistersModel},
    };
    c.experiments.push_back(std::move(churn));

    ExperimentSpec scoring;
    scoring.name = "churn-batch-scoring";
    scoring.workspace = 0;
    scoring.cadence_minutes = 60;
    scoring.failure_rate = 0.06;
    scoring.build_prefix = "1.4";
    scoring.steps = {
        {"load_model",
         "load_model.py",
         kCpu,
         1,
         50,
         0,
         0.3,
         {"azureml.exceptions.ModelNotFoundException",
          "ModelNotFoundException: Model with name churn-classifier and version latest not found "
          "in the workspace",
          {{"<module>", "{wd}/load_model.py", 33},
           {"get_model_path",
            "/azureml-envs/azureml_py38/lib/python3.8/site-packages/azureml/"
            "core/model.py",
            2041}}},
         StepEffect::kNone},
        {"score_batch", "score.py", kCpu, 4, 520, 0, 0.5, BlobTimeout("score.py"),
         StepEffect::kNone},
        {"write_results",
         "write_results.py",
         kCpu,
         1,
         80,
         0,
         0.2,
         {"PermissionError",
          "[Errno 13] Permission denied: '/mnt/azureml/outputs/scores.parquet'",
          {{"<module>", "{wd}/write_results.py", 52},
           {"to_parquet", std::string(kPandas) + "/core/frame.py", 2889}}},
         StepEffect::kNone},
    };
    c.experiments.push_back(std::move(scoring));

    ExperimentSpec validation;
    validation.name = "churn-data-validation";
    validation.workspace = 0;
    validation.cadence_minutes = 120;
    validation.failure_rate = 0.1;
    validation.build_prefix = "1.4";
    validation.steps = {
        {"extract_snapshot", "extract.py", kCpu, 1, 180, 0, 0.3, BlobTimeout("extract.py"),
         StepEffect::kNone},
        {"validate_schema",
         "validate.py",
         kCpu,
         1,
         95,
         0,
         0.6,
         {"ValueError",
          "column 'monthly_charges' has 3.2% nulls, above the 1.0% threshold",
          {{"<module>", "{wd}/validate.py", 118},
           {"validate", "{wd}/validate.py", 84},
           {"check_nulls", "{wd}/checks.py", 29}}},
         StepEffect::kNone},
        {"check_drift", "drift.py", kCpu, 1, 210, 0, 0.1, BlobTimeout("drift.py"),
         StepEffect::kChecksDrift},
        {"publish_report", "report.py", kCpu, 1, 40, 0, 0, {}, StepEffect::kNone},
    };
    c.experiments.push_back(std::move(validation));

    ExperimentSpec vision;
    vision.name = "vision-defect-training";
    vision.workspace = 1;
    vision.cadence_minutes = 720;
    vision.failure_rate = 0.22;
    vision.model_name = "defect-detector";
    vision.build_prefix = "0.9";
    vision.steps = {
        {"download_images", "download.py", kCpu, 1, 300, 0, 0.15, BlobTimeout("download.py"),
         StepEffect::kNone},
        {"augment_images",
         "augment.py",
         kCpu,
         4,
         480,
         0,
         0.05,
         {"OSError",
          "image file is truncated (12 bytes not processed)",
          {{"<module>", "{wd}/augment.py", 97},
           {"augment_one", "{wd}/augment.py", 51},
           {"load", "/azureml-envs/azureml_py38/lib/python3.8/site-packages/PIL/ImageFile.py",
            261}}},
         StepEffect::kNone},
        {"train_detector", "train_detector.py", kGpu, 4, 1500, 20, 0.7,
         CudaOutOfMemory("train_detector.py", "forward_features"), StepEffect::kNone},
        {"evaluate_detector",
         "evaluate.py",
         kGpu,
         1,
         200,
         0,
         0.05,
         {"AssertionError",
          "mAP@0.5 0.61 is below the release threshold 0.7",
          {{"<module>", "{wd}/evaluate.py", 73}, {"gate", "{wd}/evaluate.py", 48}}},
         StepEffect::kNone},
        {"export_onnx",
         "export.py",
         kCpu,
         1,
         90,
         0,
         0.05,
         {"torch.onnx.errors.UnsupportedOperatorError",
          "Exporting the operator 'aten::roi_align' to ONNX opset version 11 is not supported",
          {{"<module>", "{wd}/export.py", 40},
           {"export", std::string(kTorch) + "/onnx/utils.py", 504}}},
         StepEffect::kNone},
        {"register_model", "register.py", kCpu, 1, 40, 0, 0, {}, StepEffect::kRegistersModel},
    };
    c.experiments.push_back(std::move(vision));

    ExperimentSpec qa;
    qa.name = "model-qa-tests";
    qa.workspace = 1;
    qa.cadence_minutes = 240;
    qa.failure_rate = 0.25;
    qa.build_prefix = "0.9";
    qa.steps = {
        {"setup_env",
         "setup_env.py",
         kCpu,
         1,
         70,
         0,
         0.1,
         {"subprocess.CalledProcessError",
          "Command '['pip', 'install', '-r', 'requirements-test.txt']' returned non-zero exit "
          "status 1.",
          {{"<module>", "{wd}/setup_env.py", 25},
           {"check_call", "/azureml-envs/azureml_py38/lib/python3.8/subprocess.py", 364}}},
         StepEffect::kNone},
        {"run_unit_tests",
         "run_tests.py",
         kCpu,
         1,
         160,
         0,
         0.3,
         {"AssertionError",
          "3 of 212 unit tests failed (test_preprocess.py::test_unicode_names)",
          {{"<module>", "{wd}/run_tests.py", 58}, {"run_suite", "{wd}/run_tests.py", 33}}},
         StepEffect::kNone},
        {"run_integration_tests",
         "run_tests.py",
         kGpu,
         1,
         340,
         0,
         0.6,
         {"AssertionError",
          "accuracy 0.871 on the golden set is below the release threshold 0.9",
          {{"<module>", "{wd}/run_tests.py", 58},
           {"run_suite", "{wd}/run_tests.py", 33},
           {"test_golden_set", "{wd}/tests/test_golden.py", 71}}},
         StepEffect::kNone},
        {"publish_results", "publish.py", kCpu, 1, 30, 0, 0, {}, StepEffect::kNone},
    };
    c.experiments.push_back(std::move(qa));

    for (auto& e : c.experiments) {
        e.id = NameGuid(e.name);
        e.pipeline_id = NameGuid(e.name + "/pipeline");
    }
    return c;
}

}  // namespace

const Catalog& DemoCatalog() {
    static const Catalog catalog = MakeCatalog();
    return catalog;
}

}  // namespace calypso::app::demo
