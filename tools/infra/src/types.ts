export interface PartStatus {
  /** kafka-1 … kafka-3, registry, postgres */
  name: string;
  healthy: boolean;
  pid?: number;
  port: number;
  /** Human-readable state: what is healthy or what is missing. */
  detail: string;
  /** Where its log is. */
  logFile?: string;
}

/** What a part's `up` did: reused a healthy running process, or started one. */
export interface PartUp {
  name: string;
  started: boolean;
  stop: () => Promise<void>;
  /** e.g. "Java 17.0.15" */
  runtime?: string;
}
