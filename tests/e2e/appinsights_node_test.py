"""End to end with the real npm Application Insights clients against a real calypso serve:
applicationinsights 3.x (the shim over @azure/monitor-opentelemetry), applicationinsights 2.x
(classic, gzip'd NDJSON) and @azure/monitor-opentelemetry-exporter with the OpenTelemetry JS
SDK. Each sends every telemetry type tagged with its own run id; the test queries what
arrived, table by table.

The clients are configured as protocols.md 2.2-2.4 says, with every outbound switch of
section 2.7 set, and their proxies point at a recording proxy on loopback: the test fails if
any client tried to reach another host (statsbeat, OneSettings, a default endpoint).

The npm packages are pinned by appinsights_node/package-lock.json and installed by
scripts/install-deps (npm ci); when missing the test installs them itself, and fails when it
cannot (a skipped test would hide a machine that cannot run it).

Run: /usr/bin/python3 appinsights_node_test.py PATH/TO/calypso
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import unittest

import harness

BINARY = None
IKEY = "5b2d8f0e-1c3a-4e7b-9d6f-0a1b2c3d4e5f"
NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "appinsights_node")


def ensure_packages():
    marker = os.path.join(NODE_DIR, "node_modules", "@azure", "monitor-opentelemetry-exporter",
                          "package.json")
    if os.path.exists(marker):
        return True
    if not shutil.which("node") or not shutil.which("npm"):
        print("FAIL: node and npm are needed (scripts/install-deps installs them)")
        return False
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, env=env,
                       capture_output=True, text=True, timeout=900)
    if r.returncode != 0 or not os.path.exists(marker):
        print("FAIL: `npm ci` in tests/e2e/appinsights_node failed:\n" + r.stderr[-2000:])
        return False
    return True


class RecordingProxy:
    """A loopback HTTP proxy that refuses everything and remembers what was asked of it."""

    def __init__(self):
        self.requests = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    line = conn.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
                except OSError:
                    line = "<no request line>"
                self.requests.append(line)
                try:
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass


def node_env(proxy):
    env = dict(os.environ)
    # Only https goes to the recording proxy: the classic 2.x client sends even its loopback
    # track requests through HTTP_PROXY (it ignores NO_PROXY), and every outside endpoint
    # these clients know (statsbeat, OneSettings, the default ingestion host) is https.
    for name in ("HTTPS_PROXY", "https_proxy"):
        env[name] = proxy.url
    for name in ("HTTP_PROXY", "http_proxy"):
        env.pop(name, None)
    env.update({
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        "APPLICATION_INSIGHTS_NO_STATSBEAT": "true",
        "APPLICATIONINSIGHTS_STATSBEAT_DISABLED": "true",
        "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
        "APPLICATIONINSIGHTS_SDKSTATS_DISABLED": "true",
        "APPLICATIONINSIGHTS_OPENTELEMETRY_RESOURCE_METRIC_DISABLED": "true",
    })
    return env


def run_client(script, server, run, proxy):
    r = subprocess.run(["node", script, server.base, IKEY, run], cwd=NODE_DIR, env=node_env(proxy),
                       capture_output=True, text=True, timeout=180)
    if r.returncode != 0:
        raise AssertionError(f"{script} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


class AppInsightsNodeEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = RecordingProxy()
        cls.server = harness.Server(BINARY, IKEY).start()
        cls.outputs = {}
        for script, run in (("send_ai3.cjs", "ai3"), ("send_ai2.cjs", "ai2"),
                            ("send_exporter.mjs", "exporter")):
            cls.outputs[run] = run_client(script, cls.server, run, cls.proxy)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def rows(self, kql, expected_count):
        """Rows of `kql`, polled briefly: a client may still be delivering its last batch."""
        deadline = time.time() + 30
        while True:
            rows = self.server.query(kql)["rows"]
            if len(rows) >= expected_count or time.time() > deadline:
                return rows
            time.sleep(0.2)

    def test_0_nothing_left_loopback(self):
        self.assertEqual(self.proxy.requests, [])

    def check_classic(self, run):
        where = f"| where customDimensions.run == '{run}'"
        traces = self.rows(
            f"traces {where} | project message, severityLevel, tostring(customDimensions.step_name),"
            " tostring(customDimensions.epoch), timestamp", 1)
        self.assertEqual([r[:4] for r in traces], [["epoch 3 done", 2, "train", "3"]])
        if run == "ai2":  # 3.x stamps log records with the time of the call, not `time`
            self.assertEqual(traces[0][4], "2026-11-24T09:00:00Z")
        self.assertEqual(self.rows(
            f"customEvents {where} | project name, tostring(customDimensions.format)", 1),
            [["model_saved", "onnx"]])
        self.assertEqual(self.rows(
            f"exceptions {where} | project type, outerMessage, tostring(customDimensions.step_name)",
            1), [["Error", "CUDA out of memory", "train"]])
        if run == "ai2":  # 3.x exports trackMetric only on its 60 s metric schedule
            metrics = self.rows(f"customMetrics {where} | where name == 'loss' | project value", 1)
            self.assertEqual(metrics, [[0.25]])
        self.assertEqual(self.rows(
            f"requests {where} | project name, url, success, duration", 1),
            # 3.x maps trackRequest to a span and does not send its url.
            [["POST /score", "" if run == "ai3" else "http://svc/score", "True", 42.0]])
        self.assertEqual(self.rows(
            f"dependencies {where} | project name, data, type, target, success, duration", 1),
            [["SELECT runs", "SELECT * FROM runs", "SQL", "db", "True", 7.0]])

    def test_1_applicationinsights_3(self):
        self.check_classic("ai3")

    def test_2_applicationinsights_2(self):
        self.check_classic("ai2")
        # 2.x names its SDK in every envelope; the rows keep it.
        versions = self.rows("traces | where customDimensions.run == 'ai2' "
                             "| project sdkVersion", 1)
        self.assertEqual(versions, [["ulm_node:2.9.8"]])

    def test_3_monitor_opentelemetry_exporter(self):
        results = self.outputs["exporter"]["results"]
        for signal in ("logs", "traces", "metrics"):
            self.assertTrue(results[signal], signal)
            self.assertEqual(set(results[signal]), {0}, f"{signal}: {results[signal]}")
        where = "| where customDimensions.run == 'exporter'"
        self.assertEqual(self.rows(
            f"traces {where} | project message, severityLevel, tostring(customDimensions.rows),"
            " cloud_RoleName, cloud_RoleInstance, application_Version", 1),
            [["scoring failed", 3, "12", "scorer", "node-3", "2.0.1"]])
        self.assertEqual(self.rows(f"exceptions {where} | project type, outerMessage", 1),
                         [["KeyError", "'label'"]])
        request = self.rows(f"requests {where} | project name, resultCode, success, duration, id,"
                            " operation_Id", 1)
        self.assertEqual([r[:4] for r in request], [["POST /score", "200", "True", 5.0]])
        self.assertEqual(self.rows(
            f"dependencies {where} | project name, type, operation_Id, operation_ParentId", 1),
            [["load model", "InProc", request[0][5], request[0][4]]])
        self.assertEqual(self.rows(
            "customMetrics | where name == 'rows_scored' | project value, cloud_RoleName", 1),
            [[12.0, "scorer"]])


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    if not ensure_packages():
        sys.exit(1)
    unittest.main(verbosity=2)
