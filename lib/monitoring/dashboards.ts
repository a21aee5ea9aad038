/**
 * Dashboards as code, built with Grafana's foundation SDK: each component
 * declares its panels (title, unit, PromQL), and this module turns them into
 * the dashboard JSON Grafana's sidecar provisions. No exported JSON.
 */
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

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

const PROMETHEUS = { type: 'prometheus', uid: 'prometheus' };

function panel(p: PanelSpec): StatPanel | TimeseriesPanel {
  const builder = p.kind === 'stat' ? new StatPanel() : new TimeseriesPanel();
  builder.title(p.title).unit(p.unit).datasource(PROMETHEUS).span(p.kind === 'stat' ? 6 : 12).height(8);
  if (p.description) builder.description(p.description);
  p.queries.forEach((q, i) => {
    const query = new DataqueryBuilder().expr(q.expr).refId(String.fromCharCode(65 + i));
    if (q.legend) query.legendFormat(q.legend);
    builder.withTarget(query);
  });
  return builder;
}

export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title).uid(spec.uid).tags(['mlops-gitops']).refresh('1m').time({ from: 'now-6h', to: 'now' }).timezone('browser').editable();
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title));
    for (const p of row.panels) builder.withPanel(panel(p));
  }
  return {
    uid: spec.uid,
    folder: spec.folder,
    json: builder.build(),
    exprs: spec.rows.flatMap((r) => r.panels.flatMap((p) => p.queries.map((q) => q.expr))),
  };
}
