import { initLocale } from './ui/i18n/locale.js';
import './ui/mutual-sheets-app.js';

// Before the first render, so the page starts in the reader's language.
initLocale();
