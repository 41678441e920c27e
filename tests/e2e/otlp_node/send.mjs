// Sends logs, spans and metrics through the real OpenTelemetry JS SDK and OTLP/HTTP
// exporters, JSON ("json") or protobuf with gzip ("proto"), tagged with a run id.
// Usage: node send.mjs BASE_URL json|proto RUN_ID
// Prints {"results": {"logs": [codes], "traces": [...], "metrics": [...]}}; 0 is SUCCESS.
import { SeverityNumber } from "@opentelemetry/api-logs";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { OTLPLogExporter as JsonLogs } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogs } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPTraceExporter as JsonTraces } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraces } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPMetricExporter as JsonMetrics } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetrics } from "@opentelemetry/exporter-metrics-otlp-proto";

const [base, protocol, run] = process.argv.slice(2);
const proto = protocol === "proto";
const options = (path) => ({ url: `${base}${path}`, ...(proto ? { compression: "gzip" } : {}) });
const results = { logs: [], traces: [], metrics: [] };

// Records each export's result code, so the test sees what the server answered.
function recording(exporter, list) {
  const original = exporter.export.bind(exporter);
  exporter.export = (items, done) =>
    original(items, (result) => {
      list.push(result.code);
      if (result.error) console.error(`${protocol}: ${result.error.message}`);
      done(result);
    });
  return exporter;
}

const resource = resourceFromAttributes({
  "service.name": "trainer",
  "service.namespace": "ml",
  "service.instance.id": "node-7",
  "service.version": "1.2.3",
});

// Logs: a warning with typed attributes, an exception record, a structured body.
const logExporter = recording(proto ? new ProtoLogs(options("/v1/logs")) : new JsonLogs(options("/v1/logs")), results.logs);
const loggers = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
const logger = loggers.getLogger("e2e", "0.1.0");
const at = Date.UTC(2026, 10, 23, 18, 45, 0);
logger.emit({
  timestamp: at, severityNumber: SeverityNumber.WARN, severityText: "WARN", body: "loss spiked",
  attributes: { run, epoch: 3, loss: 4.5, ok: true, tags: ["a", "b"] },
});
logger.emit({
  timestamp: at + 1, severityNumber: SeverityNumber.ERROR, body: "training failed",
  attributes: { run, "exception.type": "ValueError", "exception.message": "bad value",
                "exception.stacktrace": "ValueError: bad value\n    at train (model.js:10:3)" },
});
logger.emit({ timestamp: at + 2, severityNumber: SeverityNumber.INFO, body: { step: "eval", n: 1 }, attributes: { run } });
await loggers.forceFlush();

// Traces: a server request, an internal child with an exception event, an HTTP client call.
const traceExporter = recording(proto ? new ProtoTraces(options("/v1/traces")) : new JsonTraces(options("/v1/traces")), results.traces);
const tracers = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(traceExporter)] });
const tracer = tracers.getTracer("e2e", "0.1.0");
const request = tracer.startSpan("POST /train", {
  kind: SpanKind.SERVER, startTime: at,
  attributes: { run, "http.request.method": "POST", "http.route": "/train", "http.response.status_code": 200 },
});
const inside = trace.setSpan(ROOT_CONTEXT, request);
const step = tracer.startSpan("preprocess", { kind: SpanKind.INTERNAL, startTime: at + 1, attributes: { run, rows: 1000 } }, inside);
step.recordException({ name: "OSError", message: "disk full", stack: "OSError: disk full\n    at write (io.js:1:1)" }, at + 2);
step.setStatus({ code: SpanStatusCode.ERROR, message: "disk full" });
step.end(at + 5);
const call = tracer.startSpan("GET", {
  kind: SpanKind.CLIENT, startTime: at + 6,
  attributes: { run, "http.request.method": "GET", "url.full": "http://db:8080/q?x=1", "server.address": "db", "http.response.status_code": 503 },
}, inside);
call.end(at + 8);
request.end(at + 10);
await tracers.forceFlush();

// Metrics: a counter, a histogram and a gauge.
const metricExporter = recording(proto ? new ProtoMetrics(options("/v1/metrics")) : new JsonMetrics(options("/v1/metrics")), results.metrics);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3600000 });
const meters = new MeterProvider({ resource, readers: [reader] });
const meter = meters.getMeter("e2e", "0.1.0");
meter.createCounter("samples_processed").add(5, { run });
const hist = meter.createHistogram("batch_ms");
hist.record(10, { run });
hist.record(30, { run });
meter.createObservableGauge("loss").addCallback((r) => r.observe(0.25, { run }));
// Shutting down exports once; a forceFlush first would export the same cumulative points twice.

await Promise.all([loggers.shutdown(), tracers.shutdown(), meters.shutdown()]);
console.log(JSON.stringify({ results }));
