/**
 * "Supply inventory – Inventory 2026-11-28 2231.csv": the workbook title, the
 * sheet when only one is in the file, and the local date-time, so a record
 * keeper's dated hand-overs sort by name. Characters no file system accepts are dropped.
 */
export function exportFileName(title: string, sheet: string | null, extension: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}${pad(now.getMinutes())}`;
  const clean = (s: string) =>
    s
      .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 80);
  const parts = [clean(title) || 'Workbook'];
  if (sheet && clean(sheet)) parts.push(clean(sheet));
  return `${parts.join(' – ')} ${stamp}.${extension}`;
}
