import { defineSuite, findChromium } from 'shipgate';

export default defineSuite({
  id: 'cors',
  title: 'CORS in a real browser',
  promise:
    "Pages at the allowed origins call the API from a real browser, with and without credentials; the browser blocks every other origin's calls; no preflight or answer grants an unknown origin, and none answers * with credentials.",
  // Preflights and reads are safe anywhere; writes are called from the browser on ephemeral targets
  // only, and on production no identity is made (a placeholder credential travels instead).
  kinds: ['ephemeral', 'staging', 'production'],
  usesApi: true,
  // Its browser calls the API as identities of its own.
  sharing: 'shared',
  notApplicable: (p) => {
    if (!p.cors) return 'the profile has no cors block (the allowed origins, the calls a web app makes and its credentials mode)';
    const browser = findChromium();
    return 'missing' in browser ? `it needs a Chromium: ${browser.missing}` : undefined;
  },
});
