import { InfrastructureSelectionError, isCi, resolvePreference } from './infrastructure-preference';

describe('resolvePreference', () => {
  it('defaults to native under CI, so a Docker engine CI started cannot switch the tests to Testcontainers', () => {
    expect(resolvePreference(undefined, { CI: 'true' })).toEqual({
      preference: 'native',
      origin: 'the default under CI=true',
    });
    expect(resolvePreference(undefined, { CI: '1', ORDERSTREAM_INFRA: '' }).preference).toBe('native');
  });

  it('defaults to auto outside CI', () => {
    expect(resolvePreference(undefined, {})).toEqual({
      preference: 'auto',
      origin: 'the default outside CI',
    });
    expect(resolvePreference(undefined, { CI: 'false' }).preference).toBe('auto');
  });

  it('takes ORDERSTREAM_INFRA over the CI default, and an explicit option over both', () => {
    expect(resolvePreference(undefined, { CI: 'true', ORDERSTREAM_INFRA: 'auto' })).toEqual({
      preference: 'auto',
      origin: 'ORDERSTREAM_INFRA=auto',
    });
    expect(resolvePreference(undefined, { ORDERSTREAM_INFRA: ' testcontainers ' }).preference).toBe(
      'testcontainers',
    );
    expect(resolvePreference('native', { ORDERSTREAM_INFRA: 'testcontainers' })).toEqual({
      preference: 'native',
      origin: "prefer: 'native'",
    });
  });

  it('rejects an unknown ORDERSTREAM_INFRA with the valid values, whatever CI says', () => {
    const resolve = () => resolvePreference(undefined, { CI: 'true', ORDERSTREAM_INFRA: 'docker' });
    expect(resolve).toThrow(InfrastructureSelectionError);
    expect(resolve).toThrow(
      /^ORDERSTREAM_INFRA is "docker", which is not one of native, testcontainers, auto: /,
    );
    try {
      resolve();
    } catch (error) {
      expect((error as InfrastructureSelectionError).code).toBe('INFRA_UNKNOWN_PREFERENCE');
    }
  });

  it('rejects an unknown option value from a JavaScript caller, naming the option', () => {
    expect(() => resolvePreference('Native' as never, {})).toThrow(
      /^provideInfrastructure\(\{ prefer \}\) is "Native", which is not one of native, testcontainers, auto/,
    );
  });
});

describe('isCi', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['TRUE', true],
    ['false', false],
    ['0', false],
    ['', false],
    [undefined, false],
  ])('CI=%s is %s', (ci, expected) => {
    expect(isCi(ci === undefined ? {} : { CI: ci })).toBe(expected);
  });
});
