"""End to end over HTTPS: `calypso certs`, `calypso serve --tls-cert --tls-key`, Debian's
python3-applicationinsights sending to https:// (trusting the generated certificate through
SSL_CERT_FILE), a resent /v2/track batch stored once, the Logs Ingestion API and diagnostic
logs, all queried back over TLS.

Run: /usr/bin/python3 tls_logs_ingestion_test.py PATH/TO/calypso
"""
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import harness

BINARY = None
IKEY = "5f3c2a9e-1b7d-4c8a-9e6f-0a1b2c3d4e5f"


class TlsServer(harness.Server):
    def __init__(self, binary, ikey, cert, key):
        super().__init__(binary, ikey)
        self.cert, self.key = cert, key
        self.context = ssl.create_default_context(cafile=cert)

    @property
    def base(self):
        return f"https://127.0.0.1:{self.port}"

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--data", self.data_dir, "--listen",
                 f"127.0.0.1:{self.port}", "--ikey", self.ikey, "--tls-cert", self.cert,
                 "--tls-key", self.key], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log()}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not become healthy: " + self.log())

    def request(self, method, path, body=None, headers=None):
        data = body if isinstance(body, (bytes, type(None))) else body.encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers=headers or {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60, context=self.context) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


def envelope(base_type, base_data):
    return {"name": "x", "time": "2024-05-01T10:00:00.000Z", "iKey": IKEY,
            "tags": {"ai.operation.id": "op-1"},
            "data": {"baseType": base_type, "baseData": dict(ver=2, **base_data)}}


class TlsEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="calypso-certs-")
        out = subprocess.run([BINARY, "certs", "--out", cls.certs], capture_output=True,
                             text=True, check=True)
        assert "cert.pem" in out.stdout, out.stdout
        cert, key = os.path.join(cls.certs, "cert.pem"), os.path.join(cls.certs, "key.pem")
        assert oct(os.stat(key).st_mode & 0o777) == "0o600"
        # The Debian SDK uses urllib's default context, which reads SSL_CERT_FILE.
        os.environ["SSL_CERT_FILE"] = cert
        cls.server = TlsServer(BINARY, IKEY, cert, key).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_certs_refuses_to_overwrite(self):
        out = subprocess.run([BINARY, "certs", "--out", self.certs], capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("--force", out.stderr)

    def test_plain_http_on_the_tls_port_fails_cleanly(self):
        req = urllib.request.Request(f"http://127.0.0.1:{self.server.port}/v2/track", data=b"[]",
                                     method="POST")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(req, timeout=30)
        self.assertEqual(caught.exception.code, 400)
        self.assertIn("https://", caught.exception.read().decode())

    def test_debian_sdk_over_https(self):
        from applicationinsights import TelemetryClient, channel
        sender = channel.SynchronousSender(self.server.base + "/v2/track")
        client = TelemetryClient(IKEY, channel.TelemetryChannel(None, channel.SynchronousQueue(sender)))
        client.track_trace("over tls", {"probe": "tls-sdk"})
        client.flush()
        self.assertEqual(self.server.scalar(
            "traces | where customDimensions.probe == 'tls-sdk' | count"), 1)

    def test_resent_track_batch_is_stored_once(self):
        batch = json.dumps([
            envelope("RequestData", {"id": "req-dedup-1", "name": "GET /a", "duration": "00:00:00.010",
                                     "responseCode": "200", "success": True}),
            envelope("RemoteDependencyData", {"id": "dep-dedup-1", "name": "SELECT",
                                              "duration": "00:00:00.005", "success": True}),
            envelope("MessageData", {"message": "dedup-probe"})])
        for _ in range(3):  # the first answer was "lost"; the client sends again, twice
            status, text = self.server.request("POST", "/v2/track", batch)
            self.assertEqual(status, 200, text)
            self.assertEqual(json.loads(text)["itemsAccepted"], 3)
        self.assertEqual(self.server.scalar("requests | where id == 'req-dedup-1' | count"), 1)
        self.assertEqual(self.server.scalar("dependencies | where id == 'dep-dedup-1' | count"), 1)
        # Messages carry no id: each copy is stored.
        self.assertEqual(self.server.scalar("traces | where message == 'dedup-probe' | count"), 3)

    def test_logs_ingestion_custom_table(self):
        path = "/dataCollectionRules/dcr-00000000000000000000000000000000/streams/Custom-StepRuns_CL?api-version=2023-01-01"
        rows = [{"TimeGenerated": "2024-05-01T10:00:00Z", "Step": "train", "Seconds": 12.5,
                 "Ok": True, "Params": {"lr": 0.1}},
                {"TimeGenerated": "2024-05-01T10:05:00Z", "Step": "eval", "Seconds": 3, "Ok": False}]
        status, text = self.server.request("POST", path, json.dumps(rows))
        self.assertEqual(status, 204, text)
        status, text = self.server.request("POST", path, json.dumps(
            [{"Step": "score", "Seconds": "slow"}, {"Step": "deploy", "Seconds": 1.5}]))
        self.assertEqual(status, 400, text)
        error = json.loads(text)["error"]
        self.assertEqual(error["details"], [{"index": 0, "field": "Seconds",
                                             "message": "expected real, got string 'slow'"}])
        table = self.server.query(
            "StepRuns_CL | order by Step asc | project Step, Seconds, Ok, lr = todouble(Params.lr)")
        self.assertEqual(table["rows"], [["deploy", 1.5, None, None], ["eval", 3.0, False, None],
                                         ["train", 12.5, True, 0.1]])

    def test_aml_tables_and_diagnostic_logs(self):
        path = "/dataCollectionRules/dcr-1/streams/Custom-AmlComputeJobEvent"
        status, text = self.server.request("POST", path, json.dumps(
            [{"TimeGenerated": "2024-05-01T10:00:00Z", "JobId": "job-direct", "EventType": "JobSubmitted"}]))
        self.assertEqual(status, 204, text)
        records = {"records": [
            {"time": "2024-05-01T10:01:00Z", "category": "AmlComputeJobEvent",
             "resourceId": "/SUBSCRIPTIONS/sub-9/RESOURCEGROUPS/rg/PROVIDERS/MICROSOFT.MACHINELEARNINGSERVICES/WORKSPACES/ws",
             "operationName": "JobFailed", "properties": {"JobId": "job-diag", "EventType": "JobFailed",
                                                          "JobErrorMessage": "OOM"}}]}
        status, text = self.server.request("POST", "/api/diagnostics", json.dumps(records))
        self.assertEqual(status, 204, text)
        table = self.server.query(
            "AmlComputeJobEvent | order by TimeGenerated asc | project JobId, EventType, _SubscriptionId, Type")
        self.assertEqual(table["rows"], [["job-direct", "JobSubmitted", "", "AmlComputeJobEvent"],
                                         ["job-diag", "JobFailed", "sub-9", "AmlComputeJobEvent"]])


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
