// monaco ships no declaration for edcore.main (the editor without bundled languages).
declare module 'monaco-editor/esm/vs/editor/edcore.main' {
  export * from 'monaco-editor/esm/vs/editor/editor.api';
}
