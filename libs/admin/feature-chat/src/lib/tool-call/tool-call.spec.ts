import { TestBed } from '@angular/core/testing';
import { message } from '../testing/fixtures';
import { ToolCall } from './tool-call';

describe('ToolCall', () => {
  it('is one collapsed line that opens to its input and output', () => {
    const fixture = TestBed.createComponent(ToolCall);
    fixture.componentRef.setInput('item', {
      call: { id: 't1', name: 'feature_get', input: { id: 'f-1' } },
      result: message('r1', 'tool', '{"name":"Login"}', 2, {
        toolResult: { toolUseId: 't1', name: 'feature_get', isError: false },
      }),
    });
    TestBed.tick();
    const el = fixture.nativeElement as HTMLElement;
    const details = el.querySelector('details') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(el.querySelector('summary')?.textContent).toContain('feature_get');
    expect(el.querySelector('summary')?.textContent).toContain('{"id":"f-1"}');
    expect(el.querySelector('[data-testid="tool-call-state"]')?.textContent?.trim()).toBe('done');
    (el.querySelector('summary') as HTMLElement).click();
    expect(details.open).toBe(true);
    expect(el.querySelector('[data-testid="tool-call-input"]')?.textContent).toBe(
      '{\n  "id": "f-1"\n}',
    );
    expect(el.querySelector('[data-testid="tool-call-output"]')?.textContent).toBe(
      '{\n  "name": "Login"\n}',
    );
  });

  it('says when a call is running, failed, or will get no result', () => {
    const fixture = TestBed.createComponent(ToolCall);
    const call = { id: 't1', name: 'feature_stats', input: {} };
    fixture.componentRef.setInput('item', { call, result: null });
    TestBed.tick();
    const state = () =>
      (fixture.nativeElement as HTMLElement)
        .querySelector('[data-testid="tool-call-state"]')
        ?.textContent?.trim();
    expect(state()).toBe('running…');
    fixture.componentRef.setInput('settled', true);
    TestBed.tick();
    expect(state()).toBe('no result');
    fixture.componentRef.setInput('item', {
      call,
      result: message('r', 'tool', 'boom', 2, {
        toolResult: { toolUseId: 't1', name: 'feature_stats', isError: true },
      }),
    });
    TestBed.tick();
    expect(state()).toBe('failed');
  });
});
