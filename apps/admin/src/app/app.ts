import { ChangeDetectionStrategy, Component, effect, inject, OnInit, signal } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { API_BASE_URL, AuthSession, ProviderCatalog } from '@autocoder/admin-data-access-api';
import { NeedsYou } from '@autocoder/admin-feature-questions';
import { ProviderBadge, ThemeToggle } from '@autocoder/admin-ui';

/**
 * The console shell: a top bar with the deployment's default provider, the questions waiting and
 * who is signed in, and the routed page (or the sign-in).
 */
@Component({
  selector: 'ac-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, NeedsYou, ThemeToggle, ProviderBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './app.html',
  styleUrl: './app.css',
})
export class App implements OnInit {
  protected readonly auth = inject(AuthSession);
  protected readonly catalog = inject(ProviderCatalog);
  protected readonly loadError = signal('');
  /** The queue view (bull-board, served by the api for admins; not a console route). */
  protected readonly queuesUrl = `${inject(API_BASE_URL)}/admin/queues`;
  /** Why the last sign-in failed (the api's callback says so in ?signInError=). */
  protected readonly signInError = signal(
    new URLSearchParams(location.search).get('signInError') ?? '',
  );

  /** Moves focus to the page itself (the fragment alone would not, with client-side routing). */
  protected skipToContent(event: Event): void {
    event.preventDefault();
    document.getElementById('content')?.focus();
  }

  constructor() {
    // The provider list is for signed-in people only; load it once someone is.
    effect(() => {
      if (this.auth.me()) void this.catalog.ensure();
    });
  }

  ngOnInit(): void {
    this.auth.load().catch(() => this.loadError.set('The api cannot be reached. Is it running?'));
  }
}
