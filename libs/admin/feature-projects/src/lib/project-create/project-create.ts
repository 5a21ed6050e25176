import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { ApiError, AutocoderApi, issueField, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import { type ApiErrorIssue, CreateProjectSchema } from '@autocoder/shared-contracts';
import { firstValueFrom } from 'rxjs';
import { errorMessage, schemaValidator } from './schema-validator';

type TextField = 'name' | 'spec';

/** The spec of a project whose specification is being written in a spec chat. */
export const SPEC_IN_CHAT_PLACEHOLDER =
  '(The specification is being written with the spec writer in a chat.)';

@Component({
  selector: 'ac-project-create',
  imports: [ReactiveFormsModule, RouterLink, ErrorPanel],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './project-create.html',
  styleUrl: './project-create.css',
})
export class ProjectCreate {
  private readonly api = inject(AutocoderApi);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly form = new FormGroup({
    name: new FormControl('', {
      nonNullable: true,
      validators: [schemaValidator(CreateProjectSchema.shape.name)],
    }),
    spec: new FormControl('', {
      nonNullable: true,
      validators: [schemaValidator(CreateProjectSchema.shape.spec)],
    }),
    start: new FormControl(true, { nonNullable: true }),
  });

  protected readonly submitted = signal(false);
  /** The spec-chat button checks the name only (the spec is written in the chat). */
  protected readonly nameOnly = signal(false);
  protected readonly submitting = signal(false);
  protected readonly error = signal<ApiError | undefined>(undefined);
  /** Server issues that name no field of this form. */
  protected readonly otherIssues = signal<ApiErrorIssue[]>([]);

  protected fieldError(field: TextField): string | null {
    const control = this.form.controls[field];
    // Do not shout at a field the user has not reached yet.
    if (field === 'spec' && this.nameOnly() && !this.submitted()) return null;
    if (!control.touched && !this.submitted()) return null;
    return errorMessage(control.errors);
  }

  protected submit(): void {
    this.submitted.set(true);
    this.error.set(undefined);
    this.otherIssues.set([]);
    this.form.markAllAsTouched();

    const parsed = CreateProjectSchema.safeParse(this.form.getRawValue());
    if (this.form.invalid || !parsed.success) return;

    this.submitting.set(true);
    this.api
      .createProject(parsed.data)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (project) => void this.router.navigate(['/projects', project.id]),
        error: (err: unknown) => this.showServerError(toApiError(err)),
      });
  }

  /**
   * Writing the spec with the spec writer: a chat needs its project, so the project is created
   * now, without starting anything (its spec is what was typed so far, or a placeholder), and a
   * spec conversation opens; it ends with "Create project from this spec", which saves the
   * spec the assistant wrote and starts the initializer.
   */
  protected async writeSpecInChat(): Promise<void> {
    this.error.set(undefined);
    this.otherIssues.set([]);
    const name = this.form.controls.name;
    name.markAsTouched();
    this.nameOnly.set(true);
    const typed = this.form.controls.spec.value.trim();
    const parsed = CreateProjectSchema.safeParse({
      name: name.value,
      spec: typed || SPEC_IN_CHAT_PLACEHOLDER,
      start: false,
    });
    if (name.invalid || !parsed.success) return;
    this.submitting.set(true);
    try {
      const project = await firstValueFrom(this.api.createProject(parsed.data));
      const chat = await firstValueFrom(
        this.api.createConversation(project.id, { kind: 'spec', title: `Spec of ${project.name}` }),
      );
      await this.router.navigate(['/projects', project.id, 'chat', chat.id]);
    } catch (err) {
      this.showServerError(toApiError(err));
    }
  }

  private showServerError(error: ApiError): void {
    const other: ApiErrorIssue[] = [];
    for (const issue of error.issues) {
      const field = issueField(issue);
      if (field === 'name' || field === 'spec') {
        const control = this.form.controls[field];
        // Cleared by the control's own validators as soon as the user edits the field.
        control.setErrors({ ...control.errors, server: issue.message });
      } else {
        other.push(issue);
      }
    }
    this.otherIssues.set(other);
    this.error.set(error);
    this.submitting.set(false);
  }
}
