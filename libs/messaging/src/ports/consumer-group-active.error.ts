import { IllegalStateError } from '../errors/application.error';

/**
 * `AdminPort.resetGroupOffsets` refused a group that has members: their own commits would overwrite the
 * reset, and what they had fetched would be handled twice or skipped. Stop the group's consumers first.
 * An illegal state (HTTP 409 through the platform's mapping), so not retriable: trying again only helps
 * once someone has stopped them.
 */
export class ConsumerGroupActiveError extends IllegalStateError {
  constructor(
    readonly groupId: string,
    readonly state: string,
    readonly memberIds: readonly string[],
  ) {
    super(
      `Consumer group "${groupId}" has ${memberIds.length} member(s) (state ${state}); its offsets can only be reset while it has none`,
      { code: 'MESSAGING_GROUP_ACTIVE', details: { groupId, state, memberIds } },
    );
  }
}
