import { gitArgs, gitEnv } from '@autocoder/server-workspace';
import { execFile } from 'node:child_process';

export interface RemoteGitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * The clean git environment (no host config, no prompts) plus the remote's Authorization header,
 * given to git only as GIT_CONFIG_* variables: never an argument (visible in `ps`), a config file
 * or a URL. Redirects are not followed, so the header never reaches another host.
 */
export function remoteGitEnv(authorization?: string): NodeJS.ProcessEnv {
  const config: [string, string][] = [['http.followRedirects', 'false']];
  if (authorization) config.push(['http.extraHeader', `Authorization: ${authorization}`]);
  return {
    ...gitEnv(),
    GIT_CONFIG_COUNT: String(config.length),
    ...Object.fromEntries(
      config.flatMap(([key, value], i) => [
        [`GIT_CONFIG_KEY_${i}`, key],
        [`GIT_CONFIG_VALUE_${i}`, value],
      ]),
    ),
  };
}

/** Runs git against a remote; the exit code is reported, a timeout or spawn failure is exit -1. */
export function remoteGit(
  cwd: string,
  args: readonly string[],
  opts: { authorization?: string; timeoutMs: number },
): Promise<RemoteGitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      gitArgs(args),
      {
        cwd,
        env: remoteGitEnv(opts.authorization),
        encoding: 'utf8',
        maxBuffer: 4 * 1024 * 1024,
        timeout: opts.timeoutMs,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ exitCode: 0, stdout, stderr });
        const code = (err as { code?: unknown }).code;
        const timedOut = (err as { killed?: boolean }).killed === true;
        resolve({
          exitCode: typeof code === 'number' ? code : -1,
          stdout,
          stderr: timedOut ? `no answer within ${opts.timeoutMs / 1000} s\n${stderr}` : stderr,
        });
      },
    );
  });
}

/**
 * git's complaint fit for an error message and the logs: the given secrets (and their base64,
 * as in a Basic header) masked, userinfo of URLs dropped, `remote:` noise and length trimmed.
 */
export function gitReason(stderr: string, secrets: readonly (string | undefined)[]): string {
  let text = stderr;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of [secret, Buffer.from(secret).toString('base64')]) {
      text = text.split(form).join('***');
    }
  }
  text = text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^hint:/.test(l));
  const reason = lines.join(' ').slice(0, 500);
  return reason || 'git gave no reason';
}
