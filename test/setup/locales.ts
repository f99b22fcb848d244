// Spanish is a chunk the page loads on demand (locale.ts); tests that read it in Node load it once here.
import { loadLocale } from '../../src/ui/i18n/locale.js';

await loadLocale('es');
