import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { AuthSession } from '@autocoder/admin-data-access-api';
import type { FeatureDetailView, LiveEvent, RunView } from '@autocoder/shared-contracts';
import {
  ADMIN,
  emitLive,
  feature,
  type LiveListeners,
  run,
  setUpTestBed,
  split,
  until,
} from '../testing/fixtures';
import { FeaturePanel } from './feature-panel';

const AT = '2026-01-01T10:00:00.000Z';
const URL = '/api/v1/projects/p1/features/f1';

/** Run `id` of feature f1: a coding run that failed after 1 min 05 s. */
function featureRun(id: string, extra: Partial<RunView> = {}): RunView {
  return run('failed', {
    id,
    role: 'coding',
    features: [{ id: 'f1', name: 'Login form', status: 'failing' }],
    runnerId: 'host:1',
    tokensIn: 100,
    tokensInCached: 0,
    tokensOut: 20,
    costUsd: 0.25,
    queuedAt: AT,
    startedAt: AT,
    finishedAt: '2026-01-01T10:01:05.000Z',
    ...extra,
  });
}

function detail(extra: Partial<FeatureDetailView> = {}): FeatureDetailView {
  return {
    ...feature('f1', 'failing', {
      priority: 3,
      category: 'auth',
      name: 'Login form',
      description: 'A person signs in with e-mail and password.',
      steps: ['open /login', 'submit the form'],
      attempts: 2,
      lastError: 'AssertionError: expected 200\n    at login.spec.ts:12',
      dependsOn: ['f0'],
      createdAt: AT,
      updatedAt: AT,
    }),
    dependencies: [{ id: 'f0', name: 'User table', status: 'passing' }],
    dependents: [{ id: 'f2', name: 'Logout', status: 'pending' }],
    runs: [featureRun('r2', { attempt: 2 }), featureRun('r1')],
    passedByRunId: null,
    spend: { ...split(0.5, 0.1), inputTokens: 200, outputTokens: 40 },
    ...extra,
  };
}

const QUESTION = {
  request: {
    prompt: 'Which hashing algorithm?',
    fields: [
      {
        name: 'algo',
        label: 'Algorithm',
        kind: 'select',
        options: ['argon2', 'bcrypt'],
        required: true,
      },
    ],
  },
  response: null,
};

describe('FeaturePanel', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<FeaturePanel>;
  let el: HTMLElement;
  let live: LiveListeners;

  function open(role: 'admin' | 'viewer' = 'admin'): void {
    TestBed.inject(AuthSession).me.set({ ...ADMIN, role });
    fixture = TestBed.createComponent(FeaturePanel);
    fixture.componentRef.setInput('projectId', 'p1');
    fixture.componentRef.setInput('featureId', 'f1');
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
  }

  async function answer(value: FeatureDetailView): Promise<void> {
    http.expectOne(URL).flush(value);
    await fixture.whenStable();
  }

  const q = <T extends HTMLElement = HTMLElement>(testId: string) =>
    el.querySelector(`[data-testid=${testId}]`) as T | null;

  beforeEach(() => {
    ({ http, live } = setUpTestBed());
  });

  afterEach(() => {
    fixture.destroy();
    http.verify();
  });

  it('shows the feature: steps, dependencies both ways, runs, its last error and cost', async () => {
    open();
    await answer(detail());

    expect(el.querySelector('h2')?.textContent).toContain('Login form');
    expect(q('feature-steps')?.textContent).toContain('submit the form');
    const deps = q('feature-dependencies') as HTMLElement;
    expect(deps.textContent).toContain('User table');
    expect(deps.querySelector('a')?.getAttribute('href')).toBe('/projects/p1/features/f0');
    expect(q('feature-dependents')?.textContent).toContain('Logout');
    expect(q('feature-last-error')?.textContent).toContain('at login.spec.ts:12');
    expect(q('feature-cost')?.textContent).toContain('$0.50');
    expect(q('feature-cost')?.textContent).toContain('$0.10');
    const runRows = el.querySelectorAll('[data-testid=feature-runs] tbody tr');
    expect(runRows).toHaveLength(2);
    expect(runRows[0].textContent).toContain('1 min 05 s');
    expect(el.querySelector('[data-testid=feature-run-link]')?.getAttribute('href')).toBe(
      '/projects/p1/runs/r2',
    );
    // No diff to show: it has not passed.
    expect(el.textContent).not.toContain('What made it pass');
  });

  it('lets an admin skip and retry a failing feature, and shows the reason when refused', async () => {
    open();
    await answer(detail());

    q<HTMLButtonElement>('feature-retry')?.click();
    await fixture.whenStable();
    expect(q<HTMLButtonElement>('feature-retry')?.textContent).toContain('Retrying');
    const retry = http.expectOne(`${URL}/retry`);
    expect(retry.request.method).toBe('POST');
    retry.flush(detail({ status: 'pending', attempts: 0 }));
    // The panel reads the feature again.
    await answer(detail({ status: 'pending', attempts: 0 }));
    expect(q('feature-retry')).toBeNull(); // pending: nothing to retry

    q<HTMLButtonElement>('feature-skip')?.click();
    http
      .expectOne(`${URL}/skip`)
      .flush(
        { statusCode: 409, message: 'Feature is in progress', requestId: 'req-9' },
        { status: 409, statusText: 'Conflict' },
      );
    await fixture.whenStable();
    const panel = q('error-panel');
    expect(panel?.textContent).toContain('Feature is in progress');
    expect(panel?.textContent).toContain('req-9');
    expect(q<HTMLButtonElement>('feature-skip')?.disabled).toBe(false);
  });

  it('edits the feature, sending only what changed, and shows the api reasons on the fields', async () => {
    open();
    await answer(detail());
    q<HTMLButtonElement>('feature-edit')?.click();
    await fixture.whenStable();

    const name = q<HTMLInputElement>('edit-name') as HTMLInputElement;
    name.value = 'Login form v2';
    name.dispatchEvent(new Event('input'));
    const steps = q<HTMLTextAreaElement>('edit-steps') as HTMLTextAreaElement;
    steps.value = 'open /login\n\n  submit  \n';
    steps.dispatchEvent(new Event('input'));
    q<HTMLButtonElement>('edit-save')?.click();
    await fixture.whenStable();

    const patch = http.expectOne(URL);
    expect(patch.request.method).toBe('PATCH');
    expect(patch.request.body).toEqual({ name: 'Login form v2', steps: ['open /login', 'submit'] });
    patch.flush(
      {
        statusCode: 400,
        message: 'Invalid request body',
        issues: [{ path: 'body.name', message: 'a feature with this name exists' }],
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await fixture.whenStable();
    expect(q('edit-error-name')?.textContent).toContain('a feature with this name exists');
    expect(q('edit-name')?.getAttribute('aria-invalid')).toBe('true');

    q<HTMLButtonElement>('edit-save')?.click();
    http.expectOne(URL).flush(detail({ name: 'Login form v2' }));
    await answer(detail({ name: 'Login form v2' }));
    expect(q('feature-edit-form')).toBeNull();
    expect(el.querySelector('h2')?.textContent).toContain('Login form v2');
  });

  it('deletes the feature after a confirmation that names the features depending on it', async () => {
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    open();
    await answer(detail());
    q<HTMLButtonElement>('feature-delete')?.click();
    await fixture.whenStable();
    const confirm = q('feature-delete-confirm') as HTMLElement;
    const said = confirm.textContent?.replace(/\s+/g, ' ');
    expect(said).toContain('Delete “Login form”?');
    expect(said).toContain('1 feature depends on it (“Logout”) and will lose that dependency');
    q<HTMLButtonElement>('feature-cancel-delete')?.click();
    await fixture.whenStable();
    expect(q('feature-delete-confirm')).toBeNull();

    q<HTMLButtonElement>('feature-delete')?.click();
    await fixture.whenStable();
    q<HTMLButtonElement>('feature-confirm-delete')?.click();
    await fixture.whenStable();
    const del = http.expectOne(URL);
    expect(del.request.method).toBe('DELETE');
    del.flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    // Back to the board, which drops the card on the feature.changed event.
    expect(navigate).toHaveBeenLastCalledWith(['/projects', 'p1']);
  });

  it("shows the agent's question and sends an admin's answer", async () => {
    open();
    await answer(detail({ status: 'needs_input', humanInput: QUESTION }));
    expect(q('feature-question')?.textContent).toContain('Which hashing algorithm?');

    const select = el.querySelector('[data-testid=feature-question] select') as HTMLSelectElement;
    select.value = 'argon2';
    select.dispatchEvent(new Event('change'));
    q<HTMLButtonElement>('human-input-submit')?.click();
    await fixture.whenStable();
    expect(q<HTMLButtonElement>('human-input-submit')?.disabled).toBe(true);

    const post = http.expectOne(`${URL}/human-input`);
    expect(post.request.body).toEqual({ values: { algo: 'argon2' } });
    post.flush(
      { statusCode: 409, message: 'Feature is not waiting for input' },
      { status: 409, statusText: 'Conflict' },
    );
    await fixture.whenStable();
    expect(q('human-input-error')?.textContent).toContain('not waiting for input');

    q<HTMLButtonElement>('human-input-submit')?.click();
    http.expectOne(`${URL}/human-input`).flush(detail({ status: 'pending' }));
    await answer(detail({ status: 'pending' }));
    expect(q('feature-question')).toBeNull();
  });

  it('shows a viewer everything, the question too, but no actions and no form', async () => {
    open('viewer');
    await answer(detail({ status: 'needs_input', humanInput: QUESTION }));
    expect(q('feature-question')?.textContent).toContain('Which hashing algorithm?');
    expect(q('feature-question')?.textContent).toContain('Algorithm');
    expect(q('human-input-form')).toBeNull();
    expect(q('feature-actions')).toBeNull();
    expect(q('feature-runs')).not.toBeNull();
  });

  it('reads the feature again when a live event says it changed, and ignores other features', async () => {
    jest.useFakeTimers();
    try {
      open();
      http.expectOne(URL).flush(detail());
      TestBed.tick();
      const emit = (event: Partial<LiveEvent> & Pick<LiveEvent, 'type'>) =>
        emitLive(live, { at: AT, ...event });

      emit({ type: 'feature.changed', data: { featureId: 'f9' } });
      jest.advanceTimersByTime(500);
      http.expectNone(URL);

      emit({ type: 'feature.passing', runId: 'r3', data: { featureId: 'f1' } });
      emit({ type: 'run.status', runId: 'r2', data: { status: 'failed' } });
      jest.advanceTimersByTime(500);
      http.expectOne(URL).flush(detail());
    } finally {
      jest.useRealTimers();
    }
  });

  it('shows the diff of the merge that made it pass', async () => {
    open();
    await answer(detail({ status: 'passing', passedByRunId: 'r7', lastError: null }));
    http
      .expectOne('/api/v1/runs/r7/diff')
      .flush(
        'diff --git a/src/login.ts b/src/login.ts\n--- a/src/login.ts\n+++ b/src/login.ts\n@@ -1,1 +1,1 @@\n-const ok = false;\n+const ok = "<b>true</b>";\n',
      );
    await until(() => {
      fixture.detectChanges();
      expect(q('diff')?.textContent).toContain('src/login.ts');
    });
    // Text from the diff is shown as text, never as markup.
    expect(q('diff')?.querySelector('b')).toBeNull();
    expect(q('diff')?.textContent).toContain('<b>true</b>');
    expect(document.head.querySelector('link[href="vendor/diff2html.min.css"]')).not.toBeNull();
  });

  it('closes on Esc and on the close button, back to the project', async () => {
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    open();
    await answer(detail());
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(navigate).toHaveBeenLastCalledWith(['/projects', 'p1']);
    q<HTMLButtonElement>('side-panel-close')?.click();
    expect(navigate).toHaveBeenCalledTimes(2);
  });
});
