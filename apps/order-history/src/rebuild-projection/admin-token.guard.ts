/**
 * The admin API's authentication: `Authorization: Bearer <ADMIN_TOKEN>`. Without a configured token the admin
 * API does not exist (404, as for any unknown path), so a deployment that forgot to set one exposes nothing.
 * The comparison takes the same time whatever the token's prefix matches.
 */
import {
  Inject,
  Injectable,
  NotFoundException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { PROJECTION_SETTINGS, type ProjectionSettings } from '../projection/projection.provider';

@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(PROJECTION_SETTINGS) private readonly settings: ProjectionSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.settings.config.ADMIN_TOKEN;
    if (token === undefined)
      throw new NotFoundException('The admin API is off: no ADMIN_TOKEN is configured');
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const header = request.headers['authorization'] ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    // Hashes have one length, so timingSafeEqual never throws and leaks no length either.
    if (!timingSafeEqual(digest(given), digest(token))) {
      throw new UnauthorizedException('A valid admin bearer token is required');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
