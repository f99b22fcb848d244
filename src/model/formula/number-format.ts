/**
 * TEXT's number formats (`0.00`, `#,##0`, `0.0%`, `$#,##0.00`, `0;(0)`, `0 "kg"`), the same on
 * every device: `.` and `,` in the format are the decimal point and the grouping as in an
 * English-language Excel, whatever the reader's language (the stored formula says `"#,##0.00"`
 * for everyone).
 */

/** Excel rounds half away from zero on the decimal digits (ROUND(2.675, 2) is 2.68, not 2.67). */
export function roundHalfAway(n: number, digits: number): number {
  if (!Number.isFinite(n)) return n;
  const sign = n < 0 ? -1 : 1;
  const shifted = Math.round(Number(`${Math.abs(n)}e${digits}`));
  return sign * Number(`${shifted}e${-digits}`);
}

function sections(format: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
    if (ch === '\\' && i + 1 < format.length) cur += format[++i];
  }
  out.push(cur);
  return out;
}

type Piece = { literal: string } | { placeholder: string };

function pieces(section: string): Piece[] {
  const out: Piece[] = [];
  for (let i = 0; i < section.length; i++) {
    const ch = section[i];
    if (ch === '"') {
      const close = section.indexOf('"', i + 1);
      const end = close < 0 ? section.length : close;
      out.push({ literal: section.slice(i + 1, end) });
      i = end;
    } else if (ch === '\\') out.push({ literal: section[++i] ?? '' });
    else if ('0#?.,%'.includes(ch)) out.push({ placeholder: ch });
    else out.push({ literal: ch });
  }
  return out;
}

export function formatNumber(n: number, format: string): string {
  const secs = sections(format);
  let section = secs[0];
  let value = n;
  let sign = n < 0 ? '-' : '';
  if (n < 0 && secs.length > 1) {
    section = secs[1];
    value = -n;
    sign = '';
  } else if (n === 0 && secs.length > 2) section = secs[2];
  const parts = pieces(section);
  const digits = parts.map((p, i) => ('placeholder' in p && '0#?'.includes(p.placeholder) ? i : -1)).filter((i) => i >= 0);
  for (const p of parts) if ('placeholder' in p && p.placeholder === '%') value *= 100;
  if (!digits.length) return sign + parts.map((p) => ('literal' in p ? p.literal : p.placeholder === '%' ? '%' : p.placeholder)).join('');
  const first = digits[0];
  const last = digits[digits.length - 1];
  const at = (i: number) => parts[i];
  const isPlaceholder = (i: number, ch: string) => {
    const p = at(i);
    return p !== undefined && 'placeholder' in p && p.placeholder === ch;
  };
  let point = -1;
  for (let i = first; i <= last + 1; i++) if (isPlaceholder(i, '.')) point = point < 0 ? i : point;
  const spec = (from: number, to: number) => parts.slice(from, to).flatMap((p) => ('placeholder' in p ? [p.placeholder] : []));
  const intSpec = spec(first, point < 0 ? last + 1 : point);
  const fracSpec = point < 0 ? [] : spec(point + 1, last + 1).filter((c) => '0#?'.includes(c));
  const minInt = intSpec.filter((c) => c === '0').length;
  const rounded = roundHalfAway(Math.abs(value), fracSpec.length);
  const [intText, fracText = ''] = rounded.toFixed(fracSpec.length).split('.');
  let int = intText === '0' && minInt === 0 ? '' : intText.padStart(minInt, '0');
  if (intSpec.includes(',')) int = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  let frac = fracText;
  // optional decimal places (#) drop their trailing zeros
  for (let k = fracSpec.length - 1; k >= 0 && fracSpec[k] !== '0' && frac.endsWith('0'); k--) frac = frac.slice(0, -1);
  const number = point < 0 ? int : `${int}.${frac}`;
  // what stands before and after the digits (a currency sign, a unit, %); text between digit places is dropped
  const around = (list: Piece[]) => list.map((p) => ('literal' in p ? p.literal : p.placeholder === '%' ? '%' : '')).join('');
  return (rounded === 0 ? '' : sign) + around(parts.slice(0, first)) + number + around(parts.slice(last + 1));
}
