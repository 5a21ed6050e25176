import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { DB_MODULE_OPTIONS, DbModuleOptions } from './db.constants';

/** The channel the board_changed() trigger notifies on (migration board_change_notify). */
export const BOARD_CHANGED_CHANNEL = 'board_changed';

/**
 * Where a project's board stands: equal stamps mean no Feature or FeatureDependency row of the
 * project changed in between. `epoch` moves whenever the feed (re)connects, since notifications
 * sent while it was away are lost.
 */
export interface BoardStamp {
  epoch: number;
  changes: number;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;
const SYNC_TIMEOUT_MS = 1_000;

/**
 * Counts the "board_changed" notifications per project on one dedicated connection (LISTEN
 * needs its own session; a pooled connection would lose it). Postgres delivers a notification
 * after its transaction commits, so a stamp taken before a query started is never newer than the
 * data the query sees: an answer kept under that stamp is as new as the stamp or newer, never
 * older, and an answer kept under the current stamp holds every change committed so far. While
 * the feed is not listening it gives no stamp, and callers go to the database every time.
 *
 * Lazy: it connects on the first stamp asked for, so processes that never serve a board (the
 * runner) open no connection.
 */
@Injectable()
export class BoardChangeFeed implements OnModuleDestroy {
  private readonly logger = new Logger(BoardChangeFeed.name);
  private readonly changes = new Map<string, number>();
  private client: Client | null = null;
  private listening = false;
  private epoch = 0;
  private started = false;
  private closed = false;
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<() => void>();
  private syncInFlight: Promise<boolean> | null = null;
  private syncQueued: Promise<boolean> | null = null;
  /** The Postgres backend of the listening connection, while listening (tests cut it). */
  backendPid: number | null = null;

  constructor(@Inject(DB_MODULE_OPTIONS) private readonly options: DbModuleOptions) {}

  /**
   * The project's stamp, counting every change committed before this call: one round trip on the
   * listening connection first, because Postgres hands a session its pending notifications
   * before the answer to its next statement. Null while not listening, or when that round trip
   * fails or takes longer than a second: then nothing may be kept or reused.
   */
  async stamp(projectId: string): Promise<BoardStamp | null> {
    if (!this.started) this.start();
    if (!this.listening) return null;
    const epoch = this.epoch;
    const synced = await this.sync();
    if (!synced || !this.listening || this.epoch !== epoch) return null;
    return { epoch, changes: this.changes.get(projectId) ?? 0 };
  }

  /**
   * A round trip that starts after this call. Callers that arrive while one is under way share
   * the next one, so at most one is in flight and one waits, however many requests there are.
   */
  private sync(): Promise<boolean> {
    if (this.syncQueued) return this.syncQueued;
    const start = (): Promise<boolean> => {
      this.syncQueued = null;
      const trip = this.roundTrip();
      this.syncInFlight = trip;
      void trip.then(() => {
        if (this.syncInFlight === trip) this.syncInFlight = null;
      });
      return trip;
    };
    if (!this.syncInFlight) return start();
    const queued = this.syncInFlight.then(start);
    this.syncQueued = queued;
    return queued;
  }

  private roundTrip(): Promise<boolean> {
    const client = this.client;
    if (!client) return Promise.resolve(false);
    return Promise.race([
      client.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      new Promise<false>((resolve) => setTimeout(resolve, SYNC_TIMEOUT_MS, false).unref()),
    ]);
  }

  /** Called whenever every earlier stamp stops meaning anything (a reconnect or a drop). */
  onReset(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether stamps are being handed out (for tests and health). */
  isListening(): boolean {
    return this.listening;
  }

  /** Starts listening and resolves once it does (tests; requests never wait for it). */
  async ready(timeoutMs = 10_000): Promise<void> {
    if (!this.started) this.start();
    const deadline = Date.now() + timeoutMs;
    while (!this.listening) {
      if (Date.now() > deadline) throw new Error('BoardChangeFeed did not start listening');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.drop();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private start(): void {
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.options.databaseUrl });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel !== BOARD_CHANGED_CHANNEL || !message.payload) return;
      this.changes.set(message.payload, (this.changes.get(message.payload) ?? 0) + 1);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${BOARD_CHANGED_CHANNEL}`);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      if (this.client !== client) return;
      // Anything kept before this point may have missed notifications: start a new epoch.
      this.epoch++;
      this.changes.clear();
      this.reset();
      this.backendPid = rows[0]?.pid ?? null;
      this.listening = true;
      this.retryMs = RECONNECT_MIN_MS;
    } catch (error) {
      this.lost(client, error instanceof Error ? error : new Error(String(error)));
    }
  }

  private lost(client: Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.drop();
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.logger.warn(`board change feed lost (${error.message}); retrying in ${this.retryMs} ms`);
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }

  private drop(): void {
    this.backendPid = null;
    if (!this.listening) return;
    this.listening = false;
    this.reset();
  }

  private reset(): void {
    for (const listener of this.listeners) listener();
  }
}
