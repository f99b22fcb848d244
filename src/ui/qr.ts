/**
 * A QR code of `text` as an SVG string, for the Share dialog and the link card.
 * uqr is loaded on first use, so the app's first screen does not wait for it;
 * its output is only rects and paths (no text from the link), safe to inline.
 */
export async function qrSvg(text: string): Promise<string> {
  const { renderSVG } = await import('uqr');
  return renderSVG(text, { border: 1 });
}
