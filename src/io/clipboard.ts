/**
 * Clipboard formats spreadsheets exchange: TSV as text/plain and an HTML
 * <table> as text/html. Pure string code (no DOM) so it runs in Node tests and
 * in the relay's future CLI alike.
 */

export type Grid = string[][];

const NEEDS_QUOTES = /[\t\n\r"]/;

/** TSV as Google Sheets and Excel write it: fields holding tab, newline or `"` are quoted, inner quotes doubled. */
export function encodeTsv(grid: Grid): string {
  return grid.map((row) => row.map((f) => (NEEDS_QUOTES.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join('\t')).join('\n');
}

/** Reads TSV, honouring quoted fields; a trailing newline does not make an extra row. */
export function decodeTsv(text: string): Grid {
  const rows: Grid = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  const s = text.replace(/\r\n?/g, '\n');
  while (i < s.length) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i++;
      continue;
    }
    if (ch === '\t') {
      row.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    field += ch;
    atFieldStart = false;
    i++;
  }
  if (field !== '' || row.length > 0 || quoted) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Keeps a cell's exact text through HTML's whitespace collapsing: newlines
 * become <br>, tabs and repeated, leading or trailing spaces become entities.
 */
function htmlCellText(f: string): string {
  return escapeHtml(f)
    .replace(/\t/g, '&#9;')
    .replace(/ (?= )|^ | $/gm, '&nbsp;')
    .replace(/\n/g, '<br>');
}

/** An HTML table Sheets and Excel both paste as cells. */
export function encodeHtml(grid: Grid): string {
  const body = grid.map((row) => `<tr>${row.map((f) => `<td>${htmlCellText(f)}</td>`).join('')}</tr>`).join('');
  return `<meta charset="utf-8"><table><tbody>${body}</tbody></table>`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/**
 * Reads the first <table> of clipboard HTML (Sheets wraps it in a <google-sheets-html-origin>
 * element, Excel in a full document with styles). Returns null when there is no table, so the
 * caller falls back to text/plain. colspan is honoured by padding; styles and scripts are ignored.
 */
export function decodeHtml(html: string): Grid | null {
  const start = html.search(/<table[\s>]/i);
  if (start < 0) return null;
  const end = html.search(/<\/table\s*>/i);
  const table = html.slice(start, end < 0 ? undefined : end);
  const grid: Grid = [];
  const rowRe = /<tr[\s>][\s\S]*?(?=<tr[\s>]|$)/gi;
  for (const rowMatch of table.matchAll(rowRe)) {
    const cells: string[] = [];
    const cellRe = /<t([dh])([^>]*)>([\s\S]*?)(?=<t[dh][\s>]|<\/tr|$)/gi;
    for (const c of rowMatch[0].matchAll(cellRe)) {
      const attrs = c[2];
      const inner = c[3]
        .replace(/<\/t[dh]\s*>[\s\S]*$/i, '')
        .replace(/<(style|script)[\s\S]*?<\/\1\s*>/gi, '')
        // HTML collapses source whitespace; only <br> is a line break in a cell.
        .replace(/[ \t\n\r]+/g, ' ')
        .replace(/\s*<br\s*\/?>\s*/gi, '\n')
        .replace(/<[^>]*>/g, '')
        .trim();
      const text = decodeEntities(inner).replace(/\u00a0/g, ' ');
      // Excel writes &nbsp; into cells that are empty.
      cells.push(/^\s*$/.test(text) ? '' : text);
      const span = /colspan\s*=\s*"?(\d+)/i.exec(attrs);
      for (let k = 1; k < Math.min(Number(span?.[1] ?? 1), 1000); k++) cells.push('');
    }
    grid.push(cells);
  }
  return grid.length ? grid : null;
}
