// The feature tools served over MCP (Streamable HTTP) to external agents such as Claude Code.
// Stateless: every POST /mcp gets a fresh McpServer and transport, so any api replica behind the
// load balancer can answer any request and nothing lives in memory between requests. Claims are
// held by the token ("mcp:<tokenId>"), so a claim in one request and "mark passing" in the next
// work on whichever replica they land.
import { UserRole, UuidSchema } from '@autocoder/shared-contracts';
import { Injectable, Logger } from '@nestjs/common';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { forbidden, invalid, ProjectsService } from '@autocoder/server-projects';
import {
  AgentRole,
  FeatureToolContext,
  featureToolInputSchema,
  featureToolSpecs,
  FeatureToolsService,
  MCP_ROLE_BY_TOKEN_ROLE,
  READ_ONLY_FEATURE_TOOLS,
} from './feature-tools.service';

/** Header naming the project of a request (or the `projectId` query parameter). */
export const MCP_PROJECT_HEADER = 'x-autocoder-project';
/**
 * Lease of a feature claimed over MCP. External agents cannot heartbeat, so it is long; when it
 * runs out the control tick's reaper hands the feature back to the backlog.
 */
const MCP_LEASE_MS = 30 * 60_000;

/** Who calls: the principal of an API token (ApiTokenPrincipal of server-auth fits). */
export interface McpCaller {
  tokenId: string;
  role: UserRole;
  /** The one project the token may use; null: the request names it. */
  projectId: string | null;
}

@Injectable()
export class McpFeatureServers {
  private readonly logger = new Logger(McpFeatureServers.name);

  constructor(
    private readonly tools: FeatureToolsService,
    private readonly projects: ProjectsService,
  ) {}

  /**
   * The project a request works on: the token's own project, or (unscoped token) the one named
   * by the X-AutoCoder-Project header or the projectId query parameter. 400 when it is missing,
   * not a UUID or named twice differently; 403 when a scoped token names another project; 404
   * when the project does not exist.
   */
  async resolveProject(
    caller: McpCaller,
    named: { header?: string | string[]; query?: unknown },
  ): Promise<string> {
    const header = single(named.header, `headers.${MCP_PROJECT_HEADER}`);
    const query = single(named.query, 'query.projectId');
    if (header !== undefined && query !== undefined && header !== query) {
      throw invalid('The X-AutoCoder-Project header and ?projectId= name different projects.', [
        { path: 'query.projectId', message: 'differs from the X-AutoCoder-Project header' },
      ]);
    }
    const requested = header ?? query;
    if (requested !== undefined && !UuidSchema.safeParse(requested).success) {
      const path = header !== undefined ? `headers.${MCP_PROJECT_HEADER}` : 'query.projectId';
      throw invalid('The project id must be a UUID.', [{ path, message: 'must be a UUID' }]);
    }
    if (caller.projectId && requested && requested !== caller.projectId) {
      throw forbidden(
        `This token is limited to project ${caller.projectId}; it cannot use project ${requested}.`,
      );
    }
    const projectId = requested ?? caller.projectId;
    if (!projectId) {
      throw invalid(
        'Name the project: this token is not limited to one, so send the X-AutoCoder-Project header or ?projectId=.',
        [
          {
            path: `headers.${MCP_PROJECT_HEADER}`,
            message: 'required for a token without a project',
          },
        ],
      );
    }
    await this.projects.require(projectId);
    return projectId;
  }

  /** An MCP server offering the caller's feature tools on one project. */
  create(caller: McpCaller, projectId: string, requestId?: string): McpServer {
    const role = MCP_ROLE_BY_TOKEN_ROLE[caller.role];
    const server = new McpServer(
      { name: 'autocoder-features', version: '1.0.0' },
      { instructions: instructionsFor(role, projectId) },
    );
    const ctx: FeatureToolContext = {
      projectId,
      owner: `mcp:${caller.tokenId}`,
      leaseMs: MCP_LEASE_MS,
    };
    for (const { name, description } of featureToolSpecs(role)) {
      server.registerTool(
        name,
        {
          description,
          inputSchema: featureToolInputSchema(name),
          annotations: { readOnlyHint: READ_ONLY_FEATURE_TOOLS.includes(name) },
        },
        async (args: unknown): Promise<CallToolResult> => {
          const log = { tool: name, projectId, tokenId: caller.tokenId, requestId };
          try {
            const { content, isError } = await this.tools.run(role, name, args, ctx);
            this.logger.log({ ...log, isError: !!isError }, 'mcp tool call');
            return { content: [{ type: 'text', text: content }], ...(isError && { isError }) };
          } catch (err) {
            // The SDK would hand the raw message (a database error, say) to the caller.
            this.logger.error({ err, ...log }, 'mcp tool failed');
            const text = `The tool failed on our side; quote request id ${requestId ?? '(none)'} when reporting it.`;
            return { isError: true, content: [{ type: 'text', text }] };
          }
        },
      );
    }
    return server;
  }

  /**
   * Serves one MCP POST in stateless mode (no session id; JSON answers, no SSE stream) and
   * closes the server and transport when the response ends. `body` is the JSON the api's body
   * parser already read (undefined if it did not, and the transport reads the stream itself).
   */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    caller: McpCaller,
    projectId: string,
    requestId?: string,
  ): Promise<void> {
    const server = this.create(caller, projectId, requestId);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }
}

/** One value of a header or query parameter; repeated ones are a 400. */
function single(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  throw invalid('Name the project once, as a single UUID.', [
    { path, message: 'must be given once' },
  ]);
}

function instructionsFor(role: AgentRole, projectId: string): string {
  const base = `Feature backlog of AutoCoder project ${projectId}: features with steps, a status and dependencies.`;
  if (role === 'mcp_viewer') return `${base} This token reads only.`;
  return (
    `${base} To work on one: feature_claim (the next ready feature), implement it, check its ` +
    `steps, then feature_mark_passing; feature_clear_in_progress hands it back unfinished. ` +
    `A claim is held by this token and returns to the backlog after ${MCP_LEASE_MS / 60_000} minutes.`
  );
}
