import type { EventDefinition } from '../core/event-definition';

/**
 * The event types a consumer (or publisher) knows, by `ce_type`. Decoding picks the reader schema here, so a
 * consumer decodes with the schema version it was built against, whatever compatible version was written.
 */
export class EventRegistry {
  private readonly byType = new Map<string, EventDefinition<unknown>>();

  constructor(definitions: Iterable<EventDefinition<unknown>> = []) {
    this.register(...definitions);
  }

  /**
   * Adds definitions. Registering the same definition twice is harmless; two different definitions for
   * one type is a wiring mistake and throws, since only one schema can be the reader schema.
   */
  register(...definitions: EventDefinition<unknown>[]): this {
    for (const definition of definitions) {
      const existing = this.byType.get(definition.type);
      if (existing && existing !== definition && !sameDefinition(existing, definition)) {
        throw new Error(`Event type ${definition.type} is already registered with a different definition`);
      }
      this.byType.set(definition.type, definition);
    }
    return this;
  }

  get(type: string): EventDefinition<unknown> | undefined {
    return this.byType.get(type);
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  /** The registered `ce_type`s, in registration order. */
  types(): string[] {
    return [...this.byType.keys()];
  }

  definitions(): EventDefinition<unknown>[] {
    return [...this.byType.values()];
  }
}

function sameDefinition(a: EventDefinition<unknown>, b: EventDefinition<unknown>): boolean {
  return a.topic === b.topic && JSON.stringify(a.schema) === JSON.stringify(b.schema);
}
