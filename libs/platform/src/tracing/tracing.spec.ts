import { samplerOf, tracesEndpointOf, type TracingConfig } from './tracing';

const config: TracingConfig = { OTEL_SERVICE_NAME: 'orders', OTEL_TRACES_SAMPLER: 'parentbased_always_on' };

describe('tracesEndpointOf', () => {
  it('is off without an endpoint', () => {
    expect(tracesEndpointOf(config)).toBeUndefined();
  });

  it('appends the traces path to the base endpoint, as the OTLP exporter specification says', () => {
    expect(tracesEndpointOf({ ...config, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' })).toBe(
      'http://jaeger:4318/v1/traces',
    );
  });

  it('takes the traces endpoint as it is, over the base one', () => {
    expect(
      tracesEndpointOf({
        ...config,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/custom',
      }),
    ).toBe('http://collector:4318/custom');
  });
});

describe('samplerOf', () => {
  it.each([
    ['parentbased_always_on', undefined, 'ParentBased{root=AlwaysOnSampler'],
    ['always_off', undefined, 'AlwaysOffSampler'],
    ['traceidratio', 0.5, 'TraceIdRatioBased{0.5}'],
    ['parentbased_traceidratio', 0.1, 'ParentBased{root=TraceIdRatioBased{0.1}'],
  ] as const)('%s', (name, ratio, description) => {
    expect(samplerOf({ OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: ratio }).toString()).toContain(
      description,
    );
  });
});
