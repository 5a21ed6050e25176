// TestBed set-up and sample input shared by this lib's component tests. Imported by specs only:
// never part of the lib's public index. The components take their data as inputs, so no HTTP.
import { TestBed } from '@angular/core/testing';

export const MAIN = 'a'.repeat(40);

/** A diff of two files: one changed (with markup in its text), one added. */
export const TWO_FILE_DIFF = [
  'diff --git a/src/login.ts b/src/login.ts',
  'index 1111111..2222222 100644',
  '--- a/src/login.ts',
  '+++ b/src/login.ts',
  '@@ -1,2 +1,2 @@',
  ' export const name = "login";',
  '-const ok = false;',
  '+const ok = "<b>true</b>";',
  'diff --git a/README.md b/README.md',
  'new file mode 100644',
  'index 0000000..3333333',
  '--- /dev/null',
  '+++ b/README.md',
  '@@ -0,0 +1,2 @@',
  '+# Todos',
  '+A list.',
  '',
].join('\n');

export function setUpTestBed(): void {
  TestBed.configureTestingModule({});
}

/**
 * Polls until `check` holds (returns anything but false without throwing): lazy chunks and
 * renders are asynchronous. Fails with the check's last error, if it threw.
 */
export async function until(check: () => boolean | void, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    let failure: unknown = new Error('condition not met in time');
    try {
      if (check() !== false) return;
    } catch (err) {
      failure = err;
    }
    if (Date.now() - start > timeoutMs) throw failure;
    await new Promise((r) => setTimeout(r, 20));
  }
}
