import { Component, signal } from '@angular/core';
import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { CreateFeatureInput, FeatureView } from '@autocoder/shared-contracts';
import { board, column, feature, nextRequest, setUpTestBed } from '../testing/fixtures';
import { FeatureCreateForm } from './feature-create-form';

@Component({
  imports: [FeatureCreateForm],
  template: `<ac-feature-create-form
    projectId="p1"
    [fieldErrors]="errors()"
    (saved)="saved.push($event)"
  />`,
})
class Host {
  readonly errors = signal<Partial<Record<string, string>>>({});
  readonly saved: CreateFeatureInput[] = [];
}

describe('FeatureCreateForm', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<Host>;
  let el: HTMLElement;

  beforeEach(async () => {
    ({ http } = setUpTestBed());
    fixture = TestBed.createComponent(Host);
    el = fixture.nativeElement as HTMLElement;
    document.body.appendChild(el);
    await fixture.whenStable();
  });

  afterEach(() => {
    fixture.destroy();
    el.remove();
    http.verify();
  });

  const q = <T extends HTMLElement = HTMLElement>(id: string) =>
    el.querySelector(`[data-testid=${id}]`) as T;
  const all = (id: string) => [...el.querySelectorAll<HTMLInputElement>(`[data-testid=${id}]`)];
  const type = async (input: HTMLInputElement | HTMLTextAreaElement, value: string) => {
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  };
  const submit = async () => {
    q('feature-create-form').dispatchEvent(new Event('submit', { cancelable: true }));
    await fixture.whenStable();
  };
  async function searchAndPick(text: string, found: FeatureView[]): Promise<void> {
    await type(q('feature-search-input'), text);
    (await nextRequest(http, (r) => r.url === '/api/v1/projects/p1/board')).flush(
      board({ passing: column('passing', found) }),
    );
    await fixture.whenStable();
    q('feature-search-result').click();
    await fixture.whenStable();
  }

  it('sends name, category, description, the steps in order and the chosen dependencies', async () => {
    await type(q('create-name'), ' Reset a password ');
    await type(q('create-category'), 'auth');
    await type(q('create-description'), 'A person who forgot it gets a link by e-mail.');
    await type(all('create-step')[0], 'Open /forgot');
    // Enter adds the next step and moves focus into it.
    all('create-step')[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await fixture.whenStable();
    expect(all('create-step')).toHaveLength(2);
    expect(document.activeElement).toBe(all('create-step')[1]);
    await type(all('create-step')[1], 'Follow the link');
    q('create-step-add').click();
    await fixture.whenStable();
    await type(all('create-step')[2], 'Choose a new password');
    // The second step moves below the third.
    (el.querySelector('[aria-label="Move step 2 down"]') as HTMLButtonElement).click();
    await fixture.whenStable();
    // An empty step is left out.
    q('create-step-add').click();
    await fixture.whenStable();

    await searchAndPick('user', [feature('f0', 'passing', { name: 'User table' })]);
    expect(q('create-dependencies').textContent).toContain('User table');

    await submit();
    expect(fixture.componentInstance.saved).toEqual([
      {
        name: 'Reset a password',
        category: 'auth',
        description: 'A person who forgot it gets a link by e-mail.',
        steps: ['Open /forgot', 'Choose a new password', 'Follow the link'],
        dependsOn: ['f0'],
      },
    ]);
  });

  it('asks for the required fields and a sensible priority before sending', async () => {
    await type(q('create-priority'), '-3');
    await submit();
    expect(fixture.componentInstance.saved).toEqual([]);
    expect(q('create-error-name').textContent).toContain('Give it a name.');
    expect(q('create-error-category')).not.toBeNull();
    expect(q('create-error-description')).not.toBeNull();
    expect(q('create-error-priority').textContent).toContain('A whole number');
    expect(q('create-name').getAttribute('aria-invalid')).toBe('true');

    await type(q('create-name'), 'Export as CSV');
    await type(q('create-category'), 'data');
    await type(q('create-description'), 'Download the list.');
    await type(q('create-priority'), '5');
    await submit();
    expect(fixture.componentInstance.saved).toEqual([
      {
        name: 'Export as CSV',
        category: 'data',
        description: 'Download the list.',
        steps: [],
        priority: 5,
      },
    ]);
  });

  it('shows the api’s reasons on their fields', async () => {
    fixture.componentInstance.errors.set({ steps: 'too many steps', dependsOn: 'unknown feature' });
    await fixture.whenStable();
    expect(q('create-error-steps').textContent).toContain('too many steps');
    expect(q('create-error-dependsOn').textContent).toContain('unknown feature');
    expect(q('feature-search-input').getAttribute('aria-describedby')).toBe(
      q('create-error-dependsOn').id,
    );
  });
});
