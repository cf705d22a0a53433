// Screenshots of each page at 1280 and 390 px wide: make screenshots.
// A server on a temporary data dir gets the seed article and one more,
// then each page is captured (full page) into the directory argv[2].
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launch, root, seedArticle, startServer } from './lib.mjs';

const out = path.resolve(root, process.argv[2] || 'e2e/screenshots');
mkdirSync(out, { recursive: true });
const srv = await startServer();
const browser = await launch();
try {
  const seed = await srv.api('POST', '/v1/articles', seedArticle());
  await srv.api('POST', '/v1/articles', {
    text: 'City council votes on the harbour plan\n\n"We will finish the harbour wall before the winter storms," Mayor Jane Roe said on Tuesday. ' +
      'Opposition leader Tom Hale said the plan was "too expensive by half" and that the council had not consulted fishermen.',
    title: 'City council votes on the harbour plan', url: 'https://news.example.org/harbour', outlet: 'Example Gazette',
    published_at: '2025-03-04T08:30:00Z',
  });
  const peskov = (await srv.api('GET', '/v1/speakers?q=Peskov')).speakers[0];
  const quote = seed.quotes.find((q) => q.speaker_id === peskov.id);
  const pages = [
    ['search', '/ui/?q=Peskov', null],
    ['speaker', '/ui/speakers/' + peskov.id, null],
    ['article', '/ui/articles/' + seed.article.id + '#quote-' + quote.id, null],
    ['verify', '/ui/verify?' + new URLSearchParams({ text: quote.text, speaker: 'Peskov' }), null],
    ['paste', '/ui/paste', async (page) => {
      await page.fill('#p-text', 'The minister spoke briefly. "Our budget is balanced," Finance Minister Ana Ruiz told reporters, adding that taxes would not rise.');
      await page.click('#p-preview');
      await page.waitForSelector('#preview:not([hidden]) mark.q');
    }],
  ];
  for (const width of [1280, 390]) {
    const ctx = await browser.newContext({ viewport: { width, height: width > 800 ? 900 : 844 }, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    for (const [name, url, act] of pages) {
      await page.goto(srv.base + url);
      await page.waitForFunction(() => document.body.dataset.loaded, null, { timeout: 20000 });
      if (act) await act(page);
      await page.evaluate(() => window.scrollTo(0, 0));
      const file = path.join(out, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log('wrote ' + path.relative(root, file));
    }
    await ctx.close();
  }
} finally {
  await browser.close();
  await srv.stop();
}
