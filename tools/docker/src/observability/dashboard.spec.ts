// The provisioned Grafana dashboard, checked without Grafana: the dashboard model's required fields, a
// layout without overlaps, every query on the provisioned Prometheus datasource, every PromQL expression
// parsed by Prometheus's own parser (promtool), and every metric and label one the services really export.
// Then the provisioning: the datasource is the compose Prometheus, and the provider loads what compose mounts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { metricCatalogue, TARGET_LABELS } from './metric-catalogue';
import { labelsIn, metricsIn, withGrafanaVariablesReplaced } from './promql';
import { checkExpressions, itWithPromtool } from './promtool';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const DASHBOARDS = 'ops/grafana/dashboards';

interface Datasource {
  type?: string;
  uid?: string;
}
interface Target {
  refId?: string;
  datasource?: Datasource;
  expr?: string;
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: { h?: number; w?: number; x?: number; y?: number };
  datasource?: Datasource;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: Panel[];
  templating?: { list?: { name?: string; datasource?: Datasource; query?: string | { query?: string } }[] };
}
interface ComposeService {
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
}

const datasources = (
  parse(read('ops/grafana/provisioning/datasources/prometheus.yml')) as {
    datasources: { uid: string; type: string; url: string; jsonData?: { timeInterval?: string } }[];
  }
).datasources;
const providers = (
  parse(read('ops/grafana/provisioning/dashboards/orderstream.yml')) as {
    providers: { type: string; options: { path: string } }[];
  }
).providers;
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const catalogue = metricCatalogue(ROOT);

const files = readdirSync(path.join(ROOT, DASHBOARDS)).filter((f) => f.endsWith('.json'));
const dashboards = files.map((file) => ({
  file,
  dashboard: JSON.parse(read(path.join(DASHBOARDS, file))) as Dashboard,
}));
/** Rows may hold their panels (collapsed): every panel, wherever it sits. */
const allPanels = (panels: Panel[] = []): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels)]);
const queryPanels = (d: Dashboard): Panel[] => allPanels(d.panels).filter((p) => p.type !== 'row');

/** Every PromQL expression of a dashboard, by a name that says where it is (also a valid rule name). */
function expressions(d: Dashboard): Record<string, string> {
  const found: Record<string, string> = {};
  for (const panel of queryPanels(d))
    for (const target of panel.targets ?? []) found[`panel_${panel.id}_${target.refId}`] = target.expr ?? '';
  return found;
}

/** The metric a variable lists values from: `label_values(metric, label)`. */
function variableMetrics(d: Dashboard): string[] {
  return (d.templating?.list ?? []).flatMap((v) => {
    const query = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    const metric = /^label_values\(\s*([a-zA-Z_:][\w:]*)\s*,/.exec(query)?.[1];
    return metric ? [metric] : [];
  });
}

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** Where compose mounts a repository path in a service's container. */
function mountTarget(name: string, source: string): string | undefined {
  const mount = (service(name).volumes ?? []).find((v) => v.split(':')[0] === source);
  return mount?.split(':')[1];
}

it('there is a dashboard, and the metric catalogue really read the services (not an empty grep)', () => {
  expect(files).toContain('orderstream.json');
  expect(catalogue.get('messaging_consumer_lag_messages')?.labels).toEqual(['group', 'topic', 'partition']);
  expect(catalogue.get('outbox_relay_publish_latency_seconds_bucket')?.labels).toEqual(['source', 'le']);
  expect(catalogue.get('orders_sagas_past_deadline')?.file).toBe(
    'apps/orders/src/saga-deadline/saga-deadline.gauge.ts',
  );
});

describe.each(dashboards)('$file', ({ dashboard }) => {
  const uid = datasources[0]?.uid;

  it('has the fields Grafana requires of a dashboard', () => {
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.title?.trim()).toBeTruthy();
    expect(Number.isInteger(dashboard.schemaVersion)).toBe(true);
    expect(queryPanels(dashboard).length).toBeGreaterThan(0);
  });

  it('gives every panel a unique id and a place on the 24-column grid, without overlaps', () => {
    const panels = allPanels(dashboard.panels);
    const ids = panels.map((p) => p.id);
    for (const id of ids) expect(Number.isInteger(id) && (id ?? 0) > 0).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    for (const panel of panels) {
      const { h = 0, w = 0, x = -1, y = -1 } = panel.gridPos ?? {};
      expect({ panel: panel.title, valid: [h, w, x, y].every(Number.isInteger) && h > 0 && w > 0 }).toEqual({
        panel: panel.title,
        valid: true,
      });
      expect({ panel: panel.title, inside: x >= 0 && y >= 0 && x + w <= 24 }).toEqual({
        panel: panel.title,
        inside: true,
      });
      for (let row = y; row < y + h; row++)
        for (let column = x; column < x + w; column++) {
          const taken = cells.get(`${row}:${column}`);
          expect({ panel: panel.title, overlaps: taken }).toEqual({
            panel: panel.title,
            overlaps: undefined,
          });
          cells.set(`${row}:${column}`, panel.title ?? '');
        }
    }
  });

  it('queries only the provisioned Prometheus datasource, from every panel, target and variable', () => {
    expect(uid).toBeDefined();
    for (const panel of queryPanels(dashboard)) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
        panel: panel.title,
        datasource: { type: 'prometheus', uid },
      });
      expect(panel.targets?.length ?? 0).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect({ panel: panel.title, refId: target.refId, datasource: target.datasource }).toEqual({
          panel: panel.title,
          refId: target.refId,
          datasource: { type: 'prometheus', uid },
        });
        expect(target.expr?.trim()).toBeTruthy();
      }
    }
    for (const variable of dashboard.templating?.list ?? [])
      expect({ variable: variable.name, uid: variable.datasource?.uid }).toEqual({
        variable: variable.name,
        uid,
      });
  });

  itWithPromtool('every PromQL expression parses (promtool check rules)', () => {
    const parsed = Object.fromEntries(
      Object.entries(expressions(dashboard)).map(([name, expr]) => [
        name,
        withGrafanaVariablesReplaced(expr),
      ]),
    );
    const result = checkExpressions(parsed);
    expect({ ok: result.ok, output: result.ok ? '' : result.output }).toEqual({ ok: true, output: '' });
    expect(result.output).toContain(`SUCCESS: ${Object.keys(parsed).length} rules found`);
  });

  it('uses only metrics the services export, with labels those metrics have', () => {
    const used = [...Object.entries(expressions(dashboard))];
    for (const metric of variableMetrics(dashboard)) used.push([`variable (${metric})`, metric]);
    for (const [where, expr] of used) {
      const metrics = metricsIn(expr);
      expect({ where, metrics: metrics.length > 0 }).toEqual({ where, metrics: true });
      const unknown = metrics.filter((m) => !catalogue.has(m));
      expect({ where, unknown }).toEqual({ where, unknown: [] });
      // A label no selected metric has matches nothing, or groups everything into one series.
      const known = new Set<string>([
        ...TARGET_LABELS,
        ...metrics.flatMap((m) => catalogue.get(m)?.labels ?? []),
      ]);
      const foreign = labelsIn(expr).filter((label) => !known.has(label));
      expect({ where, foreign }).toEqual({ where, foreign: [] });
    }
  });
});

it('shows every metric the alert rules watch', () => {
  const rules = parse(read('ops/prometheus/alerts.yml')) as { groups: { rules: { expr: string }[] }[] };
  const alerting = new Set(rules.groups.flatMap((g) => g.rules.flatMap((r) => metricsIn(r.expr))));
  const shown = new Set(
    dashboards.flatMap(({ dashboard }) => Object.values(expressions(dashboard)).flatMap(metricsIn)),
  );
  expect(alerting.size).toBeGreaterThan(0);
  expect([...alerting].filter((m) => !shown.has(m))).toEqual([]);
});

describe('provisioning (ops/grafana/provisioning)', () => {
  it('has one datasource: the compose Prometheus, on its port, sized to its scrape interval', () => {
    expect(datasources).toHaveLength(1);
    const [datasource] = datasources;
    expect(datasource?.type).toBe('prometheus');
    const url = new URL(datasource?.url ?? '');
    expect(url.hostname).toBe('prometheus');
    expect(service('prometheus').ports).toEqual([`127.0.0.1:${url.port}:${url.port}`]);
    const prometheus = parse(read('ops/prometheus/prometheus.yml')) as {
      global: { scrape_interval: string };
    };
    expect(datasource?.jsonData?.timeInterval).toBe(prometheus.global.scrape_interval);
  });

  it('compose mounts the provisioning where Grafana reads it, and the dashboards where the provider loads them', () => {
    expect(mountTarget('grafana', './ops/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    expect(providers.map((p) => p.type)).toEqual(['file']);
    expect(mountTarget('grafana', `./${DASHBOARDS}`)).toBe(providers[0]?.options.path);
  });

  it("Grafana's home page is a dashboard compose mounts", () => {
    const home = service('grafana').environment?.['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'] ?? '';
    const mounted = mountTarget('grafana', `./${DASHBOARDS}`) ?? '';
    expect(path.dirname(home)).toBe(mounted);
    expect(existsSync(path.join(ROOT, DASHBOARDS, path.basename(home)))).toBe(true);
  });

  it('lets anonymous visitors view, not edit', () => {
    expect(service('grafana').environment).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
    });
  });
});
