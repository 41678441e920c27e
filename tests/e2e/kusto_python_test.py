"""End to end with Debian's python3-azure-kusto-data (4.1.1) against a real calypso serve.

Telemetry goes in through /v2/track; then KustoClient("http://127.0.0.1:PORT") runs
queries (/v2/rest/query), management commands (/v1/rest/mgmt) and error cases, and the
rows come back typed as the client types them. A second server with two workspaces checks
workspace() / app() references, /v2/rest/mgmt, and functions created with .create function
that are still there after a restart.

Run: /usr/bin/python3 kusto_python_test.py PATH/TO/calypso
"""
import datetime
import decimal
import http.client
import json
import os
import sys
import time
import unittest

# protocols.md 2.7: no telemetry side traffic, and every proxy at a closed loopback port
# (harness sets HTTP(S)_PROXY and NO_PROXY the same way when imported).
os.environ.update({
    "APPLICATION_INSIGHTS_NO_STATSBEAT": "true",
    "APPLICATIONINSIGHTS_STATSBEAT_DISABLED": "true",
    "APPLICATIONINSIGHTS_SDKSTATS_DISABLED": "true",
    "ALL_PROXY": "http://127.0.0.1:9", "all_proxy": "http://127.0.0.1:9",
})

import harness  # noqa: E402

from azure.kusto.data import ClientRequestProperties, KustoClient, KustoConnectionStringBuilder  # noqa: E402
from azure.kusto.data.exceptions import (KustoApiError, KustoMultiApiError, KustoServiceError,  # noqa: E402
                                         KustoUnsupportedApiError)
from azure.kusto.data.response import KustoResponseDataSetV1  # noqa: E402

BINARY = None
IKEY = "3c2b1a09-8f7e-4d6c-9b5a-4a3b2c1d0e0f"
RUN = "kusto-e2e"
UTC = datetime.timezone.utc
# Three traces an hour ago, whole seconds apart, with 7 fraction digits on the wire.
BASE = datetime.datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=1)
STEPS = [("prep", 1, 0.25), ("train", 2, 0.5), ("eval", 3, 0.75)]  # step, severity, loss


def wire_time(i):
    return (BASE + datetime.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S") + ".1234567Z"


def py_time(i):
    # The client keeps microseconds: the 7th digit is cut, not rounded.
    return BASE + datetime.timedelta(seconds=i, microseconds=123456)


def ingest(server):
    envelopes = []
    for i, (step, severity, loss) in enumerate(STEPS):
        envelopes.append({
            "name": "Microsoft.ApplicationInsights.Message", "time": wire_time(i), "iKey": IKEY,
            "data": {"baseType": "MessageData", "baseData": {
                "ver": 2, "message": f"{step} done", "severityLevel": severity,
                "properties": {"run": RUN, "step": step, "loss": str(loss)}}}})
    status, text = server.request("POST", "/v2/track", json.dumps(envelopes),
                                  {"Content-Type": "application/json"})
    assert status == 200, (status, text)


def options(**opts):
    p = ClientRequestProperties()
    for k, v in opts.items():
        p.set_option(k, v)
    return p


class KustoPythonEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(BINARY, IKEY).start()
        ingest(cls.server)
        cls.client = KustoClient(cls.server.base)  # no auth header at all

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.server.cleanup()

    def primary(self, query, properties=None, db="default"):
        return self.client.execute_query(db, query, properties).primary_results[0]

    def test_1_query_rows_come_back_typed(self):
        t = self.primary(f"traces | where customDimensions.run == '{RUN}' | order by timestamp asc "
                         "| project timestamp, message, severityLevel, customDimensions, itemCount, "
                         "since = timestamp - ago(1d) > 0s")
        self.assertEqual([(c.column_name, c.column_type) for c in t.columns],
                         [("timestamp", "datetime"), ("message", "string"), ("severityLevel", "int"),
                          ("customDimensions", "dynamic"), ("itemCount", "int"), ("since", "bool")])
        expected = [[py_time(i), f"{step} done", severity,
                     {"run": RUN, "step": step, "loss": str(loss)}, 1, True]
                    for i, (step, severity, loss) in enumerate(STEPS)]
        self.assertEqual([row.to_list() for row in t], expected)
        self.assertEqual(t[0]["timestamp"].utcoffset(), datetime.timedelta(0))

    def test_2_every_type_and_null(self):
        t = self.primary(
            "print b=true, i=int(7), l=long(-8), r=1.5, d=todecimal(2.25), s='x\"y', "
            "t=datetime(2024-05-01 12:34:56.1234567), span=time(1.02:03:04.5), "
            "g=toguid('0f8fad5b-d9cb-469f-a165-70867728950e'), dyn=dynamic({\"a\":[1,\"b\",null]}), "
            "arr=dynamic([1,2]), ni=int(null), nt=datetime(null), nd=dynamic(null)")
        self.assertEqual([c.column_type for c in t.columns],
                         ["bool", "int", "long", "real", "decimal", "string", "datetime", "timespan",
                          "guid", "dynamic", "dynamic", "int", "datetime", "dynamic"])
        self.assertEqual(t[0].to_list(), [
            True, 7, -8, 1.5, decimal.Decimal("2.25"), 'x"y',
            datetime.datetime(2024, 5, 1, 12, 34, 56, 123456, tzinfo=UTC),
            datetime.timedelta(days=1, hours=2, minutes=3, seconds=4.5),
            "0f8fad5b-d9cb-469f-a165-70867728950e", {"a": [1, "b", None]}, [1, 2], None, None, None])

    def test_3_summaries_render_and_streaming(self):
        r = self.client.execute_query(
            "default", f"traces | where customDimensions.run == '{RUN}' "
                       "| summarize n = count(), loss = avg(todouble(customDimensions.loss)) by bin(timestamp, 1h) "
                       "| render timechart")
        t = r.primary_results[0]
        self.assertEqual([row.to_list() for row in t], [[BASE, 3, 0.5]])
        self.assertEqual(r.errors_count, 0)
        props = r["@ExtendedProperties"]
        self.assertEqual(props[0]["Value"], {"Visualization": "timechart"})
        self.assertEqual(r.tables[-1].table_kind.value, "QueryCompletionInformation")

        stream = self.client.execute_streaming_query("default", "range x from 1 to 3 step 1")
        rows = [row.to_list() for table in stream.iter_primary_results() for row in table]
        self.assertEqual(rows, [[1], [2], [3]])

    def test_4_management_commands(self):
        tables = self.client.execute_mgmt("default", ".show tables").primary_results[0]
        self.assertEqual([c.column_name for c in tables.columns],
                         ["TableName", "DatabaseName", "Folder", "DocString"])
        names = [row["TableName"] for row in tables]
        self.assertIn("traces", names)
        self.assertIn("AmlComputeJobEvent", names)
        self.assertEqual({row["DatabaseName"] for row in tables}, {"default"})

        schema = self.client.execute_mgmt("default", ".show table traces schema as json").primary_results[0]
        doc = json.loads(schema[0]["Schema"])
        self.assertEqual(doc["Name"], "traces")
        columns = {c["Name"]: c["CslType"] for c in doc["OrderedColumns"]}
        self.assertEqual((columns["timestamp"], columns["customDimensions"], columns["severityLevel"]),
                         ("datetime", "dynamic", "int"))

        dbs = self.client.execute_mgmt("default", ".show databases").primary_results[0]
        self.assertEqual([(row["DatabaseName"], row["IsCurrent"], row["DatabaseAccessMode"]) for row in dbs],
                         [("default", True, "ReadWrite")])
        version = self.client.execute_mgmt("default", ".show version").primary_results[0]
        self.assertTrue(version[0]["ProductVersion"].startswith("Calypso "))

        with self.assertRaises(KustoApiError) as e:
            self.client.execute_mgmt("default", ".drop table traces")
        self.assertIn("does not support the management command '.drop table traces'", str(e.exception))
        self.assertEqual(e.exception.get_raw_http_response().status_code, 400)
        with self.assertRaises(KustoServiceError) as e:
            self.client.execute_mgmt("default", ".show table nosuch schema as json")
        self.assertEqual(e.exception.get_raw_http_response().status_code, 404)
        self.assertIn("Entity name 'nosuch' of kind 'Table'", e.exception.get_raw_http_response().text)

    def test_5_errors_carry_the_position(self):
        with self.assertRaises(KustoApiError) as e:
            self.client.execute_query("default", "traces\n| where severityLevel == ")
        self.assertEqual(e.exception.get_raw_http_response().status_code, 400)
        self.assertIn("Syntax error:", str(e.exception))
        self.assertIn("[line:position=2:", str(e.exception))
        error = e.exception.get_api_error()
        self.assertEqual((error.code, error.type, error.permanent),
                         ("General_BadRequest", "Kusto.Data.Exceptions.SyntaxException", True))

        with self.assertRaises(KustoApiError) as e:
            self.client.execute_query("default", "tracez | take 1")
        self.assertIn("Semantic error:", str(e.exception))
        self.assertIn("tracez", str(e.exception))

        with self.assertRaises(KustoServiceError) as e:
            self.client.execute_query("nosuchdb", "traces | take 1")
        self.assertEqual(e.exception.get_raw_http_response().status_code, 404)

    def test_6_truncation_is_reported(self):
        query = f"traces | where customDimensions.run == '{RUN}' | order by timestamp asc | project message"
        with self.assertRaises(KustoMultiApiError) as e:
            self.client.execute_query("default", query, options(truncationmaxrecords=2))
        self.assertIn("E_QUERY_RESULT_SET_TOO_LARGE", str(e.exception))
        self.assertEqual(e.exception.get_api_errors()[0].code, "LimitsExceeded")

        r = self.client.execute_query("default", query,
                                      options(truncationmaxrecords=2, deferpartialqueryfailures=True))
        self.assertEqual([row["message"] for row in r.primary_results[0]], ["prep done", "train done"])
        self.assertEqual(r.errors_count, 1)
        self.assertIn("E_QUERY_RESULT_SET_TOO_LARGE", r.get_exceptions()[0])

    def test_7_server_timeout(self):
        heavy = "range x from 1 to 10000000 step 1 | summarize dcount(strcat('k', tostring(x)))"
        with self.assertRaises(KustoApiError) as e:
            self.client.execute_query("default", heavy,
                                      options(servertimeout=datetime.timedelta(milliseconds=1)))
        self.assertEqual(e.exception.get_raw_http_response().status_code, 504)
        self.assertIn("time limit", str(e.exception))

    def test_8_dummy_bearer_and_v1_query(self):
        kcsb = KustoConnectionStringBuilder.with_aad_application_token_authentication(self.server.base, "dummy")
        with KustoClient(kcsb) as client:
            t = client.execute_query("default", "print n = 42").primary_results[0]
            self.assertEqual(t[0]["n"], 42)
        # The v1 query endpoint, parsed by the client's own v1 reader.
        status, text = self.server.request(
            "POST", "/v1/rest/query", json.dumps({"db": "default", "csl": "print n = 1, s = 'a'"}),
            {"Content-Type": "application/json"})
        self.assertEqual(status, 200, text)
        v1 = KustoResponseDataSetV1(json.loads(text))
        self.assertEqual(v1.primary_results[0][0].to_list(), [1, "a"])
        self.assertEqual(v1.errors_count, 0)

    def test_9_client_disconnect_cancels_the_query(self):
        heavy = ("range x from 1 to 10000000 step 1 | extend k = strcat('key-', tostring(x % 7919)) "
                 "| summarize dcount(strcat(k, tostring(x))) by k | count")
        body = json.dumps({"db": "default", "csl": heavy,
                           "properties": {"Options": {"servertimeout": "00:10:00"}}})
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        conn.request("POST", "/v2/rest/query", body, {"Content-Type": "application/json",
                                                      "x-ms-client-request-id": "KPC.execute;gone"})
        time.sleep(0.5)
        conn.close()  # gives up while the query runs
        deadline = time.time() + 30
        while time.time() < deadline and "KPC.execute;gone cancelled" not in self.server.log():
            time.sleep(0.1)
        self.assertIn("Kusto query KPC.execute;gone cancelled: the client", self.server.log())
        # The server is still fine.
        self.assertEqual(self.primary("print n = 1")[0]["n"], 1)

    def test_10_progressive_frames(self):
        # The client can ask for progressive frames (any option goes into the request's
        # properties), but 4.1.1 reads none: its streaming reader refuses IsProgressive ...
        progressive = options(results_progressive_enabled=True)
        stream = self.client.execute_streaming_query("default", "range x from 1 to 3 step 1",
                                                     properties=progressive)
        with self.assertRaises(KustoUnsupportedApiError):
            list(stream.iter_primary_results())
        # ... and execute_query keeps only DataTable frames, so no primary result is left.
        r = self.client.execute_query("default", "range x from 1 to 3 step 1", progressive)
        self.assertEqual(r.primary_results, [])
        self.assertEqual([t.table_kind.value for t in r.tables],
                         ["QueryProperties", "QueryCompletionInformation"])
        # The frames themselves, for the body the client sends.
        status, text = self.server.request(
            "POST", "/v2/rest/query",
            json.dumps({"db": "default", "csl": "range x from 1 to 3 step 1",
                        "properties": progressive.to_json()}),
            {"Content-Type": "application/json"})
        self.assertEqual(status, 200, text)
        frames = json.loads(text)
        self.assertEqual([f["FrameType"] for f in frames],
                         ["DataSetHeader", "DataTable", "TableHeader", "TableFragment",
                          "TableCompletion", "DataTable", "DataSetCompletion"])
        self.assertTrue(frames[0]["IsProgressive"])
        self.assertEqual((frames[2]["TableKind"], frames[2]["Columns"]),
                         ("PrimaryResult", [{"ColumnName": "x", "ColumnType": "long"}]))
        self.assertEqual((frames[3]["TableFragmentType"], frames[3]["Rows"]),
                         ("DataAppend", [[1], [2], [3]]))
        self.assertEqual(frames[4]["RowCount"], 3)


ML_ID = "5a1e0c3b-7d2f-4e8a-9b6c-1d2e3f4a5b6c"
ML_IKEY = "6b2f1d4c-8e3a-4f9b-8c7d-2e3f4a5b6c7d"


class CrossWorkspaceAndFunctions(unittest.TestCase):
    """Two workspaces: workspace() references, /v2/rest/mgmt, and stored functions created
    with .create function that survive a restart."""

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.data_dir = tempfile.mkdtemp(prefix="calypso-e2e-ws-")
        with open(os.path.join(cls.data_dir, "workspaces.json"), "w") as f:
            json.dump({"workspaces": [
                {"name": "default", "id": "0f0e0d0c-0b0a-4909-8807-060504030201", "ikey": IKEY},
                {"name": "ml", "id": ML_ID, "ikey": ML_IKEY}]}, f)
        cls.server = harness.Server(BINARY, IKEY, cls.data_dir).start()
        for ikey, messages in ((IKEY, ["d1"]), (ML_IKEY, ["m1", "m2 failed", "m3 failed"])):
            items = [{"name": "Microsoft.ApplicationInsights.Message", "time": wire_time(i),
                      "iKey": ikey, "data": {"baseType": "MessageData", "baseData": {
                          "ver": 2, "message": m, "severityLevel": 3 if "failed" in m else 1}}}
                     for i, m in enumerate(messages)]
            status, text = cls.server.request("POST", "/v2/track", json.dumps(items),
                                              {"Content-Type": "application/json"})
            assert status == 200, (status, text)
        cls.client = KustoClient(cls.server.base)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.server.cleanup()
        import shutil
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def restart(self):
        self.client.close()
        self.assertEqual(self.server.stop(), 0)
        type(self).server = harness.Server(BINARY, IKEY, self.data_dir).start()
        type(self).client = KustoClient(self.server.base)

    def test_1_each_workspace_and_references(self):
        rows = self.client.execute_query("ml", "traces | count").primary_results[0]
        self.assertEqual(rows[0]["Count"], 3)
        t = self.client.execute_query(
            "default", "union withsource=T traces, workspace('ml').traces "
            "| summarize n = count() by T, appName | order by T asc").primary_results[0]
        self.assertEqual([r.to_list() for r in t],
                         [["traces", "default", 1], ['workspace("ml").traces', "ml", 3]])
        # The Log Analytics query API, by the workspace's resource id.
        table = self.server.query(
            "app('/subscriptions/s/resourceGroups/g/providers/microsoft.insights/components/ml')"
            ".traces | where severityLevel == 3 | project message, appId | order by message asc")
        self.assertEqual(table["rows"], [["m2 failed", ML_ID], ["m3 failed", ML_ID]])
        status, answer = self.server.query_raw("workspace('nope').traces")
        self.assertEqual(status, 400)
        self.assertEqual(answer["error"]["innererror"]["code"], "SemanticError")
        self.assertIn("unknown workspace 'nope'", answer["error"]["message"])
        self.assertEqual((answer["error"]["innererror"]["line"],
                          answer["error"]["innererror"]["column"]), (1, 1))

    def test_4_database_references_and_the_workspaces_field(self):
        # A database is a workspace; the cluster is this server, whatever its name.
        t = self.client.execute_query(
            "default", "union withsource=T traces, cluster('https://x.kusto.windows.net')"
                       ".database('ml').traces | summarize n = count() by T | order by n asc"
        ).primary_results[0]
        self.assertEqual([r.to_list() for r in t],
                         [["traces", 1], ['cluster("https://x.kusto.windows.net").database("ml").traces', 3]])
        self.assertEqual(self.client.execute_query("default", "database('ml').traces | count")
                         .primary_results[0][0]["Count"], 3)
        with self.assertRaises(KustoServiceError) as e:
            self.client.execute_query("default", "database('nope').traces")
        self.assertIn("unknown database 'nope'", str(e.exception))
        # The Log Analytics query API's "workspaces": the listed workspaces' rows too.
        body = {"query": "traces | summarize n = count() by appName | order by appName asc",
                "workspaces": [ML_ID]}
        status, text = self.server.request("POST", "/v1/workspaces/default/query", json.dumps(body),
                                           {"Content-Type": "application/json"})
        self.assertEqual(status, 200, text)
        self.assertEqual(json.loads(text)["tables"][0]["rows"], [["default", 1], ["ml", 3]])
        body["workspaces"] = ["ml", "nope"]
        status, text = self.server.request("POST", "/v1/workspaces/default/query", json.dumps(body),
                                           {"Content-Type": "application/json"})
        self.assertEqual(status, 404, text)
        self.assertIn("workspace 'nope'", json.loads(text)["error"]["message"])

    def test_2_mgmt_v2_frames(self):
        # The client sends commands to /v1/rest/mgmt only; its own v2 reader parses ours.
        from azure.kusto.data.response import KustoResponseDataSetV2
        status, text = self.server.request(
            "POST", "/v2/rest/mgmt", json.dumps({"db": "ml", "csl": ".show databases"}),
            {"Content-Type": "application/json"})
        self.assertEqual(status, 200, text)
        dbs = KustoResponseDataSetV2(json.loads(text)).primary_results[0]
        self.assertEqual(sorted(r["DatabaseName"] for r in dbs), ["default", "ml"])
        self.assertEqual([r["IsCurrent"] for r in dbs if r["DatabaseName"] == "ml"], [True])

    def test_3_functions_created_through_mgmt_survive_a_restart(self):
        created = self.client.execute_mgmt(
            "ml", '.create function with (folder = "ops", docstring = "failed steps") '
                  'Failures(n:long = 10) { traces | where severityLevel == 3 | take n }'
        ).primary_results[0]
        self.assertEqual(created[0]["Name"], "Failures")
        self.assertEqual(created[0]["DocString"], "failed steps")
        self.assertEqual(self.client.execute_query("ml", "Failures() | count")
                         .primary_results[0][0]["Count"], 2)
        with self.assertRaises(KustoServiceError):
            self.client.execute_query("default", "Failures()")  # per workspace

        self.restart()
        self.assertEqual(self.client.execute_query("ml", "Failures(1) | count")
                         .primary_results[0][0]["Count"], 1)
        names = [r["Name"] for r in self.client.execute_mgmt("ml", ".show functions").primary_results[0]]
        self.assertIn("Failures", names)
        self.assertIn("RunLogs", names)
        dropped = self.client.execute_mgmt("ml", ".drop function Failures").primary_results[0]
        self.assertEqual(dropped[0]["Name"], "Failures")
        self.restart()
        names = [r["Name"] for r in self.client.execute_mgmt("ml", ".show functions").primary_results[0]]
        self.assertNotIn("Failures", names)


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)
