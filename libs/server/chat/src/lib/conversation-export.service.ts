import { type Conversation, ConversationRepository, type Message } from '@autocoder/server-db';
import type { ConversationExportQuery, MessageView } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { conversationView, messageView } from './chat-views';
import { ConversationsService } from './conversations.service';

/** Messages read per query while exporting: memory stays flat for any length of conversation. */
const BATCH = 500;

export interface ConversationExport {
  filename: string;
  contentType: string;
  /** The document in pieces, read from Postgres batch by batch as the response drains. */
  chunks: AsyncIterable<string>;
}

const ROLE_HEADINGS: Record<MessageView['role'], string> = {
  user: 'Person',
  assistant: 'Assistant',
  tool: 'Tool result',
  system: 'Platform',
};

/** A Markdown fence longer than any run of back-ticks inside `text`, so it cannot be closed early. */
function fenceFor(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  return '`'.repeat(longest + 1);
}

export function markdownOfMessage(m: MessageView): string {
  const author = m.provider ? ` (${m.provider} ${m.model ?? ''}`.trimEnd() + ')' : '';
  const stopped = m.stopped ? ' · stopped' : '';
  const parts = [`### ${ROLE_HEADINGS[m.role]}${author} · ${m.createdAt}${stopped}`, ''];
  if (m.toolResult) {
    parts.push(`Result of \`${m.toolResult.name}\`${m.toolResult.isError ? ' (error)' : ''}:`, '');
    const fence = fenceFor(m.content);
    parts.push(fence, m.content, fence);
  } else if (m.content) {
    parts.push(m.content);
  }
  for (const call of m.toolCalls ?? []) {
    const input = JSON.stringify(call.input, null, 2);
    const fence = fenceFor(input);
    parts.push('', `Called \`${call.name}\`:`, '', `${fence}json`, input, fence);
  }
  return parts.join('\n') + '\n\n';
}

function markdownHeader(c: Conversation): string {
  return [
    `# ${c.title.replace(/\n/g, ' ')}`,
    '',
    `- Kind: ${c.kind}`,
    `- Conversation: ${c.id}`,
    `- Started: ${c.createdAt.toISOString()}`,
    '',
    '',
  ].join('\n');
}

/** Filenames keep to safe characters whatever the title holds. */
function fileStem(c: Conversation): string {
  const slug = c.title
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .toLowerCase();
  return `${slug || 'conversation'}-${c.id.slice(0, 8)}`;
}

/** One conversation as Markdown (for people) or JSON (for programs), streamed oldest first. */
@Injectable()
export class ConversationExportService {
  constructor(
    private readonly rows: ConversationRepository,
    private readonly conversations: ConversationsService,
  ) {}

  async export(
    projectId: string,
    conversationId: string,
    query: ConversationExportQuery,
  ): Promise<ConversationExport> {
    // Resolved before the response starts, so a missing conversation is a 404, not a cut stream.
    const conversation = await this.conversations.require(projectId, conversationId);
    const json = query.format === 'json';
    return {
      filename: `${fileStem(conversation)}.${json ? 'json' : 'md'}`,
      contentType: `${json ? 'application/json' : 'text/markdown'}; charset=utf-8`,
      chunks: json ? this.json(conversation) : this.markdown(conversation),
    };
  }

  private async *markdown(c: Conversation): AsyncIterable<string> {
    yield markdownHeader(c);
    for await (const m of this.messages(c.id)) yield markdownOfMessage(messageView(m));
  }

  private async *json(c: Conversation): AsyncIterable<string> {
    const head = JSON.stringify({ conversation: conversationView(c) });
    // `{"conversation":{…},"messages":[` … `]}`: one valid document, written as it is read.
    yield `${head.slice(0, -1)},"messages":[`;
    let first = true;
    for await (const m of this.messages(c.id)) {
      yield (first ? '' : ',') + JSON.stringify(messageView(m));
      first = false;
    }
    yield ']}\n';
  }

  /** Keyset pagination by (createdAt, id): stable while new messages arrive. */
  private async *messages(conversationId: string): AsyncIterable<Message> {
    let after: Message | undefined;
    for (;;) {
      const rows = await this.rows.messages(conversationId, after, BATCH);
      yield* rows;
      if (rows.length < BATCH) return;
      after = rows[rows.length - 1];
    }
  }
}
