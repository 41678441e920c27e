"""OTLP/HTTP against a real calypso serve: the captured client bodies (shared/fixtures/otlp)
are POSTed over real HTTP (JSON, protobuf, gzip, chunked), then the tables are queried with
KQL and the rows compared exactly.

Run: /usr/bin/python3 otlp_fixtures_test.py PATH/TO/calypso
"""
import base64
import gzip
import http.client
import json
import os
import sys
import unittest

import harness

BINARY = None
IKEY = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                        "fixtures", "otlp")
TRACE_ID = "bc2551943b02b971980aee3eb315f020"


def fixture_bodies(name):
    with open(os.path.join(FIXTURES, name)) as f:
        requests = json.load(f)["requests"]
    out = []
    for r in requests:
        if "body_json" in r:
            out.append(json.dumps(r["body_json"]).encode())
        else:
            out.append(base64.b64decode(r["body_b64"]))
    return out


def post(server, path, body, content_type, headers=None, chunked=False):
    """POST over a real socket; returns (status, content type, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    h = {"Content-Type": content_type, **(headers or {})}
    if chunked:
        # As the OTel JS exporters send: Transfer-Encoding chunked, no Content-Length.
        pieces = [body[i:i + 50] for i in range(0, len(body), 50)]
        conn.request("POST", path, body=iter(pieces), headers=h, encode_chunked=True)
    else:
        conn.request("POST", path, body=body, headers=h)
    r = conn.getresponse()
    out = (r.status, r.getheader("Content-Type"), r.read(), r.getheader("Retry-After"))
    conn.close()
    return out


class OtlpFixturesEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(BINARY, IKEY).start()
        s = cls.server
        cls.answers = []
        for body in fixture_bodies("node-otlp-http-json-logs.json"):
            cls.answers.append(post(s, "/v1/logs", body, "application/json", chunked=True))
        (traces,) = fixture_bodies("node-otlp-http-json-traces.json")
        cls.answers.append(post(s, "/v1/traces", traces, "application/json; charset=utf-8"))
        (metrics,) = fixture_bodies("node-otlp-http-json-metrics.json")
        cls.answers.append(post(s, "/v1/metrics", metrics, "application/json"))
        (proto,) = fixture_bodies("node-otlp-proto-logs.json")
        cls.answers.append(post(s, "/v1/logs", gzip.compress(proto), "application/x-protobuf",
                                {"Content-Encoding": "gzip", "X-Calypso-Workspace": "default"},
                                chunked=True))

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def rows(self, kql):
        return self.server.query(kql)["rows"]

    def test_1_every_request_is_accepted_in_its_own_encoding(self):
        for status, ctype, body, _ in self.answers[:-1]:
            self.assertEqual((status, ctype, body), (200, "application/json", b"{}"))
        status, ctype, body, _ = self.answers[-1]
        self.assertEqual((status, ctype, body), (200, "application/x-protobuf", b""))

    def test_2_traces_rows_are_exact(self):
        rows = self.rows(
            "traces | project timestamp, message, severityLevel, operation_Id, operation_ParentId, "
            "cloud_RoleName, cloud_RoleInstance, customDimensions, appName, iKey, itemType, sdkVersion "
            "| order by message asc")
        self.assertEqual(rows, [
            ["2026-11-23T18:46:49.3147699Z", "checkpoint", None, TRACE_ID, "49fc4fef3fbc3c11",
             "ml.trainer", "node-7", '{"step":"100"}', "default", IKEY, "trace", "otlp"],
            ["2026-11-23T18:46:49.312Z", "loss spiked", 2, TRACE_ID, "49fc4fef3fbc3c11",
             "ml.trainer", "node-7",
             '{"epoch":"3","loss":"4.5","model":"resnet","custom_dimensions.run":"r1"}',
             "default", IKEY, "trace", "otlp"],
            ["2026-11-23T18:46:49.35Z", "proto log", 3, "", "", "ml.trainer", "node-7",
             '{"k":"v"}', "default", IKEY, "trace", "otlp"],
            ["2026-11-23T18:46:49.315Z", '{"structured":"body","n":1}', 1, "", "", "ml.trainer",
             "node-7", None, "default", IKEY, "trace", "otlp"],
        ])

    def test_3_request_rows_are_exact(self):
        rows = self.rows(
            "requests | project timestamp, id, name, success, resultCode, duration, "
            "performanceBucket, operation_Id, operation_ParentId, operation_Name, customDimensions")
        self.assertEqual(rows, [[
            "2026-11-23T18:46:49.311Z", "49fc4fef3fbc3c11", "train_epoch", "False", "0", 3.883778,
            "<250ms", TRACE_ID, "", "train_epoch",
            '{"epoch":"3","lr":"0.01","model":"resnet","ok":"true","tags":"[\\"a\\",\\"b\\"]"}']])

    def test_4_metric_rows_are_exact(self):
        rows = self.rows(
            "customMetrics | where name != '_OTELRESOURCE_' | project timestamp, name, value, "
            "valueCount, valueSum, valueMin, valueMax, customDimensions | order by name asc")
        t = "2026-11-23T18:46:49.345Z"
        self.assertEqual(rows, [
            [t, "batch_ms", 40, 2, 40, 10, 30, '{"gpu":"0"}'],
            [t, "loss", 0.25, 1, 0.25, 0.25, 0.25, '{"split":"val"}'],
            [t, "queue_depth", -2, 1, -2, -2, -2, None],
            [t, "samples_processed", 5, 1, 5, 5, 5, '{"gpu":"0"}'],
        ])
        resource = self.rows("customMetrics | where name == '_OTELRESOURCE_' "
                             "| project value, customDimensions, cloud_RoleName")
        self.assertEqual(resource, [[1, '{"service.name":"trainer","service.namespace":"ml",'
                                        '"service.instance.id":"node-7"}', "ml.trainer"]])

    def test_5_partial_success_keeps_the_good_records(self):
        body = json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [
            {"body": {"stringValue": "partial good"}, "timeUnixNano": "1795459609312000000"},
            {"body": {"stringValue": "partial bad"}, "traceId": "not-hex"}]}]}]}).encode()
        status, ctype, answer, _ = post(self.server, "/v1/logs", body, "application/json")
        self.assertEqual((status, ctype), (200, "application/json"))
        self.assertEqual(json.loads(answer), {"partialSuccess": {
            "rejectedLogRecords": "1",
            "errorMessage": "resourceLogs[0].scopeLogs[0].logRecords[1]: traceId 'not-hex' is "
                            "not 32 hex digits"}})
        self.assertEqual(self.rows("traces | where message startswith 'partial' | project message"),
                         [["partial good"]])

    def test_6_errors_in_the_request_encoding(self):
        status, ctype, body, _ = post(self.server, "/v1/traces", b"\x0a\x05ab", "application/x-protobuf")
        self.assertEqual((status, ctype), (400, "application/x-protobuf"))
        self.assertIn(b"truncated message: length 5 of field 1 at byte 0", body)
        self.assertEqual(body[:2], b"\x08\x03")  # google.rpc.Status code 3

        status, ctype, body, _ = post(self.server, "/v1/metrics", b'{"resourceMetrics": [', "application/json")
        self.assertEqual((status, ctype), (400, "application/json"))
        self.assertEqual(json.loads(body), {"code": 3, "message": "truncated JSON body: it ends at "
                                            "byte 21 with 2 object(s) or array(s) still open"})

        status, _, body, _ = post(self.server, "/v1/logs", b"x", "text/plain")
        self.assertEqual(status, 415)
        self.assertIn("application/x-protobuf or application/json", json.loads(body)["message"])

        status, _, body, _ = post(self.server, "/v1/logs", b"{}", "application/json",
                                  {"X-Calypso-Workspace": "nope"})
        self.assertEqual(status, 400)
        self.assertIn("unknown workspace 'nope'", json.loads(body)["message"])

        status, _, _, _ = post(self.server, "/v1/logs", gzip.compress(b"{}")[:-6], "application/json",
                               {"Content-Encoding": "gzip"})
        self.assertEqual(status, 400)


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)
