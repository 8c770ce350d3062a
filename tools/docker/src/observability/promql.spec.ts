import { labelsIn, metricsIn, withGrafanaVariablesReplaced } from './promql';

describe('metricsIn', () => {
  it('finds the selected metrics, not the functions, aggregations, keywords or label values', () => {
    expect(
      metricsIn(
        'histogram_quantile(0.95, sum by (group, le) (rate(a_seconds_bucket{group=~"orders|b_total"}[5m])))',
      ),
    ).toEqual(['a_seconds_bucket']);
    expect(
      metricsIn('(sum by (g) (x_total) > 0) unless on (g) (sum by (g) (rate(y_total[10m])) > 1e3)'),
    ).toEqual(['x_total', 'y_total']);
    expect(metricsIn('(sum by (source) (leader) < 1) or absent(leader) offset 5m')).toEqual(['leader']);
    expect(metricsIn('up')).toEqual(['up']);
  });
});

describe('labelsIn', () => {
  it('finds the labels of matchers and grouping clauses, not those inside strings', () => {
    expect(
      labelsIn('sum by (group, le) (rate(a_bucket{group=~"x", topic!="y{z=1}"}[5m])) * on (instance) b'),
    ).toEqual(['group', 'topic', 'le', 'instance']);
  });
});

describe('withGrafanaVariablesReplaced', () => {
  it("turns Grafana's intervals into durations and dashboard variables into match-all", () => {
    expect(
      withGrafanaVariablesReplaced(
        'increase(a{group=~"$group",b=~"${b}"}[$__range]) / rate(a[$__rate_interval])',
      ),
    ).toBe('increase(a{group=~".*",b=~".*"}[1h]) / rate(a[1m])');
  });
});
