import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import {
  humanInputAnswerIssues,
  type AnswerHumanInputInput,
  type HumanInputRequest,
} from '@autocoder/shared-contracts';

export type HumanInputAnswer = AnswerHumanInputInput['values'];
type HumanInputField = HumanInputRequest['fields'][number];

// Ids must be unique per form instance: a card and the feature panel may show the same question.
let nextFormId = 0;

/**
 * The form an agent asked a person to fill in (text, textarea, select, boolean). Presentational:
 * it checks the answer against the form with the same rules the api applies and emits it; the
 * host sends it and passes `busy` and the api's `error` back in.
 */
@Component({
  selector: 'ac-human-input-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './human-input-form.html',
  styleUrl: './human-input-form.css',
})
export class HumanInputForm {
  readonly request = input.required<HumanInputRequest>();
  readonly busy = input(false);
  readonly error = input<string | null>(null);
  readonly answered = output<HumanInputAnswer>();

  protected readonly formId = `ac-hif-${nextFormId++}`;
  protected readonly values = signal<HumanInputAnswer>({});
  /** Issues by field name, shown only after a submit attempt and cleared as the field changes. */
  protected readonly issues = signal<Record<string, string>>({});
  protected readonly issueCount = computed(() => Object.keys(this.issues()).length);

  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  constructor() {
    // A new question starts from an empty answer (booleans unchecked, which is an answer: "no").
    effect(() => {
      const initial: HumanInputAnswer = {};
      for (const field of this.request().fields)
        initial[field.name] = field.kind === 'boolean' ? false : '';
      this.values.set(initial);
      this.issues.set({});
    });
  }

  protected fieldId(field: HumanInputField): string {
    return `${this.formId}-${field.name}`;
  }

  protected text(field: HumanInputField): string {
    const value = this.values()[field.name];
    return typeof value === 'string' ? value : '';
  }

  protected checked(field: HumanInputField): boolean {
    return this.values()[field.name] === true;
  }

  protected setValue(field: HumanInputField, value: string | boolean): void {
    this.values.update((values) => ({ ...values, [field.name]: value }));
    if (this.issues()[field.name]) {
      this.issues.update((issues) => {
        const rest = { ...issues };
        delete rest[field.name];
        return rest;
      });
    }
  }

  protected onText(field: HumanInputField, event: Event): void {
    this.setValue(
      field,
      (event.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement).value,
    );
  }

  protected onCheck(field: HumanInputField, event: Event): void {
    this.setValue(field, (event.target as HTMLInputElement).checked);
  }

  protected submit(event: Event): void {
    event.preventDefault();
    if (this.busy()) return;
    // Empty optional answers are left out rather than sent as ''.
    const answer: HumanInputAnswer = {};
    for (const [name, value] of Object.entries(this.values())) {
      if (value !== '') answer[name] = value;
    }
    const found: Record<string, string> = {};
    for (const issue of humanInputAnswerIssues(this.request(), answer)) {
      const name = issue.path.replace(/^values\./, '');
      found[name] ??= issue.message;
    }
    this.issues.set(found);
    const first = this.request().fields.find((f) => found[f.name]);
    if (first) {
      this.host.nativeElement.querySelector<HTMLElement>(`#${this.fieldId(first)}`)?.focus();
      return;
    }
    this.answered.emit(answer);
  }
}
