// The monthly letter end to end, in a real browser (issue 8's "done when"): a visitor subscribes
// and confirms from the mail (double opt-in); an editor creates the issue, adds the month's
// articles in one click, previews it and sends it; the task worker sends it and the subscriber
// receives it exactly once, with the RFC 8058 headers; the subscriber unsubscribes in one click
// from the mail's link, without logging in.
//
// Usage: node tests/browser/letters.mjs BASE_URL
// Environment: ESSOR_MODERATION_EDITOR, ESSOR_MODERATION_PASSWORD (accounts made by
// scripts/browser_check.sh, which also publishes an article dated today), EMAIL_FILE_PATH (the
// server and the worker write their mails there: Django's file backend).
import fs from 'node:fs';
import path from 'node:path';
import {
  accessible, expect, launch, logIn, scenario, TIMEOUT_MS,
} from './scenario.mjs';

const [base] = process.argv.slice(2);
const EDITOR = process.env.ESSOR_MODERATION_EDITOR;
const PASSWORD = process.env.ESSOR_MODERATION_PASSWORD;
const MAIL_DIR = process.env.EMAIL_FILE_PATH;
if (!base || !EDITOR || !PASSWORD || !MAIL_DIR) {
  console.error('usage: ESSOR_MODERATION_EDITOR=… ESSOR_MODERATION_PASSWORD=… EMAIL_FILE_PATH=… '
    + 'node tests/browser/letters.mjs BASE_URL');
  process.exit(2);
}
const url = (p) => new URL(p, base).href;
const SEND_TIMEOUT_MS = 120_000; // the task worker sends in the background
const SUFFIX = Date.now().toString(36);
const SUBSCRIBER = `lectrice-${SUFFIX}@example.org`;
const TITLE = `La lettre du mois ${SUFFIX}`;

const { step, counts } = scenario('lettre');

/** Every mail the file backend wrote, as raw texts with folded headers unfolded. */
function mails() {
  if (!fs.existsSync(MAIL_DIR)) return [];
  return fs.readdirSync(MAIL_DIR)
    .flatMap((name) => fs.readFileSync(path.join(MAIL_DIR, name), 'utf8').split(/^-{79}$/m))
    .map((text) => text.replace(/\r?\n[ \t]+/g, ' '))
    .filter((text) => text.trim());
}

const mailsTo = (address) => mails().filter((text) => new RegExp(`^To: ${address}$`, 'mi').test(text));

/** The site's path of the first link to `route` in a mail: links carry SITE_URL's host, the
 * throw-away server listens elsewhere. */
function linkIn(text, route) {
  const match = text.match(new RegExp(`https?://[^\\s"<>]+(${route}[^\\s"<>]*)`));
  expect(match, `lien ${route} absent du courriel`);
  return url(match[1]);
}

async function waitFor(predicate, timeoutMs, message) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => { setTimeout(resolve, 1000); });
  }
}

async function main() {
  const browser = await launch();
  const newContext = () => browser.newContext({ locale: 'fr-FR' });
  try {
    const readerContext = await newContext();
    const reader = await readerContext.newPage();
    const subscribed = await step('une visiteuse s\'abonne et confirme depuis le courriel', async () => {
      await reader.goto(url('/lettres/inscription/'), { timeout: TIMEOUT_MS });
      await accessible(reader);
      await reader.fill('#id_email', SUBSCRIBER);
      await reader.check('#id_consent');
      await Promise.all([
        reader.waitForLoadState('load'),
        reader.getByRole('button', { name: "M'abonner" }).click(),
      ]);
      const sent = await reader.locator('main').innerText();
      expect(/courriel/i.test(sent), `pas de page « demande reçue » : ${sent.slice(0, 200)}`);
      const confirmation = await waitFor(() => mailsTo(SUBSCRIBER)[0], 10_000, 'pas de courriel de confirmation');
      await reader.goto(linkIn(confirmation, '/lettres/confirmation/'), { timeout: TIMEOUT_MS });
      await accessible(reader);
      await Promise.all([
        reader.waitForLoadState('load'),
        reader.getByRole('button', { name: 'Confirmer mon abonnement' }).click(),
      ]);
      const done = await reader.locator('main').innerText();
      expect(/abonnement est confirmé/i.test(done), `abonnement non confirmé : ${done.slice(0, 200)}`);
    });
    if (!subscribed) return;

    const editorContext = await newContext();
    const editor = await logIn(editorContext, base, EDITOR, PASSWORD);
    let issuePk = '';
    await step("l'éditrice crée le numéro et y ajoute les articles du mois", async () => {
      await editor.goto(url('/admin/lettres/numeros/new/?kind=lettre'), { timeout: TIMEOUT_MS });
      await editor.fill('#id_title', TITLE);
      const today = new Date().toISOString().slice(0, 10);
      if (!(await editor.inputValue('#id_date'))) await editor.fill('#id_date', today);
      await editor.keyboard.press('Escape'); // close the date picker
      await Promise.all([
        editor.waitForLoadState('load'),
        editor.locator('main form button[type=submit]').first().click(),
      ]);
      await editor.goto(url(`/admin/lettres/numeros/?q=${SUFFIX}`), { timeout: TIMEOUT_MS });
      const link = editor.locator('table tbody a[href*="/edit/"]').first();
      await link.waitFor({ timeout: TIMEOUT_MS });
      issuePk = (await link.getAttribute('href')).match(/\/edit\/(\d+)\//)[1];
      await editor.goto(url(`/admin/lettres/numeros/${issuePk}/composer/`), { timeout: TIMEOUT_MS });
      const add = editor.getByRole('button', { name: /^Ajouter ces/ });
      expect(await add.isEnabled(), 'rien à ajouter : l\'article du jour manque');
      await Promise.all([editor.waitForLoadState('load'), add.click()]);
    });

    await step("l'aperçu montre l'article du jour, et l'envoi part", async () => {
      expect(issuePk, 'numéro non créé');
      await editor.goto(url(`/admin/lettres/numeros/${issuePk}/apercu/`), { timeout: TIMEOUT_MS });
      const srcdoc = await editor.locator('iframe').first().getAttribute('srcdoc');
      expect(srcdoc && srcdoc.includes('Article du jour pour la lettre'), "l'article du mois n'est pas dans l'aperçu");
      await editor.goto(url(`/admin/lettres/numeros/${issuePk}/envoyer/`), { timeout: TIMEOUT_MS });
      await Promise.all([
        editor.waitForLoadState('load'),
        editor.getByRole('button', { name: 'Oui, envoyer maintenant' }).click(),
      ]);
      expect(new URL(editor.url()).pathname.endsWith('/avancement/'), `pas d'écran d'avancement : ${editor.url()}`);
    });

    let letter = '';
    await step('la lectrice reçoit la lettre une seule fois, avec les en-têtes de désabonnement', async () => {
      letter = await waitFor(
        () => mailsTo(SUBSCRIBER).find((text) => text.includes(SUFFIX) && /^List-Unsubscribe:/mi.test(text)),
        SEND_TIMEOUT_MS,
        "la lettre n'est pas arrivée",
      );
      await waitFor(async () => {
        await editor.goto(url(`/admin/lettres/numeros/${issuePk}/avancement/`), { timeout: TIMEOUT_MS });
        return /Envoyé/.test(await editor.locator('main').innerText());
      }, SEND_TIMEOUT_MS, "le numéro n'est pas marqué envoyé");
      const copies = mailsTo(SUBSCRIBER).filter((text) => text.includes(SUFFIX) && /^List-Unsubscribe:/mi.test(text));
      expect(copies.length === 1, `${copies.length} exemplaires reçus`);
      expect(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/mi.test(letter), 'en-tête List-Unsubscribe-Post absent');
    });

    await step('elle se désabonne en un clic depuis le lien du courriel, sans compte', async () => {
      expect(letter, 'pas de lettre');
      const header = letter.match(/^List-Unsubscribe:\s*<([^>]+)>/mi);
      expect(header, 'en-tête List-Unsubscribe illisible');
      await reader.goto(url(new URL(header[1]).pathname), { timeout: TIMEOUT_MS });
      await accessible(reader);
      await Promise.all([
        reader.waitForLoadState('load'),
        reader.getByRole('button', { name: 'Me désabonner' }).click(),
      ]);
      const done = await reader.locator('main').innerText();
      expect(/ne recevra plus/i.test(done), `désabonnement non confirmé : ${done.slice(0, 200)}`);
    });
  } finally {
    await browser.close();
    console.log(`lettre : ${counts.passed} étape(s) réussie(s), ${counts.failed} en échec`);
    if (counts.failed) process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
