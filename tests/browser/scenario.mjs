// What the browser checks share: Chromium from Debian with its flags, the axe-core rules and
// the impacts that fail a check, and for the end-to-end scenarios (moderation.mjs, event.mjs)
// their steps, assertions, accessibility check and log-in.
import { createRequire } from 'node:module';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
export const AXE_SOURCE = require('axe-core').source;

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
export const BLOCKING_IMPACTS = new Set(['serious', 'critical']);
export const TIMEOUT_MS = 30_000;

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** A scenario's steps: each logs OK or ÉCHEC under `name` and never stops the others. */
export function scenario(name) {
  const counts = { passed: 0, failed: 0 };
  async function step(label, fn) {
    try {
      await fn();
      counts.passed += 1;
      console.log(`OK    ${name} : ${label}`);
      return true;
    } catch (error) {
      counts.failed += 1;
      console.log(`ÉCHEC ${name} : ${label} — ${String(error.message || error).split('\n')[0]}`);
      return false;
    }
  }
  return { step, counts };
}

/** axe-core on the page as it is, plus one h1: pages behind a log-in are checked like the
 * public ones (check.mjs). */
export async function accessible(page) {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  const blocking = results.violations.filter((v) => BLOCKING_IMPACTS.has(v.impact));
  const summary = blocking.map((v) => `${v.id} (${v.impact}) ${v.nodes[0]?.target?.flat().join(' ')}`);
  expect(blocking.length === 0, `axe : ${summary.join(' ; ')}`);
  const h1 = await page.locator('h1').count();
  expect(h1 === 1, `${h1} <h1> (exactement 1 attendu)`);
}

export async function logIn(context, base, email, password) {
  const page = await context.newPage();
  await page.goto(new URL('/compte/connexion/', base).href, { timeout: TIMEOUT_MS });
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/compte/connexion/'), { timeout: TIMEOUT_MS }),
    page.getByRole('button', { name: 'Se connecter' }).click(),
  ]);
  return page;
}
