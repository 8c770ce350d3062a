/**
 * nestjs-pino / pino-http settings: one JSON line per request, correlated by a request id that is echoed
 * to the client in `x-request-id`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type pino from 'pino';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

/**
 * Probe and scrape endpoints are polled every few seconds, so their request lines are debug-level noise.
 * Their failures still surface: the readiness endpoint logs what is down, and a 5xx logs its error.
 */
const OPERATIONAL_PATHS = /^\/(health\/(live|ready)|metrics)\/?(\?|$)/;

export function httpLoggingOptions(logger: pino.Logger): Params {
  return {
    pinoHttp: {
      logger,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
        res.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      // Lines logged while handling a request carry just `reqId`, not the whole request again.
      quietReqLogger: true,
      customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
        if (OPERATIONAL_PATHS.test(req.url ?? '')) return 'debug';
        if (error || res.statusCode >= 500) return 'error';
        return res.statusCode >= 400 ? 'warn' : 'info';
      },
    },
  };
}
