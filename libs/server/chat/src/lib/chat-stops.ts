// A person's stop of a chat reply, from the api to whichever runner is answering: a Redis flag
// (for a runner that takes the job a moment later, or after a stall) and a pub/sub signal (to
// abort a streaming reply at once). The turn keeps what had streamed, marked stopped.
import { SessionSignals } from '@autocoder/server-live-events';
import { Injectable, OnModuleDestroy } from '@nestjs/common';

/** The reason a turn's signal is aborted with when a person stopped it. */
export class ChatStopRequested extends Error {
  override name = 'ChatStopRequested';
  constructor() {
    super('stopped by a person');
  }
}

/** Longer than any turn runs, so a stop is never forgotten before its job ends. */
const STOP_FLAG_TTL_MS = 15 * 60_000;

const flagOf = (messageId: string): string => `chat-stop:${messageId}`;

@Injectable()
export class ChatStops implements OnModuleDestroy {
  /** Turns this process is running, by the person's message they answer. */
  private readonly running = new Map<string, AbortController>();
  private readonly detach = new WeakMap<AbortController, () => void>();
  private listening?: Promise<() => void>;

  constructor(private readonly signals: SessionSignals) {}

  /** Asks every runner to stop the turn answering `messageId` (api side). */
  async request(conversationId: string, messageId: string): Promise<void> {
    await this.signals.raiseFlag(flagOf(messageId), STOP_FLAG_TTL_MS);
    await this.signals.send({ kind: 'chat-stop', conversationId, messageId });
  }

  /**
   * Registers a turn (runner side): its controller aborts with ChatStopRequested when a person
   * stops it, and with `parent`'s reason when that aborts (a shutdown). Already aborted when the
   * stop came before the turn started.
   */
  async open(messageId: string, parent?: AbortSignal): Promise<AbortController> {
    this.listening ??= this.signals.listen((signal) => {
      if (signal.kind === 'chat-stop') this.abort(signal.messageId);
    });
    await this.listening;
    const controller = new AbortController();
    if (parent) {
      const onParent = () => controller.abort(parent.reason);
      if (parent.aborted) onParent();
      else parent.addEventListener('abort', onParent, { once: true });
      this.detach.set(controller, () => parent.removeEventListener('abort', onParent));
    }
    this.running.set(messageId, controller);
    // Checked after registering, so a stop sent in between is seen one way or the other.
    if (await this.requested(messageId)) this.abort(messageId);
    return controller;
  }

  /** Whether a person asked to stop the turn answering `messageId`. */
  requested(messageId: string): Promise<boolean> {
    return this.signals.isFlagged(flagOf(messageId));
  }

  close(messageId: string, controller: AbortController): void {
    if (this.running.get(messageId) === controller) this.running.delete(messageId);
    this.detach.get(controller)?.();
  }

  private abort(messageId: string): void {
    const controller = this.running.get(messageId);
    if (controller && !controller.signal.aborted) controller.abort(new ChatStopRequested());
  }

  async onModuleDestroy(): Promise<void> {
    (await this.listening?.catch(() => undefined))?.();
  }
}

/** Whether `signal` was aborted by a person's stop (not a shutdown). */
export function stoppedByPerson(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason instanceof ChatStopRequested;
}
