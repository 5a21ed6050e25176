import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { sessionLostInterceptor } from '@autocoder/admin-data-access-api';
import {
  ApplicationConfig,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { appRoutes } from './app.routes';
import { provideErrorReporting } from './error-reporting';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    // Errors reach Sentry when the api names a DSN (loaded on demand, after sign-in).
    provideErrorReporting(),
    // Signals and OnPush everywhere: no zone.js in the bundle.
    provideZonelessChangeDetection(),
    // Route parameters arrive as component inputs (e.g. the board's `id`).
    provideRouter(appRoutes, withComponentInputBinding()),
    // XSRF: Angular's defaults (cookie XSRF-TOKEN, header X-XSRF-TOKEN) are what the api uses.
    provideHttpClient(withFetch(), withInterceptors([sessionLostInterceptor])),
  ],
};
