import type { AddressInfo } from 'node:net';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureHttp } from './configure-http';
import { ASYNCAPI_JSON_PATH, serveAsyncApi } from './serve-asyncapi';
import { OPENAPI_JSON_PATH, serveOpenApi } from './serve-openapi';

describe('serveAsyncApi', () => {
  const document = { asyncapi: '3.0.0', info: { title: 'things', version: '1' }, channels: {} };
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    @Module({})
    class EmptyModule {}
    app = await NestFactory.create(EmptyModule, { logger: false });
    configureHttp(app);
    serveOpenApi(app, { title: 'things', description: 'Things', version: '1' });
    serveAsyncApi(app, document);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(() => app.close());

  it('serves the document as JSON at /asyncapi.json', async () => {
    const response = await fetch(`${baseUrl}${ASYNCAPI_JSON_PATH}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual(document);
  });

  it('is not an operation of the OpenAPI document', async () => {
    const openApi = (await (await fetch(`${baseUrl}${OPENAPI_JSON_PATH}`)).json()) as { paths?: object };
    expect(Object.keys(openApi.paths ?? {})).not.toContain(ASYNCAPI_JSON_PATH);
  });
});
