// Conversations, for the api: create, read, post (enqueues turns), stop, search and export, and
// what stored messages say. The turns themselves run on the runner (server-chat-turns).
export * from './lib/history';
export * from './lib/chat-views';
export * from './lib/conversations.service';
export * from './lib/conversation-export.service';
export * from './lib/chat-stops';
export * from './lib/chat.module';
