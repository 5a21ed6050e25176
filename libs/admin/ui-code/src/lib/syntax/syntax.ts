// Syntax highlighting with the highlight.js that diff2html already bundles (its "slim" build: the
// common languages), loaded only when code is shown. No package of our own.

/** Above this many characters a file is shown as plain text (highlighting would stall the page). */
export const MAX_HIGHLIGHT_CHARS = 300_000;

export interface Highlighter {
  /** The highlight.js language for a file path ('plaintext' when none fits). */
  languageOf(path: string): string;
  /** Highlighted HTML (highlight.js escapes the text), or null for plain text. */
  highlight(code: string, path: string): string | null;
  /** Highlights one rendered line of a diff in place, keeping its changed-word marks. */
  highlightLine(line: Element, language: string): void;
}

// File names that say their language without an extension.
const BY_NAME: Record<string, string> = {
  dockerfile: 'dockerfile',
  makefile: 'makefile',
  gnumakefile: 'makefile',
  gemfile: 'ruby',
  rakefile: 'ruby',
};

let loading: Promise<Highlighter> | undefined;

/** The shared highlighter; the first call loads highlight.js (a lazy chunk). */
export function loadHighlighter(): Promise<Highlighter> {
  loading ??= Promise.all([
    import('diff2html/lib-esm/ui/js/highlight.js-slim'),
    import('diff2html/lib-esm/ui/js/highlight.js-helpers'),
  ]).then(([{ hljs }, helpers]): Highlighter => {
    const languageOf = (path: string): string => {
      const name = path.split('/').pop()?.toLowerCase() ?? '';
      const byName = BY_NAME[name];
      if (byName) return byName;
      const dot = name.lastIndexOf('.');
      if (dot <= 0) return 'plaintext';
      const language = helpers.getLanguage(name.slice(dot + 1));
      return hljs.getLanguage(language) ? language : 'plaintext';
    };
    return {
      languageOf,
      highlight(code, path) {
        const language = languageOf(path);
        if (language === 'plaintext' || code.length > MAX_HIGHLIGHT_CHARS) return null;
        return hljs.highlight(code, { language, ignoreIllegals: true }).value;
      },
      highlightLine(line, language) {
        const text = line.textContent;
        if (!text || language === 'plaintext') return;
        const result = helpers.closeTags(hljs.highlight(text, { language, ignoreIllegals: true }));
        // Changed words are marked with <ins>/<del> inside the line: merge both markups, as
        // diff2html's own UI does (its helpers escape the text).
        const original = helpers.nodeStream(line);
        if (original.length > 0) {
          const highlighted = line.ownerDocument.createElement('div');
          highlighted.innerHTML = result.value;
          result.value = helpers.mergeStreams(original, helpers.nodeStream(highlighted), text);
        }
        line.classList.add('hljs');
        line.innerHTML = result.value;
      },
    };
  });
  return loading;
}
