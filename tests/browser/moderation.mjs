// A member user's proposal goes through moderation, end to end, in a real browser:
// the member proposes an initiative, an editor publishes it from Wagtail's dashboard,
// an anonymous visitor then reads it. The member's pages are checked with axe-core too.
//
// Usage: node tests/browser/moderation.mjs BASE_URL
// Environment: ESSOR_MODERATION_MEMBER, ESSOR_MODERATION_EDITOR (e-mail addresses) and
// ESSOR_MODERATION_PASSWORD: accounts scripts/browser_check.sh creates in its throw-away
// instance (the member is attached to an authority). See README.md beside this file.
import {
  accessible, expect, launch, logIn as logInAt, scenario, TIMEOUT_MS,
} from './scenario.mjs';

const [base] = process.argv.slice(2);
const MEMBER = process.env.ESSOR_MODERATION_MEMBER;
const EDITOR = process.env.ESSOR_MODERATION_EDITOR;
const PASSWORD = process.env.ESSOR_MODERATION_PASSWORD;
if (!base || !MEMBER || !EDITOR || !PASSWORD) {
  console.error('usage: ESSOR_MODERATION_MEMBER=… ESSOR_MODERATION_EDITOR=… ESSOR_MODERATION_PASSWORD=… '
    + 'node tests/browser/moderation.mjs BASE_URL');
  process.exit(2);
}
const url = (path) => new URL(path, base).href;
// A name of its own, so that a second run on the same instance finds its own proposal.
const NAME = `Atelier vélo solidaire ${Date.now().toString(36)}`;

const { step, counts } = scenario('modération');
const logIn = (context, email) => logInAt(context, base, email, PASSWORD);

async function main() {
  const browser = await launch();
  const newContext = () => browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
  try {
    const memberContext = await newContext();
    const member = await logIn(memberContext, MEMBER);

    const formReady = await step('formulaire de proposition (axe, erreurs expliquées)', async () => {
      const response = await member.goto(url('/initiatives/proposer/'), { timeout: TIMEOUT_MS });
      expect(response.status() === 200, `HTTP ${response.status()}`);
      await accessible(member);
      // An unknown place is named in the error and what was typed stays.
      await member.getByLabel('Nom de l\'initiative').fill(NAME);
      await member.getByLabel('Résumé').fill('Un atelier où chacun apprend à réparer son vélo.');
      await member.getByLabel('Territoires où l\'initiative agit').fill('Caen, Blablaville');
      await member.getByRole('button', { name: 'Envoyer ma proposition' }).click();
      await member.waitForLoadState('load');
      const alert = await member.locator('.form-errors').innerText();
      expect(alert.includes('Blablaville'), `erreur attendue sur « Blablaville » : ${alert}`);
      expect(await member.getByLabel('Nom de l\'initiative').inputValue() === NAME, 'le nom saisi est perdu');
      await accessible(member);
    });

    const sent = formReady && await step('un membre envoie sa proposition', async () => {
      await member.getByLabel('Territoires où l\'initiative agit').fill('Caen');
      await member.getByLabel('Présentation').fill(
        'Ouvert en 2016 par une association de quartier.\n\nDeux salariés et vingt bénévoles.',
      );
      await member.getByLabel('Le rôle de votre collectivité').fill('La ville prête un local en rez-de-chaussée.');
      await member.getByLabel('Mise à disposition de locaux').check();
      await member.getByRole('button', { name: 'Envoyer ma proposition' }).click();
      await member.waitForURL((u) => u.pathname === '/initiatives/mes-propositions/', { timeout: TIMEOUT_MS });
      const text = await member.locator('main').innerText();
      expect(text.includes("Votre proposition a été transmise à l'équipe du réseau"), 'message de confirmation absent');
      expect(text.includes(NAME) && text.includes('En attente de modération'), 'proposition absente de la liste');
      await accessible(member);
    });

    const slugPath = () => `/initiatives/${NAME.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}/`;
    const anonymousContext = await newContext();
    const visitor = await anonymousContext.newPage();
    if (sent) {
      await step('rien n\'est public avant la relecture', async () => {
        const response = await visitor.goto(url(slugPath()), { timeout: TIMEOUT_MS });
        expect(response.status() === 404, `HTTP ${response.status()} (404 attendu)`);
      });
    }

    const editorContext = await newContext();
    const published = sent && await step('une éditrice publie la proposition depuis le tableau de bord', async () => {
      const editor = await logIn(editorContext, EDITOR);
      await editor.goto(url('/admin/'), { timeout: TIMEOUT_MS });
      const row = editor.locator('#awaiting-review-section tr', { hasText: NAME });
      await row.waitFor({ timeout: TIMEOUT_MS });
      await row.getByRole('button', { name: 'Actions' }).click();
      await Promise.all([
        editor.waitForLoadState('load'),
        row.getByRole('button', { name: 'Publier', exact: true }).click(),
      ]);
      await editor.waitForFunction(
        (name) => !document.querySelector('#awaiting-review-section')?.textContent.includes(name),
        NAME,
        { timeout: TIMEOUT_MS },
      );
    });

    if (published) {
      await step('un visiteur lit l\'initiative publiée', async () => {
        await member.goto(url('/initiatives/mes-propositions/'), { timeout: TIMEOUT_MS });
        const row = member.locator('tr', { hasText: NAME });
        expect((await row.innerText()).includes('Publiée'), 'état « Publiée » absent');
        const href = await row.getByRole('link', { name: /Voir la page/ }).getAttribute('href');
        const response = await visitor.goto(url(href), { timeout: TIMEOUT_MS });
        expect(response.status() === 200, `HTTP ${response.status()}`);
        const h1 = await visitor.locator('h1').innerText();
        expect(h1.includes(NAME), `titre « ${h1} »`);
        expect((await visitor.locator('main').innerText()).includes('vingt bénévoles'), 'présentation absente');
      });
    }
  } finally {
    await browser.close().catch(() => {});
  }
  console.log(`moderation: ${counts.passed} passed, ${counts.failed} failed`);
  process.exit(counts.failed || counts.passed === 0 ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  console.log('moderation: 0 passed, 1 failed');
  process.exit(1);
});
