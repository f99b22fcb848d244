import { initLocale } from './ui/i18n/locale.js';
import { MutualSheetsApp } from './ui/mutual-sheets-app.js';

// The page starts in the reader's language: its words are loaded before the app first renders.
await initLocale();
customElements.define('mutual-sheets-app', MutualSheetsApp);
performance.mark('ms:app-defined');
