import { TestBed } from '@angular/core/testing';
import type { HumanInputRequest } from '@autocoder/shared-contracts';
import { HumanInputForm, type HumanInputAnswer } from './human-input-form';

const REQUEST: HumanInputRequest = {
  prompt: 'Which database should the app use?',
  fields: [
    {
      name: 'engine',
      label: 'Engine',
      kind: 'select',
      options: ['postgres', 'sqlite'],
      required: true,
    },
    { name: 'reason', label: 'Why', kind: 'textarea', required: false },
    { name: 'owner', label: 'Owner', kind: 'text', required: true },
    { name: 'migrate', label: 'Migrate existing data', kind: 'boolean', required: true },
  ],
};

async function setup(request: HumanInputRequest = REQUEST) {
  const fixture = TestBed.createComponent(HumanInputForm);
  fixture.componentRef.setInput('request', request);
  const emitted: HumanInputAnswer[] = [];
  fixture.componentInstance.answered.subscribe((a) => emitted.push(a));
  await fixture.whenStable();
  const el = fixture.nativeElement as HTMLElement;
  const q = <T extends HTMLElement>(sel: string) => el.querySelector(sel) as T;
  return { fixture, el, q, emitted };
}

function type(input: HTMLInputElement | HTMLTextAreaElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input'));
}

describe('HumanInputForm', () => {
  it('renders the prompt and every field with its label', async () => {
    const { el, q } = await setup();
    expect(q('[data-testid=human-input-prompt]').textContent).toContain('Which database');
    const labels = Array.from(el.querySelectorAll('label')).map((l) => l.textContent?.trim());
    expect(labels).toEqual([
      expect.stringContaining('Engine'),
      expect.stringContaining('Why'),
      expect.stringContaining('Owner'),
      expect.stringContaining('Migrate existing data'),
    ]);
    // Every control is reachable from its label.
    for (const label of Array.from(el.querySelectorAll('label'))) {
      const id = label.getAttribute('for');
      expect(id && el.querySelector(`#${id}`)).toBeTruthy();
    }
    const options = Array.from(el.querySelectorAll('select option')).map((o) =>
      o.textContent?.trim(),
    );
    expect(options).toEqual(['Choose…', 'postgres', 'sqlite']);
  });

  it('shows each issue on its field, focuses the first, and emits nothing', async () => {
    const { fixture, q, emitted } = await setup();
    q<HTMLButtonElement>('[data-testid=human-input-submit]').click();
    await fixture.whenStable();

    expect(emitted).toEqual([]);
    expect(q('[data-testid=hif-error-engine]').textContent).toContain('required');
    expect(q('[data-testid=hif-error-owner]').textContent).toContain('required');
    expect(q('[data-testid=hif-error-reason]')).toBeNull();
    const select = q<HTMLSelectElement>('select');
    expect(select.getAttribute('aria-invalid')).toBe('true');
    expect(select.getAttribute('aria-describedby')).toBe(q('[data-testid=hif-error-engine]').id);
    expect(document.activeElement === select || select.ownerDocument.activeElement === select).toBe(
      true,
    );

    // Fixing a field clears its issue at once.
    type(q<HTMLInputElement>('input[type=text]'), 'ana');
    await fixture.whenStable();
    expect(q('[data-testid=hif-error-owner]')).toBeNull();
  });

  it('emits the answer, leaving out empty optional fields and keeping booleans', async () => {
    const { fixture, q, emitted } = await setup();
    const select = q<HTMLSelectElement>('select');
    select.value = 'sqlite';
    select.dispatchEvent(new Event('change'));
    type(q<HTMLInputElement>('input[type=text]'), 'ana');
    const box = q<HTMLInputElement>('input[type=checkbox]');
    box.click();
    await fixture.whenStable();

    q<HTMLFormElement>('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await fixture.whenStable();
    expect(emitted).toEqual([{ engine: 'sqlite', owner: 'ana', migrate: true }]);
  });

  it('disables the form while busy and shows the api reason', async () => {
    const { fixture, q, emitted } = await setup({
      prompt: 'Go ahead?',
      fields: [{ name: 'ok', label: 'Proceed', kind: 'boolean', required: true }],
    });
    fixture.componentRef.setInput('busy', true);
    fixture.componentRef.setInput('error', 'Feature is no longer waiting for input');
    await fixture.whenStable();

    const button = q<HTMLButtonElement>('[data-testid=human-input-submit]');
    expect(button.disabled).toBe(true);
    expect(button.textContent).toContain('Sending');
    expect(q<HTMLInputElement>('input[type=checkbox]').disabled).toBe(true);
    expect(q('[data-testid=human-input-error]').getAttribute('role')).toBe('alert');
    expect(q('[data-testid=human-input-error]').textContent).toContain('no longer waiting');

    q<HTMLFormElement>('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await fixture.whenStable();
    expect(emitted).toEqual([]);

    // Unchecked is an answer ("no") once the form is free again.
    fixture.componentRef.setInput('busy', false);
    await fixture.whenStable();
    q<HTMLButtonElement>('[data-testid=human-input-submit]').click();
    await fixture.whenStable();
    expect(emitted).toEqual([{ ok: false }]);
  });
});
