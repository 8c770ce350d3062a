import { defineSaga, InvalidSagaDefinitionError, type SagaDefinition } from './saga-definition';
import { sagaDiagram } from './saga-diagram';
import {
  onSagaDeadline,
  onSagaReply,
  startSaga,
  type SagaInstance,
  type SagaTransition,
} from './saga-machine';

interface Order {
  orderId: string;
  amountCents: number;
  paymentId?: string;
}

const T = (name: string) => `orderstream.test.${name}`;

const orderSaga: SagaDefinition<Order> = defineSaga<Order>({
  name: 'order-fulfilment',
  steps: [
    {
      name: 'AuthorizePayment',
      participant: 'payments',
      action: (o) => ({
        type: T('AuthorizePayment'),
        payload: { orderId: o.orderId, amountCents: o.amountCents },
      }),
      successOn: [T('PaymentAuthorized')],
      failureOn: [T('PaymentDeclined')],
      onSuccess: (o, reply) => ({ ...o, paymentId: (reply.payload as { paymentId: string }).paymentId }),
      compensation: {
        command: (o) => ({ type: T('RefundPayment'), payload: { paymentId: o.paymentId } }),
        doneOn: [T('PaymentRefunded')],
        timeoutMs: 1_000,
        retries: 1,
      },
      timeoutMs: 5_000,
      retries: 2,
    },
    {
      name: 'ReserveStock',
      participant: 'inventory',
      action: (o) => ({ type: T('ReserveStock'), payload: { orderId: o.orderId } }),
      successOn: [T('StockReserved')],
      failureOn: [T('StockRejected')],
      timeoutMs: 5_000,
      retries: 0,
    },
  ],
});

function ids(): () => string {
  let n = 0;
  return () => `cmd-${++n}`;
}

const ORDER: Order = { orderId: 'o-1', amountCents: 1_200 };

describe('the saga state machine', () => {
  it('runs the steps in order and completes, carrying what a reply added to the data', () => {
    const newId = ids();
    const started = startSaga(orderSaga, 'saga-1', ORDER, 0, newId);
    expect(started.commands).toEqual([
      {
        sagaId: 'saga-1',
        commandId: 'cmd-1',
        step: 'AuthorizePayment',
        participant: 'payments',
        kind: 'action',
        attempt: 1,
        type: T('AuthorizePayment'),
        payload: { orderId: 'o-1', amountCents: 1_200 },
      },
    ]);
    expect(started.instance).toMatchObject({ status: 'running', step: 0, deadline: 5_000 });
    const paid = onSagaReply(
      orderSaga,
      started.instance,
      { commandId: 'cmd-1', type: T('PaymentAuthorized'), payload: { paymentId: 'p-9' } },
      10,
      newId,
    );
    expect(paid.commands.map((c) => [c.type, c.commandId])).toEqual([[T('ReserveStock'), 'cmd-2']]);
    expect(paid.instance.data.paymentId).toBe('p-9');
    const done = onSagaReply(
      orderSaga,
      paid.instance,
      { commandId: 'cmd-2', type: T('StockReserved'), payload: {} },
      20,
      newId,
    );
    expect(done).toEqual({
      instance: expect.objectContaining({ status: 'completed', deadline: null }),
      commands: [],
      changed: true,
      outcome: 'completed',
    });
  });

  it('undoes the completed steps when a later one fails, and ends compensated', () => {
    const newId = ids();
    let t: SagaTransition<Order> = startSaga(orderSaga, 'saga-1', ORDER, 0, newId);
    t = onSagaReply(
      orderSaga,
      t.instance,
      { commandId: 'cmd-1', type: T('PaymentAuthorized'), payload: { paymentId: 'p-9' } },
      1,
      newId,
    );
    t = onSagaReply(
      orderSaga,
      t.instance,
      { commandId: 'cmd-2', type: T('StockRejected'), payload: {} },
      2,
      newId,
    );
    expect(t.instance).toMatchObject({
      status: 'compensating',
      step: 0,
      commandId: 'cmd-3',
      failure: { step: 'ReserveStock', reason: T('StockRejected') },
    });
    expect(t.commands.map((c) => [c.kind, c.type, c.payload])).toEqual([
      ['compensation', T('RefundPayment'), { paymentId: 'p-9' }],
    ]);
    t = onSagaReply(
      orderSaga,
      t.instance,
      { commandId: 'cmd-3', type: T('PaymentRefunded'), payload: {} },
      3,
      newId,
    );
    expect(t.instance).toMatchObject({ status: 'compensated', deadline: null });
  });

  it('ends compensated at once when the first step fails: nothing to undo', () => {
    const newId = ids();
    const started = startSaga(orderSaga, 'saga-1', ORDER, 0, newId);
    const declined = onSagaReply(
      orderSaga,
      started.instance,
      { commandId: 'cmd-1', type: T('PaymentDeclined'), payload: {} },
      1,
      newId,
    );
    expect(declined.commands).toEqual([]);
    expect(declined.instance).toMatchObject({ status: 'compensated', failure: { step: 'AuthorizePayment' } });
  });

  it('changes nothing for a duplicate, a reply to another command, or an unexpected type', () => {
    const newId = ids();
    const started = startSaga(orderSaga, 'saga-1', ORDER, 0, newId);
    const paid = onSagaReply(
      orderSaga,
      started.instance,
      { commandId: 'cmd-1', type: T('PaymentAuthorized'), payload: { paymentId: 'p' } },
      1,
      newId,
    );
    for (const reply of [
      { commandId: 'cmd-1', type: T('PaymentAuthorized'), payload: { paymentId: 'p' } }, // duplicate of the last step's
      { commandId: 'cmd-7', type: T('StockReserved'), payload: {} }, // another command's
      { commandId: 'cmd-2', type: T('PaymentRefunded'), payload: {} }, // not a reply this step knows
    ]) {
      expect(onSagaReply(orderSaga, paid.instance, reply, 2, newId)).toEqual({
        instance: paid.instance,
        commands: [],
        changed: false,
        outcome: 'unchanged',
      });
    }
  });

  it('sends the action again on timeout with the same command id, then fails the step', () => {
    const newId = ids();
    let instance: SagaInstance<Order> = startSaga(orderSaga, 'saga-1', ORDER, 0, newId).instance;
    expect(onSagaDeadline(orderSaga, instance, 4_999, newId).changed).toBe(false);
    const attempts: [number, string][] = [];
    for (const now of [5_000, 10_000]) {
      const t = onSagaDeadline(orderSaga, instance, now, newId);
      attempts.push([t.commands[0]!.attempt, t.commands[0]!.commandId]);
      instance = t.instance;
    }
    expect(attempts).toEqual([
      [2, 'cmd-1'],
      [3, 'cmd-1'],
    ]);
    // A late reply to the first attempt still completes the step: same command id.
    const late = onSagaReply(
      orderSaga,
      instance,
      { commandId: 'cmd-1', type: T('PaymentAuthorized'), payload: { paymentId: 'p' } },
      12_000,
      newId,
    );
    expect(late.instance).toMatchObject({ status: 'running', step: 1 });
    // Without it, the third timeout (retries: 2) fails the step. payments may still authorize (the command
    // waits in its topic), so the timed-out step itself is undone: its refund follows the command.
    const failed = onSagaDeadline(orderSaga, instance, 15_000, newId);
    expect(failed.outcome).toBe('failed');
    expect(failed.instance).toMatchObject({
      status: 'compensating',
      step: 0,
      commandId: 'cmd-3',
      failure: { step: 'AuthorizePayment', reason: 'timeout' },
    });
    expect(failed.commands).toEqual([
      expect.objectContaining({ kind: 'compensation', type: T('RefundPayment'), commandId: 'cmd-3' }),
    ]);
  });

  it('says what each transition did', () => {
    const newId = ids();
    const outcomes: string[] = [];
    let t = startSaga(orderSaga, 'saga-1', ORDER, 0, newId);
    outcomes.push(t.outcome);
    t = onSagaDeadline(orderSaga, t.instance, 5_000, newId);
    outcomes.push(t.outcome);
    t = onSagaReply(
      orderSaga,
      t.instance,
      { commandId: 'cmd-1', type: T('PaymentAuthorized'), payload: {} },
      6_000,
      newId,
    );
    outcomes.push(t.outcome);
    t = onSagaReply(
      orderSaga,
      t.instance,
      { commandId: 'cmd-2', type: T('StockRejected'), payload: {} },
      7_000,
      newId,
    );
    outcomes.push(t.outcome);
    t = onSagaReply(
      orderSaga,
      t.instance,
      { commandId: 'cmd-2', type: T('StockRejected'), payload: {} },
      7_000,
      newId,
    );
    outcomes.push(t.outcome);
    t = onSagaReply(
      orderSaga,
      t.instance,
      { commandId: 'cmd-3', type: T('PaymentRefunded'), payload: {} },
      8_000,
      newId,
    );
    outcomes.push(t.outcome);
    expect(outcomes).toEqual(['started', 'retried', 'advanced', 'failed', 'unchanged', 'compensated']);
    const declined = onSagaReply(
      orderSaga,
      startSaga(orderSaga, 'saga-2', ORDER, 0, newId).instance,
      { commandId: 'cmd-4', type: T('PaymentDeclined'), payload: {} },
      1,
      newId,
    );
    expect([declined.outcome, declined.instance.status]).toEqual(['failed', 'compensated']);
  });

  it('is stuck when a compensation runs out of retries', () => {
    const newId = ids();
    let t = startSaga(orderSaga, 'saga-1', ORDER, 0, newId);
    t = onSagaReply(
      orderSaga,
      t.instance,
      { commandId: 'cmd-1', type: T('PaymentAuthorized'), payload: { paymentId: 'p' } },
      0,
      newId,
    );
    t = onSagaDeadline(orderSaga, t.instance, 5_000, newId); // ReserveStock: no retries → compensate payment
    expect(t.instance).toMatchObject({ status: 'compensating', deadline: 6_000 });
    t = onSagaDeadline(orderSaga, t.instance, 6_000, newId);
    expect(t.commands.map((c) => [c.kind, c.attempt])).toEqual([['compensation', 2]]);
    t = onSagaDeadline(orderSaga, t.instance, 7_000, newId);
    expect(t.instance).toMatchObject({ status: 'stuck', deadline: null });
    expect(
      onSagaReply(
        orderSaga,
        t.instance,
        { commandId: t.instance.commandId, type: T('PaymentRefunded'), payload: {} },
        8_000,
        newId,
      ).changed,
    ).toBe(false);
  });
});

describe('defineSaga', () => {
  it('names every problem of a definition', () => {
    expect(() =>
      defineSaga({
        name: 'Bad Name',
        steps: [
          {
            name: 'a',
            participant: 'x',
            action: () => ({ type: 't', payload: null }),
            successOn: [],
            failureOn: [],
            timeoutMs: 0,
            retries: -1,
          },
        ],
      }),
    ).toThrow(InvalidSagaDefinitionError);
  });
});

describe('sagaDiagram', () => {
  it('draws the steps, their compensations and where each reply leads', () => {
    expect(sagaDiagram(orderSaga as SagaDefinition<never>)).toBe(
      [
        'stateDiagram-v2',
        '  %% order-fulfilment: generated by sagaDiagram(), do not edit',
        '  [*] --> AuthorizePayment',
        '  AuthorizePayment --> ReserveStock: PaymentAuthorized',
        '  AuthorizePayment --> Compensated: PaymentDeclined',
        '  AuthorizePayment --> UndoAuthorizePayment: timeout ×3',
        '  ReserveStock --> Completed: StockReserved',
        '  ReserveStock --> UndoAuthorizePayment: StockRejected / timeout ×1',
        '  UndoAuthorizePayment --> Compensated: PaymentRefunded',
        '  UndoAuthorizePayment --> Stuck: timeout ×2',
        '  Completed --> [*]',
        '  Compensated --> [*]',
        '  Stuck --> [*]',
        '',
      ].join('\n'),
    );
  });
});
