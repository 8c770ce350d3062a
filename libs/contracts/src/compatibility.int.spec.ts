/**
 * The schema registry's verdict on every schema change: each current schema must be BACKWARD compatible
 * with its last released version (released/<version>/, see released/README.md), so consumers upgraded to
 * the current contracts still read every event written with the released ones.
 *
 * Each check runs on a subject of its own (`<record name>-compat-<random>`): the released schema is
 * registered there, the subject is set to BACKWARD, and the current schema is tested against it with the
 * Confluent API's compatibility endpoint. Nothing touches the real record-name subjects the services use,
 * so the test neither depends on nor changes what earlier tests or services registered.
 */
import { testInfrastructure, uniqueName } from '@orderstream/testing';
import { allEvents, fullNameOf, orderPlacedSchema, type RecordSchema } from './index';
import { latestRelease } from './test/released-schemas';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

describe('schema compatibility with the last release, checked by the registry', () => {
  const registryUrl = testInfrastructure().schemaRegistryUrl;
  const release = latestRelease();
  const subjects: string[] = [];

  async function registry(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${registryUrl}${path}`, {
      method,
      headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** A fresh subject holding `released` as its only version, with compatibility BACKWARD. */
  async function subjectWith(released: RecordSchema): Promise<string> {
    const subject = uniqueName(`${fullNameOf(released)}-compat`);
    subjects.push(subject);
    const path = `/subjects/${encodeURIComponent(subject)}`;
    await registry('POST', `${path}/versions`, { schema: JSON.stringify(released) });
    await registry('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'BACKWARD' });
    // The level is read back: a registry that ignored it would make every verdict below meaningless.
    expect(await registry('GET', `/config/${encodeURIComponent(subject)}`)).toMatchObject({
      compatibilityLevel: 'BACKWARD',
    });
    return subject;
  }

  async function isCompatible(subject: string, candidate: RecordSchema): Promise<boolean> {
    const verdict = (await registry(
      'POST',
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`,
      { schema: JSON.stringify(candidate) },
    )) as { is_compatible?: unknown };
    if (typeof verdict.is_compatible !== 'boolean') {
      throw new Error(`Unexpected compatibility answer for ${subject}: ${JSON.stringify(verdict)}`);
    }
    return verdict.is_compatible;
  }

  afterAll(async () => {
    // Soft then permanent delete: the Confluent API's two-step removal, so the registry keeps nothing.
    for (const subject of subjects) {
      await registry('DELETE', `/subjects/${encodeURIComponent(subject)}`);
      await registry('DELETE', `/subjects/${encodeURIComponent(subject)}?permanent=true`);
    }
  });

  it(`keeps every event of release ${release.version} and each current schema is BACKWARD compatible`, async () => {
    const current = new Map(allEvents.map((contract) => [fullNameOf(contract.schema), contract.schema]));
    expect(release.schemas.size).toBeGreaterThan(0);

    const verdicts: Record<string, boolean | 'removed'> = {};
    await Promise.all(
      [...release.schemas].map(async ([name, released]) => {
        const schema = current.get(name);
        verdicts[name] = schema ? await isCompatible(await subjectWith(released), schema) : 'removed';
      }),
    );

    // One map, so a failure names every offending event at once.
    expect(verdicts).toEqual(Object.fromEntries([...release.schemas.keys()].map((name) => [name, true])));
  });

  describe('the check bites (negative controls against released OrderPlaced)', () => {
    const released = release.schemas.get(fullNameOf(orderPlacedSchema));
    if (!released) throw new Error('The last release has no OrderPlaced to test against');
    const fields = released.fields;

    it('rejects a new field without a default, accepts the same field with one', async () => {
      const subject = await subjectWith(released);
      const withField = (field: RecordSchema['fields'][number]): RecordSchema => ({
        ...released,
        fields: [...fields, field],
      });

      expect(await isCompatible(subject, withField({ name: 'channel', type: 'string' }))).toBe(false);
      expect(
        await isCompatible(subject, withField({ name: 'channel', type: 'string', default: 'web' })),
      ).toBe(true);
    });

    it('rejects a field whose type changed incompatibly', async () => {
      const subject = await subjectWith(released);
      const retyped: RecordSchema = {
        ...released,
        fields: fields.map((field) => (field.name === 'totalCents' ? { ...field, type: 'string' } : field)),
      };

      expect(await isCompatible(subject, retyped)).toBe(false);
    });

    it('rejects an incompatible change inside a nested record (OrderLine.quantity int to string)', async () => {
      const subject = await subjectWith(released);
      const original = JSON.stringify(released);
      const changed = original.replace(
        '{"name":"quantity","type":"int"',
        '{"name":"quantity","type":"string"',
      );
      expect(changed).not.toBe(original);

      expect(await isCompatible(subject, JSON.parse(changed) as RecordSchema)).toBe(false);
    });
  });
});
