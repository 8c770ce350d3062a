/**
 * The whole saga as a deployment runs it: every service of the system manifest as a separate process
 * (built `dist/main.js`, configured only through the environment), each with a fresh database of its own,
 * against the real Kafka, registry and PostgreSQL of the test run.
 *
 * Isolation: each system runs in a Kafka namespace of its own (`KAFKA_NAMESPACE`): its topics, consumer
 * groups, retry and dead-letter topics and transactional ids are its alone, so systems (and any other test)
 * can run at the same time on one cluster. Its Kafka clients for tests (`kafka()`) use the same namespace
 * and so see the logical names (`orders.events`).
 *
 * Reads go through the services' HTTP APIs, as a client would. `query` reads a service's database
 * directly, for the few invariants no endpoint exposes (what inventory holds per order).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  SERVICE_NAMES,
  serviceEnv,
  startService,
  type ServiceEndpoints,
  type ServiceName,
  type ServiceProcess,
} from '@orderstream/demo';
import {
  deleteNamespaceContents,
  namespacedKafkaClient,
  type AdminPort,
  type ConsumedRecord,
  type KafkaClient,
  type PartitionOffset,
} from '@orderstream/messaging';
import {
  databasesOf,
  serviceIn,
  serviceNames,
  serviceOf,
  topicsConsumedBy,
  type SagaMode,
} from '@orderstream/system';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import {
  createTestDatabase,
  freePort,
  testInfrastructure,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@orderstream/testing';
import { Client } from 'pg';

/** A service that owns a database in the manifest. */
export type DatabaseOwner = string;

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

/** `GET /orders/{id}` as the orders API documents it; declared here because e2e never imports an app. */
export interface OrderView {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: { sku: string; quantity: number; unitPriceCents: number }[];
  totalCents: number;
  currency: string;
  placedAt: string;
  history: { status: OrderStatus; reason: string | null; at: string }[];
}

/** `GET /payments/{orderId}` of the payments API. */
export interface PaymentView {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  status: 'AUTHORIZED' | 'DECLINED' | 'REFUNDED';
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** `GET /customers/{customerId}` of the payments API. */
export interface CustomerCreditView {
  customerId: string;
  creditLimitCents: number;
  reservedCents: number;
  availableCents: number;
}

/** The units of `GET /stock/{sku}` of the inventory API: what the saga moves. */
export interface StockLevelView {
  sku: string;
  available: number;
  reserved: number;
}

/** `GET /stock/{sku}` of the inventory API in full: with the level's version and whether it is withdrawn. */
export interface InventoryStockLevel extends StockLevelView {
  version: number;
  withdrawn: boolean;
}

/** `GET /stock-levels` of the orders API: its replica of inventory's levels (SKUs on sale only). */
export interface ReplicatedStockLevel {
  sku: string;
  available: number;
  reserved: number;
  version: number;
  replicatedAt: string;
}

export interface PlaceOrderBody {
  customerId: string;
  items: { sku: string; quantity: number }[];
}

export interface HttpResult<T = unknown> {
  status: number;
  contentType: string | null;
  location: string | null;
  body: T;
}

/**
 * The saga's contract topics, each keyed by order id: the event streams of orders, payments and inventory
 * (not notifications.events, which follows the saga's end, nor the compacted stock levels, keyed by SKU).
 */
export const SAGA_TOPICS: readonly string[] = ['orders', 'payments', 'inventory'].flatMap((service) =>
  serviceOf(service)
    .topics.filter((topic) => topic.cleanupPolicy === 'delete')
    .map((topic) => topic.name),
);
export type SagaTopic = string;

/** What each consumer group reads in a saga mode, from the manifest (docs/saga.md, "Who consumes what"). */
export function groupTopics(mode: SagaMode): Readonly<Record<string, readonly SagaTopic[]>> {
  return Object.fromEntries(
    serviceNames().flatMap((name) =>
      serviceIn(name, mode).consumerGroups.map((g) => [g.name, topicsConsumedBy(g)] as const),
    ),
  );
}

/** Log-end offset of every partition of every saga topic, as `topic/partition` → offset. */
export type EndOffsets = Record<string, string>;

/** Statuses after which the saga has nothing more to do for an order unless its customer cancels it. */
export const SETTLED_STATUSES: readonly OrderStatus[] = ['CONFIRMED', 'REJECTED', 'CANCELLED'];

/**
 * Per-service settings for tests: the relay's fallback poll is short so a lost NOTIFY costs little time;
 * everything else is the services' defaults, as deployed.
 */
const TEST_ENV: Partial<Record<ServiceName, Record<string, string>>> = {
  'outbox-relay': { OUTBOX_POLL_INTERVAL_MS: '200' },
};

export interface SagaSystemOptions {
  /** Extra environment per service, merged over `serviceEnv(...)` and the test defaults. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** How long `waitForOrder` and friends wait by default. */
  settleTimeoutMs?: number;
  /** How the order saga runs (every service's `SAGA_MODE`); default choreography. */
  sagaMode?: SagaMode;
}

async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** orders' 422 for an order its stock replica shows a SKU of sold out or withdrawn (no saga started). */
export function isStockUnavailable(response: HttpResult): boolean {
  return (
    response.status === 422 &&
    (response.body as { type?: unknown } | undefined)?.type === 'urn:orderstream:problem:stock-unavailable'
  );
}

export class SagaSystem {
  /** The services' JSON logs, one file per service; named in every start failure. */
  readonly logDir = mkdtempSync(join(tmpdir(), 'orderstream-saga-e2e-'));
  private readonly services = new Map<ServiceName, ServiceProcess>();
  private readonly ports = new Map<ServiceName, number>();
  private readonly databases = new Map<DatabaseOwner, TestDatabase>();
  /** Extra instances (`startInstance`), by instance id. */
  private readonly instances = new Map<string, ServiceProcess>();
  private endpoints: ServiceEndpoints | undefined;
  private readonly workspaceRoot = resolve(__dirname, '..', '..', '..');
  private readonly settleTimeoutMs: number;
  /** The system's Kafka namespace: every topic, group and transactional id of it is prefixed with it. */
  readonly namespace = uniqueName('e2e');

  /** How its order saga runs. */
  readonly sagaMode: SagaMode;

  private constructor(private readonly options: SagaSystemOptions) {
    this.settleTimeoutMs = options.settleTimeoutMs ?? 60_000;
    this.sagaMode = options.sagaMode ?? 'choreography';
  }

  /** Creates the three databases and starts the four services; on failure, cleans up what it started. */
  static async start(options: SagaSystemOptions = {}): Promise<SagaSystem> {
    const system = new SagaSystem(options);
    try {
      await system.boot();
      return system;
    } catch (error) {
      await system.dispose();
      throw error;
    }
  }

  private async boot(): Promise<void> {
    const infra = testInfrastructure();
    for (const owner of Object.keys(databasesOf())) {
      this.databases.set(owner, await createTestDatabase(infra.postgresUrl, `e2e_saga_${owner}`));
    }
    // Every port first: a service that calls another (notifications → orders) is told its URL at start.
    for (const name of SERVICE_NAMES) this.ports.set(name, await freePort());
    this.endpoints = {
      kafkaBrokers: infra.kafkaBrokers,
      schemaRegistryUrl: infra.schemaRegistryUrl,
      databases: Object.fromEntries([...this.databases].map(([owner, db]) => [owner, db.url])),
      namespace: this.namespace,
      ports: Object.fromEntries(this.ports),
      sagaMode: this.sagaMode,
    };
    // All at once: each service creates the topics it owns and waits for those it consumes. Settled, so
    // that every start has finished (and is known to dispose) before a failure is thrown.
    const starts = await Promise.allSettled(SERVICE_NAMES.map((name) => this.startOne(name)));
    const failed = starts.find((start) => start.status === 'rejected');
    if (failed) throw failed.reason;
    await this.waitForStockReplica();
  }

  /**
   * Waits until orders' stock replica (`GET /stock-levels`) equals inventory's levels (`GET /stock`, the
   * SKUs on sale): every SKU, with the same units and version. At boot inventory announces its seeded
   * stock and the relay publishes it a moment later, so orders can be up before it knows any SKU; tests
   * place orders after this. Returns inventory's levels.
   */
  async waitForStockReplica(timeoutMs = this.settleTimeoutMs): Promise<InventoryStockLevel[]> {
    return this.until(
      "orders' stock replica to equal inventory's stock levels",
      async () => {
        const stock = (await this.get<InventoryStockLevel[]>('inventory', '/stock')).filter(
          (s) => !s.withdrawn,
        );
        const replica = await this.get<ReplicatedStockLevel[]>('orders', '/stock-levels');
        const expected = stock.map(({ sku, available, reserved, version }) => ({
          sku,
          available,
          reserved,
          version,
        }));
        const actual = replica.map(({ sku, available, reserved, version }) => ({
          sku,
          available,
          reserved,
          version,
        }));
        // Thrown, not returned: a timeout then shows both sides.
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          throw new Error(`replica ${JSON.stringify(actual)} vs inventory ${JSON.stringify(expected)}`);
        }
        return stock;
      },
      timeoutMs,
    );
  }

  /** Starts (or restarts, on the same port) one service; `env` is merged over its usual environment. */
  async startOne(name: ServiceName, env: Record<string, string> = {}): Promise<ServiceProcess> {
    if (!this.endpoints) throw new Error('The system has no databases yet');
    if (this.services.has(name)) throw new Error(`${name} is running already; stop it first`);
    const port = this.ports.get(name) ?? (await freePort());
    this.ports.set(name, port);
    const service = await startService({
      name,
      port,
      env: {
        ...serviceEnv(name, port, this.endpoints),
        ...TEST_ENV[name],
        ...this.options.env?.[name],
        ...env,
      },
      workspaceRoot: this.workspaceRoot,
      logDir: this.logDir,
    });
    this.services.set(name, service);
    return service;
  }

  /**
   * Starts another instance of a service, beside the one `start` started: same configuration (same consumer
   * group: a work queue), its own port and `INSTANCE_ID`. Stopped by `dispose`; `killInstance` crashes it.
   */
  async startInstance(
    name: ServiceName,
    instance: string,
    env: Record<string, string> = {},
  ): Promise<ServiceProcess> {
    if (!this.endpoints) throw new Error('The system has no databases yet');
    const port = await freePort();
    const service = await startService({
      name,
      instance,
      port,
      env: {
        ...serviceEnv(name, port, this.endpoints),
        ...TEST_ENV[name],
        ...this.options.env?.[name],
        INSTANCE_ID: instance,
        ...env,
      },
      workspaceRoot: this.workspaceRoot,
      logDir: this.logDir,
    });
    this.instances.set(instance, service);
    return service;
  }

  /** SIGKILLs an instance `startInstance` started and waits until it has exited. */
  async killInstance(instance: string): Promise<void> {
    const service = this.instances.get(instance);
    if (!service) throw new Error(`instance ${instance} is not running`);
    process.kill(service.pid, 'SIGKILL');
    await service.exited;
    this.instances.delete(instance);
  }

  /** How many members a consumer group of this system has now (0 while it is rebalancing or empty). */
  async groupMembers(groupId: string): Promise<number> {
    const admin = this.kafka('saga-e2e-groups').admin();
    await admin.connect();
    try {
      const group = await admin.describeGroup(groupId);
      return group.state === 'Stable' ? group.members.length : 0;
    } finally {
      await admin.disconnect();
    }
  }

  /** The URL of a service's database in this system (for assertions on its rows). */
  databaseUrl(owner: DatabaseOwner): string {
    const db = this.databases.get(owner);
    if (!db) throw new Error(`${owner} has no database in this system`);
    return db.url;
  }

  /** Stops one service with SIGTERM and resolves with its exit code (0 when it shut down cleanly). */
  async stopOne(name: ServiceName): Promise<number | null> {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running`);
    const code = await service.stop(15_000);
    this.services.delete(name);
    return code;
  }

  /** Stops every running service with SIGTERM, all at once; their exit codes by name. */
  async stopAll(): Promise<Partial<Record<ServiceName, number | null>>> {
    const names = [...this.services.keys()];
    const codes = await Promise.all(names.map((name) => this.stopOne(name)));
    return Object.fromEntries(names.map((name, i) => [name, codes[i]]));
  }

  /** Stops what still runs, drops the databases and deletes the namespace's topics and groups. Safe to call twice. */
  async dispose(): Promise<void> {
    const instances = [...this.instances.values()];
    this.instances.clear();
    await Promise.all(instances.map((i) => i.stop(15_000)));
    await this.stopAll();
    const databases = [...this.databases.values()];
    this.databases.clear();
    await Promise.all(databases.map((db) => db.drop()));
    if (this.endpoints) await this.deleteNamespace();
  }

  private async deleteNamespace(): Promise<void> {
    const admin = this.kafka('saga-e2e-cleanup').admin();
    await admin.connect();
    try {
      await deleteNamespaceContents(admin);
    } finally {
      await admin.disconnect();
    }
  }

  url(name: ServiceName): string {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running; its log is in ${this.logDir}`);
    return service.url;
  }

  database(owner: DatabaseOwner): TestDatabase {
    const db = this.databases.get(owner);
    if (!db) throw new Error(`No ${owner} database`);
    return db;
  }

  /** Reads a service's database directly (one short-lived connection per call). */
  async query<T>(owner: DatabaseOwner, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.database(owner).url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /**
   * Credit and stock for a load test, written straight into payments' and inventory's databases (no endpoint
   * creates customers or receives goods; this is setup, not what is measured): each customer gets an
   * unlimited-in-practice credit limit, each SKU 100,000,000 units.
   */
  async seedForLoad(customers: readonly string[], skus: readonly string[]): Promise<void> {
    await this.query(
      'payments',
      'INSERT INTO customer_accounts (customer_id, credit_limit_cents) SELECT unnest($1::text[]), 1000000000000',
      [customers],
    );
    await this.query(
      'inventory',
      'UPDATE stock_items SET available = 100000000 WHERE sku = ANY($1::text[])',
      [skus],
    );
  }

  /** One HTTP request; `rawBody` is sent as is (malformed or oversized input), `body` as JSON. */
  async request<T = unknown>(
    name: ServiceName,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    init: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> {
    const payload = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    const response = await fetch(`${this.url(name)}${path}`, {
      method,
      headers: {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(payload === undefined ? {} : { body: payload }),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      location: response.headers.get('location'),
      body: (await parseBody(response)) as T,
    };
  }

  /** `POST /orders` with an Idempotency-Key (a fresh one unless given). */
  postOrder<T = OrderView>(body: unknown, idempotencyKey: string = randomUUID()): Promise<HttpResult<T>> {
    return this.request<T>('orders', 'POST', '/orders', {
      body,
      headers: { 'idempotency-key': idempotencyKey },
    });
  }

  /**
   * Places an order that is either accepted (201, returned PENDING) or refused at once because orders'
   * stock replica shows a SKU sold out or withdrawn (422 `stock-unavailable`: `undefined`); any other
   * answer fails.
   */
  async placeOrderUnlessSoldOut(
    body: PlaceOrderBody,
    idempotencyKey?: string,
  ): Promise<OrderView | undefined> {
    const response = await this.postOrder(body, idempotencyKey);
    if (isStockUnavailable(response)) return undefined;
    if (response.status !== 201) {
      throw new Error(`POST /orders answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }

  /** Places an order that must be accepted (201) and returns it, PENDING. */
  async placeOrder(body: PlaceOrderBody, idempotencyKey?: string): Promise<OrderView> {
    const response = await this.postOrder(body, idempotencyKey);
    if (response.status !== 201) {
      throw new Error(`POST /orders answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }

  async cancelOrder(orderId: string): Promise<HttpResult<OrderView>> {
    return this.request<OrderView>('orders', 'POST', `/orders/${orderId}/cancel`);
  }

  async order(orderId: string): Promise<OrderView> {
    return this.get<OrderView>('orders', `/orders/${orderId}`);
  }

  async ordersOf(customerId: string): Promise<OrderView[]> {
    const query = new URLSearchParams({ customerId });
    return (await this.get<{ orders: OrderView[] }>('orders', `/orders?${query.toString()}`)).orders;
  }

  /** The order's payment, or undefined while payments has none. */
  async payment(orderId: string): Promise<PaymentView | undefined> {
    const response = await this.request<PaymentView>('payments', 'GET', `/payments/${orderId}`);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new Error(`GET /payments/${orderId} answered ${response.status}`);
    return response.body;
  }

  customer(customerId: string): Promise<CustomerCreditView> {
    return this.get<CustomerCreditView>('payments', `/customers/${encodeURIComponent(customerId)}`);
  }

  /** A SKU's units (available, reserved) from inventory; `stockLevel` has the version too. */
  async stock(sku: string): Promise<StockLevelView> {
    const { available, reserved } = await this.stockLevel(sku);
    return { sku, available, reserved };
  }

  stockLevel(sku: string): Promise<InventoryStockLevel> {
    return this.get<InventoryStockLevel>('inventory', `/stock/${encodeURIComponent(sku)}`);
  }

  /** orders' replica of the stock levels (`GET /stock-levels`), the SKUs on sale by SKU. */
  stockReplica(): Promise<ReplicatedStockLevel[]> {
    return this.get<ReplicatedStockLevel[]>('orders', '/stock-levels');
  }

  /** Polls the order until its status is one of `statuses` (by default: settled) and returns it. */
  waitForOrder(
    orderId: string,
    statuses: readonly OrderStatus[] = SETTLED_STATUSES,
    timeoutMs = this.settleTimeoutMs,
  ): Promise<OrderView> {
    return waitFor(
      async () => {
        const order = await this.order(orderId);
        return statuses.includes(order.status) && order;
      },
      { description: `order ${orderId} to be ${statuses.join(' or ')}`, timeoutMs, intervalMs: 100 },
    );
  }

  /** Polls the order's payment until its status is `status` and returns it. */
  waitForPayment(
    orderId: string,
    status: PaymentView['status'],
    timeoutMs = this.settleTimeoutMs,
  ): Promise<PaymentView> {
    return waitFor(
      async () => {
        const payment = await this.payment(orderId);
        return payment?.status === status && payment;
      },
      { description: `the payment of order ${orderId} to be ${status}`, timeoutMs, intervalMs: 100 },
    );
  }

  /** Waits until no service's outbox holds an unpublished row: everything written so far is on Kafka. */
  waitForOutboxesDrained(timeoutMs = this.settleTimeoutMs): Promise<true> {
    return this.until(
      'the outboxes to be drained',
      async () => {
        for (const owner of ['orders', 'payments', 'inventory'] as const) {
          const rows = await this.query(owner, 'SELECT 1 FROM messaging_outbox WHERE published_at IS NULL');
          if (rows.length > 0) return false;
        }
        return true as const;
      },
      timeoutMs,
    );
  }

  /** Polls until `probe` holds, with the system's default timeout. */
  until<T>(
    description: string,
    probe: () => Promise<T | undefined | null | false>,
    timeoutMs = this.settleTimeoutMs,
  ): Promise<T> {
    return waitFor(probe, { description, timeoutMs, intervalMs: 100 });
  }

  /** The endpoints the services were started with (for extra processes, such as a second relay). */
  serviceEndpoints(): ServiceEndpoints {
    if (!this.endpoints) throw new Error('The system has no databases yet');
    return this.endpoints;
  }

  /** Sends `signal` (SIGKILL by default: a crash) to one service and waits until it has exited. */
  async killOne(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running`);
    process.kill(service.pid, signal);
    await service.exited;
    this.services.delete(name);
  }

  /** The orchestrated saga's instance of an order (`order-fulfilment`, or another saga's id), if any. */
  async sagaInstance(
    id: string,
  ): Promise<
    | { status: string; step: number; attempt: number; failure: { step: string; reason: string } | null }
    | undefined
  > {
    const rows = await this.query<{
      status: string;
      step: number;
      attempt: number;
      failure: { step: string; reason: string } | null;
    }>('orders', 'SELECT status, step, attempt, failure FROM saga_instances WHERE id = $1', [id]);
    return rows[0];
  }

  /** A Kafka client on the test run's brokers, for reading and injecting records; its user disconnects it. */
  kafka(clientId = 'saga-e2e'): KafkaClient {
    return namespacedKafkaClient(
      createKafkaJsClient({ brokers: this.serviceEndpoints().kafkaBrokers, clientId }),
      this.namespace,
    );
  }

  /** The log-end offsets of the three saga topics now. */
  async endOffsets(): Promise<EndOffsets> {
    const admin = this.kafka('saga-e2e-admin').admin();
    await admin.connect();
    try {
      const result: EndOffsets = {};
      for (const topic of SAGA_TOPICS) {
        for (const { partition, offset } of await admin.fetchEndOffsets(topic)) {
          result[`${topic}/${partition}`] = offset;
        }
      }
      return result;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Waits until every consumer group of the system has committed, on every topic it reads, up to the
   * topics' end offsets at the time of the call: every record produced before it has been handled.
   */
  async waitForGroupsCaughtUp(timeoutMs = this.settleTimeoutMs): Promise<EndOffsets> {
    const ends = await this.endOffsets();
    const admin = this.kafka('saga-e2e-admin').admin();
    await admin.connect();
    try {
      await this.until(
        'every consumer group of the system to commit up to the end of its topics',
        async () => {
          const behind: string[] = [];
          for (const [group, topics] of await this.physicalGroups(admin)) {
            for (const topic of topics) {
              const committed = new Map(
                (await admin.fetchCommittedOffsets(group, topic)).map((p: PartitionOffset) => [
                  p.partition,
                  BigInt(p.offset),
                ]),
              );
              for (const [key, end] of Object.entries(ends)) {
                const [endTopic, partition] = key.split('/');
                if (endTopic !== topic) continue;
                const at = committed.get(Number(partition)) ?? -1n;
                // -1 (nothing committed) is caught up only on a partition that never had a record.
                if (at < BigInt(end) && end !== '0') behind.push(`${group} on ${key} at ${at} of ${end}`);
              }
            }
          }
          // Thrown, not returned: waitFor reports the last error, so a timeout says who is behind.
          if (behind.length > 0) throw new Error(`behind: ${behind.join('; ')}`);
          return true;
        },
        timeoutMs,
      );
      return ends;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Each manifest group under the id it runs as, with its topics. A group is its name, except the read
   * model's, which runs one group per generation (`order-history.g<n>`): every such group found counts.
   */
  private async physicalGroups(admin: AdminPort): Promise<[string, readonly SagaTopic[]][]> {
    const listed = (await admin.listGroups()).map((g) => g.groupId);
    return Object.entries(groupTopics(this.sagaMode)).flatMap(
      ([group, topics]): [string, readonly SagaTopic[]][] => {
        const generations = listed.filter(
          (id) => id.startsWith(`${group}.g`) && /^\d+$/.test(id.slice(group.length + 2)),
        );
        return generations.length > 0 ? generations.map((id) => [id, topics]) : [[group, topics]];
      },
    );
  }

  /**
   * Every record on the saga topics whose key is one of `orderIds`, up to the end offsets at the time of
   * the call, in partition order (so in order per key). Reads with a throwaway consumer group of its own.
   */
  async readEvents(orderIds: Iterable<string>): Promise<ConsumedRecord[]> {
    const wanted = new Set(orderIds);
    const ends = await this.endOffsets();
    const remaining = new Map(Object.entries(ends).filter(([, end]) => end !== '0'));
    const groupId = `saga-e2e-reader-${randomUUID()}`;
    const client = this.kafka('saga-e2e-reader');
    const consumer = client.consumer({ groupId });
    const records: ConsumedRecord[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe([...SAGA_TOPICS], { fromBeginning: true });
      await consumer.run({
        eachRecord: async (record) => {
          const key = `${record.topic}/${record.partition}`;
          const end = remaining.get(key);
          if (end === undefined || BigInt(record.offset) >= BigInt(end)) return;
          if (record.key && wanted.has(record.key.toString())) records.push(record);
          if (BigInt(record.offset) + 1n >= BigInt(end)) remaining.delete(key);
        },
      });
      await this.until(
        `a reader to reach the end of ${[...remaining.keys()].join(', ')}`,
        async () => remaining.size === 0,
      );
    } finally {
      await consumer.disconnect();
      const admin = client.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
    return records;
  }

  private async get<T>(name: ServiceName, path: string): Promise<T> {
    const response = await this.request<T>(name, 'GET', path);
    if (response.status !== 200) {
      throw new Error(`GET ${path} on ${name} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }
}
