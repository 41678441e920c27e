"""End to end with Debian's python3-applicationinsights against a real calypso serve.

Run: /usr/bin/python3 appinsights_python_test.py PATH/TO/calypso
"""
import gzip
import json
import logging
import sys
import time
import unittest

from applicationinsights import TelemetryClient, channel
import applicationinsights.logging as ai_logging

import harness

BINARY = None
IKEY = "5f3c2a9e-1b7d-4c8a-9e6f-0a1b2c3d4e5f"
RUNS = {"run-aaaa": 600, "run-bbbb": 400}  # parent_run_id -> traces sent
STEPS = ["prep_data", "train_model", "register_model"]


def send_traces(server):
    sender = channel.SynchronousSender(server.base + "/v2/track")
    client = TelemetryClient(IKEY, channel.TelemetryChannel(None, channel.SynchronousQueue(sender)))
    n = 0
    errors = 0
    for run_id, count in RUNS.items():
        for i in range(count):
            step = STEPS[i % len(STEPS)]
            severity = ["INFO", "WARNING", "ERROR"][i % 3] if i % 10 else "CRITICAL"
            errors += severity == "ERROR"
            client.track_trace(f"epoch {i} of {step} in {run_id}", {
                "parent_run_id": run_id,
                "step_id": f"{run_id}-{step}",
                "step_name": step,
                "experiment_name": "churn-model",
                "run_type": "training" if run_id == "run-aaaa" else "inference",
            }, severity=severity)
            n += 1
    client.flush()
    return n, errors


def send_logging(server):
    handler = ai_logging.enable(IKEY, endpoint=server.base + "/v2/track")
    logger = logging.getLogger("pipeline.step")
    logger.setLevel(logging.INFO)
    logger.info("logging handler info record")
    logger.error("logging handler error record")
    handler.flush()
    return 1  # error records sent through logging


class AppInsightsPythonEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(BINARY, IKEY).start()
        cls.sent, cls.errors_sent = send_traces(cls.server)
        cls.errors_sent += send_logging(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def count_run(self, run_id):
        return self.server.scalar(f"traces | where customDimensions.parent_run_id == '{run_id}' | count")

    def test_1_counts_by_run_id_are_exact(self):
        for run_id, count in RUNS.items():
            self.assertEqual(self.count_run(run_id), count)

    def test_2_logging_handler_fields_land_in_custom_dimensions(self):
        t = self.server.query("traces | where message == 'logging handler error record' "
                              "| project severityLevel, customDimensions, sdkVersion")
        self.assertEqual(len(t["rows"]), 1, t)
        severity, dims, sdk = t["rows"][0]
        self.assertEqual(severity, 3)
        dims = json.loads(dims)
        self.assertEqual(dims["level"], "ERROR")
        self.assertEqual(dims["module"], "appinsights_python_test")
        self.assertEqual(dims["fileName"], "appinsights_python_test.py")
        self.assertTrue(dims["lineNumber"].isdigit(), dims)
        self.assertTrue(sdk.startswith("py"), sdk)

    def test_3_published_queries_run_unchanged(self):
        s = self.server
        rows = s.query("traces | where customDimensions.['parent_run_id'] == 'run-bbbb'")["rows"]
        self.assertEqual(len(rows), RUNS["run-bbbb"])
        rows = s.query("traces | where timestamp > ago(7d) and customDimensions['run_type'] == 'training'")["rows"]
        self.assertEqual(len(rows), RUNS["run-aaaa"])
        t = s.query("traces | where timestamp > ago(7d) and severityLevel == 3 | summarize count()")
        self.assertEqual(t["columns"], [{"name": "count_", "type": "long"}])
        self.assertEqual(t["rows"], [[self.errors_sent]])
        t = s.query('AmlComputeJobEvent | where TimeGenerated > ago(5d) and EventType == "JobFailed" '
                    "| project TimeGenerated, ClusterId, EventType, ExecutionState, ToolType")
        self.assertEqual([c["name"] for c in t["columns"]],
                         ["TimeGenerated", "ClusterId", "EventType", "ExecutionState", "ToolType"])
        self.assertEqual(t["rows"], [])
        t = s.query("traces | where customDimensions.parent_run_id == 'run-aaaa' "
                    "| summarize n = count() by step = tostring(customDimensions.step_name) | order by step asc")
        self.assertEqual(t["rows"], [["prep_data", 200], ["register_model", 200], ["train_model", 200]])

    def test_4_bad_input_gets_clear_errors_and_loses_nothing(self):
        s = self.server
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        good = {"name": "Microsoft.ApplicationInsights.Message", "time": now,
                "iKey": IKEY, "data": {"baseType": "MessageData", "baseData": {
                    "ver": 2, "message": "good neighbour", "properties": {"parent_run_id": "run-bad"}}}}
        missing = json.loads(json.dumps(good))
        del missing["data"]["baseData"]["message"]
        unknown_key = json.loads(json.dumps(good))
        unknown_key["iKey"] = "00000000-0000-0000-0000-0000000000ff"
        body = json.dumps([good, missing, good, unknown_key])

        status, text = s.request("POST", "/v2/track", body[:-7], {"Content-Type": "application/json"})
        self.assertEqual(status, 400, text)
        self.assertIn("errors", json.loads(text))

        status, text = s.request("POST", "/v2/track", "this is not json", {"Content-Type": "application/json"})
        self.assertEqual(status, 400, text)

        status, text = s.request("POST", "/v2.1/track", gzip.compress(body.encode()),
                                 {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        self.assertEqual(status, 206, text)
        answer = json.loads(text)
        self.assertEqual(answer["itemsReceived"], 4)
        self.assertEqual(answer["itemsAccepted"], 2)
        self.assertEqual([e["index"] for e in answer["errors"]], [1, 3])
        self.assertIn("message", answer["errors"][0]["message"])
        self.assertIn("nstrumentation key", answer["errors"][1]["message"])
        self.assertEqual(s.scalar("traces | where customDimensions.parent_run_id == 'run-bad' | count"), 2)

        status, answer = s.query_raw("traces\n| where severityLevel == ")
        self.assertEqual(status, 400, answer)
        inner = answer["error"]["innererror"]
        self.assertEqual(inner["code"], "SyntaxError")
        self.assertEqual(inner["line"], 2)

        status, answer = s.query_raw("tracez | take 1")
        self.assertEqual(status, 400, answer)
        self.assertIn("tracez", answer["error"]["message"])

    def test_4c_hundred_items_seven_malformed(self):
        s = self.server
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())

        def item(i):
            return {"name": "Microsoft.ApplicationInsights.Message", "time": now, "iKey": IKEY,
                    "data": {"baseType": "MessageData", "baseData": {
                        "ver": 2, "message": f"item {i}", "severityLevel": 1,
                        "properties": {"batch": "hundred", "i": str(i)}}}}

        items = [item(i) for i in range(100)]
        bad = {
            0: lambda e: e["data"]["baseData"].pop("message"),
            13: lambda e: e.update(iKey="00000000-0000-0000-0000-0000000000ff"),
            27: lambda e: e.update(time="yesterday"),
            50: lambda e: e["data"].update(baseType="NoSuchData"),
            64: lambda e: e.pop("data"),
            88: lambda e: e["data"].update(baseData="not an object"),
            99: lambda e: e.pop("iKey"),
        }
        for i, spoil in bad.items():
            spoil(items[i])
        status, text = s.request("POST", "/v2/track", json.dumps(items),
                                 {"Content-Type": "application/json"})
        self.assertEqual(status, 206, text)
        answer = json.loads(text)
        self.assertEqual((answer["itemsReceived"], answer["itemsAccepted"]), (100, 93))
        self.assertEqual([e["index"] for e in answer["errors"]], sorted(bad))
        self.assertEqual({e["statusCode"] for e in answer["errors"]}, {400})
        for e in answer["errors"]:
            self.assertTrue(e["message"], e)
        stored = s.query("traces | where customDimensions.batch == 'hundred' "
                         "| project i = toint(customDimensions.i) | order by i asc")["rows"]
        self.assertEqual([r[0] for r in stored], [i for i in range(100) if i not in bad])

    def test_4b_retention_api(self):
        s = self.server
        status, text = s.request("GET", "/api/tables/traces/retention")
        self.assertEqual((status, json.loads(text)["retentionDays"]), (200, 90))
        status, text = s.request("POST", "/api/tables/traces/retention", '{"days": 30}')
        self.assertEqual((status, json.loads(text)), (200, {"table": "traces", "retentionDays": 30}))
        status, text = s.request("POST", "/api/tables/traces/retention", '{"days": "thirty"}')
        self.assertEqual(status, 400, text)
        self.assertIn("days", json.loads(text)["error"]["message"])
        status, text = s.request("POST", "/api/tables/nosuchtable/retention", '{"days": 7}')
        self.assertEqual(status, 404, text)

    def test_5_acknowledged_records_survive_kill_9(self):
        before = {run: self.count_run(run) for run in RUNS}
        self.server.kill()
        self.server.start()
        after = {run: self.count_run(run) for run in RUNS}
        self.assertEqual(before, after)
        self.assertEqual(after, RUNS)

    def test_6_sigterm_is_graceful_and_data_stays(self):
        self.assertEqual(self.server.stop(), 0, self.server.log())
        self.assertIn("stopped cleanly", self.server.log())
        self.server.start()
        self.assertEqual(self.count_run("run-aaaa"), RUNS["run-aaaa"])
        health = json.loads(self.server.request("GET", "/healthz")[1])
        self.assertEqual(health["status"], "ok")
        self.assertGreater(health["store"]["segments"], 0)  # the graceful stop flushed
        status, text = self.server.request("GET", "/api/tables/traces/retention")
        self.assertEqual(json.loads(text)["retentionDays"], 30)  # kept across restarts


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)
