export * from './lib/model-catalogue';
export * from './lib/deployment-providers';
