export { chatRoutes } from './lib/chat.routes';
