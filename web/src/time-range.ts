// The time-range picker: sets the query API's `timespan` (ISO 8601), as Log Analytics does.

export const PRESETS: { label: string; value: string }[] = [
  { label: 'Last 30 minutes', value: 'PT30M' },
  { label: 'Last hour', value: 'PT1H' },
  { label: 'Last 4 hours', value: 'PT4H' },
  { label: 'Last 12 hours', value: 'PT12H' },
  { label: 'Last 24 hours', value: 'P1D' },
  { label: 'Last 48 hours', value: 'P2D' },
  { label: 'Last 7 days', value: 'P7D' },
  { label: 'Last 30 days', value: 'P30D' },
  { label: 'Set in query', value: '' },
];

export const DEFAULT_TIMESPAN = 'P1D';

// "2026-01-02T03:04" (datetime-local, read as UTC) -> "2026-01-02T03:04:00Z".
function localInputToIso(v: string): string {
  return v ? `${v}:00Z` : '';
}

// A <select> of presets plus "Custom" with two UTC datetime inputs. `onChange` gets the
// timespan ("" = set in query).
export class TimeRangePicker {
  readonly el: HTMLElement;
  private select: HTMLSelectElement;
  private from: HTMLInputElement;
  private to: HTMLInputElement;

  constructor(initial: string, private onChange: (timespan: string) => void) {
    this.el = document.createElement('span');
    this.el.className = 'time-range';
    this.select = document.createElement('select');
    this.select.id = 'time-range';
    this.select.title = 'Time range (timespan of the query API)';
    for (const p of [...PRESETS, { label: 'Custom (UTC)…', value: 'custom' }]) {
      this.select.add(new Option(p.label, p.value));
    }
    this.from = this.dateInput('time-from');
    this.to = this.dateInput('time-to');
    this.el.append(this.select, this.from, this.to);
    this.set(initial);
    this.select.addEventListener('change', () => {
      this.showCustom();
      this.onChange(this.value);
    });
  }

  private dateInput(id: string): HTMLInputElement {
    const i = document.createElement('input');
    i.type = 'datetime-local';
    i.id = id;
    i.addEventListener('change', () => this.onChange(this.value));
    return i;
  }

  private showCustom(): void {
    const custom = this.select.value === 'custom';
    this.from.hidden = this.to.hidden = !custom;
  }

  get value(): string {
    if (this.select.value !== 'custom') return this.select.value;
    const a = localInputToIso(this.from.value), b = localInputToIso(this.to.value);
    return a && b ? `${a}/${b}` : a ? `${a}/${new Date().toISOString()}` : '';
  }

  set(timespan: string): void {
    if (PRESETS.some((p) => p.value === timespan)) {
      this.select.value = timespan;
    } else if (timespan.includes('/')) {
      const [a, b] = timespan.split('/');
      this.select.value = 'custom';
      this.from.value = a.slice(0, 16);
      this.to.value = b.slice(0, 16);
    } else {
      this.select.value = DEFAULT_TIMESPAN;
    }
    this.showCustom();
  }
}
