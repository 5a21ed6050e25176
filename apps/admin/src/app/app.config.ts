import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { sessionLostInterceptor } from '@autocoder/admin-data-access-api';
import {
  ApplicationConfig,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { appRoutes } from './app.routes';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    // Signals and OnPush everywhere: no zone.js in the bundle.
    provideZonelessChangeDetection(),
    // Route parameters arrive as component inputs (e.g. the board's `id`).
    provideRouter(appRoutes, withComponentInputBinding()),
    // XSRF: Angular's defaults (cookie XSRF-TOKEN, header X-XSRF-TOKEN) are what the api uses.
    provideHttpClient(withFetch(), withInterceptors([sessionLostInterceptor])),
  ],
};
