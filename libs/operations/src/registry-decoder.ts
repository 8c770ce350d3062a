/**
 * How `dlt show` reads a dead-lettered payload: as the failing group's consumer did, through the envelope
 * codec and the schema registry, with every contract of the system (the caller's `definitions`: this
 * library knows no contract) as the reader schemas. A dead-letter
 * record keeps the original key, value and headers, so the envelope decodes as it did on the source topic.
 * What cannot be decoded (an unknown `ce_type`, bytes that are not Avro: often why it was dead-lettered)
 * comes back as the desk's `{ error, base64 }` instead.
 */
import {
  AvroCodec,
  EnvelopeCodec,
  EventRegistry,
  type ConsumedRecord,
  type Envelope,
  type EventDefinition,
} from '@orderstream/messaging';

/** The record's envelope (CloudEvents attributes, trace and correlation ids, and the decoded data). */
export function registryDecoder(
  registryUrl: string,
  definitions: readonly EventDefinition<unknown>[],
): (record: ConsumedRecord) => Promise<Envelope> {
  const codec = new EnvelopeCodec(new AvroCodec({ registryUrl }));
  const registry = new EventRegistry(definitions);
  return (record) => codec.decode(record, registry);
}
