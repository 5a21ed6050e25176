import { Injectable } from '@angular/core';

/** Turns a model's Markdown into safe HTML. */
export type RenderMarkdown = (markdown: string) => string;

const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/**
 * Builds the renderer: marked (GitHub-flavoured Markdown) with raw HTML shown as text, never
 * interpreted, then DOMPurify over the result (no scripts, handlers, styles, images or forms;
 * `javascript:` and other unsafe links lose their href), and every link opens in a new tab with
 * rel="noopener noreferrer". Angular's own sanitizer checks the HTML once more when it is bound.
 */
export async function createMarkdownRenderer(): Promise<RenderMarkdown> {
  const [{ Marked }, { default: DOMPurify }] = await Promise.all([
    import('marked'),
    import('dompurify'),
  ]);
  const marked = new Marked({
    gfm: true,
    async: false,
    renderer: {
      // A model's `<img onerror=…>` or `<script>` is shown as the text it is.
      html: ({ text }) => escapeHtml(text),
    },
  });
  const purify = DOMPurify();
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      if (node.getAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    }
  });
  return (markdown) =>
    purify.sanitize(marked.parse(markdown) as string, {
      USE_PROFILES: { html: true },
      FORBID_TAGS: ['style', 'img', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
      FORBID_ATTR: ['style', 'id', 'name'],
    });
}

/**
 * The renderer, loaded on first use: marked and DOMPurify are their own chunks, fetched when a
 * conversation first shows a reply, never with the console's first load.
 */
@Injectable({ providedIn: 'root' })
export class MarkdownRenderer {
  private loading?: Promise<RenderMarkdown>;

  load(): Promise<RenderMarkdown> {
    this.loading ??= createMarkdownRenderer().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }
}
