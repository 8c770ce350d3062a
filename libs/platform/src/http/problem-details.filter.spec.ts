import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import {
  BadRequestException,
  ConflictException,
  Controller,
  Get,
  Module,
  NotFoundException,
  type INestApplication,
} from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { IllegalTransitionError, InvariantViolatedError } from '@orderstream/messaging';
import { LoggerModule } from 'nestjs-pino';
import { httpLoggingOptions } from '../logging/http-logging.options';
import { createServiceLogger } from '../logging/service-logger';
import { SERVICE_LOGGER } from '../platform.tokens';
import { PROBLEM_JSON, problemDetailsFor } from './problem-details';
import { ProblemDetailsFilter } from './problem-details.filter';

describe('problemDetailsFor', () => {
  it('turns an HttpException into a problem with the status phrase as title and type', () => {
    expect(
      problemDetailsFor(new NotFoundException('Order 42 does not exist'), { instance: '/orders/42' }),
    ).toEqual({
      type: 'urn:orderstream:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'Order 42 does not exist',
      instance: '/orders/42',
    });
  });

  it('keeps a problem type, its detail and extension members given in the exception body', () => {
    const exception = new ConflictException({
      type: 'https://orderstream.example/problems/out-of-stock',
      title: 'Out of stock',
      detail: 'Only 2 left of SKU-1',
      sku: 'SKU-1',
    });
    expect(problemDetailsFor(exception, { requestId: 'r-1' })).toEqual({
      type: 'https://orderstream.example/problems/out-of-stock',
      title: 'Out of stock',
      status: 409,
      detail: 'Only 2 left of SKU-1',
      sku: 'SKU-1',
      requestId: 'r-1',
    });
  });

  it('lists validation messages as errors', () => {
    const problem = problemDetailsFor(
      new BadRequestException(['quantity must be positive', 'sku is required']),
    );
    expect(problem).toMatchObject({
      status: 400,
      title: 'Bad Request',
      detail: 'quantity must be positive; sku is required',
      errors: ['quantity must be positive', 'sku is required'],
    });
  });

  it('answers anything else with a 500 that says nothing about the internals', () => {
    const problem = problemDetailsFor(new Error('password authentication failed for user "orders"'));
    expect(problem).toMatchObject({
      type: 'urn:orderstream:problem:internal-server-error',
      title: 'Internal Server Error',
      status: 500,
    });
    expect(JSON.stringify(problem)).not.toContain('password');
  });
});

@Controller('boom')
class BoomController {
  @Get('not-found')
  notFound(): never {
    throw new NotFoundException('Order 42 does not exist');
  }

  @Get('bug')
  bug(): never {
    throw new TypeError('Cannot read properties of undefined (reading "total")');
  }

  @Get('illegal')
  illegal(): never {
    throw new IllegalTransitionError('Order 42 is CANCELLED; cancellation is not possible', {
      details: { orderId: '42', orderStatus: 'CANCELLED' },
    });
  }

  @Get('invariant')
  invariant(): never {
    throw new InvariantViolatedError('Account c-1 of order 42 does not exist', { details: { secret: 's' } });
  }
}

/** Collects the service's log lines in memory. */
class LogLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }
}

describe('ProblemDetailsFilter over HTTP', () => {
  const logs = new LogLines();
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    const logger = createServiceLogger({ service: 'test-service', level: 'info', destination: logs });
    @Module({
      imports: [LoggerModule.forRoot(httpLoggingOptions(logger))],
      controllers: [BoomController],
      providers: [
        { provide: SERVICE_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    })
    class TestModule {}

    app = await NestFactory.create(TestModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(() => app.close());

  it('renders a thrown HttpException as problem+json with the request id', async () => {
    const response = await fetch(`${baseUrl}/boom/not-found`, { headers: { 'x-request-id': 'client-id-1' } });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain(PROBLEM_JSON);
    expect(response.headers.get('x-request-id')).toBe('client-id-1');
    expect(await response.json()).toEqual({
      type: 'urn:orderstream:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'Order 42 does not exist',
      instance: '/boom/not-found',
      requestId: 'client-id-1',
    });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await fetch(`${baseUrl}/nowhere?x=1`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain(PROBLEM_JSON);
    expect(await response.json()).toMatchObject({ status: 404, title: 'Not Found', instance: '/nowhere' });
  });

  it('answers a bug with a 500 that hides the error, and logs the error with its stack', async () => {
    const response = await fetch(`${baseUrl}/boom/bug`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(500);
    expect(JSON.stringify(body)).not.toMatch(/total|TypeError|at /);
    // An insane client id is replaced, and the replacement is what the body and the header carry.
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.requestId).toBe(requestId);

    const errorLine = logs.lines.find((line) => line.msg === 'request failed' && line.reqId === requestId);
    expect(errorLine).toMatchObject({ level: 'error', service: 'test-service' });
    expect((errorLine?.err as { stack?: string }).stack).toContain('TypeError');
  });

  it('logs one line per request, with the service name and request id', () => {
    const requestLines = logs.lines.filter(
      (line) => line.msg === 'request completed' || line.msg === 'request errored',
    );
    expect(requestLines).toHaveLength(3);
    for (const line of requestLines) {
      expect(line).toMatchObject({ service: 'test-service', req: { id: expect.any(String) } });
    }
  });

  it('renders an application error by its class: an illegal transition is a 409 problem with its details', async () => {
    const response = await fetch(`${baseUrl}/boom/illegal`);

    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain(PROBLEM_JSON);
    expect(await response.json()).toEqual({
      type: 'urn:orderstream:problem:illegal-transition',
      title: 'Illegal transition',
      status: 409,
      detail: 'Order 42 is CANCELLED; cancellation is not possible',
      orderId: '42',
      orderStatus: 'CANCELLED',
      instance: '/boom/illegal',
      requestId: expect.any(String),
    });
  });

  it('hides a violated invariant behind a 500 and logs it with its stack', async () => {
    const response = await fetch(`${baseUrl}/boom/invariant`);
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(500);
    expect(JSON.stringify(body)).not.toMatch(/Account|secret|c-1/);
    const requestId = response.headers.get('x-request-id');
    const errorLine = logs.lines.find((line) => line.msg === 'request failed' && line.reqId === requestId);
    expect((errorLine?.err as { stack?: string }).stack).toContain('InvariantViolatedError');
  });
});
