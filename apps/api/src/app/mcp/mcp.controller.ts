import { ApiPrincipal, ApiTokenGuard, ApiTokenPrincipal } from '@autocoder/server-auth';
import { MCP_PROJECT_HEADER, McpFeatureServers } from '@autocoder/server-backlog';
import { Controller, Delete, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequestId } from '../http/request-id.decorator';

/**
 * The backlog's feature tools over MCP (Streamable HTTP, stateless) at /mcp, for agents such as
 * Claude Code, with a personal API token. The project is the token's own, or the one named by
 * X-AutoCoder-Project (or ?projectId=).
 */
@ApiExcludeController()
@Controller('mcp')
export class McpController {
  constructor(private readonly servers: McpFeatureServers) {}

  @Post()
  @UseGuards(ApiTokenGuard)
  async post(
    @Req() req: Request,
    @Res() res: Response,
    @ApiPrincipal() principal: ApiTokenPrincipal,
    @RequestId() requestId?: string,
  ): Promise<void> {
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
  get(@Res() res: Response): void {
    methodNotAllowed(res);
  }

  @Delete()
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
