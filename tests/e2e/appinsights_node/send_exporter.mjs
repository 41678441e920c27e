// Sends logs, spans and metrics through @azure/monitor-opentelemetry-exporter with the
// OpenTelemetry JS SDK (protocols.md 2.3). Usage: node send_exporter.mjs BASE_URL IKEY RUN_ID.
// Prints {"results": {"logs": [codes], "traces": [...], "metrics": [...]}}; 0 is SUCCESS.
import { SeverityNumber } from "@opentelemetry/api-logs";
import { ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import {
  AzureMonitorLogExporter, AzureMonitorMetricExporter, AzureMonitorTraceExporter,
} from "@azure/monitor-opentelemetry-exporter";

const [base, ikey, run] = process.argv.slice(2);
const options = {
  connectionString: `InstrumentationKey=${ikey};IngestionEndpoint=${base}/`,
  host: base, allowInsecureConnection: true, disableOfflineStorage: true,
};
const results = { logs: [], traces: [], metrics: [] };

function recording(exporter, list) {
  const original = exporter.export.bind(exporter);
  exporter.export = (items, done) =>
    original(items, (result) => {
      list.push(result.code);
      if (result.error) console.error(result.error.message);
      done(result);
    });
  return exporter;
}

const resource = resourceFromAttributes({ "service.name": "scorer", "service.instance.id": "node-3",
                                          "service.version": "2.0.1" });
const at = Date.UTC(2026, 10, 24, 9, 0, 0);

const loggers = new LoggerProvider({ resource, processors: [
  new SimpleLogRecordProcessor({ exporter: recording(new AzureMonitorLogExporter(options), results.logs) })] });
const logger = loggers.getLogger("e2e");
logger.emit({ timestamp: at, severityNumber: SeverityNumber.ERROR, body: "scoring failed",
              attributes: { run, step_name: "score", rows: 12 } });
logger.emit({ timestamp: at + 1, severityNumber: SeverityNumber.ERROR, body: "boom",
              attributes: { run, "exception.type": "KeyError", "exception.message": "'label'",
                            "exception.stacktrace": "KeyError: 'label'\n    at score (s.js:3:1)" } });
await loggers.forceFlush();

const tracers = new BasicTracerProvider({ resource, spanProcessors: [
  new SimpleSpanProcessor(recording(new AzureMonitorTraceExporter(options), results.traces))] });
const tracer = tracers.getTracer("e2e");
const request = tracer.startSpan("POST /score", { kind: SpanKind.SERVER, startTime: at,
  attributes: { run, "http.request.method": "POST", "http.route": "/score",
                "http.response.status_code": 200 } });
const child = tracer.startSpan("load model", { kind: SpanKind.INTERNAL, startTime: at + 1,
                                               attributes: { run } },
                               trace.setSpan(ROOT_CONTEXT, request));
child.end(at + 3);
request.end(at + 5);
await tracers.forceFlush();

const metricExporter = recording(new AzureMonitorMetricExporter(options), results.metrics);
const meters = new MeterProvider({ resource, readers: [
  new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60000 })] });
meters.getMeter("e2e").createCounter("rows_scored").add(12, { run });
await meters.forceFlush();

await Promise.all([loggers.shutdown(), tracers.shutdown(), meters.shutdown()]);
console.log(JSON.stringify({ results }));
