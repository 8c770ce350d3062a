/**
 * The metrics the services really export, read from their source: every prom-client `new Counter({ name,
 * labelNames })` (and Gauge, Histogram, Summary) under libs/ and apps/. Read as text rather than imported:
 * the definitions live in apps and in classes that need a running service to construct, and a dashboard
 * check must not depend on either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface MetricDefinition {
  type: 'Counter' | 'Gauge' | 'Histogram' | 'Summary';
  labels: readonly string[];
  /** Repository-relative, for messages. */
  file: string;
}

/** Labels Prometheus attaches to every scraped series (the target's), plus the services' default label. */
export const TARGET_LABELS = ['job', 'instance', 'service'] as const;

/** A series Prometheus writes itself, per scrape target, rather than any service. */
export const PROMETHEUS_SERIES: Record<string, MetricDefinition> = {
  up: { type: 'Gauge', labels: [], file: '(Prometheus, per scrape target)' },
};

const DEFINITION = /new (Counter|Gauge|Histogram|Summary)\(\{/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/**
 * Every series name a scrape can return, with its labels: a histogram's `_bucket` (with `le`), `_sum` and
 * `_count`, a summary's `quantile` series, `_sum` and `_count`.
 */
export function metricCatalogue(root: string): Map<string, MetricDefinition> {
  const catalogue = new Map<string, MetricDefinition>(Object.entries(PROMETHEUS_SERIES));
  const projects = ['libs', 'apps'].flatMap((top) =>
    readdirSync(path.join(root, top)).map((project) => path.join(root, top, project, 'src')),
  );
  for (const file of projects.flatMap((src) => {
    try {
      return sources(src);
    } catch {
      return []; // a project without src/
    }
  })) {
    const text = readFileSync(file, 'utf8');
    // Each definition's text runs to the next one, so its name and labels are the first found in it.
    const starts = [...text.matchAll(DEFINITION)];
    starts.forEach((start, i) => {
      const body = text.slice((start.index ?? 0) + start[0].length, starts[i + 1]?.index ?? text.length);
      const name = /\bname:\s*['"]([a-zA-Z_:][\w:]*)['"]/.exec(body)?.[1];
      if (!name) return;
      const labels = [
        ...(/\blabelNames:\s*\[([^\]]*)\]/.exec(body)?.[1] ?? '').matchAll(/['"](\w+)['"]/g),
      ].map((m) => m[1] ?? '');
      const definition = {
        type: start[1] as MetricDefinition['type'],
        labels,
        file: path.relative(root, file),
      };
      if (definition.type === 'Histogram') {
        catalogue.set(`${name}_bucket`, { ...definition, labels: [...labels, 'le'] });
        catalogue.set(`${name}_sum`, definition);
        catalogue.set(`${name}_count`, definition);
      } else if (definition.type === 'Summary') {
        catalogue.set(name, { ...definition, labels: [...labels, 'quantile'] });
        catalogue.set(`${name}_sum`, definition);
        catalogue.set(`${name}_count`, definition);
      } else {
        catalogue.set(name, definition);
      }
    });
  }
  return catalogue;
}
