import { describe, expect, it } from 'vitest';
import { escapeHtml, linkCardBody, linkCardDocument, type LinkCardContent } from '../../src/ui/link-card-html.js';
import { qrSvg } from '../../src/ui/qr.js';

async function card(title: string): Promise<LinkCardContent> {
  const edit = `https://hub.example:8787/#/w/kAbc/edit/${'a'.repeat(43)}`;
  const view = `https://hub.example:8787/#/w/kAbc/view/${'b'.repeat(43)}.${'c'.repeat(43)}`;
  return {
    lang: 'en',
    title,
    made: 'Made on 3 December 2026',
    warning: 'Nobody — not the hub — can recover a lost edit link.',
    documentTitle: `${title} — link card`,
    links: [
      { label: 'Edit link', note: 'Anyone with this link can change the workbook.', url: edit, svg: await qrSvg(edit), qrLabel: 'QR code of the edit link' },
      { label: 'View link', note: 'Can see everything.', url: view, svg: await qrSvg(view), qrLabel: 'QR code of the view link' },
    ],
  };
}

describe('the link card’s HTML', () => {
  it('is one self-contained page: the title, the date, the warning, both links and both QR codes inline', async () => {
    const c = await card('Food bank – north');
    const page = linkCardDocument(c);
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<h1>Food bank – north</h1>');
    expect(page).toContain('Made on 3 December 2026');
    expect(page).toContain('can recover a lost edit link');
    expect(page.match(/<svg[\s>]/g)).toHaveLength(2);
    for (const l of c.links) {
      expect(page).toContain(`href="${l.url}"`);
      expect(page).toContain(`aria-label="${l.qrLabel}"`);
    }
    // Nothing to fetch: no scripts, no external styles or images.
    expect(page).not.toMatch(/<script|<link|src=/i);
  });

  it('escapes the title and every other word, so a title cannot inject markup', async () => {
    const c = await card('<img src=x onerror=alert(1)> & "Pantry" \'s');
    const page = linkCardDocument(c);
    expect(page).not.toContain('<img');
    expect(page).toContain('<h1>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Pantry&quot; &#39;s</h1>');
    expect(page).toContain('<title>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Pantry&quot; &#39;s — link card</title>');
    expect(escapeHtml(`a"b'c<d>&`)).toBe('a&quot;b&#39;c&lt;d&gt;&amp;');
  });

  it('inlines only SVG that carries no script', async () => {
    const c = await card('T');
    c.links[0].svg = '<svg onload="alert(1)"><rect/></svg>';
    c.links[1].svg = '<script>alert(1)</script>';
    const body = linkCardBody(c);
    expect(body).not.toMatch(/onload|<script/);
    expect(body.match(/<svg[\s>]/g)).toBeNull();
  });
});
