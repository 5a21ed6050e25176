import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  type ElementRef,
  inject,
  Injector,
  input,
  output,
  signal,
  viewChildren,
} from '@angular/core';
import { StatusBadge } from '@autocoder/admin-ui';
import type { CreateFeatureInput, FeatureRefView } from '@autocoder/shared-contracts';
import { MAX_DEPENDENCIES_PER_FEATURE } from '@autocoder/shared-contracts/plain';
import { FeatureSearch } from '../feature-search/feature-search';

/** Most steps a feature may have (FeatureStepsSchema). */
export const MAX_STEPS = 50;

type TextField = 'name' | 'category' | 'description' | 'priority';

let nextFormId = 0;

/**
 * A new feature for the backlog: name, category, description, its steps (a list: add, remove,
 * reorder), an optional priority (empty: the end of the queue) and the features it depends on
 * (found by name). Problems the api reports come back through `fieldErrors`, by field.
 */
@Component({
  selector: 'ac-feature-create-form',
  imports: [FeatureSearch, StatusBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './feature-create-form.html',
  styleUrl: './feature-create-form.css',
})
export class FeatureCreateForm {
  private readonly injector = inject(Injector);

  readonly projectId = input.required<string>();
  readonly busy = input(false);
  /** The api's reasons by field (name, category, description, steps, priority, dependsOn). */
  readonly fieldErrors = input<Partial<Record<string, string>>>({});
  readonly saved = output<CreateFeatureInput>();
  readonly cancelled = output<void>();

  protected readonly id = `fc${nextFormId++}`;
  protected readonly maxSteps = MAX_STEPS;
  protected readonly maxDependencies = MAX_DEPENDENCIES_PER_FEATURE;
  protected readonly text = signal<Record<TextField, string>>({
    name: '',
    category: '',
    description: '',
    priority: '',
  });
  /** Steps as typed; each has a key so inputs keep focus while others come and go. */
  protected readonly steps = signal<{ key: number; text: string }[]>([{ key: 0, text: '' }]);
  private nextStepKey = 1;
  protected readonly dependencies = signal<FeatureRefView[]>([]);
  protected readonly dependencyIds = computed(() => this.dependencies().map((d) => d.id));
  private readonly localErrors = signal<Partial<Record<string, string>>>({});
  protected readonly errors = computed(() => ({ ...this.fieldErrors(), ...this.localErrors() }));

  private readonly stepInputs = viewChildren<ElementRef<HTMLInputElement>>('step');

  protected errorId(field: string): string {
    return `${this.id}-${field}-error`;
  }

  protected setText(field: TextField, event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLTextAreaElement).value;
    this.text.update((t) => ({ ...t, [field]: value }));
    this.clearLocal(field);
  }

  protected setStep(index: number, event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    this.steps.update((steps) => steps.map((s, i) => (i === index ? { ...s, text: value } : s)));
  }

  /** Enter in a step adds the next one, as in a checklist. */
  protected stepKey(index: number, event: KeyboardEvent): void {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    this.addStep(index + 1);
  }

  protected addStep(at = this.steps().length): void {
    if (this.steps().length >= MAX_STEPS) return;
    this.steps.update((steps) => [
      ...steps.slice(0, at),
      { key: this.nextStepKey++, text: '' },
      ...steps.slice(at),
    ]);
    this.focusStep(at);
  }

  protected removeStep(index: number): void {
    this.steps.update((steps) => steps.filter((_, i) => i !== index));
    if (this.steps().length === 0) this.addStep();
    else this.focusStep(Math.min(index, this.steps().length - 1));
  }

  protected moveStep(index: number, by: -1 | 1): void {
    const to = index + by;
    const steps = [...this.steps()];
    if (to < 0 || to >= steps.length) return;
    [steps[index], steps[to]] = [steps[to], steps[index]];
    this.steps.set(steps);
    this.focusStep(to);
  }

  private focusStep(index: number): void {
    afterNextRender(() => this.stepInputs()[index]?.nativeElement.focus(), {
      injector: this.injector,
    });
  }

  protected addDependency(feature: FeatureRefView): void {
    if (this.dependencies().some((d) => d.id === feature.id)) return;
    this.dependencies.update((d) => [...d, feature]);
    this.clearLocal('dependsOn');
  }

  protected removeDependency(feature: FeatureRefView): void {
    this.dependencies.update((d) => d.filter((x) => x.id !== feature.id));
  }

  private clearLocal(field: string): void {
    this.localErrors.update((e) => {
      const next = { ...e };
      delete next[field];
      return next;
    });
  }

  protected submit(event: Event): void {
    event.preventDefault();
    if (this.busy()) return;
    const t = this.text();
    const problems: Partial<Record<string, string>> = {};
    if (!t.name.trim()) problems['name'] = 'Give it a name.';
    if (!t.category.trim()) problems['category'] = 'Give it a category, such as "auth".';
    if (!t.description.trim()) problems['description'] = 'Say what it does.';
    const priorityText = t.priority.trim();
    const priority = Number(priorityText);
    if (priorityText && (!Number.isInteger(priority) || priority < 0)) {
      problems['priority'] = 'A whole number, 0 or more (or empty for the end of the queue).';
    }
    this.localErrors.set(problems);
    if (Object.keys(problems).length > 0) return;
    const input: CreateFeatureInput = {
      name: t.name.trim(),
      category: t.category.trim(),
      description: t.description.trim(),
      steps: this.steps()
        .map((s) => s.text.trim())
        .filter((s) => s.length > 0),
    };
    if (priorityText) input.priority = priority;
    if (this.dependencies().length > 0) input.dependsOn = this.dependencyIds();
    this.saved.emit(input);
  }
}
