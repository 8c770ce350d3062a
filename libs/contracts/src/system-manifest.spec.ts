/**
 * The system manifest names events by their CloudEvents type (it depends on nothing, so it cannot import
 * the contracts); this checks every name against the contracts: each event a topic declares is a contract
 * of that topic, every contract is declared on its topic, and every consumed type exists.
 */
import { allTopics, consumerGroupsOf, SYSTEM } from '@orderstream/system';
import { allContracts } from './all-events';

describe('the system manifest and the contracts', () => {
  const contractTopic = new Map(allContracts.map((e) => [e.type, e.topic as string]));

  it('declares every contract on its own topic, and nothing else', () => {
    const declared = allTopics().flatMap((t) => t.events.map((type) => [type, t.name] as const));
    expect(new Map(declared)).toEqual(contractTopic);
  });

  it('lets consumer groups consume only event types that have a contract', () => {
    const consumed = SYSTEM.services.flatMap((s) => s.consumerGroups.flatMap((g) => [...g.consumes]));
    expect(consumed.filter((type) => !contractTopic.has(type))).toEqual([]);
    expect(consumerGroupsOf().length).toBeGreaterThan(0);
  });
});
