import type { Routes } from '@angular/router';
import { ChatPage } from './chat-page/chat-page';

/** Mounted at `/projects/:id/chat`; a conversation has its own address to link to. */
export const chatRoutes: Routes = [
  { path: '', component: ChatPage, title: 'Chat · AutoCoder' },
  { path: ':conversationId', component: ChatPage, title: 'Chat · AutoCoder' },
];
