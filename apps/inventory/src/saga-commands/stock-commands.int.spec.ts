/**
 * inventory as a participant of the orchestrated saga (SAGA_MODE=orchestration), in-process against real
 * Kafka, registry and PostgreSQL: the orchestrator's commands arrive on inventory.commands, and each reply
 * is the event inventory publishes anyway, caused by the command (its causation id is the command id).
 */
import { randomUUID } from 'node:crypto';
import {
  releaseStockCommand,
  reserveStockCommand,
  stockRejectedEvent,
  stockReleasedEvent,
  stockReservedEvent,
} from '@orderstream/contracts';
import type { ServiceUnderTest } from '@orderstream/platform/testing';
import { uniqueName, waitFor } from '@orderstream/testing';
import { startInventory } from '../test/service-under-test';

describe('inventory, orchestrated: commands and replies', () => {
  let service: ServiceUnderTest;

  beforeAll(async () => {
    service = await startInventory({ sagaMode: 'orchestration' });
  });
  afterAll(() => service?.close());

  async function sku(units: number): Promise<string> {
    const name = uniqueName('SKU-TEST').toUpperCase();
    await service.dataSource.query('INSERT INTO stock_items (sku, available) VALUES ($1, $2)', [name, units]);
    return name;
  }

  async function level(name: string) {
    const [row] = (await service.dataSource.query(
      'SELECT available, reserved FROM stock_items WHERE sku = $1',
      [name],
    )) as { available: number; reserved: number }[];
    return row;
  }

  async function handled(ids: string[]): Promise<void> {
    await waitFor(async () => (await service.handledCount(ids)) === ids.length, {
      description: `inventory to handle ${ids.length} command(s)`,
      timeoutMs: 60_000,
    });
  }

  /** Each outbox row of the order as [type, causation id, payload]. */
  async function replies(orderId: string) {
    return (await service.outboxEntriesOf(orderId)).map((row) => [
      row.type,
      row.headers['causation-id'],
      row.data,
    ]);
  }

  it('reserves, then releases, each reply caused by its command', async () => {
    const mug = await sku(5);
    const orderId = randomUUID();
    const reserve = await service.publisher.publish(reserveStockCommand, {
      orderId,
      items: [{ sku: mug, quantity: 2 }],
    });
    await handled([reserve.envelope.id]);
    expect(await level(mug)).toEqual({ available: 3, reserved: 2 });
    const release = await service.publisher.publish(releaseStockCommand, { orderId });
    await handled([release.envelope.id]);

    expect(await level(mug)).toEqual({ available: 5, reserved: 0 });
    expect(await replies(orderId)).toEqual([
      [stockReservedEvent.type, reserve.envelope.id, { orderId, lines: [{ sku: mug, quantity: 2 }] }],
      [stockReleasedEvent.type, release.envelope.id, { orderId, lines: [{ sku: mug, quantity: 2 }] }],
    ]);
  });

  it('answers a release that finds nothing held with no lines, and remembers a release before the reservation', async () => {
    const scarce = await sku(1);
    const rejectedOrder = randomUUID();
    const reserve = await service.publisher.publish(reserveStockCommand, {
      orderId: rejectedOrder,
      items: [{ sku: scarce, quantity: 2 }],
    });
    const release = await service.publisher.publish(releaseStockCommand, { orderId: rejectedOrder });
    await handled([reserve.envelope.id, release.envelope.id]);
    expect(await replies(rejectedOrder)).toEqual([
      [
        stockRejectedEvent.type,
        reserve.envelope.id,
        { orderId: rejectedOrder, sku: scarce, requested: 2, available: 1 },
      ],
      [stockReleasedEvent.type, release.envelope.id, { orderId: rejectedOrder, lines: [] }],
    ]);

    // A release first (the reservation was dead-lettered, say): nothing held, and the order is marked, so a
    // later reservation reserves nothing and answers nothing (its command's step has been given up).
    const early = randomUUID();
    const first = await service.publisher.publish(releaseStockCommand, { orderId: early });
    await handled([first.envelope.id]);
    const late = await service.publisher.publish(reserveStockCommand, {
      orderId: early,
      items: [{ sku: scarce, quantity: 1 }],
    });
    // A second release under a new id: the first has answered; this one is refused without a reply.
    const again = await service.publisher.publish(releaseStockCommand, { orderId: early });
    await handled([late.envelope.id, again.envelope.id]);
    expect(await replies(early)).toEqual([
      [stockReleasedEvent.type, first.envelope.id, { orderId: early, lines: [] }],
    ]);
    expect(await level(scarce)).toEqual({ available: 1, reserved: 0 });
  });
});
