import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  input,
  output,
  signal,
} from '@angular/core';
import type { FeatureView, UpdateFeatureInput } from '@autocoder/shared-contracts';

/** The fields a person may edit, as the form holds them (steps one per line). */
interface Draft {
  name: string;
  category: string;
  priority: string;
  description: string;
  steps: string;
}

function draftOf(feature: FeatureView): Draft {
  return {
    name: feature.name,
    category: feature.category,
    priority: String(feature.priority),
    description: feature.description,
    steps: feature.steps.join('\n'),
  };
}

/**
 * Edits a feature's name, category, priority, description and steps. It sends only what
 * changed; the api validates, and its reasons come back per field through `fieldErrors`.
 */
@Component({
  selector: 'ac-feature-edit-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="edit" (submit)="submit($event)" novalidate data-testid="feature-edit-form">
      @for (f of textFields; track f.key) {
        <div class="field" [class.invalid]="!!errors()[f.key]">
          <label [for]="'fe-' + f.key">{{ f.label }}</label>
          @if (f.multiline) {
            <textarea
              [id]="'fe-' + f.key"
              [rows]="f.key === 'steps' ? 6 : 4"
              [value]="draft()[f.key]"
              [disabled]="busy()"
              [attr.aria-invalid]="errors()[f.key] ? 'true' : null"
              [attr.aria-describedby]="errors()[f.key] ? 'fe-' + f.key + '-error' : null"
              [attr.data-testid]="'edit-' + f.key"
              (input)="set(f.key, $event)"
            ></textarea>
          } @else {
            <input
              type="text"
              [id]="'fe-' + f.key"
              [attr.inputmode]="f.key === 'priority' ? 'numeric' : null"
              [value]="draft()[f.key]"
              [disabled]="busy()"
              [attr.aria-invalid]="errors()[f.key] ? 'true' : null"
              [attr.aria-describedby]="errors()[f.key] ? 'fe-' + f.key + '-error' : null"
              [attr.data-testid]="'edit-' + f.key"
              (input)="set(f.key, $event)"
            />
          }
          @if (f.hint) {
            <span class="field-hint">{{ f.hint }}</span>
          }
          @if (errors()[f.key]; as message) {
            <span
              class="field-error"
              [id]="'fe-' + f.key + '-error'"
              [attr.data-testid]="'edit-error-' + f.key"
              >{{ message }}</span
            >
          }
        </div>
      }
      <div class="actions">
        <button
          type="submit"
          class="btn btn-primary btn-small"
          [disabled]="busy()"
          data-testid="edit-save"
        >
          {{ busy() ? 'Saving…' : 'Save' }}
        </button>
        <button
          type="button"
          class="btn btn-small"
          [disabled]="busy()"
          data-testid="edit-cancel"
          (click)="cancelled.emit()"
        >
          Cancel
        </button>
        @if (unchanged()) {
          <span class="muted small" role="status">Nothing changed.</span>
        }
      </div>
    </form>
  `,
  styles: `
    .edit {
      display: flex;
      flex-direction: column;
      gap: 0.8rem;
    }
    .actions {
      display: flex;
      align-items: center;
      gap: 0.5rem;
    }
    .small {
      font-size: 0.85rem;
    }
  `,
})
export class FeatureEditForm {
  readonly feature = input.required<FeatureView>();
  readonly busy = input(false);
  /** The api's reasons by field name (name, category, priority, description, steps). */
  readonly fieldErrors = input<Record<string, string>>({});
  readonly saved = output<UpdateFeatureInput>();
  readonly cancelled = output<void>();

  protected readonly textFields: {
    key: keyof Draft;
    label: string;
    multiline?: boolean;
    hint?: string;
  }[] = [
    { key: 'name', label: 'Name' },
    { key: 'category', label: 'Category' },
    { key: 'priority', label: 'Priority', hint: 'Lower numbers are picked up first.' },
    { key: 'description', label: 'Description', multiline: true },
    { key: 'steps', label: 'Steps', multiline: true, hint: 'One step per line.' },
  ];
  protected readonly draft = signal<Draft>({
    name: '',
    category: '',
    priority: '',
    description: '',
    steps: '',
  });
  protected readonly unchanged = signal(false);
  /** Problems found before sending (a priority that is not a whole number). */
  private readonly localErrors = signal<Record<string, string>>({});
  protected readonly errors = computed(() => ({ ...this.localErrors(), ...this.fieldErrors() }));

  constructor() {
    effect(() => {
      this.draft.set(draftOf(this.feature()));
      this.unchanged.set(false);
    });
  }

  protected set(key: keyof Draft, event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLTextAreaElement).value;
    this.draft.update((d) => ({ ...d, [key]: value }));
    this.unchanged.set(false);
    this.localErrors.set({});
  }

  protected submit(event: Event): void {
    event.preventDefault();
    if (this.busy()) return;
    const draft = this.draft();
    const before = draftOf(this.feature());
    const changes: UpdateFeatureInput = {};
    if (draft.name !== before.name) changes.name = draft.name;
    if (draft.category !== before.category) changes.category = draft.category;
    if (draft.description !== before.description) changes.description = draft.description;
    if (draft.steps !== before.steps) {
      changes.steps = draft.steps
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    }
    if (draft.priority !== before.priority) {
      const n = Number(draft.priority.trim());
      if (draft.priority.trim() === '' || !Number.isInteger(n) || n < 0) {
        this.localErrors.set({ priority: 'a whole number, 0 or more' });
        return;
      }
      changes.priority = n;
    }
    if (Object.keys(changes).length === 0) {
      this.unchanged.set(true);
      return;
    }
    this.saved.emit(changes);
  }
}
