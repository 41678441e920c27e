"""End to end with the real OpenTelemetry JS SDK and OTLP/HTTP exporters (npm, pinned by
otlp_node/package-lock.json) against a real calypso serve: the same telemetry is sent once
as OTLP/JSON and once as gzip'd protobuf, and one query must give the same rows for both.

The npm packages are installed by scripts/install-deps (`npm ci` from the committed lock
file into otlp_node/node_modules); when they are missing the test installs them itself, and
when that is impossible it fails: a skipped test would hide a machine that cannot run it. While the exporters run, every proxy points at a closed loopback port, so a
stray call cannot leave the machine.

Run: /usr/bin/python3 otlp_node_test.py PATH/TO/calypso
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

import harness

BINARY = None
IKEY = "3c9a1e2b-5d4f-4b6a-9c8d-7e6f5a4b3c2d"
NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "otlp_node")


def ensure_packages():
    """True when the exporters are installed (installing them with npm ci if needed)."""
    marker = os.path.join(NODE_DIR, "node_modules", "@opentelemetry", "exporter-trace-otlp-proto",
                          "package.json")
    if os.path.exists(marker):
        return True
    if not shutil.which("node") or not shutil.which("npm"):
        print("FAIL: node and npm are needed for the OpenTelemetry JS exporters "
              "(scripts/install-deps installs them)")
        return False
    # npm ci talks to the registry, so the loopback proxies set by harness must not apply.
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, env=env,
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0 or not os.path.exists(marker):
        print("FAIL: `npm ci` in tests/e2e/otlp_node failed:\n" + r.stderr[-2000:])
        return False
    return True


def send(server, protocol, run):
    """Runs send.mjs; returns its result codes per signal."""
    r = subprocess.run(["node", "send.mjs", server.base, protocol, run], cwd=NODE_DIR,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"send.mjs {protocol} failed:\n{r.stdout}\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])["results"]


class OtlpNodeEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(BINARY, IKEY).start()
        cls.results = {p: send(cls.server, p, f"run-{p}") for p in ("json", "proto")}

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def rows(self, kql):
        return self.server.query(kql)["rows"]

    def test_1_every_export_succeeded(self):
        for protocol, results in self.results.items():
            self.assertEqual(results, {"logs": [0, 0, 0], "traces": [0, 0, 0], "metrics": [0]},
                             protocol)

    def test_2_same_rows_whichever_encoding(self):
        query = (
            "union traces, requests, dependencies, customMetrics, exceptions "
            "| where customDimensions.run == '{run}' "
            "| project timestamp, itemType, message, name, severityLevel, type, target, resultCode, "
            "success, valueCount, value, valueMin, valueMax, operation_Name, cloud_RoleName, "
            "cloud_RoleInstance, application_Version, problemId, customDimensions "
            "| order by itemType asc, name asc, message asc")
        by_protocol = {p: self.rows(query.format(run=f"run-{p}")) for p in ("json", "proto")}

        def dims(extra):
            return json.dumps({"run": "run-json", **extra}, separators=(",", ":"))

        metrics = [r for r in by_protocol["json"] if r[1] == "customMetric"]
        others = [r for r in by_protocol["json"] if r[1] != "customMetric"]
        t = "2026-11-23T18:45:00"
        role = ["ml.trainer", "node-7", "1.2.3"]
        self.assertEqual(others, [
            [t + ".006Z", "dependency", "", "GET /q", None, "Http", "db", "503", "True", None, None,
             None, None, "", *role, "", dims({})],
            [t + ".001Z", "dependency", "", "preprocess", None, "InProc", "", "0", "False", None,
             None, None, None, "", *role, "", dims({"rows": "1000"})],
            [t + ".001Z", "exception", "bad value", "", 3, "ValueError", "", "", "", None, None,
             None, None, "", *role, "ValueError at train", dims({})],
            [t + "Z", "request", "", "POST /train", None, "", "", "200", "True", None, None, None,
             None, "POST /train", *role, "", dims({})],
            [t + "Z", "trace", "loss spiked", "", 2, "", "", "", "", None, None, None, None, "",
             *role, "", dims({"epoch": "3", "loss": "4.5", "ok": "true", "tags": '["a","b"]'})],
            [t + ".002Z", "trace", '{"step":"eval","n":1}', "", 1, "", "", "", "", None, None,
             None, None, "", *role, "", dims({})],
        ])
        # Metrics carry the export time; compare everything else.
        self.assertEqual([r[1:] for r in metrics], [
            ["customMetric", "", "batch_ms", None, "", "", "", "", 2, 40, 10, 30, "", *role, "",
             dims({})],
            ["customMetric", "", "loss", None, "", "", "", "", 1, 0.25, 0.25, 0.25, "", *role, "",
             dims({})],
            ["customMetric", "", "samples_processed", None, "", "", "", "", 1, 5, 5, 5, "", *role,
             "", dims({})],
        ])
        proto = [[c.replace("run-proto", "run-json") if isinstance(c, str) else c for c in r]
                 for r in by_protocol["proto"]]
        strip_time = lambda rows: [r[1:] for r in rows]  # noqa: E731
        self.assertEqual(strip_time(proto), strip_time(by_protocol["json"]))

    def test_3_span_exception_event_lands_under_its_span(self):
        for run in ("run-json", "run-proto"):
            span = self.rows(f"dependencies | where name == 'preprocess' and customDimensions.run "
                             f"== '{run}' | project id, operation_Id")
            self.assertEqual(len(span), 1)
            span_id, trace_id = span[0]
            ex = self.rows(f"exceptions | where operation_ParentId == '{span_id}' "
                           "| project type, message, method, operation_Id")
            self.assertEqual(ex, [["OSError", "disk full", "write", trace_id]])


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    if not ensure_packages():
        sys.exit(1)
    unittest.main(verbosity=2)
