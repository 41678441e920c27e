// A tiny element builder: el('button', { id: 'run' }, 'Run').
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & Record<string, unknown> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children);
  return e;
}

// A link the router follows without reloading the page.
export function navLink(href: string, text: string, className = ''): HTMLAnchorElement {
  const a = el('a', { href, className }, text);
  a.setAttribute('data-nav', '');
  return a;
}

// The Logs page running `query` with no time range of its own (the query says it).
export function logsHref(query: string): string {
  return `/logs?q=${encodeURIComponent(query)}&t=`;
}
