// Essor's browser accessibility check. Usage: node tests/browser/check.mjs BASE_URL
// Normally run by scripts/browser_check.sh, which builds and serves a throw-away instance.
// See README.md beside this file for what is checked and why.
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import {
  AXE_SOURCE, AXE_TAGS, BLOCKING_IMPACTS, CHROMIUM, CHROMIUM_ARGS,
} from './scenario.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SKIP_LINK_HREF = '#contenu';
const MAX_URLS = 300;
const MAX_SITEMAPS = 50;
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 375, height: 812 };
const NAV_TIMEOUT_MS = 30_000;
const CONCURRENCY = 3;

if (!process.argv[2]) {
  console.error('usage: node tests/browser/check.mjs BASE_URL   (e.g. http://127.0.0.1:8000)');
  process.exit(2);
}
const base = new URL(process.argv[2]);
const screenshotDir = process.env.ESSOR_BROWSER_SCREENSHOTS || '';

/** Any URL of the site, moved onto the server under test (the sitemap names the public host). */
function onBase(location) {
  const url = new URL(location, base);
  return new URL(url.pathname + url.search, base).href;
}

function decodeXml(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** Page locations of /sitemap.xml, following a sitemap index to its child sitemaps. */
async function sitemapUrls() {
  const pages = [];
  const queue = [onBase('/sitemap.xml')];
  const seen = new Set();
  while (queue.length && seen.size < MAX_SITEMAPS) {
    const sitemap = queue.shift();
    if (seen.has(sitemap)) continue;
    seen.add(sitemap);
    const response = await fetch(sitemap, { signal: AbortSignal.timeout(NAV_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${sitemap} : HTTP ${response.status}`);
    const xml = await response.text();
    const locations = [...xml.matchAll(/<loc>\s*([^<]+?)\s*<\/loc>/g)].map((m) => onBase(decodeXml(m[1])));
    if (/<sitemapindex[\s>]/.test(xml)) queue.push(...locations);
    else pages.push(...locations);
  }
  return pages;
}

/** urls.txt: "PATH [EXPECTED_STATUS]" per line, # comments. */
function listedUrls() {
  const text = readFileSync(join(HERE, 'urls.txt'), 'utf8');
  return text.split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => {
      const [path, status] = line.split(/\s+/);
      return { url: onBase(path), expectedStatus: status ? Number(status) : 200 };
    });
}

function describe(url) {
  const u = new URL(url);
  return u.pathname + u.search;
}

function summarise(violation) {
  const first = violation.nodes[0]?.target?.flat().join(' ') ?? '?';
  const more = violation.nodes.length > 1 ? ` (+${violation.nodes.length - 1})` : '';
  return `${violation.id} (${violation.impact}) ${first}${more}`;
}

/** Every check on one page at one viewport: { problems (none = OK), notes (not failures) }. */
async function checkPage(context, { url, expectedStatus, viewport, mobile = false, screenshot = '' }) {
  const problems = [];
  const notes = [];
  let page;
  try {
    page = await context.newPage();
    await page.setViewportSize(viewport);
    const response = await page.goto(url, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
    const status = response ? response.status() : 0;
    if (status !== expectedStatus) problems.push(`HTTP ${status} (attendu ${expectedStatus})`);

    // axe-core, evaluated in the page (not a <script>, so that no CSP can block it).
    await page.evaluate(AXE_SOURCE);
    const results = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
      AXE_TAGS,
    );
    for (const violation of results.violations) {
      if (BLOCKING_IMPACTS.has(violation.impact)) problems.push(summarise(violation));
    }

    const structure = await page.evaluate(() => ({
      lang: (document.documentElement.getAttribute('lang') || '').trim(),
      h1: document.querySelectorAll('h1').length,
      main: document.querySelectorAll('main, [role="main"]').length,
    }));
    if (!structure.lang) problems.push('<html> sans attribut lang');
    if (structure.h1 !== 1) problems.push(`${structure.h1} <h1> (exactement 1 attendu)`);
    if (structure.main < 1) problems.push('aucun <main>');

    // Keyboard: from the top of the document, the first Tab must reach the skip link, visible
    // once focused, and following it must move the focus into the content. A page may focus a
    // field on load (autofocus): the Tab order is then checked from the top all the same, by
    // focusing a temporary unfocusable-by-Tab marker put first in <body>.
    const autofocus = await page.evaluate(() => {
      const el = document.querySelector('[autofocus]');
      return el ? `<${el.tagName.toLowerCase()}${el.name ? ` name="${el.name}"` : ''}>` : '';
    });
    if (autofocus) notes.push(`autofocus sur ${autofocus} : au chargement, le focus saute le lien d'évitement`);
    await page.evaluate(() => {
      window.scrollTo(0, 0);
      const marker = document.createElement('span');
      marker.tabIndex = -1;
      marker.id = 'essor-check-start';
      document.body.prepend(marker);
      marker.focus();
    });
    await page.keyboard.press('Tab');
    await page.evaluate(() => document.getElementById('essor-check-start')?.remove());
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const box = el.getBoundingClientRect();
      return {
        tag: el.tagName.toLowerCase(),
        href: el.getAttribute('href'),
        text: (el.textContent || '').trim().slice(0, 40),
        visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
          && box.left < window.innerWidth && box.top < window.innerHeight,
      };
    });
    if (!focused) {
      problems.push('Tab ne donne le focus à rien');
    } else if (focused.tag !== 'a' || focused.href !== SKIP_LINK_HREF) {
      problems.push(`premier Tab : <${focused.tag}${focused.href ? ` href="${focused.href}"` : ''}> « ${focused.text} » au lieu du lien d'évitement ${SKIP_LINK_HREF}`);
    } else {
      if (!focused.visible) problems.push("lien d'évitement invisible une fois focalisé");
      await page.keyboard.press('Enter');
      const target = await page.evaluate((id) => {
        const el = document.getElementById(id);
        if (!el) return 'absent';
        return el === document.activeElement || el.contains(document.activeElement) ? 'ok' : 'not-focused';
      }, SKIP_LINK_HREF.slice(1));
      if (target === 'absent') problems.push(`cible ${SKIP_LINK_HREF} absente`);
      else if (target === 'not-focused') problems.push(`suivre le lien d'évitement ne place pas le focus dans ${SKIP_LINK_HREF}`);
    }

    if (mobile) {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > viewport.width) problems.push(`défilement horizontal à ${viewport.width}px (largeur ${width}px)`);
    }

    if (screenshot) {
      await page.evaluate(() => { document.activeElement?.blur?.(); window.scrollTo(0, 0); });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
  } catch (error) {
    problems.push(`erreur : ${String(error.message || error).split('\n')[0]}`);
  } finally {
    await page?.close().catch(() => {});
  }
  return { problems, notes };
}

async function main() {
  let passed = 0;
  let failed = 0;
  const report = (label, { problems, notes = [] }) => {
    const noted = notes.length ? ` (note : ${notes.join(' ; ')})` : '';
    if (problems.length === 0) {
      passed += 1;
      console.log(`OK    ${label}${noted}`);
    } else {
      failed += 1;
      console.log(`ÉCHEC ${label} — ${problems.join(' ; ')}${noted}`);
    }
  };

  // The URL list: urls.txt first (always checked), then the sitemap; deduplicated, capped.
  const targets = new Map();
  for (const entry of listedUrls()) if (!targets.has(entry.url)) targets.set(entry.url, entry);
  try {
    for (const url of await sitemapUrls()) if (!targets.has(url)) targets.set(url, { url, expectedStatus: 200 });
  } catch (error) {
    report('/sitemap.xml', { problems: [`illisible : ${error.message}`] });
  }
  const list = [...targets.values()];
  if (list.length > MAX_URLS) console.log(`(${list.length} adresses : seules les ${MAX_URLS} premières sont contrôlées)`);
  const checked = list.slice(0, MAX_URLS);

  if (screenshotDir) mkdirSync(screenshotDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'essor-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: DESKTOP,
      locale: 'fr-FR',
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    console.log(`Chromium ne démarre pas : ${error.message}`);
    console.log(`browser: 0 passed, ${checked.length || 1} failed`);
    process.exit(1);
  }

  try {
    const home = onBase('/');
    // A few pages at a time (each page has its own emulated focus), reported in list order.
    const slots = checked.map(() => {
      let resolve;
      const promise = new Promise((done) => { resolve = done; });
      return { promise, resolve };
    });
    let next = 0;
    const worker = async () => {
      while (next < checked.length) {
        const index = next++;
        const target = checked[index];
        const screenshot = target.url === home && screenshotDir ? join(screenshotDir, 'accueil-bureau.png') : '';
        slots[index].resolve(await checkPage(context, { ...target, viewport: DESKTOP, screenshot }));
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, worker);
    for (const [index, slot] of slots.entries()) report(describe(checked[index].url), await slot.promise);
    await Promise.all(workers);
    // The home page again on a small phone: same checks, plus no horizontal scrolling.
    const screenshot = screenshotDir ? join(screenshotDir, 'accueil-375px.png') : '';
    report(`/ (${MOBILE.width}px)`, await checkPage(context, {
      url: home, expectedStatus: 200, viewport: MOBILE, mobile: true, screenshot,
    }));
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }

  if (screenshotDir) console.log(`captures d'écran : ${screenshotDir}`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  console.log('browser: 0 passed, 1 failed');
  process.exit(1);
});
