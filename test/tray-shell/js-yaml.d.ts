// js-yaml 3 ships no types; it is in node_modules as electron-builder's own YAML parser.
declare module 'js-yaml' {
  export function safeLoad(text: string): unknown;
}
