import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  ConsoleLogger,
  Inject,
  Injectable,
  type INestApplication,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { KafkaClient } from '@orderstream/messaging';
import { DeadLetterDesk } from '@orderstream/operations';
import {
  configureHttp,
  KAFKA_CLIENT,
  serveOpenApi,
  SERVICE_LOGGER,
  type ServiceLogger,
} from '@orderstream/platform';
import type { OpsConfig } from '../config';
import { AdminModule } from './admin.module';

export const OPS_CONFIG = Symbol('OPS_CONFIG');

/**
 * The console's files, served as they are (no bundler, no CDN): `apps/ops/console`, copied to `dist/console`
 * by the build so the image, which ships only `dist`, has them.
 */
export const CONSOLE_DIR =
  [join(__dirname, '..', 'console'), join(__dirname, '..', '..', 'console')].find((dir) =>
    existsSync(join(dir, 'index.html')),
  ) ?? join(__dirname, '..', 'console');

/**
 * Starts the admin application (API and console) on the admin port with the service, and stops it with
 * the service. Without OPS_ADMIN_TOKENS it stays off: an admin API nobody can authenticate to is not
 * opened at all. On start it also resumes redrive jobs a previous process left running (a crash mid-job).
 */
@Injectable()
export class AdminServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private app: INestApplication | undefined;
  private resuming: Promise<void> = Promise.resolve();

  constructor(
    @Inject(OPS_CONFIG) private readonly config: OpsConfig,
    private readonly desk: DeadLetterDesk,
    @Inject(KAFKA_CLIENT) private readonly client: KafkaClient,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.resuming = this.resumeUnfinishedJobs();
    const tokens = this.config.OPS_ADMIN_TOKENS;
    if (tokens === undefined || tokens.size === 0) {
      this.logger.warn({}, 'admin API and console off: OPS_ADMIN_TOKENS is not set');
      return;
    }
    const app = await NestFactory.create<NestExpressApplication>(
      AdminModule.register({ desk: this.desk, client: this.client, tokens, logger: this.logger }),
      { logger: new ConsoleLogger({ json: true, logLevels: ['error', 'warn'] }), abortOnError: false },
    );
    configureHttp(app);
    serveOpenApi(app, {
      title: 'orderstream ops admin API',
      description:
        'Dead-letter operations (list, show, redrive to the failing group, purge), redrive jobs, consumer-group standings and the audit trail. Every route needs Authorization: Bearer <token>. Errors are application/problem+json.',
      version: '1',
    });
    app.useStaticAssets(CONSOLE_DIR, { index: 'index.html', fallthrough: true });
    await app.listen(this.config.OPS_ADMIN_PORT, this.config.HOST);
    this.app = app;
    this.logger.info({ port: this.port(), users: [...tokens.values()] }, 'admin API and console listening');
  }

  /** The admin application's port once it listens (the configured one, or the OS's pick for 0). */
  port(): number | undefined {
    return (this.app?.getHttpServer().address() as AddressInfo | null)?.port;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.app?.close();
    await this.resuming;
  }

  private async resumeUnfinishedJobs(): Promise<void> {
    try {
      for (const job of await this.desk.unfinishedJobs()) {
        this.logger.info({ jobId: job.jobId, groupId: job.groupId }, 'resuming a redrive job left running');
        await this.desk.resume(job.jobId, { name: `${job.actor} (resumed by ops)`, via: 'api' });
      }
    } catch (error) {
      this.logger.error({ err: error }, 'resuming redrive jobs failed; resume them with the CLI or the API');
    }
  }
}
