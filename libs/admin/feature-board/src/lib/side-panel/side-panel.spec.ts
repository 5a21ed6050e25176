import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { until } from '../testing/fixtures';
import { SidePanel } from './side-panel';

@Component({
  imports: [SidePanel],
  template: `
    <button type="button" id="opener" (click)="open.set(true)">Open</button>
    @if (open()) {
      <ac-side-panel
        heading="Login form"
        kicker="Feature"
        (closed)="closes = closes + 1; open.set(false)"
      >
        <a href="/x" id="inside">a link</a>
      </ac-side-panel>
    }
  `,
})
class Host {
  readonly open = signal(false);
  closes = 0;
}

describe('SidePanel', () => {
  it('takes focus when it opens, closes on Esc, and gives focus back to what opened it', async () => {
    const fixture = TestBed.createComponent(Host);
    const el = fixture.nativeElement as HTMLElement;
    document.body.appendChild(el);
    await fixture.whenStable();

    const opener = el.querySelector('#opener') as HTMLButtonElement;
    opener.focus();
    opener.click();
    await fixture.whenStable();

    const dialog = el.querySelector('[role=dialog]') as HTMLElement;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.getAttribute('aria-labelledby')).toBe(dialog.querySelector('h2')?.id);
    await until(() => dialog.contains(document.activeElement));

    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', cancelable: true }));
    await fixture.whenStable();
    expect(fixture.componentInstance.closes).toBe(1);
    expect(el.querySelector('[role=dialog]')).toBeNull();
    await until(() => document.activeElement === opener);
    el.remove();
  });

  it('closes from its close button', async () => {
    const fixture = TestBed.createComponent(Host);
    fixture.componentInstance.open.set(true);
    await fixture.whenStable();
    const close = (fixture.nativeElement as HTMLElement).querySelector(
      '[data-testid=side-panel-close]',
    ) as HTMLButtonElement;
    expect(close.getAttribute('aria-label')).toBe('Close panel');
    close.click();
    expect(fixture.componentInstance.closes).toBe(1);
  });
});

@Component({
  imports: [SidePanel],
  template: `
    <ac-side-panel heading="Panel" [focusKey]="key()">
      <button type="button" id="inside">a button</button>
    </ac-side-panel>
  `,
})
class SwitchingHost {
  readonly key = signal('f1');
}

describe('SidePanel showing another item', () => {
  it('moves focus back to its heading', async () => {
    const fixture = TestBed.createComponent(SwitchingHost);
    const el = fixture.nativeElement as HTMLElement;
    document.body.appendChild(el);
    await fixture.whenStable();
    const heading = el.querySelector('h2') as HTMLElement;
    await until(() => document.activeElement === heading);

    (el.querySelector('#inside') as HTMLButtonElement).focus();
    fixture.componentInstance.key.set('f2');
    await fixture.whenStable();
    await until(() => document.activeElement === heading);
    el.remove();
  });
});
