"""`calypso demo` against a real `calypso serve`: two days of simulated Azure ML history are
sent through the real endpoints (/v2/track, /eventgrid, the Logs Ingestion API), then
read back with KQL over the query API and with `calypso query`.

Run: /usr/bin/python3 demo_test.py PATH/TO/calypso
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402

BINARY = None
IKEY = "7d2c9e41-3b5a-4f68-9a1d-0c6e8b2f4a17"

CURRENT_RUNS = "PipelineRuns | summarize arg_max(TimeGenerated, *) by RunId"


class DemoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(BINARY, IKEY).start()
        cls.demo = subprocess.run(
            [BINARY, "demo", "--url", cls.server.base, "--ikey", IKEY, "--backfill", "2d",
             "--backfill-only", "--seed", "1"],
            capture_output=True, text=True, timeout=600)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def rows(self, kql):
        return self.server.query(kql)["rows"]

    def test_demo_sends_everything_and_nothing_is_rejected(self):
        out = self.demo.stdout
        self.assertEqual(self.demo.returncode, 0, out + self.demo.stderr)
        self.assertIn("backfill done", out)
        last = [line for line in out.splitlines() if "backfill done" in line][-1]
        self.assertIn(" 0 rejected", last)
        self.assertEqual(self.demo.stderr, "")

    def test_pipeline_runs_complete_and_fail_and_steps_have_durations(self):
        by_status = dict(self.rows(
            CURRENT_RUNS + " | where RunType == 'azureml.PipelineRun' | summarize count() by Status"))
        self.assertGreater(by_status.get("Completed", 0), 10, by_status)
        self.assertGreater(by_status.get("Failed", 0), 0, by_status)
        self.assertEqual(set(by_status), {"Completed", "Failed"}, by_status)
        [[steps, timed, named, shortest]] = self.rows(
            CURRENT_RUNS + " | where RunType == 'azureml.StepRun' and Status in ('Completed', 'Failed')"
            " | summarize count(), countif(ExecutionTimeMs > 0), countif(isnotempty(StepName)),"
            " min(ExecutionTimeMs)")
        self.assertGreater(steps, 50)
        self.assertEqual(timed, steps)  # reordered and duplicated deliveries included
        self.assertEqual(named, steps)  # names come from the steps' logs
        self.assertGreater(shortest, 0)
        # A failed pipeline has exactly one failed step, its last.
        [[failed_pipelines, failed_steps]] = self.rows(
            CURRENT_RUNS + " | summarize countif(RunType == 'azureml.PipelineRun' and Status == 'Failed'),"
            " countif(RunType == 'azureml.StepRun' and Status == 'Failed')")
        self.assertEqual(failed_pipelines, failed_steps)

    def test_traces_carry_the_pipeline_run_ids(self):
        [[unmatched, matched]] = self.rows(
            "traces | summarize by parent = tostring(customDimensions.parent_run_id)"
            " | join kind=leftouter (" + CURRENT_RUNS + " | where RunType == 'azureml.PipelineRun'"
            " | project RunId) on $left.parent == $right.RunId"
            " | summarize countif(isempty(RunId)), countif(isnotempty(RunId))")
        self.assertEqual(unmatched, 0)
        self.assertGreater(matched, 10)
        dims = ["parent_run_id", "step_id", "step_name", "experiment_name", "run_url",
                "build_version", "run_type"]
        [counts] = self.rows("traces | summarize count(), " + ", ".join(
            f"countif(isnotempty(tostring(customDimensions.{d})))" for d in dims))
        self.assertGreater(counts[0], 100)
        self.assertEqual(counts[1:], [counts[0]] * len(dims))
        errors = self.rows("traces | where severityLevel >= 3 | count")[0][0]
        self.assertGreater(errors, 0)

    def test_published_cluster_query_returns_rows(self):
        rows = self.rows(
            "AmlComputeClusterEvent | where TimeGenerated > ago(8d) and TargetNodeCount > CurrentNodeCount"
            " | project TimeGenerated, ClusterName, CurrentNodeCount, TargetNodeCount")
        self.assertGreater(len(rows), 10)
        self.assertTrue({"cpu-cluster", "gpu-cluster"} <= {r[1] for r in rows})
        workspaces = {r[0] for r in self.rows(
            "AmlComputeClusterEvent | extend Workspace = tostring(split(_ResourceId, '/')[8])"
            " | summarize count() by Workspace")}
        self.assertEqual(workspaces, {"mlw-churn-prod", "mlw-vision-dev"})
        jobs = dict(self.rows("AmlComputeJobEvent | summarize count() by EventType"))
        self.assertEqual(set(jobs), {"JobSubmitted", "JobRunning", "JobSucceeded", "JobFailed"})

    def test_loss_per_epoch_and_exceptions(self):
        [[runs, min_epochs]] = self.rows(
            "customMetrics | where name == 'loss'"
            " | summarize epochs = dcount(tostring(customDimensions.epoch)) by tostring(customDimensions.step_id)"
            " | summarize count(), min(epochs)")
        self.assertGreater(runs, 0)
        self.assertGreater(min_epochs, 0)
        [[most]] = self.rows(
            "customMetrics | where name == 'loss' | summarize n = count() by tostring(customDimensions.step_id)"
            " | summarize max(n)")
        self.assertGreaterEqual(most, 12)  # a full training run logs every epoch
        rows = self.rows("exceptions | summarize count() by type, tostring(customDimensions.step_name)")
        self.assertGreater(len(rows), 0)
        [[with_stack]] = self.rows("exceptions | where array_length(details[0].parsedStack) > 1 | count")
        self.assertGreater(with_stack, 0)

    def test_calypso_query_reads_the_demo_data(self):
        out = subprocess.run(
            [BINARY, "query", "--url", self.server.base, "--format", "csv",
             "PipelineRuns | where RunType == 'azureml.PipelineRun' | distinct ExperimentName | order by ExperimentName asc"],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        names = out.stdout.split()[1:]
        self.assertEqual(names, sorted(["churn-training-pipeline", "churn-batch-scoring",
                                        "churn-data-validation", "vision-defect-training",
                                        "model-qa-tests"]))

    def test_same_seed_sends_the_same_runs(self):
        # A second server and the same seed: the same pipeline run ids.
        other = harness.Server(BINARY, IKEY).start()
        try:
            done = subprocess.run(
                [BINARY, "demo", "--url", other.base, "--data", other.data_dir, "--backfill", "2d",
                 "--backfill-only", "--seed", "1"],
                capture_output=True, text=True, timeout=600)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            q = "PipelineRuns | where RunType == 'azureml.PipelineRun' | distinct RunId | order by RunId asc"
            self.assertEqual(other.query(q)["rows"], self.server.query(q)["rows"])
        finally:
            other.cleanup()

    def test_bad_arguments_are_explained(self):
        for args, needle in [(["--backfill", "2x"], "--backfill"),
                             (["--rate", "0"], "--rate"),
                             (["--data", "/nonexistent"], "--ikey")]:
            out = subprocess.run([BINARY, "demo", "--url", self.server.base, "--backfill-only"] + args,
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 1, out)
            self.assertIn(needle, out.stderr)
        # A key the server does not know stops the demo (on a server of its own, so the
        # events sent before the first log batch do not mix with the data above).
        other = harness.Server(BINARY, IKEY).start()
        try:
            out = subprocess.run([BINARY, "demo", "--url", other.base, "--backfill", "1d",
                                  "--backfill-only", "--ikey", "00000000-0000-4000-8000-000000000000"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 1, out)
            self.assertIn("instrumentation key", out.stderr)
        finally:
            other.cleanup()


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
