// End-to-end test of the newsroom pages in Debian's chromium: make e2e.
// It stores the seed article through the paste page, searches "Peskov",
// opens the speaker and the article, checks every quote is highlighted
// at its span, corrects a speaker (history and verify verdict change),
// merges two speakers, checks quote text is shown as text, and with auth
// on checks a read key sees no editing controls and is refused an edit.
import assert from 'node:assert/strict';
import { launch, seedArticle, startServer } from './lib.mjs';

const steps = [];
function step(name) { steps.push(name); console.log('ok   ' + name); }

async function loaded(page) {
  await page.waitForFunction(() => document.body.dataset.loaded, null, { timeout: 20000 });
  const state = await page.evaluate(() => document.body.dataset.loaded);
  if (state !== 'true') throw new Error('page failed: ' + await page.textContent('#page-error'));
}

// codePoints slices text by Unicode code points, as the API's spans count.
function slice(text, span) { return Array.from(text).slice(span.start, span.end).join(''); }

async function authOff(browser) {
  const srv = await startServer();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (d) => d.accept());
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // Paste the seed article, preview its quotes, store it.
    const seed = seedArticle();
    await page.goto(srv.base + '/ui/paste');
    await page.fill('#p-text', seed.text);
    await page.fill('#p-title', seed.title);
    await page.fill('#p-url', seed.url);
    await page.fill('#p-outlet', seed.outlet);
    await page.fill('#p-date', '2025-02-18');
    await page.click('#p-preview');
    await page.waitForSelector('#preview:not([hidden]) mark.q');
    const previewMarks = await page.locator('#preview mark.q').count();
    assert.ok(previewMarks >= 9, `preview shows ${previewMarks} highlighted pieces`);
    step('paste page previews the seed article\'s quotes');
    await Promise.all([page.waitForURL(/\/ui\/articles\//), page.click('#p-store')]);
    await loaded(page);
    const articleURL = page.url();
    const articleID = articleURL.split('/ui/articles/')[1].split('#')[0];
    step('storing it opens the article page');

    // Every quote highlighted at its span.
    const art = await srv.api('GET', '/v1/articles/' + articleID);
    assert.ok(art.quotes.length >= 9, `${art.quotes.length} quotes stored`);
    assert.equal(await page.textContent('#art-text'), art.article.text, 'the page shows the whole article text');
    for (const q of art.quotes) {
      const shown = await page.evaluate((id) => Array.from(document.querySelectorAll('#art-text mark'))
        .filter((m) => m.dataset.quotes.split(' ').includes(id)).map((m) => m.textContent).join(''), q.id);
      assert.equal(shown, slice(art.article.text, q.span), `quote ${q.id} highlighted at ${q.span.start}-${q.span.end}`);
    }
    step(`every one of the ${art.quotes.length} quotes is highlighted at its span`);

    // Search "Peskov", open the speaker.
    await page.goto(srv.base + '/');
    await page.fill('#q', 'Peskov');
    await Promise.all([page.waitForURL(/q=Peskov/), page.press('#q', 'Enter')]);
    await loaded(page);
    const results = await page.locator('#results > li').count();
    assert.ok(results >= 2, `${results} results for Peskov`);
    assert.equal(await page.locator('#results .speaker').first().textContent(), 'Dmitry Peskov');
    step('search "Peskov" lists his quotes, and the URL holds the query');
    await Promise.all([page.waitForURL(/\/ui\/speakers\//), page.locator('#results a.speaker').first().click()]);
    await loaded(page);
    assert.equal(await page.textContent('#sp-name'), 'Dmitry Peskov');
    assert.match(await page.textContent('#sp-roles'), /Kremlin spokesman/);
    assert.match(await page.textContent('#sp-outlets'), /Reuters/);
    const peskovURL = page.url();
    const peskovQuotes = await page.locator('#results > li').count();
    step('the speaker page shows Dmitry Peskov, his role, outlets and quotes');

    // Verify one of his quotes before the correction.
    const quoteText = await page.locator('#results blockquote').first().textContent();
    const verify = async () => {
      await page.goto(srv.base + '/ui/verify?' + new URLSearchParams({ text: quoteText, speaker: 'Peskov' }));
      await loaded(page);
      return page.textContent('#verdict');
    };
    const quoteLink = await page.locator('#results a[href*="/ui/articles/"]').first().getAttribute('href');
    assert.equal(await verify(), 'found');
    assert.match(await page.textContent('#candidates'), /First appearance: Reuters, 2025-02-18/);
    await page.click('#candidates button:has-text("Copy ClaimReview JSON-LD")');
    await page.waitForSelector('#candidates pre:not([hidden])');
    const review = JSON.parse(await page.textContent('#candidates pre'));
    assert.equal(review['@type'], 'ClaimReview');
    assert.equal(review.itemReviewed.author.name, 'Dmitry Peskov');
    step('verify finds the quote by Peskov, its first appearance and its ClaimReview JSON-LD');

    // Correct its speaker on the article page.
    await page.goto(srv.base + quoteLink);
    await loaded(page);
    await page.waitForSelector('#quote-detail:not([hidden])');
    assert.equal(await page.textContent('#qd-text'), quoteText);
    await page.fill('#qd-speaker-q', 'Zelenskyy');
    await page.click('#speaker-search-form button[type=submit]');
    await page.click('#qd-speaker-hits button:has-text("Attribute to Volodymyr Zelenskyy")');
    await page.waitForFunction(() => document.querySelectorAll('#qd-history li:not(.note)').length === 1);
    assert.match(await page.textContent('#qd-history'), /Dmitry Peskov.*→ Volodymyr Zelenskyy/);
    assert.match(await page.textContent('#qd-speaker'), /Volodymyr Zelenskyy/);
    step('correcting the speaker shows the correction history');
    assert.equal(await verify(), 'other_speaker');
    step('the verify verdict changes to other_speaker');

    // A second Peskov made by correcting another quote to a new speaker, then merged back.
    const other = art.quotes.find((q) => q.speaker && q.speaker.name === 'James Dorsey');
    await page.goto(srv.base + '/ui/articles/' + articleID + '#quote-' + other.id);
    await loaded(page);
    await page.waitForSelector('#quote-detail:not([hidden])');
    await page.fill('#qd-speaker-q', 'D. Peskov');
    await page.click('#speaker-search-form button[type=submit]');
    await page.click('#qd-speaker-hits button:has-text("Create a new speaker")');
    await page.waitForFunction(() => /D\. Peskov/.test(document.getElementById('qd-speaker').textContent));
    const dupID = (await page.getAttribute('#qd-speaker a', 'href')).split('/').pop();
    step('a quote is attributed to a newly created speaker "D. Peskov"');
    await page.goto(peskovURL);
    await loaded(page);
    const before = await page.textContent('#sp-counts');
    await page.fill('#merge-q', 'D. Peskov');
    await page.click('#merge-search-form button[type=submit]');
    await page.click('#merge-hits button:has-text("Merge into this speaker")');
    await page.waitForFunction(() => /^Merged/.test(document.getElementById('page-status').textContent));
    assert.notEqual(await page.textContent('#sp-counts'), before);
    assert.match(await page.textContent('#sp-aliases'), /D\. Peskov/);
    assert.equal(await page.locator('#results > li').count(), peskovQuotes, 'one quote moved away, one merged in');
    const gone = await fetch(srv.base + '/v1/speakers/' + dupID);
    assert.equal(gone.status, 404, 'the merged speaker is gone');
    step('merging "D. Peskov" into Dmitry Peskov moves its name and quote');

    // Quote text is text: a quote holding a script tag does not run.
    const xss = await srv.api('POST', '/v1/articles', {
      text: 'The mayor spoke at noon. "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2> is our plan," said Mayor Jane Roe.',
      url: 'https://news.example.org/xss', outlet: 'Example <b>News</b>', published_at: '2025-03-01T09:00:00Z',
    });
    assert.ok(xss.quotes.length >= 1);
    await page.goto(srv.base + '/ui/articles/' + xss.article.id);
    await loaded(page);
    assert.match(await page.textContent('#art-text mark'), /<script>window.__pwned = 1<\/script>/);
    await page.goto(srv.base + '/ui/?q=' + encodeURIComponent('our plan') + '&by=words');
    await loaded(page);
    assert.match(await page.textContent('#results blockquote'), /<script>/);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.locator('#results img').count(), 0);
    step('a quote holding <script> and <img onerror> is shown as text and runs nothing');

    // HTML in: the API takes the page apart; the quotes are shown on its text.
    await page.goto(srv.base + '/ui/paste');
    await page.check('input[name=format][value=html]');
    await page.fill('#p-text', '<html><body><nav>Home · World</nav><p>&quot;The café opens in May,&quot; said Ana Ruiz, the owner.</p><footer>© 2025</footer></body></html>');
    await page.click('#p-preview');
    await page.waitForSelector('#preview:not([hidden]) mark.q');
    assert.equal(await page.textContent('#preview mark.q'), 'The café opens in May,');
    assert.doesNotMatch(await page.textContent('#preview #art-text'), /Home · World|<p>/);
    step('pasted HTML is previewed with its quotes highlighted on the article text');

    // API errors read as sentences.
    await page.goto(srv.base + '/ui/articles/no-such-article');
    await page.waitForFunction(() => document.body.dataset.loaded);
    assert.match(await page.textContent('#page-error'), /^No article with id "no-such-article"\.$/);
    step('an API error is shown as a sentence');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await srv.stop();
  }
}

async function authOn(browser) {
  const srv = await startServer({ auth: true, keys: { desk: 'admin', reader: 'read' } });
  try {
    const seed = seedArticle();
    await srv.api('POST', '/v1/articles', seed, srv.secrets.desk);
    const spk = (await srv.api('GET', '/v1/speakers?q=Peskov', undefined, srv.secrets.desk)).speakers[0];
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    await page.goto(srv.base + '/ui/speakers/' + spk.id);
    await page.waitForSelector('#key-form-section:not([hidden])');
    assert.equal(await page.isVisible('#main'), false, 'nothing is shown before a key');
    await page.fill('#key-input', 'wsk_wrong_key');
    await page.click('#key-form button');
    await page.waitForSelector('#key-error:not([hidden])');
    step('with auth on the page asks for a key and refuses a wrong one: ' + await page.textContent('#key-error'));
    await page.fill('#key-input', srv.secrets.reader);
    await page.click('#key-form button');
    await loaded(page);
    assert.equal(await page.textContent('#sp-name'), 'Dmitry Peskov');
    assert.match(await page.textContent('#key-scope'), /read key/);
    assert.equal(await page.isVisible('#rename-form'), false, 'a read key sees no rename form');
    assert.equal(await page.isVisible('#merge-search-form'), false, 'a read key sees no merge form');
    step('a read key reads the speaker page and sees no editing controls');
    // The key is kept for the tab: another page needs no key again.
    await page.goto(srv.base + '/ui/?q=Peskov');
    await loaded(page);
    assert.ok(await page.locator('#results > li').count() >= 2);
    step('the key is kept for the tab');
    // Forced into view, an edit is refused by the API with a sentence.
    await page.goto(srv.base + '/ui/speakers/' + spk.id);
    await loaded(page);
    await page.evaluate(() => document.body.classList.remove('read-only', 'not-admin'));
    await page.fill('#rename-name', 'Someone Else');
    await page.click('#rename-form button');
    await page.waitForSelector('#page-error:not([hidden])');
    const refusal = await page.textContent('#page-error');
    assert.match(refusal, /scope/i);
    assert.doesNotMatch(refusal, /[{}]/, 'the refusal is a sentence, not JSON');
    assert.equal((await srv.api('GET', '/v1/speakers/' + spk.id, undefined, srv.secrets.desk)).name, 'Dmitry Peskov');
    step('a read key is refused an edit: ' + refusal);
    await ctx.close();
  } finally {
    await srv.stop();
  }
}

const browser = await launch();
try {
  await authOff(browser);
  await authOn(browser);
} finally {
  await browser.close();
}
console.log(`e2e: ${steps.length} checks passed`);
