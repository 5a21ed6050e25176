// Queue and job contract between the api (producer) and the runner (consumer).
// Queue names live in Redis: never rename a value, add a new one instead.

export enum QueueName {
  AgentSession = 'agent-session',
  /** Small platform jobs (dispatch ticks, lease reaping); never behind a long session. */
  Control = 'control',
  /** Chat turns: short, interactive, never behind a long session. */
  Chat = 'chat',
}

export enum JobName {
  InitializerSession = 'initializer-session',
  CodingSession = 'coding-session',
  TestingSession = 'testing-session',
  /** Periodic: reap expired leases, fail exhausted features, top up every running project. */
  ControlTick = 'control-tick',
  /** Answers a person's message in a chat (job id = that message's id). */
  ChatTurn = 'chat-turn',
  /** An edge of a project's schedule window: start (a job scheduler per schedule) or end (delayed). */
  ScheduleEdge = 'schedule-edge',
}

/** Fields every job carries so one request id follows the work from the browser to the agent. */
export interface JobEnvelope {
  requestId?: string;
}

export interface InitializerSessionJob extends JobEnvelope {
  runId: string;
  projectId: string;
}

/** One coding session: claims a ready feature, implements it in a worktree, verifies and merges. */
export interface CodingSessionJob extends JobEnvelope {
  runId: string;
  projectId: string;
}

/** One testing session: re-checks a passing feature on main (regression). */
export interface TestingSessionJob extends JobEnvelope {
  runId: string;
  projectId: string;
}

/** A tick carries nothing: it acts on whatever state Postgres holds when it runs. */
export type ControlTickJob = JobEnvelope;

/** One chat turn: the model answers the conversation up to the person's message `messageId`. */
export interface ChatTurnJob extends JobEnvelope {
  conversationId: string;
  projectId: string;
  messageId: string;
}

/**
 * A schedule's window edge. `start` comes from the schedule's BullMQ job scheduler (static data);
 * `end` is enqueued, delayed to the window's end, when its window starts (job id from the window,
 * so duplicates collapse). Either way the handler re-reads Postgres and acts idempotently.
 */
export type ScheduleEdgeJob = JobEnvelope &
  (
    | { edge: 'start'; scheduleId: string }
    | { edge: 'end'; scheduleId: string; projectId: string; windowStart: string; windowEnd: string }
  );

export interface JobPayloads {
  [JobName.InitializerSession]: InitializerSessionJob;
  [JobName.CodingSession]: CodingSessionJob;
  [JobName.TestingSession]: TestingSessionJob;
  [JobName.ControlTick]: ControlTickJob;
  [JobName.ChatTurn]: ChatTurnJob;
  [JobName.ScheduleEdge]: ScheduleEdgeJob;
}

/** Which queue each job goes to. */
export const JOB_QUEUE = {
  [JobName.InitializerSession]: QueueName.AgentSession,
  [JobName.CodingSession]: QueueName.AgentSession,
  [JobName.TestingSession]: QueueName.AgentSession,
  [JobName.ControlTick]: QueueName.Control,
  [JobName.ChatTurn]: QueueName.Chat,
  [JobName.ScheduleEdge]: QueueName.Control,
} as const satisfies { readonly [N in JobName]: QueueName };

/** Jobs each queue carries; a processor handles exactly these. */
export type JobsOf<Q extends QueueName> = {
  [N in JobName]: (typeof JOB_QUEUE)[N] extends Q ? N : never;
}[JobName];

export type JobOf<N extends JobName> = { name: N; data: JobPayloads[N] };
export type AnyJob = { [N in JobName]: JobOf<N> }[JobName];
