import { statusTone, type StatusTone } from '@autocoder/admin-ui';
import type { FeatureStatus } from '@autocoder/shared-contracts/plain';

/** The colours of one status: the badge's fill, text and border, and the status's strong colour. */
export interface ToneColours {
  bg: string;
  fg: string;
  border: string;
  strong: string;
}

/** The console's CSS colours resolved for the current theme; a canvas cannot read var(). */
export interface Palette {
  tones: Record<StatusTone, ToneColours>;
  text: string;
  muted: string;
  edge: string;
  blockingEdge: string;
  accent: string;
  focus: string;
  surface: string;
  font: string;
}

const TONES: readonly StatusTone[] = ['neutral', 'info', 'warning', 'success', 'danger'];

/** The bar on a node's left edge: the same colours as the board's status bars. */
const STRONG: Record<StatusTone, string> = {
  neutral: '--ac-status-pending',
  info: '--ac-status-active',
  warning: '--ac-status-waiting',
  success: '--ac-status-passing',
  danger: '--ac-status-failing',
};

export function toneOf(status: FeatureStatus): StatusTone {
  return statusTone(status);
}

/**
 * Resolves the console's colour variables (light-dark() included) inside `host`: a variable's
 * computed value is its unresolved text, so each is put on a probe's `color` and read back.
 */
export function resolvePalette(host: HTMLElement): Palette {
  const doc = host.ownerDocument;
  const view = doc.defaultView;
  const probe = doc.createElement('span');
  probe.style.display = 'none';
  host.appendChild(probe);
  const read = (name: string): string => {
    probe.style.color = `var(${name})`;
    return view?.getComputedStyle(probe).color || '#888';
  };
  try {
    const tones = {} as Record<StatusTone, ToneColours>;
    for (const tone of TONES) {
      tones[tone] = {
        bg: read(`--ac-${tone}-bg`),
        fg: read(`--ac-${tone}-fg`),
        border: read(`--ac-${tone}-border`),
        strong: read(STRONG[tone]),
      };
    }
    return {
      tones,
      text: read('--ac-text'),
      muted: read('--ac-muted'),
      edge: read('--ac-border-strong'),
      blockingEdge: read('--ac-warning'),
      accent: read('--ac-accent'),
      focus: read('--ac-focus'),
      surface: read('--ac-surface'),
      font: view?.getComputedStyle(host).fontFamily || 'sans-serif',
    };
  } finally {
    probe.remove();
  }
}
