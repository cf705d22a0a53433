// whosaid pages: the server renders each page's structure and forms; this
// script fills in the data from the JSON API (/v1). Everything taken from
// the API is put in the page with textContent or attributes, never as
// HTML, so quote text shows as text whatever it holds.
'use strict';

(function () {
  const KEY = 'whosaid.key';
  const SCOPE = 'whosaid.scope';
  const body = document.body;
  const auth = body.dataset.auth === 'on';
  const $ = (id) => document.getElementById(id);

  // ---- small DOM helpers ----
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids) {
      if (kid === undefined || kid === null || kid === false) continue;
      e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function showError(err, where) {
    const box = where || $('page-error');
    box.textContent = err instanceof Error ? err.message : String(err);
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
  }
  function clearError(where) { const box = where || $('page-error'); box.hidden = true; box.textContent = ''; }
  function status(msg) { $('page-status').textContent = msg || ''; }
  function day(ts) { return ts ? String(ts).slice(0, 10) : ''; }
  // count(1, 'quote') is "1 quote", count(3, 'quote') "3 quotes".
  function count(n, noun) { return n + ' ' + noun + (n === 1 ? '' : 's'); }
  function pct(c) { return typeof c === 'number' ? Math.round(c * 100) + '%' : ''; }

  // ---- the API ----
  class APIError extends Error {
    constructor(message, status) { super(message); this.status = status; }
  }
  // api calls the JSON API and returns the decoded answer; a refusal
  // becomes an APIError whose message is the problem's sentence.
  async function api(method, path, payload, accept) {
    const headers = { Accept: accept || 'application/json' };
    const key = sessionStorage.getItem(KEY);
    if (auth && key) headers.Authorization = 'Bearer ' + key;
    const init = { method, headers };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new APIError('The server could not be reached; check that whosaid is running and try again.', 0);
    }
    const text = await res.text();
    let data = null;
    if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
    if (!res.ok) {
      let msg = '';
      if (data && typeof data === 'object') {
        msg = data.detail || data.title || '';
        if (Array.isArray(data.errors) && data.errors.length) {
          msg = data.errors.map((f) => (f.field ? f.field + ': ' : '') + f.detail).join('; ');
        }
      }
      if (!msg) msg = 'The server answered ' + res.status + ' ' + res.statusText + '.';
      msg = msg.charAt(0).toUpperCase() + msg.slice(1);
      if (!/[.!?]$/.test(msg)) msg += '.';
      if (res.status === 401 && auth) {
        sessionStorage.removeItem(KEY);
        sessionStorage.removeItem(SCOPE);
        askKey('Your API key was not accepted: ' + msg);
      }
      throw new APIError(msg, res.status);
    }
    return data;
  }
  function qs(params) {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
    const s = u.toString();
    return s ? '?' + s : '';
  }
  const enc = encodeURIComponent;

  // ---- the API key (auth on) and its scope ----
  function askKey(msg) {
    const sec = $('key-form-section');
    if (!sec) return;
    sec.hidden = false;
    $('main').hidden = true;
    $('keybox').hidden = true;
    if (msg) showError(msg, $('key-error'));
    $('key-input').focus();
  }
  // scopeOf learns what the key may do by asking for a change that cannot
  // happen (an unknown quote, an unknown speaker): 403 means the scope is
  // too small, anything else (404) means the key has it.
  async function scopeOf() {
    try {
      await api('PATCH', '/v1/quotes/scope-probe', {});
    } catch (e) {
      if (e.status === 403) return 'read';
      if (e.status === 401) throw e;
    }
    try {
      await api('POST', '/v1/speakers/scope-probe:merge', { from: ['scope-probe-other'] });
    } catch (e) {
      if (e.status === 403) return 'write';
      if (e.status === 401) throw e;
    }
    return 'admin';
  }
  function applyScope(scope) {
    body.classList.toggle('read-only', scope === 'read');
    body.classList.toggle('not-admin', scope !== 'admin');
    body.dataset.scope = scope;
    if (auth) {
      $('keybox').hidden = false;
      $('key-scope').textContent = 'Signed in with a ' + scope + ' key';
    }
  }
  async function ready() {
    if (!auth) { applyScope('admin'); return true; }
    const form = $('key-form');
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearError($('key-error'));
      sessionStorage.setItem(KEY, $('key-input').value.trim());
      try {
        await api('GET', '/v1/speakers?page_size=1');
        sessionStorage.setItem(SCOPE, await scopeOf());
      } catch (e) {
        sessionStorage.removeItem(KEY);
        showError(e, $('key-error'));
        return;
      }
      location.reload();
    });
    $('key-forget').addEventListener('click', () => {
      sessionStorage.removeItem(KEY);
      sessionStorage.removeItem(SCOPE);
      location.reload();
    });
    if (!sessionStorage.getItem(KEY)) { askKey(); return false; }
    let scope = sessionStorage.getItem(SCOPE);
    if (!scope) {
      try { scope = await scopeOf(); } catch (e) { return false; }
      sessionStorage.setItem(SCOPE, scope);
    }
    applyScope(scope);
    return true;
  }

  // ---- quotes as list items ----
  function speakerLink(q) {
    const name = (q.speaker && q.speaker.name) || 'unknown speaker';
    return q.speaker_id ? el('a', { href: '/ui/speakers/' + enc(q.speaker_id), class: 'speaker' }, name) : el('span', { class: 'speaker' }, name);
  }
  function quoteItem(q) {
    const meta = el('p', { class: 'meta' },
      speakerLink(q), ' · ', el('span', { class: 'tag ' + q.kind }, q.kind),
      q.outlet ? q.outlet + ' · ' : '', day(q.published_at),
      ' · confidence ', pct(q.confidence),
      q.hidden ? ' · hidden' : '',
      q.article_id ? ' · ' : '',
      q.article_id ? el('a', { href: '/ui/articles/' + enc(q.article_id) + '#quote-' + enc(q.id) }, 'in the article') : '');
    return el('li', { 'data-quote': q.id }, el('blockquote', { class: 'quote-text', text: q.text }), meta);
  }
  // listQuotes fills #results from path (a /v1 quote list) and links the
  // pages with the API's cursors, kept in the page URL.
  async function listQuotes(path, params) {
    const here = new URLSearchParams(location.search);
    const token = here.get('page_token') || '';
    const data = await api('GET', path + qs(Object.assign({}, params, { page_size: 20, page_token: token })));
    const list = $('results');
    clear(list);
    for (const q of data.quotes || []) list.append(quoteItem(q));
    if (!(data.quotes || []).length) list.append(el('li', { class: 'note' }, 'No quotes.'));
    const next = $('next-page');
    const first = $('first-page');
    if (data.next_page_token) {
      here.set('page_token', data.next_page_token);
      next.href = location.pathname + '?' + here.toString();
      next.hidden = false;
    } else next.hidden = true;
    if (token) {
      here.delete('page_token');
      const s = here.toString();
      first.href = location.pathname + (s ? '?' + s : '');
      first.hidden = false;
    } else first.hidden = true;
    return data;
  }

  // ---- search ----
  function dateBound(d, end) {
    if (!d) return '';
    return /^\d{4}-\d{2}-\d{2}$/.test(d) ? d + (end ? 'T23:59:59.999Z' : 'T00:00:00Z') : d;
  }
  async function pageSearch() {
    const p = new URLSearchParams(location.search);
    const q = (p.get('q') || '').trim();
    const by = p.get('by') || '';
    const filters = {
      outlet: p.get('outlet') || '', kind: p.get('kind') || '',
      from: dateBound(p.get('from'), false), to: dateBound(p.get('to'), true),
    };
    let useSpeaker = by === 'speaker';
    if (q && by !== 'words') {
      const sp = await api('GET', '/v1/speakers' + qs({ q, page_size: 10 }));
      const hits = sp.speakers || [];
      const ul = $('speaker-hit-list');
      clear(ul);
      for (const s of hits) {
        ul.append(el('li', {}, el('a', { href: '/ui/speakers/' + enc(s.id) }, s.name + ' (' + (s.quote_count || 0) + ')')));
      }
      $('speaker-hits').hidden = hits.length === 0;
      if (by === '' && hits.length > 0) useSpeaker = true;
    }
    const note = $('results-note');
    clear(note);
    if (q) {
      const other = new URLSearchParams(p);
      other.delete('page_token');
      other.set('by', useSpeaker ? 'words' : 'speaker');
      note.append(useSpeaker ? 'said by speakers matching “' + q + '” · ' : 'containing “' + q + '” · ',
        el('a', { href: '/ui/?' + other.toString() }, useSpeaker ? 'search the words instead' : 'search speakers instead'));
    } else note.append('newest first');
    const params = Object.assign({}, filters);
    if (q) params[useSpeaker ? 'speaker' : 'q'] = q;
    await listQuotes('/v1/quotes', params);
  }

  // ---- speaker ----
  let speaker = null;
  function renderSpeaker(s) {
    speaker = s;
    document.title = s.name + ' · whosaid';
    document.querySelector('h1').textContent = s.name;
    $('sp-name').textContent = s.name;
    $('sp-type').textContent = s.type || '';
    $('sp-roles').textContent = (s.roles || []).join('; ') || '—';
    $('sp-aliases').textContent = (s.aliases || []).join('; ') || '—';
    const wd = $('sp-wikidata');
    clear(wd);
    if (s.wikidata_id) wd.append(el('a', { href: 'https://www.wikidata.org/wiki/' + enc(s.wikidata_id), rel: 'noopener' }, s.wikidata_id));
    else wd.append('—');
    const c = s.counts || {};
    $('sp-counts').textContent = (s.quote_count || 0) + ' (direct ' + (c.direct || 0) + ', indirect ' + (c.indirect || 0) + ', mixed ' + (c.mixed || 0) + ')';
    $('sp-first').textContent = day(s.first_quoted) || '—';
    $('sp-last').textContent = day(s.last_quoted) || '—';
    $('sp-outlets').textContent = (s.outlets || []).join('; ') || '—';
    $('wikidata-id').value = s.wikidata_id || '';
  }
  async function pageSpeaker() {
    const id = body.dataset.id;
    const load = async () => {
      renderSpeaker(await api('GET', '/v1/speakers/' + enc(id)));
      await listQuotes('/v1/speakers/' + enc(id) + '/quotes', {});
    };
    const patch = (form, payload, done) => async (ev) => {
      ev.preventDefault();
      clearError();
      try {
        renderSpeaker(await api('PATCH', '/v1/speakers/' + enc(id), payload()));
        status('Saved.');
        if (done) done();
      } catch (e) { showError(e); }
    };
    $('rename-form').addEventListener('submit', patch('rename-form',
      () => ({ name: $('rename-name').value.trim(), keep_old_name: $('rename-keep').checked }),
      () => { $('rename-name').value = ''; }));
    $('alias-form').addEventListener('submit', patch('alias-form',
      () => ({ aliases: (speaker.aliases || []).concat([$('alias-name').value.trim()]) }),
      () => { $('alias-name').value = ''; }));
    $('wikidata-form').addEventListener('submit', patch('wikidata-form',
      () => ({ wikidata_id: $('wikidata-id').value.trim() })));
    $('merge-search-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearError();
      const ul = $('merge-hits');
      clear(ul);
      try {
        const data = await api('GET', '/v1/speakers' + qs({ q: $('merge-q').value.trim(), page_size: 10 }));
        const others = (data.speakers || []).filter((s) => s.id !== id);
        if (!others.length) ul.append(el('li', { class: 'note' }, 'No other speaker matches.'));
        for (const s of others) {
          ul.append(el('li', {},
            el('a', { href: '/ui/speakers/' + enc(s.id) }, s.name),
            el('span', { class: 'note' }, count(s.quote_count || 0, 'quote') + ((s.roles || []).length ? ', ' + s.roles.join('; ') : '')),
            el('button', {
              type: 'button', class: 'secondary',
              onclick: async () => {
                if (!confirm('Merge “' + s.name + '” into “' + speaker.name + '”? Its quotes and names move here.')) return;
                clearError();
                try {
                  await api('POST', '/v1/speakers/' + enc(id) + ':merge', { from: [s.id] });
                  clear(ul);
                  await load();
                  status('Merged “' + s.name + '” into this speaker.');
                } catch (e) { showError(e); }
              },
            }, 'Merge into this speaker')));
        }
      } catch (e) { showError(e); }
    });
    await load();
  }

  // ---- highlighted text (article and paste pages) ----
  // Spans are offsets in Unicode code points; JavaScript strings count
  // UTF-16 units, so the text is split into code points first.
  function highlight(container, text, quotes, onSelect) {
    clear(container);
    const cps = Array.from(text);
    const n = cps.length;
    const qs = quotes.filter((q) => q.span && q.span.end > q.span.start);
    const cuts = new Set([0, n]);
    for (const q of qs) {
      cuts.add(Math.max(0, Math.min(n, q.span.start)));
      cuts.add(Math.max(0, Math.min(n, q.span.end)));
    }
    const points = Array.from(cuts).sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i];
      const b = points[i + 1];
      const piece = cps.slice(a, b).join('');
      const over = qs.filter((q) => q.span.start <= a && q.span.end >= b);
      if (!over.length) { container.append(piece); continue; }
      over.sort((x, y) => (x.span.end - x.span.start) - (y.span.end - y.span.start));
      const inner = over[0];
      const label = over.map((q) => ((q.speaker && q.speaker.name) || 'unknown') + ' · ' + q.kind + (q.hidden ? ' · hidden' : '')).join('; ');
      const m = el('mark', {
        class: 'q ' + inner.kind + (over.length > 1 ? ' nested' : '') + (inner.hidden ? ' hidden-quote' : ''),
        'data-quotes': over.map((q) => q.id).join(' '),
        'data-quote': inner.id,
        title: label,
        tabindex: a === inner.span.start ? '0' : '-1',
        role: onSelect ? 'button' : null,
        'aria-label': onSelect && a === inner.span.start ? 'Quote by ' + label : null,
      }, piece);
      if (onSelect) {
        m.addEventListener('click', () => onSelect(inner.id));
        m.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); onSelect(inner.id); } });
      }
      container.append(m);
    }
  }
  function sideList(list, quotes, onSelect) {
    clear(list);
    for (const q of quotes) {
      const li = el('li', { 'data-quote': q.id, class: q.hidden ? 'hidden-quote' : null },
        el('span', { class: 'tag ' + q.kind }, q.kind),
        el('strong', {}, (q.speaker && q.speaker.name) || 'unknown'),
        q.hidden ? ' (hidden)' : '', ': ',
        el('span', { class: 'quote-text' }, q.text), ' ',
        el('span', { class: 'note' }, pct(q.confidence)));
      if (onSelect) {
        li.append(' ', el('button', { type: 'button', class: 'link', onclick: () => onSelect(q.id), 'aria-label': 'Open the quote “' + q.text.slice(0, 40) + '”' }, 'open'));
      }
      list.append(li);
    }
    if (!quotes.length) list.append(el('li', { class: 'note' }, 'No quotes found.'));
  }

  // ---- article ----
  async function pageArticle() {
    const id = body.dataset.id;
    let current = '';
    let text = '';
    const load = async () => {
      const data = await api('GET', '/v1/articles/' + enc(id));
      const a = data.article;
      text = a.text || '';
      document.querySelector('h1').textContent = a.title || 'Article';
      document.title = (a.title || 'Article') + ' · whosaid';
      const meta = $('art-meta');
      clear(meta);
      meta.append([a.outlet, day(a.published_at)].filter(Boolean).join(' · '));
      if (a.url) meta.append(' · ', el('a', { href: a.url, rel: 'noopener noreferrer' }, a.url));
      meta.append(' · ' + count((data.quotes || []).length, 'quote'));
      highlight($('art-text'), text, data.quotes || [], select);
      sideList($('art-quotes'), data.quotes || [], select);
      if (current) mark(current);
      return data;
    };
    const mark = (qid) => {
      document.querySelectorAll('.selected').forEach((e) => e.classList.remove('selected'));
      document.querySelectorAll('[data-quote="' + CSS.escape(qid) + '"]').forEach((e) => e.classList.add('selected'));
    };
    const renderDetail = (d) => {
      $('quote-detail').hidden = false;
      $('qd-text').textContent = d.text;
      const sp = $('qd-speaker');
      clear(sp);
      sp.append(speakerLink(d));
      if (d.speaker && d.speaker.role) sp.append(', ' + d.speaker.role);
      $('qd-kind').textContent = d.kind;
      $('qd-kind-select').value = d.kind;
      $('qd-conf').textContent = pct(d.confidence) + (d.rule ? ' (' + d.rule + ')' : '');
      $('qd-status').textContent = (d.hidden ? 'hidden' : 'shown') + (d.corrected ? ', corrected by an editor' : '');
      $('qd-hide').textContent = d.hidden ? 'Show this quote again' : 'Hide this quote';
      $('qd-hide').dataset.hidden = d.hidden ? 'true' : 'false';
      const h = $('qd-history');
      clear(h);
      const state = (s) => s ? [((s.speaker && s.speaker.name) || 'unknown'), s.kind, s.hidden ? 'hidden' : 'shown'].join(', ') : '';
      for (const c of d.corrections || []) {
        h.append(el('li', {}, day(c.at) + ' ' + String(c.at || '').slice(11, 19) + ' by ' + c.by + ': ' + state(c.before) + ' → ' + state(c.after)));
      }
      if (!(d.corrections || []).length) h.append(el('li', { class: 'note' }, 'No corrections yet.'));
    };
    async function select(qid) {
      clearError();
      current = qid;
      mark(qid);
      history.replaceState(null, '', '#quote-' + qid);
      try {
        renderDetail(await api('GET', '/v1/quotes/' + enc(qid)));
        $('qd-h').focus();
      } catch (e) { showError(e); }
    }
    $('qd-h').setAttribute('tabindex', '-1');
    const patch = async (payload, msg) => {
      clearError();
      try {
        renderDetail(await api('PATCH', '/v1/quotes/' + enc(current), payload));
        await load();
        status(msg);
      } catch (e) { showError(e); }
    };
    $('qd-kind-form').addEventListener('submit', (ev) => { ev.preventDefault(); patch({ kind: $('qd-kind-select').value }, 'Kind corrected.'); });
    $('qd-hide').addEventListener('click', () => {
      const hide = $('qd-hide').dataset.hidden !== 'true';
      patch({ hidden: hide }, hide ? 'Quote hidden.' : 'Quote shown again.');
    });
    $('speaker-search-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearError();
      const name = $('qd-speaker-q').value.trim();
      const ul = $('qd-speaker-hits');
      clear(ul);
      try {
        const data = await api('GET', '/v1/speakers' + qs({ q: name, page_size: 8 }));
        for (const s of data.speakers || []) {
          ul.append(el('li', {}, el('span', {}, s.name + ((s.roles || []).length ? ' (' + s.roles.join('; ') + ')' : '')),
            el('button', { type: 'button', class: 'secondary', onclick: () => patch({ speaker_id: s.id }, 'Speaker corrected to ' + s.name + '.') }, 'Attribute to ' + s.name)));
        }
        ul.append(el('li', {}, el('button', {
          type: 'button', class: 'secondary',
          onclick: async () => {
            clearError();
            try {
              const s = await api('POST', '/v1/speakers', { name });
              await patch({ speaker_id: s.id }, 'New speaker ' + s.name + ' created and attributed.');
            } catch (e) { showError(e); }
          },
        }, 'Create a new speaker named “' + name + '”')));
      } catch (e) { showError(e); }
    });
    await load();
    const m = /^#quote-(.+)$/.exec(location.hash);
    if (m) {
      await select(decodeURIComponent(m[1]));
      const first = document.querySelector('mark[data-quote="' + CSS.escape(current) + '"]');
      if (first) first.scrollIntoView({ block: 'center' });
    }
  }

  // ---- verify ----
  const verdicts = {
    found: 'Found: these words are on record, by the speaker asked about (or by anyone when no speaker was given).',
    similar: 'Similar: only near matches are on record; check the wording.',
    other_speaker: 'Other speaker: the words are on record, but attributed to someone else — a likely misattribution.',
    not_found: 'Not found: no stored article has these words.',
  };
  function occurrence(o) {
    return el('li', {}, el('span', { class: 'quote-text' }, '“' + o.text + '”'), ' — ', o.speaker || 'unknown', ', ',
      [o.outlet, day(o.published_at)].filter(Boolean).join(', '), ' ',
      o.article_id ? el('a', { href: '/ui/articles/' + enc(o.article_id) + (o.quote_id ? '#quote-' + enc(o.quote_id) : '') }, 'in the article') : '');
  }
  async function pageVerify() {
    const p = new URLSearchParams(location.search);
    const text = (p.get('text') || '').trim();
    if (!text) return;
    const data = await api('POST', '/v1/verify', { text, speaker: (p.get('speaker') || '').trim() || undefined });
    $('verdict-section').hidden = false;
    $('verdict').textContent = data.verdict;
    $('verdict-text').textContent = verdicts[data.verdict] || '';
    const ol = $('candidates');
    clear(ol);
    for (const c of data.candidates || []) {
      const st = c.statement || {};
      const spk = st.speaker || {};
      const li = el('li', {},
        el('blockquote', { class: 'quote-text', text: st.text }),
        el('p', { class: 'meta' },
          spk.id ? el('a', { href: '/ui/speakers/' + enc(spk.id) }, spk.name) : (spk.name || 'unknown'),
          ' · score ' + (typeof c.score === 'number' ? c.score.toFixed(2) : '') + ' · ' + (c.match || '') + ' match · speaker ' + (c.speaker_match || '') +
          ((c.flags || []).length ? ' · ' + c.flags.join(', ') : '')));
      if (st.first_seen) li.append(el('p', {}, el('strong', {}, 'First appearance: '), el('span', {}, [st.first_seen.outlet, day(st.first_seen.published_at)].filter(Boolean).join(', ') + ' '),
        st.first_seen.article_id ? el('a', { href: '/ui/articles/' + enc(st.first_seen.article_id) + '#quote-' + enc(st.first_seen.quote_id || '') }, 'open') : ''));
      const occ = el('ol', { class: 'history' });
      for (const o of st.occurrences || []) occ.append(occurrence(o));
      li.append(el('p', {}, el('strong', {}, count(st.occurrence_count || (st.occurrences || []).length, 'occurrence'))), occ);
      if (st.id) {
        const pre = el('pre', { hidden: true, 'aria-label': 'ClaimReview JSON-LD' });
        const note = el('span', { class: 'note', role: 'status' });
        li.append(el('p', {}, el('button', {
          type: 'button', class: 'secondary',
          onclick: async () => {
            clearError();
            try {
              const cr = await api('GET', '/v1/statements/' + enc(st.id) + '/claimreview', undefined, 'application/ld+json, application/json');
              const json = JSON.stringify(cr, null, 2);
              pre.textContent = json;
              pre.hidden = false;
              try { await navigator.clipboard.writeText(json); note.textContent = ' Copied to the clipboard.'; } catch (e) { note.textContent = ' Select the text below to copy it.'; }
            } catch (e) { showError(e); }
          },
        }, 'Copy ClaimReview JSON-LD'), note), pre);
      }
      ol.append(li);
    }
  }

  // ---- paste ----
  async function pagePaste() {
    const form = $('paste-form');
    const request = () => {
      const fmt = form.querySelector('input[name=format]:checked').value;
      const req = {};
      req[fmt === 'html' ? 'html' : 'text'] = $('p-text').value;
      return req;
    };
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearError();
      status('Finding quotes…');
      try {
        const res = await api('POST', '/v1/extract', request());
        const quotes = (res.quotes || []).map((q, i) => Object.assign({ id: 'p' + i }, q));
        const text = typeof res.text === 'string' ? res.text : (request().text || '');
        $('preview').hidden = false;
        if (text) highlight($('art-text'), text, quotes, null);
        else clear($('art-text'));
        sideList($('art-quotes'), quotes, null);
        status(quotes.length + ' quotes found; nothing is stored until you store the article.');
      } catch (e) { status(''); showError(e); }
    });
    $('p-store').addEventListener('click', async () => {
      clearError();
      if (!$('p-text').value.trim()) { showError('Paste the article first.'); return; }
      const req = request();
      for (const f of ['title', 'url', 'outlet']) {
        const v = $('p-' + f).value.trim();
        if (v) req[f] = v;
      }
      const d = $('p-date').value;
      if (d) req.published_at = d + 'T00:00:00Z';
      try {
        const res = await api('POST', '/v1/articles', req);
        location.assign('/ui/articles/' + enc(res.article.id));
      } catch (e) { showError(e); }
    });
  }

  const pages = { search: pageSearch, speaker: pageSpeaker, article: pageArticle, verify: pageVerify, paste: pagePaste };
  document.addEventListener('DOMContentLoaded', async () => {
    if (!(await ready())) return;
    const run = pages[body.dataset.page];
    if (!run) return;
    try {
      await run();
      body.dataset.loaded = 'true';
    } catch (e) {
      showError(e);
      body.dataset.loaded = 'error';
    }
  });
})();
