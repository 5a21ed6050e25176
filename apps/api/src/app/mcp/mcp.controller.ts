import { Audit } from '@autocoder/server-audit';
import { Allow, CurrentPrincipal, Principal, Public } from '@autocoder/server-auth';
import { MCP_PROJECT_HEADER, McpFeatureServers } from '@autocoder/server-feature-tools';
import { Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequestId } from '../http/request-id.decorator';

/**
 * The backlog's feature tools over MCP (Streamable HTTP, stateless) at /mcp, for agents such as
 * Claude Code, with a personal API token (or an IdP access token). The project is the token's own, or the one named by
 * X-AutoCoder-Project (or ?projectId=).
 */
@ApiExcludeController()
@Controller('mcp')
export class McpController {
  constructor(private readonly servers: McpFeatureServers) {}

  /** Viewers get the read-only tools only, so a viewer's call changes nothing. */
  @Post()
  @Allow('viewer', { projectScopeByHandler: true })
  @Audit({ action: 'mcp.call', target: 'mcp' })
  async post(
    @Req() req: Request,
    @Res() res: Response,
    @CurrentPrincipal() who: Principal,
    @RequestId() requestId?: string,
  ): Promise<void> {
    // Claims are leased to the token, or to the person when they sign in with an IdP token.
    const principal = {
      tokenId: who.tokenId ?? `user-${who.userId}`,
      role: who.role,
      projectId: who.projectId ?? null,
    };
    const projectId = await this.servers.resolveProject(principal, {
      header: req.headers[MCP_PROJECT_HEADER],
      query: req.query['projectId'],
    });
    // The api's JSON body parser has read the body already; hand the transport the result.
    const body: unknown = req.is('application/json') ? req.body : undefined;
    await this.servers.handle(req, res, body, principal, projectId, requestId);
  }

  /** Stateless server: no SSE stream to open (GET) and no session to end (DELETE). */
  @Get()
  @Public()
  get(@Res() res: Response): void {
    methodNotAllowed(res);
  }

  @Delete()
  @Public()
  delete(@Res() res: Response): void {
    methodNotAllowed(res);
  }
}

function methodNotAllowed(res: Response): void {
  res
    .status(405)
    .set('Allow', 'POST')
    .json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null });
}
