/**
 * The link card as HTML text: one source for what `<link-card>` shows, what
 * Print sends to the printer and what Download saves, so the three never
 * differ. Pure (no DOM), so it is tested in Node. Every word and link is
 * escaped here; only the QR codes, which qr.ts renders from the link itself
 * (rects and paths, no text), are inlined as they come.
 */

export interface LinkCardLink {
  /** "Edit link", "View link" */
  label: string;
  /** what the link lets its holder do */
  note: string;
  url: string;
  /** the QR code of `url`, an `<svg>` string */
  svg: string;
  /** the QR code's accessible name */
  qrLabel: string;
}

export interface LinkCardContent {
  /** the `lang` of the saved file */
  lang: string;
  /** the workbook's title */
  title: string;
  /** "Made on 3 December 2026" */
  made: string;
  /** that nobody can recover a lost edit link */
  warning: string;
  links: LinkCardLink[];
  /** the saved file's `<title>` */
  documentTitle: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and for double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** An SVG string as uqr writes it, and nothing that could carry script. */
function qrMarkup(svg: string): string {
  const trimmed = svg.trim();
  return /^<svg[\s>]/.test(trimmed) && !/<script|\son\w+\s*=|javascript:|<foreignObject/i.test(trimmed) ? trimmed : '';
}

/**
 * The card's look, for the element (as its styles) and the saved file alike. Black on white,
 * big enough QR codes to scan from paper, and no page break inside a link.
 */
export const LINK_CARD_CSS = `
.link-card { font: 11pt/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #000; background: #fff;
  border: 2px solid #000; border-radius: 8px; padding: 16px 20px; max-width: 46rem; box-sizing: border-box; }
.link-card h1 { font-size: 1.4em; margin: 0 0 2px; overflow-wrap: anywhere; }
.link-card .made { margin: 0 0 12px; color: #333; }
.link-card .warning { border: 2px solid #000; border-radius: 6px; padding: 8px 12px; margin: 0 0 12px; font-weight: 600; }
.link-card .links { display: flex; flex-wrap: wrap; gap: 16px; }
.link-card section { flex: 1 1 16rem; break-inside: avoid; page-break-inside: avoid; }
.link-card h2 { font-size: 1.1em; margin: 0 0 4px; }
.link-card .qr { width: 180px; height: 180px; margin: 0 0 6px; }
.link-card .qr svg { width: 100%; height: 100%; display: block; }
.link-card .url { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85em; overflow-wrap: anywhere; word-break: break-all; margin: 0 0 4px; }
.link-card .url a { color: inherit; }
.link-card .note { margin: 0; color: #333; font-size: 0.95em; }
`;

/** The card itself: title, date, the warning, and each link with its QR code. */
export function linkCardBody(card: LinkCardContent): string {
  const links = card.links
    .map(
      (l) => `<section>
<h2>${escapeHtml(l.label)}</h2>
<div class="qr" role="img" aria-label="${escapeHtml(l.qrLabel)}">${qrMarkup(l.svg)}</div>
<p class="url"><a href="${escapeHtml(l.url)}">${escapeHtml(l.url)}</a></p>
<p class="note">${escapeHtml(l.note)}</p>
</section>`,
    )
    .join('\n');
  return `<article class="link-card">
<h1>${escapeHtml(card.title)}</h1>
<p class="made">${escapeHtml(card.made)}</p>
<p class="warning">${escapeHtml(card.warning)}</p>
<div class="links">
${links}
</div>
</article>`;
}

/** A whole page holding only the card, self-contained (styles and QR codes inline), to save or print. */
export function linkCardDocument(card: LinkCardContent): string {
  return `<!doctype html>
<html lang="${escapeHtml(card.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(card.documentTitle)}</title>
<style>
body { margin: 16px; background: #fff; }
@page { margin: 12mm; }
${LINK_CARD_CSS}
</style>
</head>
<body>
${linkCardBody(card)}
</body>
</html>
`;
}
