import { HttpClient, HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import type { AuthMeView, SignOutView } from '@autocoder/shared-contracts';
import { catchError, firstValueFrom, of, tap, throwError } from 'rxjs';
import { type CanActivateFn, Router } from '@angular/router';
import { API_BASE_URL } from './api-base-url';

/**
 * Who is signed in to the console. `me` is undefined while unknown, null when nobody is. The
 * api holds the session (an HttpOnly cookie the console never sees); GET /auth/me also sets the
 * XSRF-TOKEN cookie that Angular's HttpClient echoes on changes.
 */
@Injectable({ providedIn: 'root' })
export class AuthSession {
  private readonly http = inject(HttpClient);
  private readonly base = inject(API_BASE_URL);

  readonly me = signal<AuthMeView | null | undefined>(undefined);
  /** Admins change things; viewers only read (the api enforces it, the console hides it). */
  readonly canChange = computed(() => this.me()?.role === 'admin');

  /** The /auth/me request in flight, shared by everyone who asks meanwhile. */
  private loading: Promise<AuthMeView | null> | undefined;

  load(): Promise<AuthMeView | null> {
    this.loading ??= this.fetchMe().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /**
   * Who is signed in, once known (undefined if the api cannot say). Route guards wait for it: on
   * a deep link the router may decide before the shell's first /auth/me has answered.
   */
  async known(): Promise<AuthMeView | null | undefined> {
    const me = this.me();
    if (me !== undefined) return me;
    return this.load().catch(() => undefined);
  }

  private fetchMe(): Promise<AuthMeView | null> {
    return firstValueFrom(
      this.http.get<AuthMeView>(`${this.base}/auth/me`).pipe(
        tap((me) => this.me.set(me)),
        catchError((err: unknown) => {
          if (err instanceof HttpErrorResponse && (err.status === 401 || err.status === 403)) {
            this.me.set(null);
            return of(null);
          }
          return throwError(() => err);
        }),
      ),
    );
  }

  /** Off to the identity provider; back on the same page afterwards. */
  signIn(returnTo = location.pathname + location.search): void {
    location.assign(`${this.base}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  }

  /** Ends the console session, then the identity provider's (RP-initiated logout). */
  async signOut(): Promise<void> {
    const out = await firstValueFrom(
      this.http.post<SignOutView>(`${this.base}/auth/logout`, {}),
    ).catch(() => ({ logoutUrl: null }));
    this.me.set(null);
    location.assign(out.logoutUrl ?? '/');
  }

  /** The session ended under us (expired, signed out elsewhere): show the sign-in screen. */
  lost(): void {
    if (this.me() !== null) this.me.set(null);
  }
}

/** A 401 from the api means the session is gone: the shell then offers to sign in again. */
export const sessionLostInterceptor: HttpInterceptorFn = (req, next) => {
  const session = inject(AuthSession);
  return next(req).pipe(
    catchError((err: unknown) => {
      if (err instanceof HttpErrorResponse && err.status === 401 && !req.url.endsWith('/auth/me')) {
        session.lost();
      }
      return throwError(() => err);
    }),
  );
};

/** A route for admins only; anyone else goes to `fallback` (decided once the session is known). */
export function adminOnly(fallback: string): CanActivateFn {
  return async () => {
    const router = inject(Router);
    const me = await inject(AuthSession).known();
    return me?.role === 'admin' || router.parseUrl(fallback);
  };
}
