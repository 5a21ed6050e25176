import { InjectionToken } from '@angular/core';

/**
 * Where the REST api lives. The api serves the console itself, so a same-origin path works
 * everywhere; tests and odd deployments may override it.
 */
export const API_BASE_URL = new InjectionToken<string>('API_BASE_URL', {
  providedIn: 'root',
  factory: () => '/api/v1',
});
