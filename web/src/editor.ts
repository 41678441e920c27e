// The KQL editor: monaco with monaco-kusto (highlighting, completion from the workspace's
// schema, the language service's own diagnostics) plus the server's errors underlined at
// their line:column. This module is the big lazy chunk: it is imported only by the Logs
// page, after the first screen is up.
import * as monaco from 'monaco-editor/esm/vs/editor/edcore.main';
import { getKustoWorker } from '@kusto/monaco-kusto';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import KustoWorker from './kusto-worker?worker';

(self as any).MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    return label === 'kusto' ? new KustoWorker() : new EditorWorker();
  },
};

const SERVER_MARKERS = 'calypso-server';

export interface KqlEditor {
  getValue(): string;
  // The selected text when there is a selection, else the whole text.
  getQuery(): string;
  setValue(text: string): void;
  focus(): void;
  setSchema(schema: object): Promise<void>;
  showServerError(message: string, line: number, column: number): void;
  clearServerError(): void;
  onChange(fn: () => void): void;
}

export function createKqlEditor(host: HTMLElement, text: string, onRun: () => void): KqlEditor {
  // One editor in the app: the one of a Logs page left earlier goes.
  monaco.editor.getEditors().forEach((e) => e.dispose());
  monaco.editor.getModels().forEach((m) => m.dispose());
  const editor = monaco.editor.create(host, {
    value: text,
    language: 'kusto',
    theme: 'kusto-light',
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 13,
    scrollBeyondLastLine: false,
    fixedOverflowWidgets: true,
    suggest: { showWords: false },
  });
  const model = editor.getModel()!;
  editor.addAction({
    id: 'calypso.run',
    label: 'Run query',
    keybindings: [
      monaco.KeyMod.Shift | monaco.KeyCode.Enter,
      monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter,
    ],
    run: () => onRun(),
  });
  const api: KqlEditor = {
    getValue: () => model.getValue(),
    getQuery: () => {
      const sel = editor.getSelection();
      const picked = sel && !sel.isEmpty() ? model.getValueInRange(sel) : '';
      return picked.trim() ? picked : model.getValue();
    },
    setValue: (t) => model.setValue(t),
    focus: () => editor.focus(),
    async setSchema(schema) {
      const accessor = await getKustoWorker();
      const worker = await accessor(model.uri);
      await worker.setSchema(schema as any);
    },
    showServerError(message, line, column) {
      const ln = Math.min(Math.max(1, line), model.getLineCount());
      const col = Math.max(1, column);
      const word = model.getWordAtPosition({ lineNumber: ln, column: col });
      const end = word && word.endColumn > col ? word.endColumn : col + 1;
      monaco.editor.setModelMarkers(model, SERVER_MARKERS, [
        {
          severity: monaco.MarkerSeverity.Error,
          message,
          startLineNumber: ln,
          startColumn: col,
          endLineNumber: ln,
          endColumn: end,
        },
      ]);
      editor.revealLineInCenterIfOutsideViewport(ln);
    },
    clearServerError: () => monaco.editor.setModelMarkers(model, SERVER_MARKERS, []),
    onChange: (fn) => void model.onDidChangeContent(fn),
  };
  // Exposed for the browser test (markers, editor state); harmless in use.
  (window as any).__calypso.monaco = monaco;
  (window as any).__calypso.editorShownMs ??= performance.now();
  return api;
}
