import { Module } from '@nestjs/common';
import { FeatureToolsModule } from './feature-tools.module';
import { McpFeatureServers } from './mcp-feature-server';

/** The feature tools over MCP, for the api's /mcp route. Needs DbModule and QueueModule. */
@Module({
  imports: [FeatureToolsModule],
  providers: [McpFeatureServers],
  exports: [McpFeatureServers],
})
export class McpFeatureModule {}
