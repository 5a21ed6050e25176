import { RunsModule } from '@autocoder/server-runs';
import { Module } from '@nestjs/common';
import { FeatureToolsService } from './feature-tools.service';

/** The feature tools, with the projects and runs they act on; for sessions, chats and MCP. */
@Module({
  imports: [RunsModule],
  providers: [FeatureToolsService],
  exports: [RunsModule, FeatureToolsService],
})
export class FeatureToolsModule {}
