"""GET /metrics against a real calypso serve.

The shared Azure ML fixture lifecycles are POSTed to /eventgrid (shuffled, with
duplicates), the steps' logs and some malformed items to /v2/track, then /metrics is read
in both formats and checked value by value; the rejections are read back from the
CalypsoRejections table after a restart. When Debian's prometheus is installed, promtool
checks the output and a real Prometheus scrapes Calypso on loopback and answers queries
for the pipeline counters through its HTTP API.

Run: /usr/bin/python3 metrics_test.py PATH/TO/calypso
"""
import glob
import json
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402

BINARY = None
IKEY = "7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f"
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..",
                        "shared", "fixtures", "eventgrid")
EXPERIMENT = "churn-training-pipeline"
PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")


def read(*parts):
    with open(os.path.join(FIXTURES, *parts), "rb") as f:
        return f.read()


IDS = json.loads(read("ids.json"))


def events(folder):
    out = []
    for p in sorted(glob.glob(os.path.join(FIXTURES, folder, "*.json"))):
        with open(p, "rb") as f:
            v = json.loads(f.read())
        out.extend(v if isinstance(v, list) else [v])
    return out


def configured_server(data_dir=None):
    """Keeps the 2025 fixture days (retention) and nothing else special."""
    server = harness.Server(BINARY, IKEY, data_dir)
    config = os.path.join(server.data_dir, "calypso.toml")
    with open(config, "w") as f:
        f.write("[storage]\nretention_days = 36500\n")
    wrapper = os.path.join(server.data_dir, "calypso-with-config")
    with open(wrapper, "w") as f:
        f.write(f'#!/bin/sh\nexec "{BINARY}" "$@" --config "{config}"\n')
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IEXEC)
    server.binary = wrapper
    return server


def step_log(run_id, step_name, message):
    """A log line as the opencensus handler sends it from inside a pipeline step."""
    return {
        "name": "Microsoft.ApplicationInsights.Message",
        "time": "2025-03-14T09:15:00.000000Z",
        "iKey": IKEY,
        "tags": {"ai.cloud.role": "train.py"},
        "data": {"baseType": "MessageData", "baseData": {
            "ver": 2, "message": message, "severityLevel": 1,
            "properties": {"step_id": run_id, "step_name": step_name,
                           "parent_run_id": IDS["runs"]["success"]["pipeline_run_id"]}}},
    }


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, frozenset(labels)): value} of a text exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(LABEL.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def value(samples, name, **labels):
    key = (name, frozenset(labels.items()))
    assert key in samples, f"no sample {name}{labels}; have: " + "\n".join(
        f"{n}{dict(l)}" for n, l in samples if n == name)
    return samples[key]


class MetricsEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = configured_server().start()
        s = cls.server
        ok = IDS["runs"]["success"]
        # Logs of the successful run's steps first: their names wait for the events.
        items = [step_log(st["run_id"], st["name"], f"{st['name']} started") for st in ok["steps"]]
        # One of them with 120 more properties: kept, the ones past the 100th dropped, counted.
        items[0]["data"]["baseData"]["properties"].update({f"extra{i}": "v" for i in range(120)})
        items += [dict(step_log("x", "y", "bad time"), time="not a time"), 42,
                  dict(step_log("x", "y", "z"), iKey="00000000-dead-beef-0000-000000000000")]
        status, body = s.request("POST", "/v2/track", json.dumps(items),
                                 {"Content-Type": "application/json"})
        assert status == 206, (status, body)
        cls.track_answer = json.loads(body)
        # Then every lifecycle event, shuffled with duplicates, in deliveries of 3.
        evs = events("eventgrid-schema/lifecycle-success") + events("eventgrid-schema/lifecycle-failure")
        evs += evs[:7]
        random.Random(7).shuffle(evs)
        for i in range(0, len(evs), 3):
            status, body = s.request("POST", "/eventgrid", json.dumps(evs[i:i + 3]),
                                     {"Content-Type": "application/json"})
            assert status == 200, (status, body)
        # The failed train step's log arrives after its events.
        bad = IDS["runs"]["failure"]["steps"][1]
        status, body = s.request("POST", "/v2/track",
                                 json.dumps([step_log(bad["run_id"], bad["name"], "oom")]),
                                 {"Content-Type": "application/json"})
        assert status == 200, (status, body)
        # One body that is not JSON at all.
        status, _ = s.request("POST", "/v2/track", b"this is not json",
                              {"Content-Type": "application/json"})
        assert status == 400

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def scrape(self, accept=None):
        req = urllib.request.Request(self.server.base + "/metrics",
                                     headers={"Accept": accept} if accept else {})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.headers.get("Content-Type"), r.read().decode()

    def test_1_pipeline_metrics(self):
        ctype, text = self.scrape()
        self.assertEqual(ctype, "text/plain; version=0.0.4; charset=utf-8")
        m = parse(text)
        runs = "calypso_pipeline_runs_total"
        self.assertEqual(value(m, runs, experiment=EXPERIMENT, run_type="azureml.PipelineRun",
                               status="Completed"), 1)
        self.assertEqual(value(m, runs, experiment=EXPERIMENT, run_type="azureml.PipelineRun",
                               status="Failed"), 1)
        self.assertEqual(value(m, runs, experiment=EXPERIMENT, run_type="azureml.StepRun",
                               status="Completed"), 4)
        self.assertEqual(value(m, runs, experiment=EXPERIMENT, run_type="azureml.StepRun",
                               status="Failed"), 1)
        d = "calypso_pipeline_step_duration_seconds"
        # train_model: the successful run (765.428 s) and the failed one (346.146 s).
        self.assertEqual(value(m, d + "_count", experiment=EXPERIMENT, step="train_model"), 2)
        self.assertAlmostEqual(value(m, d + "_sum", experiment=EXPERIMENT, step="train_model"),
                               765.428 + 346.146, places=6)
        self.assertEqual(value(m, d + "_bucket", experiment=EXPERIMENT, step="train_model",
                               le="600"), 1)
        self.assertEqual(value(m, d + "_bucket", experiment=EXPERIMENT, step="train_model",
                               le="+Inf"), 2)
        self.assertEqual(value(m, "calypso_pipeline_last_run_status", experiment=EXPERIMENT,
                               status="Failed"), 1)
        self.assertEqual(value(m, "calypso_pipeline_step_last_status", experiment=EXPERIMENT,
                               step="train_model", status="Failed"), 1)
        self.assertEqual(value(m, "calypso_pipeline_step_last_status", experiment=EXPERIMENT,
                               step="prep_data", status="Completed"), 1)
        # No run id ever becomes a label.
        for rid in [IDS["runs"]["success"]["pipeline_run_id"]] + [
                st["run_id"] for st in IDS["runs"]["success"]["steps"]]:
            self.assertNotIn(rid, text)
        # The step names reached PipelineRuns too.
        names = self.server.query(
            "PipelineRuns | summarize arg_max(TimeGenerated, *) by RunId "
            "| where RunType == 'azureml.StepRun' | project RunId, StepName")["rows"]
        by_id = dict(names)
        for st in IDS["runs"]["success"]["steps"]:
            self.assertEqual(by_id[st["run_id"]], st["name"])
        self.assertEqual(by_id[IDS["runs"]["failure"]["steps"][1]["run_id"]], "train_model")

    def test_2_health_metrics(self):
        _, text = self.scrape()
        m = parse(text)
        self.assertEqual(value(m, "calypso_ingested_rows_total", table="traces"), 4)
        self.assertEqual(value(m, "calypso_ingested_rows_total", table="AmlEventGridEvent"), 29)
        rejected = "calypso_ingest_rejected_items_total"
        self.assertEqual(value(m, rejected, workspace="default", table="unknown",
                               reason="invalid_item"), 2)
        self.assertEqual(value(m, rejected, workspace="unknown", table="unknown",
                               reason="invalid_instrumentation_key"), 1)
        self.assertEqual(value(m, rejected, workspace="unknown", table="unknown",
                               reason="unreadable_body"), 1)
        self.assertEqual(len(self.track_answer["errors"]), 3)
        self.assertEqual(value(m, "calypso_ingest_truncated_items_total", workspace="default"), 1)
        lat = "calypso_ingest_request_duration_seconds"
        self.assertEqual(value(m, lat + "_count", endpoint="track"), 3)
        self.assertGreaterEqual(value(m, lat + "_count", endpoint="eventgrid"), 12)
        self.assertGreaterEqual(value(m, "calypso_query_duration_seconds_count",
                                      api="log_analytics"), 1)
        self.assertGreater(value(m, "calypso_wal_fsync_duration_seconds_count"), 0)
        self.assertGreaterEqual(value(m, "calypso_write_buffer_rows"), 0)
        self.assertGreater(value(m, "calypso_write_buffer_rows") +
                           value(m, "calypso_storage_segment_rows", table="traces")
                           if ("calypso_storage_segment_rows", frozenset({("table", "traces")})) in m
                           else value(m, "calypso_write_buffer_rows"), 0)
        self.assertEqual(value(m, "calypso_http_requests_total", endpoint="ingest_track",
                               code="206"), 1)
        # Histogram buckets are cumulative and end with +Inf == _count.
        buckets = sorted(((float(dict(l)["le"]), v) for (n, l), v in m.items()
                          if n == lat + "_bucket" and dict(l)["endpoint"] == "eventgrid"))
        counts = [v for _, v in buckets]
        self.assertEqual(counts, sorted(counts))
        self.assertEqual(buckets[-1][0], float("inf"))
        self.assertEqual(buckets[-1][1], value(m, lat + "_count", endpoint="eventgrid"))

    def test_3_openmetrics(self):
        ctype, text = self.scrape(
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
        self.assertEqual(ctype, "application/openmetrics-text; version=1.0.0; charset=utf-8")
        self.assertTrue(text.endswith("# EOF\n"))
        self.assertIn("# TYPE calypso_pipeline_runs counter\n", text)
        self.assertIn("# UNIT calypso_pipeline_step_duration_seconds seconds\n", text)
        self.assertIn('calypso_pipeline_step_duration_seconds_bucket{experiment="%s",'
                      'step="train_model",le="600.0"} 1\n' % EXPERIMENT, text)

    def test_4_promtool(self):
        _, text = self.scrape()
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(),
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())

    def test_5_prometheus_scrapes(self):
        work = tempfile.mkdtemp(prefix="calypso-prometheus-")
        port = harness.free_port()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: calypso\n    static_configs:\n"
                    f"      - targets: ['127.0.0.1:{self.server.port}']\n")
        log = open(os.path.join(work, "prometheus.log"), "wb")
        proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={work}/data",
             f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
        try:
            query = ('calypso_pipeline_runs_total{experiment="%s",run_type="azureml.StepRun",'
                     'status="Completed"}' % EXPERIMENT)
            url = f"http://127.0.0.1:{port}/api/v1/query?query=" + urllib.parse.quote(query)
            deadline, result = time.time() + 90, None
            while time.time() < deadline:
                self.assertIsNone(proc.poll(), "prometheus exited")
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        answer = json.loads(r.read())
                    if answer["status"] == "success" and answer["data"]["result"]:
                        result = answer["data"]["result"]
                        break
                except OSError:
                    pass
                time.sleep(0.5)
            self.assertIsNotNone(result, "prometheus never returned the pipeline counter")
            self.assertEqual(result[0]["metric"]["job"], "calypso")
            self.assertEqual(float(result[0]["value"][1]), 4)
            # The scrape itself was healthy.
            up = f"http://127.0.0.1:{port}/api/v1/query?query=up"
            with urllib.request.urlopen(up, timeout=5) as r:
                self.assertEqual(json.loads(r.read())["data"]["result"][0]["value"][1], "1")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
            shutil.rmtree(work, ignore_errors=True)

    def test_9_rejections_table_after_restart(self):
        # The rows of the current minute are written at shutdown at the latest.
        self.assertEqual(self.server.stop(), 0)
        self.server = type(self).server = configured_server(self.server.data_dir).start()
        self.server.own_dir = True
        rows = self.server.query(
            "CalypsoRejections | summarize Count = sum(Count), Example = take_any(Example) "
            "by Workspace, Table, Reason | order by Reason asc")["rows"]
        got = {(r[0], r[1], r[2]): r[3] for r in rows}
        self.assertEqual(got, {
            ("default", "unknown", "invalid_item"): 2,
            ("unknown", "unknown", "invalid_instrumentation_key"): 1,
            ("unknown", "unknown", "unreadable_body"): 1,
        })
        examples = {r[2]: r[4] for r in rows}
        self.assertIn("instrumentation key", examples["invalid_instrumentation_key"])
        # After the restart the run state is rebuilt: the last-status gauges are back.
        m = parse(urllib.request.urlopen(self.server.base + "/metrics", timeout=30).read().decode())
        self.assertEqual(value(m, "calypso_pipeline_step_last_status", experiment=EXPERIMENT,
                               step="train_model", status="Failed"), 1)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    # A missing prometheus fails the test: a skipped check would pass on a machine that
    # cannot run it (scripts/install-deps installs the package).
    if not PROMETHEUS or not PROMTOOL:
        print("FAIL: Debian's prometheus (prometheus, promtool) is not installed; "
              "run scripts/install-deps")
        sys.exit(1)
    unittest.main(verbosity=2)
