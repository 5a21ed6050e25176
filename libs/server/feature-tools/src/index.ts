export * from './lib/feature-tools.service';
export * from './lib/feature-tools.module';
export * from './lib/mcp-feature-server';
export * from './lib/mcp-feature.module';
