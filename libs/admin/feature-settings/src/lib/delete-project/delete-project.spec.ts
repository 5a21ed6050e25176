import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { ProjectDeletePreviewView } from '@autocoder/shared-contracts';
import { ADMIN, project, setUp } from '../testing';
import { DeleteProject } from './delete-project';

const PREVIEW: ProjectDeletePreviewView = {
  projectId: 'p1',
  name: 'Todo app',
  features: 12,
  runs: 1,
  conversations: 3,
  schedules: 0,
  activeRuns: 0,
};

describe('DeleteProject', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<DeleteProject>;
  let el: HTMLElement;
  let deleted: jest.Mock;
  let cancelled: jest.Mock;

  async function render(preview = PREVIEW) {
    http = setUp(ADMIN);
    fixture = TestBed.createComponent(DeleteProject);
    fixture.componentRef.setInput('project', project());
    deleted = jest.fn();
    cancelled = jest.fn();
    fixture.componentInstance.deleted.subscribe(deleted);
    fixture.componentInstance.cancelled.subscribe(cancelled);
    el = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
    http.expectOne('/api/v1/projects/p1/delete-preview').flush(preview);
    await fixture.whenStable();
  }
  const $ = <T extends Element = HTMLElement>(selector: string) => el.querySelector(selector) as T;
  async function type(value: string) {
    const input = $<HTMLInputElement>('[data-testid=delete-confirm-name]');
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  }

  afterEach(() => http.verify());

  it('names the project and what goes with it, from the api', async () => {
    await render();
    expect($('h2').textContent).toContain('Delete “Todo app”?');
    const items = [...el.querySelectorAll('[data-testid=delete-counts] li')].map((li) =>
      li.textContent?.trim(),
    );
    expect(items).toEqual([
      '12 features',
      '1 run with its log and usage',
      '3 conversations',
      '0 schedules',
    ]);
    expect($('[role=alertdialog]').getAttribute('aria-modal')).toBe('true');
  });

  it('deletes only once the exact name is typed', async () => {
    await render();
    const button = $<HTMLButtonElement>('[data-testid=delete-confirm]');
    expect(button.disabled).toBe(true);
    await type('todo app');
    expect(button.disabled).toBe(true);
    await type('Todo app');
    expect(button.disabled).toBe(false);
    button.click();
    await fixture.whenStable();
    expect(button.textContent?.trim()).toBe('Deleting…');
    const req = http.expectOne('/api/v1/projects/p1');
    expect(req.request.method).toBe('DELETE');
    req.flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    expect(deleted).toHaveBeenCalled();
  });

  it("shows the api's refusal and stays open", async () => {
    await render();
    await type('Todo app');
    $<HTMLButtonElement>('[data-testid=delete-confirm]').click();
    await fixture.whenStable();
    http.expectOne('/api/v1/projects/p1').flush(
      {
        statusCode: 409,
        error: 'Conflict',
        message: 'project has 1 queued run(s)',
        requestId: 'r9',
      },
      { status: 409, statusText: 'Conflict' },
    );
    await fixture.whenStable();
    expect($('[data-testid=error-panel]').textContent).toContain('queued run');
    expect(deleted).not.toHaveBeenCalled();
  });

  it('refuses while runs are active, and cancels with Escape', async () => {
    await render({ ...PREVIEW, activeRuns: 2 });
    await type('Todo app');
    expect($('[data-testid=delete-blocked]').textContent).toContain('stop the agents first');
    expect($<HTMLButtonElement>('[data-testid=delete-confirm]').disabled).toBe(true);
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(cancelled).toHaveBeenCalled();
  });
});
