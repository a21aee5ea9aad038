/**
 * Dashboards as code: each component declares its panels (title, unit,
 * PromQL), and this module turns them into the dashboard JSON Grafana's
 * sidecar provisions. No exported JSON.
 *
 * The JSON is typed by Grafana's foundation SDK (its Dashboard, Panel,
 * RowPanel and Prometheus Dataquery types) and is exactly what the SDK's
 * builders make for these specs: a test builds every dashboard of the shipped
 * environments with the SDK's builders too and compares. The builders
 * themselves are not loaded at synth: they bring some 600 modules
 * (about 50 ms of every run).
 */
import type { Dashboard as GrafanaDashboard, GridPos, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dataquery } from '@grafana/grafana-foundation-sdk/prometheus';
import type { Options as StatOptions } from '@grafana/grafana-foundation-sdk/stat';
import type { Options as TimeseriesOptions } from '@grafana/grafana-foundation-sdk/timeseries';

export interface PanelQuery {
  readonly expr: string;
  readonly legend?: string;
}

export interface PanelSpec {
  readonly title: string;
  readonly kind: 'timeseries' | 'stat';
  /** Grafana unit id, e.g. `reqps`, `s`, `percentunit`, `bytes`, `short`. */
  readonly unit: string;
  readonly queries: readonly PanelQuery[];
  readonly description?: string;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  /** Grafana folder. */
  readonly folder: string;
  readonly rows: readonly { readonly title: string; readonly panels: readonly PanelSpec[] }[];
}

export interface Dashboard {
  readonly uid: string;
  readonly folder: string;
  readonly json: unknown;
  /** Every PromQL expression of the dashboard (tests parse them and check their metrics). */
  readonly exprs: readonly string[];
}

export const PROMETHEUS = { type: 'prometheus', uid: 'prometheus' };

/** A Prometheus query as the SDK's DataqueryBuilder makes it (without its marker method, which JSON drops). */
type Query = Omit<Dataquery, '_implementsDataqueryVariant'>;

/** The panel: the SDK's defaults for its type, then title, unit, data source, size, description, queries. */
function panel(p: PanelSpec): Panel {
  const base: Panel = { type: p.kind, transparent: false, repeatDirection: 'h' };
  let out: Panel;
  if (p.kind === 'stat') {
    const options: StatOptions = {
      graphMode: 'area' as StatOptions['graphMode'],
      colorMode: 'value' as StatOptions['colorMode'],
      justifyMode: 'auto' as StatOptions['justifyMode'],
      textMode: 'auto' as StatOptions['textMode'],
      wideLayout: true,
      showPercentChange: false,
      reduceOptions: { calcs: [] },
      percentChangeColorMode: 'standard' as StatOptions['percentChangeColorMode'],
      orientation: 'auto' as StatOptions['orientation'],
    };
    out = { ...base, options, title: p.title, fieldConfig: { defaults: { unit: p.unit }, overrides: [] } };
  } else {
    const options: TimeseriesOptions = {
      legend: { displayMode: 'list' as TimeseriesOptions['legend']['displayMode'], placement: 'bottom' as TimeseriesOptions['legend']['placement'], showLegend: false, calcs: [] },
      tooltip: { mode: 'single' as TimeseriesOptions['tooltip']['mode'], sort: 'asc' as TimeseriesOptions['tooltip']['sort'] },
    };
    out = { ...base, options, fieldConfig: { defaults: { custom: {}, unit: p.unit }, overrides: [] }, title: p.title };
  }
  const gridPos: GridPos = { h: 8, w: p.kind === 'stat' ? 6 : 12, x: 0, y: 0 };
  out.datasource = PROMETHEUS;
  out.gridPos = gridPos;
  if (p.description) out.description = p.description;
  if (p.queries.length) out.targets = p.queries.map((q, i): Query => ({ expr: q.expr, refId: String.fromCharCode(65 + i), ...(q.legend ? { legendFormat: q.legend } : {}) })) as unknown as Panel['targets'];
  return out;
}

export function buildDashboard(spec: DashboardSpec): Dashboard {
  const json: GrafanaDashboard = {
    timezone: 'browser',
    editable: true,
    graphTooltip: 0 as GrafanaDashboard['graphTooltip'],
    fiscalYearStartMonth: 0,
    schemaVersion: 42,
    templating: {},
    annotations: {},
    title: spec.title,
    uid: spec.uid,
    tags: ['mlops-gitops'],
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
  };
  // The SDK's layout: a row spans the width below the tallest panel of the line before it; panels fill lines
  // of 24 columns left to right.
  const panels: (Panel | RowPanel)[] = [];
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  for (const row of spec.rows) {
    const rowY = y + lineHeight;
    panels.push({ type: 'row', collapsed: false, id: 0, panels: [], title: row.title, gridPos: { x: 0, y: rowY, h: 1, w: 24 } });
    x = 0;
    y = rowY + 1;
    lineHeight = 0;
    for (const p of row.panels) {
      const built = panel(p);
      built.gridPos!.x = x;
      built.gridPos!.y = y;
      panels.push(built);
      x += built.gridPos!.w;
      lineHeight = Math.max(lineHeight, built.gridPos!.h);
      if (x >= 24) {
        x = 0;
        y += lineHeight;
        lineHeight = 0;
      }
    }
  }
  if (panels.length) json.panels = panels;
  return {
    uid: spec.uid,
    folder: spec.folder,
    json,
    exprs: spec.rows.flatMap((r) => r.panels.flatMap((p) => p.queries.map((q) => q.expr))),
  };
}
