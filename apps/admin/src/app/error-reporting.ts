// The console's own errors, reported to Sentry when the api says where (GET /auth/me names a DSN
// when SENTRY_BROWSER_DSN or SENTRY_DSN is set). @sentry/angular is loaded on demand, so a
// console without error reporting never downloads it and the first page stays small.
import {
  effect,
  EnvironmentProviders,
  ErrorHandler,
  inject,
  Injectable,
  makeEnvironmentProviders,
  provideEnvironmentInitializer,
} from '@angular/core';
import { AuthSession } from '@autocoder/admin-data-access-api';
import { type AuthMeView, scrubErrorEvent } from '@autocoder/shared-contracts/plain';

/** Errors kept while the SDK loads (the first ones after sign-in), then sent. */
const EARLY_ERRORS = 20;

/**
 * Angular's ErrorHandler for the console: logs every error (as Angular's own does) until error
 * reporting starts, then hands them to Sentry's ErrorHandler (which logs and reports).
 */
@Injectable({ providedIn: 'root' })
export class ConsoleErrorHandler implements ErrorHandler {
  private sentry?: ErrorHandler;
  private starting = false;
  private readonly early: unknown[] = [];

  handleError(error: unknown): void {
    if (this.sentry) {
      this.sentry.handleError(error);
      return;
    }
    console.error(error);
    if (this.starting && this.early.length < EARLY_ERRORS) this.early.push(error);
  }

  /** Loads and starts Sentry once, for the signed-in console. */
  async start(me: AuthMeView): Promise<void> {
    const reports = me.errorReports;
    if (!reports || this.starting) return;
    this.starting = true;
    const Sentry = await import('@sentry/angular');
    Sentry.init({
      dsn: reports.dsn,
      release: reports.release,
      environment: reports.environment,
      sendDefaultPii: false,
      // Errors only: no tracing, no replays. Angular routes window errors and unhandled
      // rejections to this ErrorHandler (provideBrowserGlobalErrorListeners), so Sentry's own
      // global handlers would report them twice.
      integrations: (defaults) => defaults.filter((i) => i.name !== 'GlobalHandlers'),
      initialScope: { tags: { service: 'console', role: me.role } },
      beforeSend: (event) => scrubErrorEvent(event),
      beforeBreadcrumb: (crumb) =>
        // Console messages may quote anything; navigation and request breadcrumbs are scrubbed.
        crumb.category === 'console' ? null : crumb,
    });
    this.sentry = Sentry.createErrorHandler({ logErrors: true });
    for (const error of this.early.splice(0)) this.sentry.handleError(error);
  }
}

/** The console's ErrorHandler, and error reporting once someone signed in and the api names a DSN. */
export function provideErrorReporting(): EnvironmentProviders {
  return makeEnvironmentProviders([
    { provide: ErrorHandler, useExisting: ConsoleErrorHandler },
    provideEnvironmentInitializer(() => {
      const session = inject(AuthSession);
      const handler = inject(ConsoleErrorHandler);
      effect(() => {
        const me = session.me();
        if (me?.errorReports) {
          handler.start(me).catch((err: unknown) => console.error('error reporting:', err));
        }
      });
    }),
  ]);
}
