/**
 * A service provisions the topics it owns at boot: it creates the missing ones with their declared
 * partitions and settings, and refuses to start next to an existing one whose partitions or settings
 * differ, naming every difference. Idempotent: a second instance, or a restart, finds everything as declared
 * and changes nothing. Topics are never altered here: more partitions move keys to other partitions (and so
 * break per-key order), a different cleanup policy changes what the topic keeps; both are an operator's
 * decision, taken with Kafka's own tools.
 */
import { MessagingError } from '../errors/messaging.error';
import type { AdminPort } from '../ports/kafka-client.port';

/** A topic as its owner declares it. `config` holds topic-level settings, e.g. `cleanup.policy`. */
export interface OwnedTopic {
  topic: string;
  partitions: number;
  config: Readonly<Record<string, string>>;
}

/** One way an existing topic differs from its declaration. */
export interface TopicDifference {
  topic: string;
  /** `partitions` or the name of a topic setting. */
  setting: string;
  declared: string;
  actual: string;
}

/** An owned topic exists with other partitions or settings than declared: a boot error, never retried. */
export class TopicSettingsError extends MessagingError {
  readonly code = 'MESSAGING_TOPIC_SETTINGS';
  readonly retriable = false;

  constructor(readonly differences: readonly TopicDifference[]) {
    super(
      `Topics exist with other settings than declared: ${differences
        .map((d) => `${d.topic} ${d.setting} is ${d.actual}, declared ${d.declared}`)
        .join(
          '; ',
        )}. Change the declaration or the topic (kafka-topics.sh / kafka-configs.sh); nothing was changed`,
    );
  }
}

export interface ProvisionReport {
  created: string[];
  /** Topics that existed already, as declared. */
  existing: string[];
}

/** Creates the declared topics that are missing and checks the others; throws `TopicSettingsError`. */
export async function provisionTopics(
  admin: AdminPort,
  topics: readonly OwnedTopic[],
): Promise<ProvisionReport> {
  if (topics.length === 0) return { created: [], existing: [] };
  const present = new Set(await admin.listTopics());
  const existing = topics.filter((t) => present.has(t.topic));
  const missing = topics.filter((t) => !present.has(t.topic));
  // What exists is checked before anything is created, so a refusal leaves the cluster as it was.
  const differences = await compare(admin, existing);
  if (differences.length > 0) throw new TopicSettingsError(differences);
  if (missing.length > 0) {
    await admin.createTopics(
      missing.map((t) => ({ topic: t.topic, partitions: t.partitions, config: { ...t.config } })),
    );
    // Another instance may have won the race to create one with settings of its own.
    const raced = await compare(admin, missing);
    if (raced.length > 0) throw new TopicSettingsError(raced);
  }
  return { created: missing.map((t) => t.topic), existing: existing.map((t) => t.topic) };
}

async function compare(admin: AdminPort, topics: readonly OwnedTopic[]): Promise<TopicDifference[]> {
  if (topics.length === 0) return [];
  const names = topics.map((t) => t.topic);
  const settingNames = [...new Set(topics.flatMap((t) => Object.keys(t.config)))];
  const [counts, configs] = await Promise.all([
    admin.fetchPartitionCounts(names),
    settingNames.length > 0 ? admin.fetchTopicConfigs(names, settingNames) : Promise.resolve({}),
  ]);
  const differences: TopicDifference[] = [];
  for (const t of topics) {
    const partitions = counts[t.topic];
    if (partitions !== t.partitions) {
      differences.push({
        topic: t.topic,
        setting: 'partitions',
        declared: String(t.partitions),
        actual: String(partitions),
      });
    }
    const actual = (configs as Record<string, Record<string, string>>)[t.topic] ?? {};
    for (const [setting, declared] of Object.entries(t.config)) {
      if (actual[setting] !== declared) {
        differences.push({ topic: t.topic, setting, declared, actual: actual[setting] ?? '(unset)' });
      }
    }
  }
  return differences;
}
