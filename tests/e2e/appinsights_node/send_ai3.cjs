// Sends every kind of telemetry through npm applicationinsights 3.x (the shim over
// @azure/monitor-opentelemetry), configured as protocols.md 2.2 says for a plain-http
// endpoint. Usage: node send_ai3.cjs BASE_URL IKEY RUN_ID. Exits non-zero if flushing fails.
// trackMetric goes through an OpenTelemetry histogram that the shim exports on its own
// 60-second schedule (flush did not send it here), so the test does not wait for it.
const appInsights = require("applicationinsights");

const [base, ikey, run] = process.argv.slice(2);
const cs = `InstrumentationKey=${ikey};IngestionEndpoint=${base}/`;
const configuration = appInsights.setup(cs);
const client = appInsights.defaultClient;
// The shim copies commonProperties into its processors when it starts, so set them first.
client.commonProperties = { run, client: "ai3" };
configuration.setSendLiveMetrics(false).setAzureMonitorOptions({
  azureMonitorExporterOptions: { connectionString: cs, host: base, allowInsecureConnection: true,
                                 disableOfflineStorage: true },
  enableLiveMetrics: false,
  // The default rate-limited sampler (5 traces/s) starts with an empty budget and drops the
  // spans of a short-lived process: trackRequest/trackDependency would never be sent.
  samplingRatio: 1,
  tracesPerSecond: 0,
}).start();
const at = new Date(Date.UTC(2026, 10, 24, 9, 0, 0));
client.trackTrace({ message: "epoch 3 done", severity: "Warning", time: at,
                    properties: { step_name: "train", epoch: 3 } });
client.trackEvent({ name: "model_saved", time: at, properties: { format: "onnx" } });
client.trackException({ exception: new Error("CUDA out of memory"), time: at,
                        properties: { step_name: "train" } });
client.trackMetric({ name: "loss", value: 0.25, time: at });
client.trackRequest({ name: "POST /score", url: "http://svc/score", duration: 42, resultCode: 200,
                      success: true, time: at });
client.trackDependency({ name: "SELECT runs", data: "SELECT * FROM runs", duration: 7,
                         resultCode: 0, success: true, dependencyTypeName: "SQL", target: "db",
                         time: at });

(async () => {
  await client.flush();
  await client.shutdown();
  console.log(JSON.stringify({ ok: true }));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
