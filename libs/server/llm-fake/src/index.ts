export {
  startLlmFake,
  type LlmFakeOptions,
  type LlmFakeServer,
  type RecordedRequest,
} from './lib/llm-fake.server';
export { llmFakeOptionsFromEnv } from './lib/llm-fake.config';
export { anthropicPrefixMarks } from './lib/anthropic';
export type { PrefixMark } from './lib/prompt-cache';
export {
  loadScenarios,
  parseScenario,
  ScenarioLoadError,
  type Scenario,
  type ScenarioBlock,
  type ScenarioFailure,
  type ScenarioSet,
  type ScenarioTurn,
} from './lib/scenarios';
