// Chat turns, on the runner: the model answers a conversation on the shared agent loop, with the
// kind's tools, streaming its text. The api's side of chats (conversations, search, export) is
// server-chat, which holds no LLM code.
export * from './lib/model-history';
export * from './lib/delta-batcher';
export * from './lib/chat-providers';
export * from './lib/chat-prompts';
export * from './lib/chat-tools';
export * from './lib/chat-turn.runner';
export * from './lib/chat-turns.module';
