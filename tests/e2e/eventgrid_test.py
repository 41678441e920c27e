"""Event Grid webhook against a real calypso serve: the shared fixture lifecycles (a
successful and a failed 3-step Azure ML pipeline) are POSTed in the Event Grid and
CloudEvents schemas, shuffled and duplicated, then PipelineRuns is read back with KQL.
Also: both handshakes, the shared secret, bad events, and a restart (state rebuilt from
the stored events).

Run: /usr/bin/python3 eventgrid_test.py PATH/TO/calypso
"""
import glob
import http.client
import json
import os
import random
import stat
import sys
import tempfile
import unittest

import harness

BINARY = None
IKEY = "5c1e2a3b-4d5f-4a6b-8c7d-9e0f1a2b3c4e"
SECRET = "s3cret-+/="
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                        "fixtures", "eventgrid")


def read(*parts):
    with open(os.path.join(FIXTURES, *parts), "rb") as f:
        return f.read()


IDS = json.loads(read("ids.json"))
OK = IDS["runs"]["success"]
BAD = IDS["runs"]["failure"]
ENDPOINT = "/eventgrid?code=s3cret-%2B%2F%3D"

CURRENT = ("PipelineRuns | summarize arg_max(TimeGenerated, *) by RunId "
           "| project RunId, Status, RunType, PipelineRunId, NodeId, StepType, ComputeTargetType, "
           "ExperimentName, StartTime, EndTime, ExecutionTimeMs | order by RunId asc")


def bodies(folder):
    return [read(p) for p in sorted(glob.glob(os.path.join(FIXTURES, folder, "*.json")))]


def events(folder):
    """The events of a folder's bodies (each an array or one object)."""
    out = []
    for b in bodies(folder):
        v = json.loads(b)
        out.extend(v if isinstance(v, list) else [v])
    return out


def configured_server(data_dir=None):
    """A server whose config sets the Event Grid secret and keeps the 2025 fixture days."""
    server = harness.Server(BINARY, IKEY, data_dir)
    config = os.path.join(server.data_dir, "calypso.toml")
    with open(config, "w") as f:
        f.write(f'[eventgrid]\nsecret = "{SECRET}"\n[storage]\nretention_days = 36500\n')
    wrapper = os.path.join(server.data_dir, "calypso-with-config")
    with open(wrapper, "w") as f:
        f.write(f'#!/bin/sh\nexec "{BINARY}" "$@" --config "{config}"\n')
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IEXEC)
    server.binary = wrapper
    return server


def call(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    out = (r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read().decode())
    conn.close()
    return out


EG = {"Content-Type": "application/json; charset=utf-8", "aeg-event-type": "Notification"}
CE = {"Content-Type": "application/cloudevents+json; charset=utf-8",
      "WebHook-Request-Origin": "eventgrid.azure.net"}
CE_BATCH = {"Content-Type": "application/cloudevents-batch+json; charset=utf-8"}


class EventGridEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = configured_server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def post(self, body, headers, path=ENDPOINT):
        status, _, text = call(self.server, "POST", path, body, headers)
        return status, json.loads(text) if text else None

    def current(self):
        t = self.server.query(CURRENT)
        names = [c["name"] for c in t["columns"]]
        return {r[0]: dict(zip(names, r)) for r in t["rows"]}

    def test_1_handshakes(self):
        body = read("eventgrid-schema", "subscription-validation-event.json")
        expected = json.loads(read("eventgrid-schema", "subscription-validation-response.json"))
        status, answer = self.post(body, {**EG, "aeg-event-type": "SubscriptionValidation"})
        self.assertEqual(status, 200)
        self.assertEqual(answer, expected)

        status, headers, _ = call(self.server, "OPTIONS", ENDPOINT,
                                  headers={"WebHook-Request-Origin": "eventgrid.azure.net",
                                           "WebHook-Request-Rate": "120"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["webhook-allowed-origin"], "eventgrid.azure.net")
        self.assertEqual(headers["webhook-allowed-rate"], "120")
        self.assertIn("POST", headers["allow"])

    def test_2_secret(self):
        body = bodies("eventgrid-schema/lifecycle-success")[0]
        for path in ("/eventgrid", "/eventgrid?code=wrong", "/eventgrid?code=s3cret-"):
            status, answer = self.post(body, EG, path)
            self.assertEqual(status, 401, path)
        status, _ = self.post(body, {**EG, "Authorization": "Bearer " + SECRET}, "/eventgrid")
        self.assertEqual(status, 200)

    def test_3_shuffled_duplicated_both_schemas(self):
        rng = random.Random(7)
        deliveries = [(b, EG) for b in bodies("eventgrid-schema/lifecycle-success")]
        deliveries += [(b, CE) for b in bodies("cloudevents-schema/lifecycle-failure")]
        deliveries += [(b, CE) for b in bodies("cloudevents-schema/lifecycle-success")[::3]]
        rng.shuffle(deliveries)
        for body, headers in deliveries:
            status, answer = self.post(body, headers)
            self.assertEqual(status, 200, answer)
        # The other schema of each lifecycle as CloudEvents batches, shuffled: all duplicates.
        dup = events("cloudevents-schema/lifecycle-success") + events("eventgrid-schema/lifecycle-failure")
        rng.shuffle(dup)
        ce_only = [e for e in dup if "specversion" in e]
        eg_only = [e for e in dup if "specversion" not in e]
        status, answer = self.post(json.dumps(ce_only), CE_BATCH)
        self.assertEqual((status, answer["runsChanged"]), (200, 0), answer)
        status, answer = self.post(json.dumps(eg_only), EG)
        self.assertEqual((status, answer["stored"], answer["runsChanged"]), (200, 0, 0), answer)
        self.check_runs()
        self.assertEqual(self.server.scalar("AmlEventGridEvent | count"), 29)
        self.assertEqual(self.server.scalar(
            "AmlRunStatusChangedEvent | where Status =~ 'failed' | count"), 2)

    def check_runs(self):
        runs = self.current()
        self.assertEqual(len(runs), 7)  # 1 + 3 successful, 1 + 2 failed
        steps = {s["name"]: s for s in OK["steps"]}
        train = runs[steps["train_model"]["run_id"]]
        self.assertEqual(train["Status"], "Completed")
        self.assertEqual(train["ExecutionTimeMs"], 765428)
        self.assertEqual(train["StartTime"], "2025-03-14T09:09:02.4770581Z")
        self.assertEqual(train["EndTime"], "2025-03-14T09:21:47.9052236Z")
        self.assertEqual(train["PipelineRunId"], OK["pipeline_run_id"])
        self.assertEqual(train["NodeId"], "5e6f7a8b")
        self.assertEqual(train["StepType"], "PythonScriptStep")
        self.assertEqual(train["ComputeTargetType"], "AmlCompute")
        self.assertEqual(train["RunType"], "azureml.StepRun")
        self.assertEqual(train["ExperimentName"], "churn-training-pipeline")
        pipeline = runs[OK["pipeline_run_id"]]
        self.assertEqual((pipeline["Status"], pipeline["PipelineRunId"], pipeline["RunType"]),
                         ("Completed", "", "azureml.PipelineRun"))
        for s in OK["steps"]:
            self.assertEqual(runs[s["run_id"]]["Status"], "Completed")
        failed = runs[BAD["pipeline_run_id"]]
        self.assertEqual(failed["Status"], "Failed")
        self.assertEqual(runs[BAD["steps"][1]["run_id"]]["Status"], "Failed")
        self.assertEqual(runs[BAD["steps"][1]["run_id"]]["ExecutionTimeMs"], 346146)
        self.assertEqual(runs[BAD["steps"][0]["run_id"]]["Status"], "Completed")
        # register_model of the failed run never started: no record.
        self.assertEqual(self.server.scalar(
            f"PipelineRuns | where PipelineRunId == '{BAD['pipeline_run_id']}' "
            "| where NodeId == '9c0d1e2f' | count"), 0)

    def test_4_other_event_types(self):
        status, answer = self.post(read("eventgrid-schema", "batch-mixed-types.json"), EG)
        self.assertEqual(status, 200, answer)
        self.assertEqual(self.server.scalar(
            "AmlModelRegisteredEvent | project ModelVersion"), "7")
        self.assertEqual(self.server.scalar(
            "AmlModelDeployedEvent | project ServiceName"), "churn-scoring-aks")
        self.assertEqual(self.server.scalar(
            "AmlDatasetDriftDetectedEvent | project DataDriftName"), "churn-features-drift-monitor")

    def test_5_bad_events(self):
        good = json.loads(read("eventgrid-schema", "model-deployed.json"))[0]
        good["id"] = "bad-event-test-good"
        bad = dict(good, id="bad-event-test-bad", eventTime="not a time")
        status, answer = self.post(json.dumps([good, bad]), EG)
        self.assertEqual(status, 400, answer)
        detail = answer["error"]["details"][0]
        self.assertEqual((detail["index"], detail["field"]), (1, "eventTime"))
        self.assertIn("event 1: eventTime", answer["error"]["message"])
        self.assertEqual(self.server.scalar(
            "AmlEventGridEvent | where Id startswith 'bad-event-test' | project Id"),
            "bad-event-test-good")
        status, _ = self.post(b"{not json", EG)
        self.assertEqual(status, 400)
        status, _ = self.post(b"[]", {"Content-Type": "text/xml"})
        self.assertEqual(status, 415)
        status, _, _ = call(self.server, "GET", ENDPOINT)
        self.assertEqual(status, 405)

    def test_6_restart_rebuilds(self):
        before = self.current()
        self.assertEqual(self.server.stop(), 0)
        self.server = type(self).server = configured_server(self.server.data_dir).start()
        self.server.own_dir = True
        for body in bodies("cloudevents-schema/lifecycle-failure"):
            status, answer = self.post(body, CE)
            self.assertEqual((status, answer["stored"], answer["runsChanged"]), (200, 0, 0))
        self.assertEqual(self.current(), before)
        self.check_runs()


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
