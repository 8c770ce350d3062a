import { Controller, Inject, Req, UseGuards } from '@nestjs/common';
import { ValidationError, type KafkaClient } from '@orderstream/messaging';
import { DeadLetterDesk, groupStandings, type Actor } from '@orderstream/operations';
import { Route, ValidRequest, type ValidatedRequest } from '@orderstream/platform';
import { AdminAuthGuard, type AuthenticatedRequest } from './admin-auth.guard';
import {
  auditRoute,
  groupsRoute,
  listDeadLettersRoute,
  listJobsRoute,
  purgeRoute,
  redriveRoute,
  resumeJobRoute,
  showDeadLetterRoute,
} from './admin.routes';

export const ADMIN_KAFKA_CLIENT = Symbol('ADMIN_KAFKA_CLIENT');

const actorOf = (request: AuthenticatedRequest): Actor => request.actor ?? { name: 'unknown', via: 'api' };

/** The admin API: a thin HTTP face on the desk; the desk audits every action. */
@Controller()
@UseGuards(AdminAuthGuard)
export class AdminController {
  constructor(
    private readonly desk: DeadLetterDesk,
    @Inject(ADMIN_KAFKA_CLIENT) private readonly client: KafkaClient,
  ) {}

  @Route(listDeadLettersRoute)
  list(@ValidRequest() { query }: ValidatedRequest<typeof listDeadLettersRoute>) {
    return this.desk.list({
      groups: query.group
        ?.split(',')
        .map((g) => g.trim())
        .filter((g) => g.length > 0),
      filter: { errorCode: query.errorCode, eventType: query.eventType },
      includeHandled: query.includeHandled === 'true',
      limit: query.limit,
    });
  }

  @Route(showDeadLetterRoute)
  show(
    @ValidRequest() { path }: ValidatedRequest<typeof showDeadLetterRoute>,
    @Req() request: AuthenticatedRequest,
  ) {
    return this.desk.show(path.id, actorOf(request));
  }

  @Route(redriveRoute)
  redrive(
    @ValidRequest() { body }: ValidatedRequest<typeof redriveRoute>,
    @Req() request: AuthenticatedRequest,
  ) {
    const filter = body.filter ?? {};
    if (Object.keys(filter).length === 0 && body.all !== true) {
      throw new ValidationError('Say what to redrive: a filter, or all: true', {
        details: { groupId: body.groupId },
      });
    }
    return this.desk.redrive({
      actor: actorOf(request),
      groupId: body.groupId,
      filter,
      dryRun: body.dryRun,
      includeRedriven: body.includeRedriven,
      maxRedrives: body.maxRedrives,
    });
  }

  @Route(purgeRoute)
  async purge(
    @ValidRequest() { body }: ValidatedRequest<typeof purgeRoute>,
    @Req() request: AuthenticatedRequest,
  ) {
    const upTo =
      body.upTo === 'all'
        ? ({ kind: 'all' } as const)
        : body.upTo === 'handled'
          ? ({ kind: 'offsets', offsets: await this.desk.handledPrefix(body.groupId) } as const)
          : ({ kind: 'before', timestamp: Date.parse(body.upTo.before) } as const);
    return this.desk.purge({ actor: actorOf(request), groupId: body.groupId, upTo, dryRun: body.dryRun });
  }

  @Route(listJobsRoute)
  async jobs() {
    return { items: await this.desk.jobs() };
  }

  @Route(resumeJobRoute)
  resume(
    @ValidRequest() { path }: ValidatedRequest<typeof resumeJobRoute>,
    @Req() request: AuthenticatedRequest,
  ) {
    return this.desk.resume(path.jobId, actorOf(request));
  }

  @Route(groupsRoute)
  async groups() {
    return { items: await groupStandings(this.client) };
  }

  @Route(auditRoute)
  async audit(@ValidRequest() { query }: ValidatedRequest<typeof auditRoute>) {
    return { items: await this.desk.audit.latest(query.limit) };
  }
}
