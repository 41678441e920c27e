// Sends every kind of telemetry through npm applicationinsights 2.x (classic: gzip'd NDJSON,
// protocols.md 2.4). Usage: node send_ai2.cjs BASE_URL IKEY RUN_ID.
const appInsights = require("applicationinsights2");

const [base, ikey, run] = process.argv.slice(2);
appInsights.setup(`InstrumentationKey=${ikey};IngestionEndpoint=${base}/`)
  .setAutoCollectConsole(false).setAutoCollectExceptions(false).setAutoCollectPerformance(false, false)
  .setAutoCollectRequests(false).setAutoCollectDependencies(false).setAutoCollectHeartbeat(false)
  .setSendLiveMetrics(false).setUseDiskRetryCaching(false).setInternalLogging(false, false);
appInsights.defaultClient.config.disableStatsbeat = true;
appInsights.start();

const client = appInsights.defaultClient;
client.commonProperties = { run, client: "ai2" };
const at = new Date(Date.UTC(2026, 10, 24, 9, 0, 0));
client.trackTrace({ message: "epoch 3 done", severity: 2, time: at,
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

client.flush({
  callback: (response) => {
    console.log(JSON.stringify({ ok: true, response: String(response).slice(0, 300) }));
    appInsights.dispose();
    process.exit(0);
  },
});
