// One pipeline run: its steps on a timeline (Gantt) with status, duration and compute;
// a click on a step lists its logs (by parent_run_id / step_id) on the Logs page.
import { el, logsHref, navLink } from './dom';
import { type ResultTable } from './api';
import { isChartKind } from './chart-data';
import {
  durationText,
  durationTrendQuery,
  exceptionsQuery,
  metricsQuery,
  runSteps,
  stepLogsQuery,
  tableOf,
} from './runs-data';

// A titled section with a chart of `query`'s result (or a line saying there is nothing).
function chartSection(id: string, title: string, query: string, empty: string): HTMLElement {
  const body = el('div', { id, className: 'chart' });
  const link = navLink(logsHref(query), 'open in Logs');
  const section = el('section', { className: 'run-section' }, el('h3', {}, title, ' ', el('small', {}, link)), body);
  tableOf(query).then(
    async (t: ResultTable) => {
      if (t.rows.length === 0) {
        body.replaceWith(el('p', { id, className: 'status' }, empty));
        return;
      }
      const { drawChart } = await import('./chart');
      const hint = t.render?.visualization ?? '';
      const problem = drawChart(body, t, isChartKind(hint) ? hint : 'linechart');
      if (problem) body.textContent = problem;
    },
    (e) => (body.textContent = `Cannot load: ${e.message}`),
  );
  return section;
}

function exceptionsSection(runId: string): HTMLElement {
  const list = el('table', { id: 'run-exceptions', className: 'runs-table' });
  const section = el('section', { className: 'run-section' }, el('h3', {}, 'Exceptions'), list);
  tableOf(exceptionsQuery(runId)).then(
    (t) => {
      if (t.rows.length === 0) {
        list.replaceWith(el('p', { className: 'status' }, 'No exceptions.'));
        return;
      }
      list.append(
        el('thead', {}, el('tr', {}, ...t.columns.map((c) => el('th', {}, c.name)))),
        el('tbody', {}, ...t.rows.map((r) => el('tr', {}, ...r.map((v) => el('td', {}, String(v ?? '')))))),
      );
    },
    (e) => list.replaceWith(el('p', { className: 'status' }, `Cannot load: ${e.message}`)),
  );
  return section;
}

const time = (v: unknown) => (v ? Date.parse(String(v)) : NaN);

// Run events carry no step name; the node id tells steps apart when the name is unknown.
function stepLabel(s: Record<string, unknown>): string {
  return s.StepName ? String(s.StepName) : `${s.StepType || 'step'} · node ${s.NodeId || s.RunId}`;
}

function ganttRow(s: Record<string, unknown>, runId: string, t0: number, t1: number): HTMLElement {
  const status = String(s.Status ?? '');
  const start = time(s.StartTime);
  const end = Number.isFinite(time(s.EndTime)) ? time(s.EndTime) : t1; // still running: to now
  const bar = el('div', {
    className: `gantt-bar ${status.toLowerCase()}`,
    title: `${stepLabel(s)}: ${status}, ${durationText(s.ExecutionTimeMs)}`,
  });
  if (Number.isFinite(start)) {
    bar.style.left = `${((start - t0) / (t1 - t0)) * 100}%`;
    bar.style.width = `${Math.max(0.5, ((end - start) / (t1 - t0)) * 100)}%`;
  } else {
    bar.hidden = true; // never started
  }
  const compute = `${s.ComputeTargetType ?? ''} ${s.NodeId ?? ''}`;
  const label = el('div', { className: 'gantt-label' },
    el('b', {}, stepLabel(s)), ' ',
    el('span', { className: `badge ${status.toLowerCase()}` }, status),
    el('small', {}, ` ${durationText(s.ExecutionTimeMs)} · ${compute} · `),
    navLink(logsHref(stepLogsQuery(runId, String(s.RunId))), 'logs'));
  return el('div', { className: 'gantt-row' }, label, el('div', { className: 'gantt-track' }, bar));
}

export function mount(view: HTMLElement, runId: string): void {
  const msg = el('p', { className: 'status' }, 'Loading steps…');
  const gantt = el('div', { id: 'gantt', className: 'gantt' });
  const page = el('section', { className: 'run' },
    el('p', {}, navLink('/runs', '← Runs')),
    el('h2', { className: 'mono' }, `Run ${runId}`),
    msg,
    navLink(logsHref(stepLogsQuery(runId)), 'All logs of this run', 'button'),
    gantt);
  view.replaceChildren(page);

  runSteps(runId).then(
    (rows) => {
      const pipeline = rows.find((r) => String(r.RunId) === runId);
      const steps = rows.filter((r) => String(r.RunId) !== runId);
      const spans = rows
        .flatMap((r) => [time(r.StartTime), time(r.EndTime), time(r.QueuedTime)])
        .filter(Number.isFinite);
      const t0 = Math.min(...spans), t1 = Math.max(...spans, t0 + 1);
      const about = pipeline ? `${pipeline.Status} · ${pipeline.ExperimentName} · ` : '';
      msg.textContent = `${about}${steps.length} steps · ${durationText(t1 - t0)}`;
      gantt.replaceChildren(...steps.map((s) => ganttRow(s, runId, t0, t1)));
      const experiment = String(pipeline?.ExperimentName ?? steps[0]?.ExperimentName ?? '');
      page.append(
        chartSection('run-metrics', 'Metrics per epoch', metricsQuery(runId), 'No per-epoch metrics.'),
        exceptionsSection(runId),
        chartSection('step-trend', `Step durations (minutes) in the last runs of ${experiment}`,
          durationTrendQuery(experiment), 'No step durations.'),
      );
    },
    (e) => (msg.textContent = `Cannot load the run: ${e.message}`),
  );
}
