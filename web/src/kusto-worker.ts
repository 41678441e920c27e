// The Kusto worker entry: Bridge must exist before the Kusto scripts run (dev server order).
import '@kusto/language-service/bridge.min';
import '@kusto/monaco-kusto/release/esm/kusto.worker';
