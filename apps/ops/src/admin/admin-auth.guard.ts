import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Actor } from '@orderstream/operations';

export const ADMIN_TOKENS = Symbol('ADMIN_TOKENS');

/** The request after the guard: who is calling, as the audit trail names them. */
export type AuthenticatedRequest = IncomingMessage & { actor?: Actor };

/**
 * `Authorization: Bearer <token>` against the configured tokens. Every token is compared (in constant time),
 * so the time to answer does not tell how much of a token was right, or which one it was close to.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly tokens: { token: Buffer; name: string }[];

  constructor(@Inject(ADMIN_TOKENS) tokens: ReadonlyMap<string, string>) {
    this.tokens = [...tokens].map(([token, name]) => ({ token: Buffer.from(token), name }));
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const offered = Buffer.from(match?.[1] ?? '');
    let name: string | undefined;
    for (const { token, name: candidate } of this.tokens) {
      const same = offered.length === token.length && timingSafeEqual(offered, token);
      if (same) name = candidate;
    }
    if (name === undefined) {
      context
        .switchToHttp()
        .getResponse<ServerResponse>()
        .setHeader('WWW-Authenticate', 'Bearer realm="orderstream-ops"');
      throw new UnauthorizedException(
        match
          ? 'The bearer token is not one of OPS_ADMIN_TOKENS'
          : 'An Authorization: Bearer <token> header is required',
      );
    }
    request.actor = { name, via: 'api' };
    return true;
  }
}
