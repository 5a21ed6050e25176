export {
  startLlmFake,
  type LlmFakeOptions,
  type LlmFakeServer,
  type RecordedRequest,
} from './lib/llm-fake.server';
export { llmFakeOptionsFromEnv } from './lib/llm-fake.config';
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
