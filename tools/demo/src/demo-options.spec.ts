import { DEFAULT_SCENARIO_ORDERS, DemoUsageError, parseDemoArgs } from './demo-options';

describe('parseDemoArgs', () => {
  it('runs the default scenario without arguments', () => {
    expect(parseDemoArgs([])).toEqual({
      scenario: true,
      orders: DEFAULT_SCENARIO_ORDERS,
      sagaMode: 'choreography',
      help: false,
    });
  });

  it('reads --orders N and --orders=N, and --no-scenario', () => {
    expect(parseDemoArgs(['--orders', '50']).orders).toBe(50);
    expect(parseDemoArgs(['--orders=120']).orders).toBe(120);
    expect(parseDemoArgs(['--no-scenario'])).toEqual({
      scenario: false,
      orders: 300,
      sagaMode: 'choreography',
      help: false,
    });
    expect(parseDemoArgs(['--help']).help).toBe(true);
  });

  it('reads --base-port N and --log-dir DIR', () => {
    expect(parseDemoArgs(['--base-port', '13001', '--log-dir=/tmp/demo-logs'])).toEqual({
      scenario: true,
      orders: DEFAULT_SCENARIO_ORDERS,
      basePort: 13001,
      logDir: '/tmp/demo-logs',
      sagaMode: 'choreography',
      help: false,
    });
  });

  it('reads --saga MODE', () => {
    expect(parseDemoArgs(['--saga', 'orchestration']).sagaMode).toBe('orchestration');
    expect(parseDemoArgs(['--saga=choreography']).sagaMode).toBe('choreography');
  });

  it.each([
    [['--base-port']],
    [['--base-port', '80']],
    [['--base-port', '65001']],
    [['--base-port', '3e3']],
    [['--log-dir']],
    [['--log-dir=']],
    [['--orders']],
    [['--orders', 'many']],
    [['--orders', '19']],
    [['--orders', '5001']],
    [['--orders', '1e3']],
    [['--orders', '-30']],
    [['--no-scenario=yes']],
    [['--saga']],
    [['--saga', 'step-functions']],
    [['--fast']],
  ])('refuses %j with a usage error', (argv) => {
    expect(() => parseDemoArgs(argv)).toThrow(DemoUsageError);
  });
});
