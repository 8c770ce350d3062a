import { HttpCode, RequestMapping, RequestMethod, SetMetadata, applyDecorators } from '@nestjs/common';
import { routerPathOf, successStatusOf, type HttpMethod, type RouteContract } from './route-contract';

/** Where `@Route` keeps a handler's contract, for `@ValidRequest()`, the OpenAPI document and the 405s. */
export const ROUTE_CONTRACT = 'orderstream:route-contract';

const METHODS: Record<HttpMethod, RequestMethod> = {
  get: RequestMethod.GET,
  post: RequestMethod.POST,
  put: RequestMethod.PUT,
  patch: RequestMethod.PATCH,
  delete: RequestMethod.DELETE,
};

/**
 * Registers a handler for its contract: the Nest route (method and full path; the controller has no
 * prefix of its own, so the path is written once), its success status, and the contract itself.
 */
export function Route(contract: RouteContract): MethodDecorator {
  return applyDecorators(
    RequestMapping({ path: routerPathOf(contract.path), method: METHODS[contract.method] }),
    HttpCode(successStatusOf(contract)),
    SetMetadata(ROUTE_CONTRACT, contract),
  );
}
