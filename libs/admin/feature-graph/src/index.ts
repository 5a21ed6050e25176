export * from './lib/graph.routes';
export { GraphPage, GRAPH_POLL_MS } from './lib/graph-page/graph-page';
