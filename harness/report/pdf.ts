/**
 * signoff.pdf: the HTML sign-off printed by Chromium through Playwright, the file a release
 * manager attaches to the release. Without a browser the PDF is skipped with the reason (the
 * HTML is the sign-off either way); it never fails a run.
 */
import { writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { CHROMIUM_FLAGS, findChromium } from '../browser/chromium.ts';

export type PdfOutcome = { written: string; browser: string } | { skipped: string };

/** How long launching, loading and printing may take together before the PDF is given up. */
const PRINT_WITHIN_MS = 60_000;

export async function printPdf(html: string, pdfFile: string, env: NodeJS.ProcessEnv = process.env): Promise<PdfOutcome> {
  const found = findChromium(env);
  if ('missing' in found) return { skipped: found.missing };
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const work = (async (): Promise<PdfOutcome> => {
    browser = await chromium.launch({ executablePath: found.path, headless: true, args: [...CHROMIUM_FLAGS], timeout: PRINT_WITHIN_MS });
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    // Evidence folded away on screen is printed open.
    await page.evaluate("document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''))");
    const pdf = await page.pdf({ format: 'A4', printBackground: true, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } });
    writeFileSync(pdfFile, pdf);
    return { written: pdfFile, browser: `${found.source} ${browser.version()}` };
  })();
  // When the deadline wins, the work still ends (the browser is closed under it): its error is not news.
  work.catch(() => {});
  const late = new Promise<PdfOutcome>((resolve) => (timer = setTimeout(() => resolve({ skipped: `Chromium (${found.path}) did not print within ${PRINT_WITHIN_MS / 1_000} s` }), PRINT_WITHIN_MS)));
  try {
    return await Promise.race([work, late]);
  } catch (err) {
    return { skipped: `Chromium (${found.path}) could not print the sign-off: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    clearTimeout(timer);
    await (browser as { close(): Promise<void> } | undefined)?.close().catch(() => {});
  }
}
