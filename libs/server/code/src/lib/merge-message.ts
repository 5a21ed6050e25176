// The message of a session's merge into main: written by the coding session, read back by the
// repository history to name the feature and run it was for.

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export interface MergeMessageParts {
  /** The feature's name as it was when merged. */
  featureName: string | null;
  featureId: string | null;
  runId: string | null;
}

/**
 * `Merge <feature name> (run <runId>)`, then git trailers naming both ids. The subject stays as
 * it always was (older repositories have only it); the trailers let `git log
 * --format=%(trailers)` and the history find the feature without a database.
 */
export function mergeMessage(feature: { id: string; name: string }, run: { id: string }): string {
  // A name is one line in a subject; the trailers must stay the message's last paragraph.
  const name = feature.name.replace(/\s+/g, ' ').trim();
  return `Merge ${name} (run ${run.id})\n\nFeature-Id: ${feature.id}\nRun-Id: ${run.id}`;
}

/** Whatever the message says about the feature and run; null for what it does not say. */
export function parseMergeMessage(message: string): MergeMessageParts {
  const subject = message.split('\n', 1)[0] ?? '';
  const named = new RegExp(`^Merge (.+) \\(run (${UUID})\\)$`, 'i').exec(subject);
  const trailer = (key: string) =>
    new RegExp(`^${key}:\\s*(${UUID})\\s*$`, 'im').exec(message)?.[1]?.toLowerCase() ?? null;
  return {
    featureName: named?.[1] ?? null,
    featureId: trailer('Feature-Id'),
    runId: trailer('Run-Id') ?? named?.[2]?.toLowerCase() ?? null,
  };
}
