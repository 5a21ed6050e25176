/**
 * Collects streamed text and emits it in batches, at most one every `intervalMs`, so a reply of
 * a thousand tokens is a few dozen Redis publishes instead of a thousand. Emits one at a time and
 * in order (each batch numbered from 0); `close` emits what is left and waits for all of it.
 */
export class DeltaBatcher {
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly emit: (text: string, seq: number) => Promise<void>,
    private readonly intervalMs = 50,
  ) {}

  push(text: string): void {
    if (!text || this.closed) return;
    this.buffer += text;
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Batches emitted (or queued to be) so far. */
  get batches(): number {
    return this.seq;
  }

  async close(): Promise<void> {
    this.flush();
    this.closed = true;
    await this.chain;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer) return;
    const text = this.buffer;
    const seq = this.seq++;
    this.buffer = '';
    // A failed emit (Redis away) loses that batch only: live text is best effort, the stored
    // message is the record.
    this.chain = this.chain.then(() => this.emit(text, seq)).catch(() => undefined);
  }
}
