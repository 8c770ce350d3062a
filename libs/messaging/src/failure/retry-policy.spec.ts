import {
  deadLetterTopicName,
  InvalidRetryPolicyError,
  retryStageOf,
  retryTopicName,
  retryTopicNames,
  validateRetryPolicy,
} from './retry-policy';

describe('retry policy', () => {
  it('names the failure topics after the consumer group', () => {
    expect(retryTopicNames('billing', { delaysMs: [200, 400, 800] })).toEqual([
      'billing.retry.1',
      'billing.retry.2',
      'billing.retry.3',
    ]);
    expect(deadLetterTopicName('billing')).toBe('billing.dlt');
  });

  it('refuses a group whose failure topics would have invalid names', () => {
    expect(() => retryTopicName('billing group', 1)).toThrow(InvalidRetryPolicyError);
    expect(() => deadLetterTopicName('x'.repeat(246))).toThrow('is not a valid Kafka topic name');
  });

  it('tells source topics from the group’s own retry topics', () => {
    const policy = { delaysMs: [200, 400] };
    expect(retryStageOf('payments.events', 'billing', policy)).toBe(0);
    expect(retryStageOf('billing.retry.1', 'billing', policy)).toBe(1);
    expect(retryStageOf('billing.retry.2', 'billing', policy)).toBe(2);
    expect(retryStageOf('billing.retry.3', 'billing', policy)).toBe(0);
    expect(retryStageOf('billing.retry.01', 'billing', policy)).toBe(0);
    expect(retryStageOf('shipping.retry.1', 'billing', policy)).toBe(0);
  });

  it('fails fast naming the offending setting', () => {
    const immediate = { attempts: 3, backoffMs: 10 };
    expect(() => validateRetryPolicy({ immediate: { ...immediate, backoffMs: -1 }, delaysMs: [] })).toThrow(
      'retry.immediate.backoffMs must be an integer >= 0, got -1',
    );
    expect(() => validateRetryPolicy({ immediate, delaysMs: [100, 1.5] })).toThrow(
      'retry.delaysMs[1] must be an integer >= 0, got 1.5',
    );
    expect(validateRetryPolicy({ immediate, delaysMs: [100] })).toEqual({ immediate, delaysMs: [100] });
  });
});
