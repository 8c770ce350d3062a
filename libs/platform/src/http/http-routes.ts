/**
 * The routes an application serves, read from its controllers' Nest metadata: what the OpenAPI document
 * is built from (every route must have a contract) and what tells a 405 (a known path, another method)
 * from a 404 (no such path).
 */
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod, type Type } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { ROUTE_CONTRACT } from './route.decorator';
import type { RouteContract } from './route-contract';

export interface HttpRoute {
  /** Upper case: `GET`. */
  method: string;
  /** As registered, in router syntax: `/orders/:id`. */
  path: string;
  /** `Controller.method`, to name a route in an error. */
  handler: string;
  contract: RouteContract | undefined;
}

/** Every route of every controller of the application, in module order. */
export function httpRoutesOf(modules: ModulesContainer): HttpRoute[] {
  const controllers = new Set<Type>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) controllers.add(wrapper.metatype as Type);
  }
  return [...controllers].flatMap(routesOfController);
}

function routesOfController(controller: Type): HttpRoute[] {
  const prefixes = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
  const prototype = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype).flatMap((name) => {
    const handler = prototype[name];
    if (name === 'constructor' || typeof handler !== 'function') return [];
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
    if (method === undefined || paths === undefined) return [];
    const contract = Reflect.getMetadata(ROUTE_CONTRACT, handler) as RouteContract | undefined;
    return prefixes.flatMap((prefix) =>
      pathsOf(paths).map((path) => ({
        method: RequestMethod[method],
        path: joinPaths(prefix, path),
        handler: `${controller.name}.${name}`,
        contract,
      })),
    );
  });
}

function pathsOf(metadata: unknown): string[] {
  if (Array.isArray(metadata)) return metadata.map(String);
  return [typeof metadata === 'string' ? metadata : ''];
}

function joinPaths(prefix: string, path: string): string {
  const joined = [prefix, path]
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}

/**
 * The methods served at a URL path, for a 405's `Allow`: those of every route whose path matches, plus
 * HEAD where there is GET (Express answers it) and OPTIONS (the platform answers it). Empty when no route
 * has this path: a 404.
 */
export function allowedMethodsAt(routes: readonly HttpRoute[], urlPath: string): string[] {
  const methods = new Set(routes.filter((route) => matches(route.path, urlPath)).map((r) => r.method));
  if (methods.size === 0) return [];
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  return [...methods].sort();
}

function matches(routePath: string, urlPath: string): boolean {
  const pattern = routePath
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}/?$`).test(urlPath);
}
