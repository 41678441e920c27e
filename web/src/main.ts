// The shell: a tiny router over the History API. Each page is its own lazily loaded chunk,
// so the first screen fetches only this file and the page it shows.
import './style.css';
// Logs is the landing page: bundled with the shell to save a round trip (its editor and
// charts stay lazy); the other pages load on first visit.
import * as logsView from './logs-view';

(window as any).__calypso = {};

type Page = { mount(view: HTMLElement, arg: string): void };

const routes: [RegExp, () => Promise<Page>][] = [
  [/^\/(logs)?$/, async () => logsView],
  [/^\/runs\/?$/, () => import('./runs-view')],
  [/^\/runs\/([^/]+)$/, () => import('./run-view')],
  [/^\/dashboards\/?$/, () => import('./dashboards-view')],
  [/^\/dashboards\/([^/]+)$/, () => import('./dashboards-view')],
  [/^\/usage\/?$/, () => import('./usage-view')],
];

const view = document.getElementById('view')!;

async function show(): Promise<void> {
  const path = location.pathname;
  for (const [re, load] of routes) {
    const m = re.exec(path);
    if (!m) continue;
    document.querySelectorAll<HTMLAnchorElement>('nav a').forEach((a) => {
      a.classList.toggle('active', path === a.pathname || path.startsWith(a.pathname + '/') || (path === '/' && a.pathname === '/logs'));
    });
    const page = await load();
    page.mount(view, decodeURIComponent(m[1] ?? ''));
    return;
  }
  view.textContent = `No page at ${path}.`;
}

export function navigate(href: string): void {
  history.pushState(null, '', href);
  void show();
}

document.addEventListener('click', (e) => {
  const a = (e.target as HTMLElement).closest<HTMLAnchorElement>('a[data-nav]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute('href')!);
});
window.addEventListener('popstate', () => void show());
void show();
