export { NeedsYou, QUESTIONS_POLL_MS } from './lib/needs-you/needs-you';
