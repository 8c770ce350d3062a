/**
 * Just enough PromQL reading for the dashboard's static checks: which metrics and which labels an
 * expression names. Whether the expression parses at all is promtool's job (promtool.ts), so this may stay
 * lexical: strings, label matchers, range selectors and grouping clauses are taken apart, and what is left
 * that is neither a function, a keyword nor a number is a metric name.
 */

/** Grafana's built-in variables, replaced by values of the right kind so that Prometheus can parse the query. */
const GRAFANA_VARIABLES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '1m',
  __range: '1h',
};

/**
 * The expression Prometheus would receive: Grafana's built-in intervals as durations, and each dashboard
 * variable (`$group`, `${group}`) as `.*`, which is what "All" sends for the variables here (`allValue`).
 */
export function withGrafanaVariablesReplaced(expr: string): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    return GRAFANA_VARIABLES[name] ?? '.*';
  });
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const STRINGS = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const MATCHERS = /\{[^}]*\}/g;

/** The metric names an expression selects (`rate(x_total[5m])` names `x_total`; `sum`, `rate`, `by` are not). */
export function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(STRINGS, '""')
    .replace(MATCHERS, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(GROUPING, ' ');
  const names = new Set<string>();
  // Numbers and durations first, so that the `e3` of `1e3` or the `m` of `5m` is never read as a name.
  for (const match of bare.matchAll(/\d+(?:\.\d+)?(?:e[+-]?\d+)?[a-z]*|[a-zA-Z_:][\w:]*/gi)) {
    const token = match[0];
    if (/^\d/.test(token) || KEYWORDS.has(token.toLowerCase())) continue;
    const following = bare.slice((match.index ?? 0) + token.length).trimStart();
    if (following.startsWith('(')) continue; // a function or an aggregation
    names.add(token);
  }
  return [...names];
}

/** The labels an expression matches on or groups by. */
export function labelsIn(expr: string): string[] {
  const unquoted = expr.replace(STRINGS, '""');
  const labels = new Set<string>();
  for (const [matchers] of unquoted.matchAll(MATCHERS))
    for (const [, label] of matchers.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) labels.add(label ?? '');
  for (const [, , list] of unquoted.matchAll(GROUPING))
    for (const label of (list ?? '').split(',')) if (label.trim()) labels.add(label.trim());
  return [...labels];
}
