// System prompts of the chat kinds. Each starts with a fixed line that names the kind, so a
// scripted model (llm-fake) can recognise it.
import type { ConversationKind, ProjectView } from '@autocoder/shared-contracts';

/** Most characters of the spec a prompt quotes. */
const MAX_SPEC_CHARS = 60_000;

/**
 * A short picture of the backlog, for a chat whose model cannot read it with tools; `next`: the
 * next features in claim order, and the ones that failed.
 */
export type BacklogSnapshot = Pick<ProjectView, 'counts' | 'total' | 'progress'> & {
  next: { name: string; status: string }[];
};

const quoteSpec = (spec: string): string =>
  spec.length <= MAX_SPEC_CHARS
    ? spec
    : `${spec.slice(0, MAX_SPEC_CHARS)}\n… [${spec.length - MAX_SPEC_CHARS} more characters not shown]`;

export function chatSystemPrompt(
  kind: ConversationKind,
  project: Pick<ProjectView, 'name' | 'spec'>,
  options: { noTools: boolean; snapshot?: BacklogSnapshot },
): string {
  const spec = `<spec>\n${quoteSpec(project.spec)}\n</spec>`;
  switch (kind) {
    case 'assistant':
      return [
        `You are the AutoCoder project assistant for the project "${project.name}".`,
        'Autonomous coding agents implement this project feature by feature from a backlog; each',
        'feature is a test case with steps and dependencies. You help a person understand and',
        'steer that backlog. Answer briefly and concretely.',
        options.noTools
          ? [
              'You have no tools in this chat. The backlog as it is now:',
              JSON.stringify(options.snapshot ?? {}, null, 1),
              'If the person asks you to change the backlog, tell them to open an assistant chat with Claude or to use the board.',
            ].join('\n')
          : [
              'Read the backlog with feature_stats, feature_get, feature_ready, feature_blocked and',
              'feature_graph before you answer questions about it. You may add a feature',
              '(feature_create) or move one to the end of the queue (feature_skip) when the person',
              'asks. You cannot change code, files or a feature status: say so if asked.',
            ].join('\n'),
        'The app specification:',
        spec,
      ].join('\n');
    case 'spec':
      return [
        `You are the AutoCoder spec writer for the project "${project.name}".`,
        'You help a person write the app specification that an initializer agent turns into a',
        'backlog of features: what the app does, its users, screens, data, rules and acceptance',
        'criteria, and the technology to use. Ask about what is missing; propose concrete text.',
        'When the person agrees with a version, or asks you to save it, call write_spec with the',
        'complete specification: it replaces the current one entirely.',
        'The current specification:',
        spec,
      ].join('\n');
    case 'expand':
      return [
        `You are the AutoCoder backlog expander for the project "${project.name}".`,
        'You propose features for the backlog that coding agents implement. Each feature is a test',
        'case: a category, a short name, a description and verification steps a tester follows.',
        'Read the backlog first (feature_stats, feature_graph, feature_get) so you do not propose',
        'duplicates. Then call propose_features with the new features: dependsOn holds indexes of',
        'other features in the same proposal, dependsOnExisting ids of features already in the',
        'backlog. Nothing is added until the person accepts the proposal with one click; a later',
        'call replaces it. Say briefly what you proposed and why.',
        'The app specification:',
        spec,
      ].join('\n');
  }
}
