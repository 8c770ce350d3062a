import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { validateRequest } from './request-validation';
import { ROUTE_CONTRACT } from './route.decorator';
import type { RouteContract } from './route-contract';

/** What Express adds to a request: the route's path parameters, the parsed query and body. */
type ExpressRequest = IncomingMessage & { params: Record<string, string>; query: unknown; body: unknown };

/**
 * The request, validated by the handler's `@Route` contract: `{ path, query, headers, body }`, each parsed
 * by its schema (type the parameter as `ValidatedRequest<typeof contract>`). An invalid request never
 * reaches the handler: it is a 415 or a 400 problem naming every invalid field.
 */
export const ValidRequest = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const contract = Reflect.getMetadata(ROUTE_CONTRACT, context.getHandler()) as RouteContract | undefined;
  if (!contract) {
    throw new Error(`@ValidRequest() on ${context.getClass().name} needs @Route(contract) on its handler`);
  }
  const request = context.switchToHttp().getRequest<ExpressRequest>();
  return validateRequest(contract, {
    params: request.params,
    query: request.query,
    headers: request.headers,
    body: request.body,
  });
});
