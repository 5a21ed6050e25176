import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { ApiError, AutocoderApi, issueField, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import { type ApiErrorIssue, CreateProjectSchema } from '@autocoder/shared-contracts';
import { errorMessage, schemaValidator } from './schema-validator';

type TextField = 'name' | 'spec';

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
  protected readonly submitting = signal(false);
  protected readonly error = signal<ApiError | undefined>(undefined);
  /** Server issues that name no field of this form. */
  protected readonly otherIssues = signal<ApiErrorIssue[]>([]);

  protected fieldError(field: TextField): string | null {
    const control = this.form.controls[field];
    // Do not shout at a field the user has not reached yet.
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
