import { Module } from '@nestjs/common';
import { BacklogWriterModule } from './backlog.module';
import { McpFeatureServers } from './mcp-feature-server';

/** The feature tools over MCP, for the api's /mcp route. Needs DbModule and QueueModule. */
@Module({
  imports: [BacklogWriterModule],
  providers: [McpFeatureServers],
  exports: [McpFeatureServers],
})
export class McpFeatureModule {}
