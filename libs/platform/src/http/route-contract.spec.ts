/**
 * Route contracts over real HTTP (an in-process Nest app, no infrastructure): the document generated from
 * them, the validation they drive, and the HTTP layer's own problems (405, 415, 413, malformed JSON), each
 * with the request id.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { APP_FILTER, ModulesContainer, NestFactory } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { z } from 'zod';
import { httpLoggingOptions } from '../logging/http-logging.options';
import { createServiceLogger } from '../logging/service-logger';
import { SERVICE_LOGGER } from '../platform.tokens';
import { configureHttp } from './configure-http';
import { httpRoutesOf } from './http-routes';
import { openApiDocument } from './openapi-document';
import { PROBLEM_JSON, problemDetailsFor } from './problem-details';
import { ProblemDetailsFilter } from './problem-details.filter';
import { defineRoute, type ValidatedRequest } from './route-contract';
import { Route } from './route.decorator';
import { serveOpenApi } from './serve-openapi';
import { ValidRequest } from './valid-request.decorator';

const thingSchema = z.object({ name: z.string(), count: z.int() }).meta({ id: 'Thing' });

const createThingRoute = defineRoute({
  method: 'post',
  path: '/things',
  operationId: 'createThing',
  summary: 'Create a thing',
  request: {
    headers: z.object({ 'Idempotency-Key': z.string().regex(/^[\x21-\x7e]+$/) }),
    body: z.strictObject({
      name: z.string().regex(/^[A-Z]+$/),
      parts: z.array(z.string()).min(1).max(3),
      count: z.int().min(1).max(1000),
    }),
  },
  responses: {
    201: {
      description: 'Created',
      schema: thingSchema,
      links: { getThing: { operationId: 'getThing', parameters: { name: '$response.body#/name' } } },
    },
  },
  problems: [422],
});

const getThingRoute = defineRoute({
  method: 'get',
  path: '/things/{name}',
  operationId: 'getThing',
  summary: 'A thing',
  request: {
    path: z.object({ name: z.string().regex(/^[A-Z]+$/) }),
    query: z.object({ v: z.string().optional() }),
  },
  responses: { 200: { description: 'The thing', schema: thingSchema } },
  problems: [404],
});

const unstorableRoute = defineRoute({
  method: 'get',
  path: '/unstorable',
  operationId: 'unstorable',
  summary: 'Fails as PostgreSQL does on a NUL in text',
  responses: { 200: { description: 'Never' } },
});

@Controller()
class ThingsController {
  @Route(createThingRoute)
  create(@ValidRequest() { body }: ValidatedRequest<typeof createThingRoute>) {
    return { name: body.name, count: body.count };
  }

  @Route(getThingRoute)
  get(@ValidRequest() { path }: ValidatedRequest<typeof getThingRoute>) {
    return { name: path.name, count: 1 };
  }

  @Route(unstorableRoute)
  unstorable(): never {
    // What TypeORM throws for pg's DatabaseError: the SQLSTATE on `driverError`.
    throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      driverError: { code: '22021', severity: 'ERROR' },
    });
  }
}

describe('route contracts over HTTP', () => {
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    const logger = createServiceLogger({ service: 'test-service', level: 'silent' });
    @Module({
      imports: [LoggerModule.forRoot(httpLoggingOptions(logger))],
      controllers: [ThingsController],
      providers: [
        { provide: SERVICE_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    })
    class TestModule {}

    app = await NestFactory.create(TestModule, { logger: false });
    configureHttp(app);
    serveOpenApi(app, { title: 'things', description: 'Things', version: '1' });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(() => app.close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1', ...headers },
      body,
    });

  describe('the document at /docs-json', () => {
    let document: {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, unknown> };
    };
    beforeAll(async () => {
      const response = await fetch(`${baseUrl}/docs-json`);
      expect(response.status).toBe(200);
      document = (await response.json()) as typeof document;
    });

    it('is OpenAPI 3.1 with every route, its parameters and its body from the validating schemas', () => {
      expect(document.openapi).toBe('3.1.0');
      expect(Object.keys(document.paths).sort()).toEqual(['/things', '/things/{name}', '/unstorable']);
      const create = document.paths['/things']?.post;
      expect(create?.parameters).toEqual([
        {
          in: 'header',
          name: 'Idempotency-Key',
          required: true,
          schema: { type: 'string', pattern: '^[\\x21-\\x7e]+$' },
        },
      ]);
      expect(create?.requestBody).toEqual({
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                name: { type: 'string', pattern: '^[A-Z]+$' },
                parts: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
                count: { type: 'integer', minimum: 1, maximum: 1000 },
              },
              required: ['name', 'parts', 'count'],
              additionalProperties: false,
            },
          },
        },
      });
      expect(document.paths['/things/{name}']?.get?.parameters).toEqual([
        { in: 'path', name: 'name', required: true, schema: { type: 'string', pattern: '^[A-Z]+$' } },
        { in: 'query', name: 'v', schema: { type: 'string' } },
      ]);
    });

    it('documents every status with problem+json, the HTTP layer’s included, and the links', () => {
      const create = document.paths['/things']?.post?.responses as Record<string, Record<string, unknown>>;
      expect(Object.keys(create).sort()).toEqual(['201', '400', '413', '415', '422', '500']);
      expect(create['415']).toEqual({
        description: 'Unsupported Media Type',
        content: { [PROBLEM_JSON]: { schema: { $ref: '#/components/schemas/Problem' } } },
      });
      expect(create['201']?.links).toEqual({
        getThing: { operationId: 'getThing', parameters: { name: '$response.body#/name' } },
      });
      const get = document.paths['/things/{name}']?.get?.responses as Record<string, unknown>;
      expect(Object.keys(get).sort()).toEqual(['200', '400', '404', '500']);
      expect(Object.keys(document.components.schemas).sort()).toEqual(['Problem', 'Thing']);
    });

    it('cannot be built while a route has no contract', () => {
      @Controller()
      class Undocumented {
        @Get('hidden')
        hidden() {
          return {};
        }
      }
      const routes = [
        ...httpRoutesOf(app.get(ModulesContainer)),
        {
          method: 'GET',
          path: '/hidden',
          handler: `${Undocumented.name}.hidden`,
          contract: undefined,
        },
      ];
      expect(() => openApiDocument({ title: 't', description: 'd', version: '1' }, routes)).toThrow(
        'Routes without a @Route contract (so missing from the OpenAPI document): GET /hidden (Undocumented.hidden)',
      );
    });
  });

  it('hands the handler the parsed request', async () => {
    const response = await post(JSON.stringify({ name: 'BOLT', parts: ['a'], count: 3 }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ name: 'BOLT', count: 3 });
  });

  it('answers a request breaking the schema with one 400 naming every field, path and header included', async () => {
    const response = await post(JSON.stringify({ name: 'B\u0000X', parts: [], count: 0, extra: 1 }), {
      'idempotency-key': 'a, b',
      'x-request-id': 'req-400',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain(PROBLEM_JSON);
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem).toMatchObject({
      type: 'urn:orderstream:problem:invalid-request',
      title: 'Invalid request',
      status: 400,
      requestId: 'req-400',
    });
    expect(problem.errors.map((e) => e.field).sort()).toEqual([
      '(body)',
      'count',
      'header:Idempotency-Key',
      'name',
      'parts',
    ]);

    const path = await fetch(`${baseUrl}/things/a%00b`);
    expect(path.status).toBe(400);
    expect(await path.json()).toMatchObject({ errors: [{ field: 'path:name' }] });
  });

  it('answers JSON null with a 400 that says what it is, not "not valid JSON"', async () => {
    const response = await post('null');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: 'urn:orderstream:problem:invalid-request',
      errors: [{ field: '(body)', message: 'Invalid input: expected object, received null' }],
    });
  });

  it('answers malformed JSON with a 400 malformed-json problem carrying the request id', async () => {
    const response = await post('{"name": ', { 'x-request-id': 'req-json' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBe('req-json');
    expect(response.headers.get('content-type')).toContain(PROBLEM_JSON);
    expect(await response.json()).toEqual({
      type: 'urn:orderstream:problem:malformed-json',
      title: 'Malformed JSON',
      status: 400,
      detail: expect.stringMatching(/^The body is not valid JSON: /) as string,
      instance: '/things',
      requestId: 'req-json',
    });
  });

  it('answers a 5 MB body with a 413 problem carrying a request id', async () => {
    const response = await post(JSON.stringify({ name: 'X', pad: 'x'.repeat(5_000_000) }));
    expect(response.status).toBe(413);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toMatchObject({
      type: 'urn:orderstream:problem:payload-too-large',
      status: 413,
      requestId,
    });
  });

  it.each([
    ['text/plain', 'hello'],
    ['application/x-www-form-urlencoded', 'name=BOLT'],
  ])('answers a %s body with 415', async (contentType, body) => {
    const response = await post(body, { 'content-type': contentType });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({
      type: 'urn:orderstream:problem:unsupported-media-type',
      status: 415,
      requestId: expect.any(String) as string,
    });
  });

  it('answers a method a known path does not serve with 405 and Allow, an unknown path with 404', async () => {
    const trace = await fetch(`${baseUrl}/things`, { method: 'DELETE' });
    expect(trace.status).toBe(405);
    expect(trace.headers.get('allow')).toBe('OPTIONS, POST');
    expect(await trace.json()).toMatchObject({
      type: 'urn:orderstream:problem:method-not-allowed',
      status: 405,
      instance: '/things',
    });

    // fetch refuses to send TRACE, so node:http does.
    const traced = await new Promise<{ status?: number; allow?: string }>((resolve, reject) => {
      httpRequest(`${baseUrl}/things`, { method: 'TRACE' }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, allow: res.headers.allow });
      })
        .on('error', reject)
        .end();
    });
    expect(traced).toEqual({ status: 405, allow: 'OPTIONS, POST' });

    const patch = await fetch(`${baseUrl}/things/BOLT`, { method: 'PATCH' });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('GET, HEAD, OPTIONS');

    const options = await fetch(`${baseUrl}/things/BOLT`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');

    const unknown = await fetch(`${baseUrl}/nothing-here`, { method: 'DELETE' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: 'urn:orderstream:problem:not-found' });
  });

  it('answers a text PostgreSQL cannot store (SQLSTATE 22021) with a 400, not a 500', async () => {
    const response = await fetch(`${baseUrl}/unstorable`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'urn:orderstream:problem:invalid-request' });
    expect(problemDetailsFor(new Error('other')).status).toBe(500);
  });
});
