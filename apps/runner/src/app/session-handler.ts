export interface SessionContext {
  /** 1-based attempt of this job. */
  attempt: number;
  maxAttempts: number;
  runnerId: string;
  /** Aborted when the session must stop now (shutdown past its grace period). */
  signal: AbortSignal;
  /** Pauses the whole queue, on every runner, for this long. */
  rateLimit(ms: number): Promise<void>;
}
