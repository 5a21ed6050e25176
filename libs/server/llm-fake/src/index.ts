export { startLlmFake, type LlmFakeServer } from './lib/llm-fake.server';
export { llmFakeOptionsFromEnv } from './lib/llm-fake.config';
export { anthropicPrefixMarks } from './lib/anthropic';
