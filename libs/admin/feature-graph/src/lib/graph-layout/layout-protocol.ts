import type { GraphLayout, LayoutInput } from './layout';

/** What the page sends the layout worker. */
export interface LayoutRequest {
  id: number;
  input: LayoutInput;
  nodeCount: number;
  edgeCount: number;
}

/** Its answer: the layout (its arrays transferred, not copied) or why it failed. */
export type LayoutResponse =
  | { id: number; ok: true; layout: GraphLayout }
  | { id: number; ok: false; message: string };
