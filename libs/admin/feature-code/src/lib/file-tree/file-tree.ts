import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import { type ApiError, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import type { RepositoryEntryView } from '@autocoder/shared-contracts';
import type { Subscription } from 'rxjs';

type Listing =
  | { state: 'loading' }
  | { state: 'ok'; entries: RepositoryEntryView[]; truncated: boolean }
  | { state: 'error'; error: ApiError };

/** One visible line of the tree. */
interface Row {
  entry: RepositoryEntryView;
  depth: number;
  expanded: boolean;
  listing: Listing | undefined;
}

/** Every directory above `path` ('' included), outermost first. */
export function ancestorsOf(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '');
  return ['', ...segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'))];
}

/**
 * The repository as a tree that loads one directory at a time, as it is opened. Directories are
 * disclosure buttons (aria-expanded); files are links to the file. The directories above the
 * selected path open by themselves, so a deep link shows where it is.
 */
@Component({
  selector: 'ac-file-tree',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './file-tree.html',
  styleUrl: './file-tree.css',
})
export class FileTree {
  readonly projectId = input.required<string>();
  /** A commit to browse instead of main. */
  readonly ref = input<string | undefined>(undefined);
  /** The file or directory shown next to the tree. */
  readonly selected = input('');
  /** A directory was opened (to show its listing). */
  readonly openDir = output<string>();

  private readonly api = inject(AutocoderApi);
  private readonly listings = signal<ReadonlyMap<string, Listing>>(new Map());
  private readonly expanded = signal<ReadonlySet<string>>(new Set(['']));
  private readonly requests = new Map<string, Subscription>();

  protected readonly root = computed(() => this.listings().get(''));
  protected readonly rows = computed(() => {
    const rows: Row[] = [];
    const listings = this.listings();
    const expanded = this.expanded();
    const walk = (dir: string, depth: number) => {
      const listing = listings.get(dir);
      if (listing?.state !== 'ok') return;
      for (const entry of listing.entries) {
        const open = entry.type === 'dir' && expanded.has(entry.path);
        rows.push({ entry, depth, expanded: open, listing: listings.get(entry.path) });
        if (open) walk(entry.path, depth + 1);
      }
    };
    walk('', 0);
    return rows;
  });

  constructor() {
    inject(DestroyRef).onDestroy(() => this.requests.forEach((s) => s.unsubscribe()));
    // Another project or commit: start over.
    effect(() => {
      this.projectId();
      this.ref();
      untracked(() => {
        this.requests.forEach((s) => s.unsubscribe());
        this.requests.clear();
        this.listings.set(new Map());
        this.expanded.set(new Set(['']));
        this.load('');
      });
    });
    // Open the way to the selected path.
    effect(() => {
      const selected = this.selected();
      untracked(() => {
        const dirs = ancestorsOf(selected);
        this.expanded.update((set) => new Set([...set, ...dirs]));
        for (const dir of dirs) if (!this.listings().has(dir)) this.load(dir);
      });
    });
  }

  protected toggle(row: Row): void {
    const path = row.entry.path;
    if (row.expanded) {
      this.expanded.update((set) => {
        const next = new Set(set);
        next.delete(path);
        return next;
      });
      return;
    }
    this.expanded.update((set) => new Set([...set, path]));
    const listing = this.listings().get(path);
    if (!listing || listing.state === 'error') this.load(path);
    this.openDir.emit(path);
  }

  protected retry(path: string): void {
    this.load(path);
  }

  protected indent(depth: number): string {
    return `${0.5 + depth * 0.9}rem`;
  }

  private load(path: string): void {
    this.requests.get(path)?.unsubscribe();
    this.setListing(path, { state: 'loading' });
    const sub = this.api.getRepositoryTree(this.projectId(), path, this.ref()).subscribe({
      next: (tree) =>
        this.setListing(path, { state: 'ok', entries: tree.entries, truncated: tree.truncated }),
      error: (err: unknown) => this.setListing(path, { state: 'error', error: toApiError(err) }),
    });
    this.requests.set(path, sub);
  }

  private setListing(path: string, listing: Listing): void {
    this.listings.update((map) => new Map(map).set(path, listing));
  }
}
