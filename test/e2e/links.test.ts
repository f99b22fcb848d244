import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import jsQR from 'jsqr';
import type { Page } from 'playwright-core';
import { e2eEnvironment } from '../support/e2e.js';
import { shareLink } from '../support/links.js';

/**
 * What a phone's camera would read from a QR code in the card: the SVG drawn on a canvas in the
 * page at 8 px a module, its pixels decoded by jsQR here (a decoder that shares no code with uqr).
 */
async function readQr(page: Page, svg: string): Promise<string | null> {
  const modules = Number(/viewBox="0 0 (\d+)/.exec(svg)?.[1] ?? 0);
  const size = 8 * modules;
  // One character per pixel, dark or light: a canvas's raw RGBA would be megabytes through the protocol.
  const bits = await page.evaluate(
    async ({ markup, size }) => {
      const img = new Image();
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = size;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, size, size);
      ctx.drawImage(img, 0, 0, size, size);
      const data = ctx.getImageData(0, 0, size, size).data;
      let out = '';
      for (let i = 0; i < data.length; i += 4) out += data[i] < 128 ? '1' : '0';
      return out;
    },
    { markup: svg, size },
  );
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < bits.length; i++) {
    rgba.fill(bits[i] === '1' ? 0 : 255, i * 4, i * 4 + 3);
    rgba[i * 4 + 3] = 255;
  }
  return jsQR(rgba, size, size)?.data ?? null;
}

const env = e2eEnvironment();

async function desk(locale = 'en-US') {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, locale });
  env.contexts.push(context);
  context.setDefaultTimeout(15_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.relay.httpUrl });
  // The card prints from its own frame: record what that frame would print instead of opening a print dialog.
  await context.addInitScript(() => {
    window.print = () => {
      (window.top as unknown as { printed: string[] }).printed ??= [];
      (window.top as unknown as { printed: string[] }).printed.push(document.documentElement.outerHTML);
    };
  });
  const page = await context.newPage();
  await page.goto(`${env.relay.httpUrl}/`);
  return { context, page };
}

const keyPart = (url: string) => new URL(url).hash;

async function newTitled(page: Page, title: string) {
  await page.getByRole('button', { name: 'New workbook' }).click();
  await page.getByRole('grid').waitFor();
  await page.getByLabel('Workbook title').fill(title);
  await page.getByLabel('Workbook title').press('Enter');
}

describe('e2e: links you cannot lose by accident', () => {
  it('creating a workbook asks to keep its links; the link card downloads as one file with the title, both links and both QR codes', async () => {
    const { page } = await desk();
    await newTitled(page, 'Pantry <north> & "south"');
    const keep = page.getByRole('region', { name: 'Keep this workbook’s links' });
    await keep.getByText('nobody — not even the hub — can recover a lost edit link').waitFor();
    // The workbook is there beside it to work in.
    await page.getByRole('grid').waitFor();
    // The address bar carries no key: the edit link is the one Share offers.
    const edit = keyPart(await shareLink(page));

    await keep.getByRole('button', { name: 'Link card…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Link card' });
    await dialog.getByRole('heading', { name: 'Pantry <north> & "south"' }).waitFor();
    await dialog.getByRole('img', { name: 'QR code of the edit link' }).waitFor();
    await dialog.getByRole('img', { name: 'QR code of the view link' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download link card' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^Pantry north & south – link card \d{4}-\d{2}-\d{2} \d{4}\.html$/);
    const file = readFileSync((await download.path())!, 'utf8');
    expect(file.match(/<svg[\s>]/g)).toHaveLength(2);
    expect(file.match(/role="img" aria-label="QR code of the (edit|view) link"/g)).toHaveLength(2);
    // Each code reads back as its link, in the card's order (edit, then view).
    const links = Array.from(file.matchAll(/href="([^"]+)"/g), (m) => m[1]).filter((h) => h.includes('#/w/'));
    const codes = Array.from(file.matchAll(/<svg[\s\S]*?<\/svg>/g), (m) => m[0]);
    expect(codes).toHaveLength(2);
    const read = [await readQr(page, codes[0]), await readQr(page, codes[1])];
    expect(read[0]).toContain(`${edit}`);
    expect(read[1]).toMatch(/#\/w\/e[\w-]{43}\/view\/[\w-]{43}\.[\w-]{43}$/);
    expect(new Set(read)).toEqual(new Set(links));
    expect(file).toContain(`${edit}"`);
    expect(file).toMatch(/#\/w\/e[\w-]{43}\/view\/[\w-]{43}\.[\w-]{43}"/);
    expect(file).toContain('<h1>Pantry &lt;north&gt; &amp; &quot;south&quot;</h1>');
    expect(file).toContain('nobody — not the hub, not whoever runs it — can recover it');
    expect(file).not.toMatch(/<script/i);
    // Downloading the card kept the edit link: the reminder says so and its button is "Done".
    await keep.getByText('Edit link kept.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await keep.getByRole('button', { name: 'Done' }).click();
    await keep.waitFor({ state: 'detached' });

    // The Share dialog offers the same card; Print prints the card alone.
    await page.getByRole('button', { name: 'Share' }).click();
    const share = page.getByRole('dialog', { name: 'Share this workbook' });
    await share.getByRole('button', { name: 'Show the link card' }).click();
    await share.getByRole('heading', { name: 'Pantry <north> & "south"' }).waitFor();
    await share.getByRole('button', { name: 'Print link card' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { printed?: string[] }).printed?.length ?? 0)).toBe(1);
    const printed = (await page.evaluate(() => (window as unknown as { printed: string[] }).printed[0])) as string;
    expect(printed.match(/<svg[\s>]/g)).toHaveLength(2);
    expect(printed).toContain(`${edit}"`);
    expect(printed).not.toContain('Share this workbook');
    // a workbook made, a card downloaded and two QR codes decoded in the page: 18 s on a quiet machine
  }, 60_000);

  it('the home screen marks a workbook whose edit link was never kept until it is copied; Remove asks first, and warns when the link was never kept', async () => {
    const { page } = await desk();
    await newTitled(page, 'Shelter beds');
    const edit = await shareLink(page);
    await page.getByRole('region', { name: 'Keep this workbook’s links' }).getByRole('button', { name: 'Later' }).click();
    await page.getByRole('link', { name: 'All workbooks' }).click();
    const list = page.getByRole('list', { name: 'Workbooks on this device' });
    const item = list.getByRole('listitem').filter({ hasText: 'Shelter beds' });
    await item.getByText('Edit link not saved').waitFor();

    // Remove asks first (in the page, not a browser prompt), saying this may be the only edit link.
    page.on('dialog', () => {
      throw new Error('Remove used a browser prompt');
    });
    await item.getByRole('button', { name: 'Remove Shelter beds from this device' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Remove from this device?' });
    await ask.getByText('this may be the only copy of it').waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'hidden' });
    await item.waitFor();

    // "Keep it now": copying the edit link clears the mark.
    await item.getByRole('button', { name: 'Keep the edit link of Shelter beds now' }).click();
    const keep = page.getByRole('dialog', { name: 'Keep this workbook’s links' });
    await keep.getByRole('button', { name: 'Copy edit link' }).click();
    await keep.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(edit);
    await keep.getByRole('button', { name: 'Close' }).click();
    await item.getByText('Edit link not saved').waitFor({ state: 'detached' });

    // Now Remove still asks, without the warning, and removes it.
    await item.getByRole('button', { name: 'Remove Shelter beds from this device' }).click();
    await ask.getByText('Changes not yet on the hub would be lost').waitFor();
    expect(await ask.getByText('this may be the only copy of it').count()).toBe(0);
    await ask.getByRole('button', { name: 'Remove', exact: true }).click();
    await list.waitFor({ state: 'detached' });
  });

  it('copying the edit link from Share counts too, and the home screen says it all in Spanish', async () => {
    const { page } = await desk('es-ES');
    await page.getByRole('button', { name: 'Nuevo libro' }).click();
    await page.getByRole('grid').waitFor();
    const keep = page.getByRole('region', { name: 'Guarda los enlaces de este libro' });
    await keep.getByText('nadie, ni siquiera el hub, puede recuperar un enlace de edición perdido').waitFor();
    await keep.getByRole('button', { name: 'Más tarde' }).click();
    await page.getByRole('link', { name: 'Todos los libros' }).click();
    const item = page.getByRole('list', { name: 'Libros en este dispositivo' }).getByRole('listitem').first();
    await item.getByText('Enlace de edición sin guardar').waitFor();
    await item.getByRole('button', { name: /^Quitar/ }).click();
    await page.getByRole('alertdialog', { name: '¿Quitar de este dispositivo?' }).getByText('esta puede ser la única copia').waitFor();
    await page.getByRole('button', { name: 'Cancelar' }).click();
    await page.goBack();
    await page.getByRole('grid').waitFor();
    await page.getByRole('button', { name: 'Compartir', exact: true }).click();
    const share = page.getByRole('dialog', { name: 'Compartir este libro' });
    await share.getByRole('button', { name: 'Copiar el enlace de edición' }).click();
    await share.getByText('Copiado.').waitFor();
    await share.getByRole('button', { name: 'Cerrar', exact: true }).click();
    await page.getByRole('link', { name: 'Todos los libros' }).click();
    await page.getByRole('list', { name: 'Libros en este dispositivo' }).waitFor();
    expect(await page.getByText('Enlace de edición sin guardar').count()).toBe(0);
  });
});
