// An event from the admin to its participants, end to end, in a real browser (issue 7's
// "done when"): an editor builds a training day with its timed programme in the admin (nested
// sessions and speakers, the person chosen in the chooser) and opens registration; a visitor
// takes the only seat, a member lands on the waiting list, free; the visitor cancels and the
// member gets the seat; the editor generates the participant kit and the proceedings, which
// come out as PDFs; at last she cancels the event, and its page, its registration form and the
// member's registration say so. Registration pages are checked with axe-core too.
//
// Usage: node tests/browser/event.mjs BASE_URL
// Environment: ESSOR_MODERATION_MEMBER, ESSOR_MODERATION_EDITOR, ESSOR_MODERATION_PASSWORD
// (the accounts scripts/browser_check.sh creates); a task worker must run beside the server
// for the PDFs (browser_check.sh starts `essor db_worker`).
import {
  accessible, expect, launch, logIn as logInAt, scenario, TIMEOUT_MS,
} from './scenario.mjs';

const [base] = process.argv.slice(2);
const MEMBER = process.env.ESSOR_MODERATION_MEMBER;
const EDITOR = process.env.ESSOR_MODERATION_EDITOR;
const PASSWORD = process.env.ESSOR_MODERATION_PASSWORD;
if (!base || !MEMBER || !EDITOR || !PASSWORD) {
  console.error('usage: ESSOR_MODERATION_MEMBER=… ESSOR_MODERATION_EDITOR=… ESSOR_MODERATION_PASSWORD=… '
    + 'node tests/browser/event.mjs BASE_URL');
  process.exit(2);
}
const url = (path) => new URL(path, base).href;
const PDF_TIMEOUT_MS = 120_000; // the task worker makes the PDFs in the background
const SUFFIX = Date.now().toString(36);
const TITLE = `Journée de formation loi ESS ${SUFFIX}`;
let SLUG = ''; // the address the admin derives from the title as it is typed
let PK = ''; // the event's id in the admin
const NEXT_YEAR = new Date().getFullYear() + 1;

const { step, counts } = scenario('événement');
const logIn = (context, email) => logInAt(context, base, email, PASSWORD);

/** A session of the programme, with one person chosen in the chooser's modal. */
async function addSession(editor, index, title, start, end, role) {
  await editor.click('#id_sessions-ADD');
  const prefix = `#id_sessions-${index}`;
  await editor.fill(`${prefix}-title`, title);
  await editor.fill(`${prefix}-start_time`, start);
  await editor.fill(`${prefix}-end_time`, end);
  await editor.keyboard.press('Escape'); // close the time picker
  await editor.click(`${prefix}-contributions-ADD`);
  const line = `${prefix}-contributions-0`;
  await editor.selectOption(`${line}-role`, role);
  await editor.locator(`${line}-person-chooser button`, { hasText: 'Choisir une personne' }).click();
  const modal = editor.locator('.modal-dialog');
  await modal.waitFor({ timeout: TIMEOUT_MS });
  const firstResult = modal.locator('table tbody tr td a').first();
  await firstResult.waitFor({ timeout: TIMEOUT_MS });
  await firstResult.click();
  await modal.waitFor({ state: 'hidden', timeout: TIMEOUT_MS });
  const chosen = await editor.inputValue(`${line}-person`);
  expect(chosen !== '', `aucune personne choisie pour « ${title} »`);
}

async function register(page, { firstName, lastName, email }) {
  await page.goto(url(`/evenements/${SLUG}/inscription/`), { timeout: TIMEOUT_MS });
  await accessible(page);
  if (firstName) await page.fill('#id_first_name', firstName);
  if (lastName) await page.fill('#id_last_name', lastName);
  if (email) await page.fill('#id_email', email);
  await page.locator('input[name=consent]').check();
  await Promise.all([
    page.waitForURL((u) => u.pathname.startsWith('/evenements/inscription/'), { timeout: TIMEOUT_MS }),
    page.locator('main form button[type=submit]').last().click(),
  ]);
  await accessible(page);
  return { text: await page.locator('main').innerText(), manage: page.url() };
}

async function main() {
  const browser = await launch();
  const newContext = () => browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
  try {
    const editorContext = await newContext();
    const editor = await logIn(editorContext, EDITOR);

    const built = await step("une éditrice construit la journée de formation dans l'administration", async () => {
      await editor.goto(url('/admin/evenements/evenement/add/'), { timeout: TIMEOUT_MS });
      await editor.fill('#id_title', TITLE);
      await editor.selectOption('#id_kind', 'journee-formation');
      await editor.fill('#id_summary', 'Une journée pour comprendre ce que la loi change pour les collectivités.');
      await editor.fill('#id_starts_at', `${NEXT_YEAR}-10-07 09:30`);
      await editor.fill('#id_ends_at', `${NEXT_YEAR}-10-07 17:00`);
      await editor.keyboard.press('Escape');
      await editor.fill('#id_venue', 'Salle du conseil');
      await addSession(editor, 0, 'Ce que dit la loi', '09:30', '10:45', 'animateur');
      await addSession(editor, 1, 'Table ronde des élus', '11:00', '12:30', 'intervenant');
      await editor.check('#id_registration_enabled');
      await editor.check('#id_allows_on_site');
      await editor.fill('#id_capacity', '1');
      await editor.fill('#id_price', '40');
      SLUG = await editor.inputValue('#id_slug');
      expect(/^journee-de-formation-loi-ess-/.test(SLUG), `adresse proposée : « ${SLUG} »`);
      await editor.getByRole('button', { name: "Plus d'actions" }).click();
      // Wagtail saves drafts on its own while one types: publish once that has settled, and
      // wait for the publishing request itself (a redirect to the list), not any navigation.
      await editor.waitForLoadState('networkidle');
      const [published] = await Promise.all([
        editor.waitForResponse(
          (r) => r.request().method() === 'POST' && r.request().postData()?.includes('action-publish'),
          { timeout: TIMEOUT_MS },
        ),
        editor.locator('button[name=action-publish]').click(),
      ]);
      if (published.status() !== 302) {
        await editor.waitForLoadState('load');
        const errors = await editor.locator('.error-message, .help-critical, [role=alert]').allInnerTexts();
        throw new Error(`publication refusée : ${errors.join(' | ').replace(/\s+/g, ' ').slice(0, 400)}`);
      }
      const response = await editor.goto(url(`/evenements/${SLUG}/`), { timeout: TIMEOUT_MS });
      expect(response.status() === 200, `page publique : HTTP ${response.status()}`);
      const text = await editor.locator('main').innerText();
      expect(text.includes('Ce que dit la loi') && text.includes('Table ronde des élus'), 'programme absent de la page');
      expect(/9\s?h\s?30/.test(text), 'horaire de la séance absent');
    });
    if (!built) return;

    const visitorContext = await newContext();
    const visitor = await visitorContext.newPage();
    let visitorManage = '';
    await step('un visiteur sans compte prend la seule place (payante pour lui)', async () => {
      const { text, manage } = await register(visitor, {
        firstName: 'Victor', lastName: 'Visiteur', email: `victor-${SUFFIX}@example.org`,
      });
      expect(text.includes('Votre inscription') && text.includes('confirmée'), `pas de confirmation : ${text.slice(0, 200)}`);
      visitorManage = manage;
    });

    const memberContext = await newContext();
    const member = await logIn(memberContext, MEMBER);
    let memberManage = '';
    await step('un membre connecté, gratuit, arrive sur la liste d\'attente', async () => {
      await member.goto(url(`/evenements/${SLUG}/inscription/`), { timeout: TIMEOUT_MS });
      const form = await member.locator('main').innerText();
      expect(/gratuit/i.test(form), 'le tarif adhérent (gratuit) n\'est pas annoncé');
      const email = await member.inputValue('#id_email');
      expect(email === MEMBER, `adresse du membre non préremplie : « ${email} »`);
      // Name and address come from the account; what the account lacks is typed.
      const lastName = (await member.inputValue('#id_last_name')) ? '' : 'Martin';
      const { text, manage } = await register(member, { lastName });
      expect(text.includes("liste d'attente"), `liste d'attente attendue : ${text.slice(0, 200)}`);
      memberManage = manage;
    });

    await step('le visiteur annule : la place passe au membre', async () => {
      expect(visitorManage && memberManage, 'inscriptions manquantes');
      await visitor.goto(visitorManage, { timeout: TIMEOUT_MS });
      await accessible(visitor);
      await Promise.all([
        visitor.waitForLoadState('load'),
        visitor.getByRole('button', { name: 'Annuler mon inscription' }).click(),
      ]);
      const cancelled = await visitor.locator('main').innerText();
      expect(/annulée/i.test(cancelled), `annulation non confirmée : ${cancelled.slice(0, 200)}`);
      await member.goto(memberManage, { timeout: TIMEOUT_MS });
      const status = await member.locator('main').innerText();
      expect(/confirmée/i.test(status) && !status.includes("rang"), `le membre n'a pas eu la place : ${status.slice(0, 300)}`);
    });

    await step("l'éditrice génère le dossier du participant et les actes en PDF", async () => {
      await editor.goto(url(`/admin/evenements/evenement/?q=${SUFFIX}`), { timeout: TIMEOUT_MS });
      await editor.getByRole('link', { name: TITLE }).first().click();
      await editor.waitForURL((u) => /\/edit\/\d+\/$/.test(u.pathname), { timeout: TIMEOUT_MS });
      PK = new URL(editor.url()).pathname.match(/\/edit\/(\d+)\/$/)[1];
      const documentsPage = url(`/admin/evenements/evenement/${PK}/documents/`);
      for (const label of ['dossier du participant', 'actes']) {
        await editor.goto(documentsPage, { timeout: TIMEOUT_MS });
        await Promise.all([
          editor.waitForLoadState('load'),
          editor.getByRole('button', { name: `Générer : ${label}` }).click(),
        ]);
      }
      for (const path of ['dossier-du-participant.pdf', 'actes.pdf']) {
        const deadline = Date.now() + PDF_TIMEOUT_MS;
        let response;
        do {
          response = await visitor.request.get(url(`/evenements/${SLUG}/${path}`));
          if (response.status() === 200) break;
          await new Promise((resolve) => { setTimeout(resolve, 1000); });
        } while (Date.now() < deadline);
        expect(response.status() === 200, `${path} : HTTP ${response.status()}`);
        expect(response.headers()['content-type'] === 'application/pdf', `${path} n'est pas un PDF`);
        const body = await response.body();
        expect(body.subarray(0, 5).toString() === '%PDF-' && body.length > 5000, `${path} : PDF vide ou tronqué`);
      }
    });

    await step("l'éditrice annule l'événement : sa page, son formulaire et l'inscription du membre le disent", async () => {
      expect(PK, "événement introuvable dans l'administration");
      const note = `Grève des transports ${SUFFIX} : la journée est reportée.`;
      await editor.goto(url(`/admin/evenements/evenement/${PK}/annulation/`), { timeout: TIMEOUT_MS });
      const asked = await editor.locator('main').innerText();
      expect(/prévenir 1 personne/.test(asked), `nombre de personnes prévenues absent : ${asked.slice(0, 300)}`);
      await editor.fill('textarea[name=note]', note);
      await Promise.all([
        editor.waitForLoadState('load'),
        editor.getByRole('button', { name: /^Annuler l'événement/ }).click(),
      ]);
      const done = await editor.locator('main').innerText();
      expect(done.includes('Événement annulé'), `annulation non confirmée : ${done.slice(0, 300)}`);
      await visitor.goto(url(`/evenements/${SLUG}/`), { timeout: TIMEOUT_MS });
      await accessible(visitor);
      const page = await visitor.locator('main').innerText();
      expect(page.includes('Événement annulé') && page.includes(note), `page publique : ${page.slice(0, 300)}`);
      await visitor.goto(url(`/evenements/${SLUG}/inscription/`), { timeout: TIMEOUT_MS });
      const form = await visitor.locator('main').innerText();
      expect(form.includes('Cet événement est annulé'), `formulaire encore ouvert : ${form.slice(0, 300)}`);
      await member.goto(memberManage, { timeout: TIMEOUT_MS });
      await accessible(member);
      const registration = await member.locator('main').innerText();
      expect(registration.includes('Cet événement est annulé'), `inscription du membre : ${registration.slice(0, 300)}`);
      expect(!registration.includes('Annuler mon inscription'), "le membre peut encore « annuler » une inscription d'un événement annulé");
    });
  } finally {
    await browser.close();
    console.log(`événement : ${counts.passed} étape(s) réussie(s), ${counts.failed} en échec`);
    if (counts.failed) process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
