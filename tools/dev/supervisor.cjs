// The process supervisor of `make dev` (tools/dev/start.mjs): starts each service as a child
// process, restarts one that exits on its own after a delay that doubles with each quick crash
// (1 s, 2 s, 4 s … up to 30 s; back to 1 s once it has stayed up a minute), never touches the
// others, and stops them all exactly once. Proved by tools/dev/supervisor.spec.ts.
// CommonJS so that Jest loads it as it is (start.mjs imports it like any module).
'use strict';
const { spawn } = require('node:child_process');

/**
 * @typedef {object} ServiceSpec
 * @property {string} command executable to run
 * @property {string[]} [args]
 * @property {import('node:child_process').SpawnOptions} [options] cwd, env … (stdio is piped)
 * @property {boolean} [group] signal the child's whole process group (for `npx …`, whose real
 *   work runs in grandchildren); otherwise only the child, so it drains gracefully once
 * @property {(child: import('node:child_process').ChildProcess) => void} [onStart] e.g. pipe output
 *
 * @typedef {object} SupervisorEvent
 * @property {'start' | 'exit' | 'restart-scheduled' | 'stopped'} type
 * @property {string} name
 * @property {number} [pid]
 * @property {number | null} [code]
 * @property {NodeJS.Signals | null} [signal]
 * @property {number} [delayMs] for 'restart-scheduled'
 */

/**
 * The delay before the next restart: the first after a start that lasted at least `resetAfterMs`
 * (or the first ever) waits `minDelayMs`, each further quick crash doubles it up to `maxDelayMs`.
 *
 * @param {number | undefined} previousDelayMs
 * @param {number} uptimeMs
 * @param {{ minDelayMs: number, maxDelayMs: number, resetAfterMs: number }} policy
 */
function nextDelay(previousDelayMs, uptimeMs, policy) {
  if (previousDelayMs === undefined || uptimeMs >= policy.resetAfterMs) return policy.minDelayMs;
  return Math.min(previousDelayMs * 2, policy.maxDelayMs);
}

/**
 * @param {{ minDelayMs?: number, maxDelayMs?: number, resetAfterMs?: number,
 *   stopTimeoutMs?: number, log?: (line: string) => void,
 *   onEvent?: (event: SupervisorEvent) => void }} [settings]
 */
function createSupervisor(settings = {}) {
  const policy = {
    minDelayMs: settings.minDelayMs ?? 1_000,
    maxDelayMs: settings.maxDelayMs ?? 30_000,
    resetAfterMs: settings.resetAfterMs ?? 60_000,
  };
  const stopTimeoutMs = settings.stopTimeoutMs ?? 10_000;
  const log = settings.log ?? ((line) => console.error(line));
  const emit = settings.onEvent ?? (() => undefined);
  /** @type {Map<string, Service>} */
  const services = new Map();
  let stopping = false;
  /** @type {Promise<void> | undefined} */
  let stopped;

  class Service {
    /** @param {string} name @param {ServiceSpec} spec */
    constructor(name, spec) {
      this.name = name;
      this.spec = spec;
      /** @type {import('node:child_process').ChildProcess | undefined} */
      this.child = undefined;
      /** @type {number | undefined} */
      this.delayMs = undefined;
      /** @type {NodeJS.Timeout | undefined} */
      this.timer = undefined;
      this.startedAt = 0;
      this.restarting = false;
    }

    start() {
      if (stopping) return;
      this.timer = undefined;
      const child = spawn(this.spec.command, this.spec.args ?? [], {
        ...this.spec.options,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Own process group: Ctrl-C in the terminal reaches only the supervisor, which then
        // signals each child once (a Nest app signalled twice skips its graceful drain).
        detached: true,
      });
      this.child = child;
      this.startedAt = Date.now();
      emit({ type: 'start', name: this.name, pid: child.pid });
      this.spec.onStart?.(child);
      child.on('error', (err) => log(`${this.name}: ${err.message}`));
      child.on('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        emit({ type: 'exit', name: this.name, pid: child.pid, code, signal });
        if (stopping) return;
        if (this.restarting) {
          // Asked for (restart()): start again at once, with the backoff untouched.
          this.restarting = false;
          this.start();
          return;
        }
        this.delayMs = nextDelay(this.delayMs, Date.now() - this.startedAt, policy);
        log(
          `${this.name} exited (${signal ?? `code ${code}`}); restarting in ` +
            `${formatDelay(this.delayMs)}, the others keep running`,
        );
        emit({ type: 'restart-scheduled', name: this.name, delayMs: this.delayMs });
        this.timer = setTimeout(() => this.start(), this.delayMs);
      });
    }

    /**
     * Stops the running child (if any) and starts it again right away, e.g. after a rebuild: new
     * code, so the next crash starts the backoff over.
     */
    restart() {
      if (stopping) return;
      this.delayMs = undefined;
      if (this.timer) {
        clearTimeout(this.timer);
        this.start();
      } else if (this.child && !this.restarting) {
        this.restarting = true;
        this.signal('SIGTERM');
      }
    }

    /** @param {NodeJS.Signals} sig */
    signal(sig) {
      const child = this.child;
      if (!child?.pid) return;
      try {
        if (this.spec.group) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // already gone
      }
    }

    /** @returns {Promise<void>} */
    stop() {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      const child = this.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        const force = setTimeout(() => {
          log(`${this.name} did not stop within ${formatDelay(stopTimeoutMs)}; killing it`);
          this.signal('SIGKILL');
        }, stopTimeoutMs);
        child.once('exit', () => {
          clearTimeout(force);
          emit({ type: 'stopped', name: this.name, pid: child.pid });
          resolve();
        });
        this.signal('SIGTERM');
      });
    }
  }

  return {
    /**
     * Starts a service under supervision.
     * @param {string} name @param {ServiceSpec} spec
     */
    add(name, spec) {
      if (services.has(name)) throw new Error(`service ${name} added twice`);
      const service = new Service(name, spec);
      services.set(name, service);
      service.start();
      return { restart: () => service.restart(), pid: () => service.child?.pid };
    },
    /** Stops every service once (SIGTERM, SIGKILL after stopTimeoutMs); later calls share it. */
    stop() {
      stopping = true;
      stopped ??= Promise.all([...services.values()].map((s) => s.stop())).then(() => undefined);
      return stopped;
    },
  };
}

/** @param {number} ms */
function formatDelay(ms) {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

module.exports = { createSupervisor, nextDelay };
