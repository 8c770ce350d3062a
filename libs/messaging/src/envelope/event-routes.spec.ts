import type { PayloadCodec } from '../codec/payload-codec';
import type { Envelope } from '../core/envelope';
import type { EventDefinition } from '../core/event-definition';
import { compose, type HandlerContext, type InboundMessage } from '../core/handler';
import { DecodeError } from '../errors/messaging.error';
import { plainLogger, silentLogger, type Logger } from '../logging/logger';
import { decodeMiddleware, skipUnroutedMiddleware } from './decode.middleware';
import { EventRegistry } from './event-registry';
import { EnvelopeCodec } from './envelope.codec';
import { eventHandler, on, registryOf } from './event-routes';
import { UnhandledEventError } from './unhandled-event.error';

const jsonCodec: PayloadCodec = {
  register: () => Promise.resolve(1),
  encode: (_schema, value) => Promise.resolve(Buffer.from(JSON.stringify(value))),
  decode: <T>(bytes: Buffer | null) => Promise.resolve(JSON.parse(bytes?.toString() ?? 'null') as T),
};

interface Placed {
  orderId: string;
  total: number;
}
interface Cancelled {
  orderId: string;
  reason: string;
}
const placed: EventDefinition<Placed> = {
  type: 'test.Placed',
  topic: 'orders',
  schema: { type: 'record', name: 'Placed', fields: [] },
  key: (e) => e.orderId,
};
const cancelled: EventDefinition<Cancelled> = {
  type: 'test.Cancelled',
  topic: 'orders',
  schema: { type: 'record', name: 'Cancelled', fields: [] },
  key: (e) => e.orderId,
};
const shipped: EventDefinition<Placed> = { ...placed, type: 'test.Shipped' };

const codec = new EnvelopeCodec(jsonCodec);
const debugLines: string[] = [];
const logger: Logger = plainLogger({
  debug: (_fields, message) => debugLines.push(message),
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

async function inbound<T>(definition: EventDefinition<T>, data: T): Promise<InboundMessage> {
  const record = await codec.encode(definition, data, { source: '/test' });
  const headers: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(record.headers ?? {})) headers[name] = Buffer.from(value);
  return {
    record: {
      topic: 'orders',
      partition: 0,
      offset: '7',
      key: null,
      value: record.value,
      headers,
      timestamp: '0',
    },
    groupId: 'g',
    attempt: 1,
  };
}

const context = (message: InboundMessage): HandlerContext => ({ message, logger });

describe('decodeMiddleware + eventHandler', () => {
  it('hands each typed handler the envelope of its own type', async () => {
    const seen: string[] = [];
    const routes = [
      on(placed, async (event: Envelope<Placed>) => {
        seen.push(`placed ${event.data.orderId} ${event.data.total}`);
      }),
      on(cancelled, async (event: Envelope<Cancelled>) => {
        seen.push(`cancelled ${event.data.orderId} ${event.data.reason}`);
      }),
    ];
    const pipeline = compose([decodeMiddleware(codec, registryOf(routes))], eventHandler(routes));

    for (const message of [
      await inbound(placed, { orderId: 'o-1', total: 5 }),
      await inbound(cancelled, { orderId: 'o-1', reason: 'changed mind' }),
    ]) {
      await pipeline(message, context(message));
      expect(message.envelope?.subject).toBe('o-1');
    }
    expect(seen).toEqual(['placed o-1 5', 'cancelled o-1 changed mind']);
  });

  it('skips a type without a route by default (logged at debug), or fails when asked to', async () => {
    const routes = [on(placed, () => Promise.resolve())];
    const message = await inbound(shipped, { orderId: 'o-2', total: 1 });
    // The registry knows the type (it decodes), but no route handles it.
    const decode = decodeMiddleware(codec, registryOf([...routes, on(shipped, () => Promise.resolve())]));

    await compose([decode], eventHandler(routes))(message, context(message));
    expect(debugLines).toContain('No handler for event type; skipped');

    await expect(
      compose([decode], eventHandler(routes, { unhandled: 'fail' }))(message, context(message)),
    ).rejects.toBeInstanceOf(UnhandledEventError);
  });

  it('lets a DecodeError out of the pipeline before any handler runs', async () => {
    const handler = jest.fn(() => Promise.resolve());
    const routes = [on(placed, handler)];
    const message = await inbound(placed, { orderId: 'o-3', total: 1 });
    delete message.record.headers['ce_type'];

    await expect(
      compose([decodeMiddleware(codec, registryOf(routes))], eventHandler(routes))(message, context(message)),
    ).rejects.toBeInstanceOf(DecodeError);
    expect(handler).not.toHaveBeenCalled();
  });

  it('refuses two routes for one type and a pipeline without the decode middleware', async () => {
    expect(() =>
      eventHandler([on(placed, () => Promise.resolve()), on(placed, () => Promise.resolve())]),
    ).toThrow('Two handlers for event type test.Placed');
    const message = await inbound(placed, { orderId: 'o-4', total: 1 });
    await expect(eventHandler([])(message, context(message))).rejects.toThrow(
      /put decodeMiddleware in the pipeline/,
    );
  });
});

describe('skipUnroutedMiddleware', () => {
  const registry = new EventRegistry();
  registry.register({
    type: 'test.Routed',
    topic: 't',
    schema: { type: 'record', name: 'Routed', fields: [] },
    key: () => 'k',
  });

  function record(type?: string): InboundMessage {
    return {
      groupId: 'g',
      attempt: 1,
      record: {
        topic: 't',
        partition: 0,
        offset: '0',
        key: null,
        value: null,
        headers: type === undefined ? {} : { ce_type: Buffer.from(type) },
        timestamp: '0',
      },
    };
  }

  it.each([
    ['a routed type', 'test.Routed', true],
    ['a record without ce_type (left to the decode step to reject)', undefined, true],
    ['a type nobody routes', 'test.Other', false],
  ])('%s reaches the next step: %s', async (_name, type, reaches) => {
    const next = jest.fn(async () => undefined);
    const message = record(type);
    await skipUnroutedMiddleware(registry)(next)(message, { message, logger: silentLogger });
    expect(next).toHaveBeenCalledTimes(reaches ? 1 : 0);
  });
});
