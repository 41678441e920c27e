// The Dashboards pages: /dashboards lists them; /dashboards/{id} shows one as a grid of
// tiles (x, y, w, h on 12 columns) that refresh every `refresh` seconds, with an edit mode
// (add, remove, edit, move and resize tiles; save with PUT; reset a built-in one).
import { el, navLink } from './dom';
import { type Dashboard, deleteDashboard, getDashboard, GRID_COLUMNS, listDashboards, nextRow,
  saveDashboard, type Tile, VISUALIZATIONS } from './dashboards-data';
import { TileView } from './dashboards-tile';
import { PRESETS } from './time-range';

// Follows a link without reloading: the router in main.ts listens to popstate.
function navigate(href: string): void {
  history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

// The auto-refresh timer of the dashboard on screen; cleared when another page mounts.
let timer = 0;

function mountList(view: HTMLElement): void {
  const list = el('ul', { id: 'dashboard-list', className: 'dashboard-list' });
  const msg = el('p', { className: 'status' }, 'Loading dashboards…');
  const name = el('input', { id: 'new-dashboard-name', placeholder: 'New dashboard name' });
  const create = el('button', { id: 'new-dashboard' }, 'Create');
  create.addEventListener('click', () => {
    const title = name.value.trim();
    const id = title.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
    if (!id) return void (msg.textContent = 'Give the new dashboard a name (letters or digits).');
    navigate(`/dashboards/${id}?new=${encodeURIComponent(title)}`);
  });
  view.replaceChildren(el('section', { className: 'dashboards' }, el('h2', {}, 'Dashboards'), msg, list,
    el('div', { className: 'toolbar' }, name, create)));
  listDashboards().then(
    (ds) => {
      msg.textContent = `${ds.length} dashboards`;
      list.replaceChildren(...ds.map((d) => el('li', {},
        navLink(`/dashboards/${encodeURIComponent(d.id)}`, d.title),
        el('small', {}, ` ${d.tiles.length} tiles${d.builtin ? (d.modified ? ' · built-in, edited' : ' · built-in') : ''}`))));
    },
    (e) => (msg.textContent = `Cannot list dashboards: ${e.message}`),
  );
}

function field(label: string, input: HTMLElement): HTMLElement {
  return el('label', { className: 'field' }, el('span', {}, label), input);
}

// The form that edits one tile in place of its body; `done` gets the edited tile or null.
function tileForm(tile: Tile, done: (t: Tile | null) => void): HTMLElement {
  const title = el('input', { className: 'tile-title-input', value: tile.title });
  const query = el('textarea', { className: 'tile-query-input mono', value: tile.query, rows: 6 });
  const vis = el('select', { className: 'tile-vis-input' });
  for (const v of VISUALIZATIONS) vis.add(new Option(v, v, false, v === tile.visualization));
  const span = el('select', { className: 'tile-timespan-input' });
  for (const p of PRESETS) span.add(new Option(p.label, p.value, false, p.value === tile.timespan));
  if (!PRESETS.some((p) => p.value === tile.timespan)) span.add(new Option(tile.timespan, tile.timespan, true, true));
  const ok = el('button', { className: 'primary tile-apply' }, 'Apply');
  const cancel = el('button', {}, 'Cancel');
  ok.addEventListener('click', () => done({ ...tile, title: title.value.trim() || 'Untitled',
    query: query.value, visualization: vis.value, timespan: span.value }));
  cancel.addEventListener('click', () => done(null));
  return el('div', { className: 'tile-form' }, field('Title', title), field('Query', query),
    el('div', { className: 'toolbar' }, field('Visualization', vis), field('Time range', span), ok, cancel));
}

function clampTile(t: Tile): Tile {
  const w = Math.min(GRID_COLUMNS, Math.max(1, t.w));
  return { ...t, w, h: Math.min(12, Math.max(1, t.h)), x: Math.min(GRID_COLUMNS - w, Math.max(0, t.x)), y: Math.max(0, t.y) };
}

async function mountDashboard(view: HTMLElement, id: string): Promise<void> {
  const params = new URLSearchParams(location.search);
  const title = el('h2', { id: 'dashboard-title' }, id);
  const msg = el('span', { id: 'dashboard-status', className: 'status' });
  const bar = el('div', { className: 'toolbar dashboard-bar' });
  const grid = el('div', { id: 'dashboard-grid', className: 'dashboard-grid' });
  view.replaceChildren(el('section', { className: 'dashboard' },
    el('div', { className: 'toolbar' }, navLink('/dashboards', '← Dashboards'), title, msg), bar, grid));

  let saved: Dashboard;
  let stored = true; // false until a new dashboard's first save
  const newTitle = params.get('new');
  try {
    // A new one is looked up in the list (a GET of a missing id would be a 404).
    const existing = newTitle === null ? await getDashboard(id) : (await listDashboards()).find((d) => d.id === id);
    if (existing) {
      saved = existing;
      if (newTitle !== null) msg.textContent = `'${id}' exists already: editing it.`;
    } else {
      saved = { id, title: newTitle!, refresh: 0, tiles: [] };
      stored = false;
    }
  } catch (e) {
    msg.textContent = `Cannot load dashboard '${id}': ${(e as Error).message}`;
    return;
  }
  let draft: Dashboard | null = params.has('new') ? structuredClone(saved) : null; // non-null: editing
  let views: TileView[] = [];

  const refreshAll = () => views.forEach((v) => void v.load());
  function schedule(d: Dashboard): void {
    clearInterval(timer);
    if (d.refresh > 0 && !draft) timer = window.setInterval(() => {
      if (!grid.isConnected) return clearInterval(timer);
      refreshAll();
    }, d.refresh * 1000);
  }

  function button(text: string, onClick: () => void, props: Record<string, unknown> = {}): HTMLButtonElement {
    const b = el('button', props, text);
    b.addEventListener('click', onClick);
    return b;
  }

  function tileControls(i: number): HTMLElement {
    const edit = (f: (t: Tile) => Tile) => () => {
      draft!.tiles[i] = clampTile(f(draft!.tiles[i]));
      render();
    };
    return el('span', { className: 'tile-controls' },
      button('←', edit((t) => ({ ...t, x: t.x - 1 })), { title: 'Move left' }),
      button('→', edit((t) => ({ ...t, x: t.x + 1 })), { title: 'Move right' }),
      button('↑', edit((t) => ({ ...t, y: t.y - 1 })), { title: 'Move up' }),
      button('↓', edit((t) => ({ ...t, y: t.y + 1 })), { title: 'Move down' }),
      button('W−', edit((t) => ({ ...t, w: t.w - 1 })), { title: 'Narrower' }),
      button('W+', edit((t) => ({ ...t, w: t.w + 1 })), { title: 'Wider' }),
      button('H−', edit((t) => ({ ...t, h: t.h - 1 })), { title: 'Shorter' }),
      button('H+', edit((t) => ({ ...t, h: t.h + 1 })), { title: 'Taller' }),
      button('Edit', () => {
        views[i].edit(tileForm(draft!.tiles[i], (t) => {
          if (t) draft!.tiles[i] = t;
          render();
        }));
      }, { className: 'tile-edit' }),
      button('Remove', () => {
        draft!.tiles.splice(i, 1);
        render();
      }, { className: 'tile-remove' }));
  }

  function renderBar(): void {
    const d = draft ?? saved;
    if (!draft) {
      const refreshText = d.refresh > 0 ? `refreshes every ${d.refresh} s` : 'no auto-refresh';
      bar.replaceChildren(
        button('Refresh', refreshAll, { id: 'dashboard-refresh' }),
        button('Edit', () => {
          draft = structuredClone(saved);
          render();
        }, { id: 'dashboard-edit' }),
        el('span', { className: 'status' }, refreshText + (saved.modified ? ' · built-in, edited' : '')),
        ...(saved.modified ? [button('Reset to built-in', () => void reset(), { id: 'dashboard-reset' })] : []),
        ...(!saved.builtin && stored ? [button('Delete', () => void remove(), { id: 'dashboard-delete' })] : []));
      return;
    }
    const name = el('input', { id: 'dashboard-title-input', value: draft.title });
    name.addEventListener('input', () => (draft!.title = name.value));
    const refresh = el('input', { id: 'dashboard-refresh-input', type: 'number', min: '0', value: String(draft.refresh) });
    refresh.style.width = '80px';
    refresh.addEventListener('input', () => (draft!.refresh = Math.max(0, Math.round(Number(refresh.value) || 0))));
    bar.replaceChildren(field('Title', name), field('Refresh (s)', refresh),
      button('Add tile', () => {
        draft!.tiles.push({ title: 'New tile', query: 'traces\n| summarize count() by bin(timestamp, 1h)\n| render timechart',
          timespan: 'P1D', visualization: 'timechart', x: 0, y: nextRow(draft!.tiles), w: 6, h: 4 });
        render();
      }, { id: 'tile-add' }),
      button('Save', () => void save(), { id: 'dashboard-save', className: 'primary' }),
      button('Cancel', () => {
        draft = null;
        render();
      }, { id: 'dashboard-cancel' }));
  }

  function render(): void {
    const d = draft ?? saved;
    title.textContent = d.title;
    document.title = `${d.title} · Calypso`;
    renderBar();
    grid.classList.toggle('editing', !!draft);
    views = d.tiles.map((t, i) => new TileView(t, draft ? tileControls(i) : null));
    grid.replaceChildren(...views.map((v) => v.el));
    if (views.length === 0) grid.append(el('p', { className: 'status' }, draft ? 'No tiles yet: add one.' : 'This dashboard has no tiles.'));
    refreshAll();
    schedule(d);
  }

  async function save(): Promise<void> {
    msg.textContent = 'Saving…';
    try {
      saved = await saveDashboard(draft!);
      stored = true;
      draft = null;
      msg.textContent = 'Saved.';
      if (params.has('new')) history.replaceState(null, '', `/dashboards/${encodeURIComponent(id)}`);
      render();
    } catch (e) {
      msg.textContent = `Not saved: ${(e as Error).message}`;
    }
  }

  async function reset(): Promise<void> {
    try {
      saved = (await deleteDashboard(id)) ?? saved;
      msg.textContent = 'Reset to the built-in dashboard.';
      render();
    } catch (e) {
      msg.textContent = `Cannot reset: ${(e as Error).message}`;
    }
  }

  async function remove(): Promise<void> {
    if (!confirm(`Delete dashboard '${saved.title}'?`)) return;
    try {
      await deleteDashboard(id);
      navigate('/dashboards');
    } catch (e) {
      msg.textContent = `Cannot delete: ${(e as Error).message}`;
    }
  }

  render();
}

export function mount(view: HTMLElement, id: string): void {
  clearInterval(timer);
  if (!id) mountList(view);
  else void mountDashboard(view, id);
}
