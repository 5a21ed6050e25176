// The settings form as plain strings (what the inputs hold), to and from the api's shapes.
import type { ModelPickerValue } from '@autocoder/admin-ui';
import type { AgentSettings, ProjectView, UpdateProjectInput } from '@autocoder/shared-contracts';

export interface SettingsForm {
  name: string;
  spec: string;
  verifyCommand: string;
  concurrency: string;
  testingAgents: string;
  budgetUsd: string;
  /** Percent of the budget, 1-99; empty: the deployment's default. */
  budgetWarnPercent: string;
  coding: ModelPickerValue;
  /** Empty: the same as coding. */
  testing: ModelPickerValue;
  /** Program names separated by commas, spaces or new lines. */
  allowedCommands: string;
  codingSystem: string;
  codingTask: string;
  testingSystem: string;
  testingTask: string;
}

export type SettingsField = keyof SettingsForm;

export function formOf(project: ProjectView): SettingsForm {
  const a = project.agents;
  return {
    name: project.name,
    spec: project.spec,
    verifyCommand: project.verifyCommand ?? '',
    concurrency: String(project.concurrency),
    testingAgents: a.testingAgents === undefined ? '' : String(a.testingAgents),
    budgetUsd: project.budgetUsd === null ? '' : String(project.budgetUsd),
    budgetWarnPercent:
      project.budgetWarnShare === null
        ? ''
        : String(Math.round(project.budgetWarnShare * 1000) / 10),
    coding: a.provider ? { provider: a.provider, ...(a.model ? { model: a.model } : {}) } : {},
    testing: a.testing?.provider ? { ...a.testing } : {},
    allowedCommands: (a.allowedCommands ?? []).join(', '),
    codingSystem: a.prompts?.coding?.system ?? '',
    codingTask: a.prompts?.coding?.task ?? '',
    testingSystem: a.prompts?.testing?.system ?? '',
    testingTask: a.prompts?.testing?.task ?? '',
  };
}

/** A number from a field; NaN (refused by the schema, with a reason) when it is not one. */
function num(text: string): number {
  const t = text.trim();
  return t === '' ? Number.NaN : Number(t);
}

function template(system: string, task: string): { system?: string; task?: string } | undefined {
  const out = {
    ...(system.trim() ? { system } : {}),
    ...(task.trim() ? { task } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The PATCH body for the whole form (the api replaces `agents` as a whole). */
export function payloadOf(form: SettingsForm): UpdateProjectInput {
  const commands = form.allowedCommands
    .split(/[\s,]+/)
    .map((c) => c.trim())
    .filter(Boolean);
  const coding = template(form.codingSystem, form.codingTask);
  const testing = template(form.testingSystem, form.testingTask);
  const agents: AgentSettings = {
    ...(form.testingAgents.trim() ? { testingAgents: num(form.testingAgents) } : {}),
    ...(commands.length > 0 ? { allowedCommands: commands } : {}),
    ...(coding || testing
      ? { prompts: { ...(coding ? { coding } : {}), ...(testing ? { testing } : {}) } }
      : {}),
    ...(form.coding.provider ? form.coding : {}),
    ...(form.testing.provider ? { testing: form.testing } : {}),
  };
  return {
    name: form.name,
    spec: form.spec,
    verifyCommand: form.verifyCommand.trim() ? form.verifyCommand : null,
    concurrency: num(form.concurrency),
    budgetUsd: form.budgetUsd.trim() ? num(form.budgetUsd) : null,
    budgetWarnShare: form.budgetWarnPercent.trim()
      ? Math.round(num(form.budgetWarnPercent) * 10) / 1000
      : null,
    agents,
  };
}

/**
 * The form field an issue path names: the api's ("body.agents.allowedCommands.2") and the
 * schema's own ("agents.testing.model") read the same.
 */
export function fieldOf(path: readonly (string | number)[] | string): SettingsField | null {
  const parts = (typeof path === 'string' ? path.split('.') : path.map(String)).filter(Boolean);
  if (parts[0] === 'body') parts.shift();
  const [first, second, third, fourth] = parts;
  if (first === 'budgetWarnShare') return 'budgetWarnPercent';
  if (first !== 'agents') {
    const direct: readonly SettingsField[] = [
      'name',
      'spec',
      'verifyCommand',
      'concurrency',
      'budgetUsd',
    ];
    return direct.find((f) => f === first) ?? null;
  }
  if (second === 'testingAgents' || second === 'allowedCommands') return second;
  if (second === 'provider' || second === 'model') return 'coding';
  if (second === 'testing') return 'testing';
  if (second === 'prompts' && (third === 'coding' || third === 'testing')) {
    if (fourth === 'system') return third === 'coding' ? 'codingSystem' : 'testingSystem';
    if (fourth === 'task') return third === 'coding' ? 'codingTask' : 'testingTask';
  }
  return null;
}
