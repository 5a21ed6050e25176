// Queue and job contract between the api (producer) and the runner (consumer).
// Queue names live in Redis: never rename a value, add a new one instead.

export enum QueueName {
  AgentSession = 'agent-session',
}

export enum JobName {
  InitializerSession = 'initializer-session',
}

/** Fields every job carries so one request id follows the work from the browser to the agent. */
export interface JobEnvelope {
  requestId?: string;
}

export interface InitializerSessionJob extends JobEnvelope {
  runId: string;
  projectId: string;
}

export interface JobPayloads {
  [JobName.InitializerSession]: InitializerSessionJob;
}

/** Which queue each job goes to. */
export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
  [JobName.InitializerSession]: QueueName.AgentSession,
};

export type JobOf<N extends JobName> = { name: N; data: JobPayloads[N] };
export type AnyJob = { [N in JobName]: JobOf<N> }[JobName];
