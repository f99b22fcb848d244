/**
 * Which encoding a text file's bytes are in. Unicode is certain (a BOM, the
 * NUL pattern of UTF-16, or bytes that are valid UTF-8); a legacy code page
 * never is, so the best guess comes with the others that also fit, for the
 * person to pick from in the preview.
 */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'iso-8859-7' | 'windows-1251' | 'iso-8859-2' | 'iso-8859-15';

export const TEXT_ENCODINGS: readonly TextEncodingName[] = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'iso-8859-15', 'iso-8859-2', 'iso-8859-7', 'windows-1251'];

export interface DetectedEncoding {
  encoding: TextEncodingName;
  /** empty when the encoding is certain */
  alternatives: TextEncodingName[];
}

const LEGACY: readonly TextEncodingName[] = ['windows-1252', 'iso-8859-7', 'windows-1251', 'iso-8859-2'];

/** The most frequent letters of each script's languages: text in the right code page is mostly these. */
const COMMON: Record<string, string> = {
  'windows-1252': 'àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßÀÁÂÃÄÇÈÉÊÍÓÔÕÖÑÚÜ€',
  'iso-8859-7': 'αοιετσνηκρυπλμάέήίόύώςγδ',
  'windows-1251': 'оеаинтсрвлкмдпуяыьгзбчй',
  'iso-8859-2': 'ąęółśżźćńčřšžěýůéáí',
};

function utf16Guess(probe: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  let evenZeros = 0;
  let oddZeros = 0;
  const pairs = Math.floor(probe.length / 2);
  for (let i = 0; i + 1 < probe.length; i += 2) {
    if (probe[i] === 0) evenZeros++;
    if (probe[i + 1] === 0) oddZeros++;
  }
  // Mostly-ASCII UTF-16: one byte of every pair is zero.
  if (pairs >= 2 && oddZeros > pairs * 0.4 && evenZeros < pairs * 0.05) return 'utf-16le';
  if (pairs >= 2 && evenZeros > pairs * 0.4 && oddZeros < pairs * 0.05) return 'utf-16be';
  return null;
}

const LATIN = new Set<TextEncodingName>(['windows-1252', 'iso-8859-2']);

/** The share of high bytes that stand in runs of three or more (whole words outside ASCII). */
function inRuns(bytes: Uint8Array): number {
  let high = 0;
  let running = 0;
  let inLong = 0;
  const flush = () => {
    if (running >= 3) inLong += running;
    running = 0;
  };
  for (const b of bytes) {
    if (b >= 0x80) {
      high++;
      running++;
    } else flush();
  }
  flush();
  return high ? inLong / high : 0;
}

function score(bytes: Uint8Array, encoding: TextEncodingName): number {
  const text = new TextDecoder(encoding).decode(bytes);
  const common = COMMON[encoding];
  let high = 0;
  let good = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) continue;
    high++;
    // C1 controls and the replacement character mean bytes this code page does not use for text.
    if ((code >= 0x80 && code < 0xa0) || code === 0xfffd) good -= 2;
    else if (common.includes(ch)) good++;
  }
  return high ? good / high : 0;
}

export function detectEncoding(bytes: Uint8Array): DetectedEncoding {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', alternatives: [] };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', alternatives: [] };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', alternatives: [] };
  const probe = bytes.subarray(0, Math.min(bytes.length, 256 * 1024));
  const utf16 = utf16Guess(probe);
  if (utf16) return { encoding: utf16, alternatives: [] };
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { encoding: 'utf-8', alternatives: [] };
  } catch {
    // not UTF-8: a legacy code page
  }
  // Latin text has a lone accented letter in a word (Málaga); Greek and Cyrillic words are high bytes through and through.
  const runs = inRuns(probe);
  const nonLatin = runs >= 0.5;
  const latin = runs < 0.2;
  const ranked = LEGACY.map((e) => ({ e, s: score(probe, e) - ((nonLatin && LATIN.has(e)) || (latin && !LATIN.has(e)) ? 1 : 0) })).sort((a, b) => b.s - a.s);
  const best = ranked[0];
  // Close seconds are offered; so is Windows-1252 always, the most common by far.
  const alternatives = ranked.slice(1).filter((r) => r.s > 0 && r.s >= best.s - 0.35).map((r) => r.e);
  if (best.e !== 'windows-1252' && !alternatives.includes('windows-1252')) alternatives.push('windows-1252');
  return { encoding: best.e, alternatives: [...alternatives, 'utf-8'] };
}
