import { TestBed } from '@angular/core/testing';
import { ErrorPanel } from './error-panel';
import { ProgressBar } from './progress-bar';
import { StatusBadge, statusTone } from './status-badge';

describe('StatusBadge', () => {
  it('labels the status in words and colours it by meaning', async () => {
    const fixture = TestBed.createComponent(StatusBadge);
    fixture.componentRef.setInput('status', 'needs_input');
    await fixture.whenStable();

    const badge = fixture.nativeElement.querySelector('.badge') as HTMLElement;
    expect(badge.textContent?.trim()).toBe('needs input');
    expect(badge.classList).toContain('tone-warning');
  });

  it('says the status in given words, keeping its tone', async () => {
    const fixture = TestBed.createComponent(StatusBadge);
    fixture.componentRef.setInput('status', 'budget');
    fixture.componentRef.setInput('text', 'Budget spent');
    await fixture.whenStable();
    const badge = fixture.nativeElement.querySelector('.badge') as HTMLElement;
    expect(badge.textContent?.trim()).toBe('Budget spent');
    expect(badge.classList).toContain('tone-danger');
  });

  it('uses the same tone for equivalent feature and run outcomes', () => {
    expect(statusTone('passing')).toBe(statusTone('succeeded'));
    expect(statusTone('failing')).toBe(statusTone('failed'));
    expect(statusTone('something-new')).toBe('neutral');
  });
});

describe('ProgressBar', () => {
  it('clamps the value and exposes it to assistive technology', async () => {
    const fixture = TestBed.createComponent(ProgressBar);
    fixture.componentRef.setInput('value', 140);
    fixture.componentRef.setInput('label', '3 / 3 passing');
    await fixture.whenStable();

    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')).toBe('100');
    expect((el.querySelector('.fill') as HTMLElement).style.width).toBe('100%');
    expect(el.querySelector('.label')?.textContent).toBe('3 / 3 passing');
    expect(el.querySelector('[data-testid=progress-mark]')).toBeNull();
  });

  it('marks a threshold and colours the fill by tone', async () => {
    const fixture = TestBed.createComponent(ProgressBar);
    fixture.componentRef.setInput('value', 85);
    fixture.componentRef.setInput('mark', 80);
    fixture.componentRef.setInput('markLabel', 'warns at 80%');
    fixture.componentRef.setInput('tone', 'warning');
    await fixture.whenStable();

    const el = fixture.nativeElement as HTMLElement;
    const mark = el.querySelector('[data-testid=progress-mark]') as HTMLElement;
    expect(mark.style.left).toBe('80%');
    expect(mark.title).toBe('warns at 80%');
    expect(el.querySelector('.fill')?.classList).toContain('tone-warning');
  });
});

describe('ErrorPanel', () => {
  it('shows the message and the request id', async () => {
    const fixture = TestBed.createComponent(ErrorPanel);
    fixture.componentRef.setInput('message', 'Project not found');
    fixture.componentRef.setInput('requestId', 'req-42');
    await fixture.whenStable();

    const text = (fixture.nativeElement as HTMLElement).textContent ?? '';
    expect(text).toContain('Project not found');
    expect(text).toContain('req-42');
  });
});
