/**
 * Every string the UI shows, in English (the source), one file per area; the
 * Spanish of each is in messages/es/ (messages-es.ts), a chunk of its own that
 * only a Spanish page loads. Each area's `es` is typed against its `en`, so a
 * missing translation fails the build rather than showing English to a Spanish reader. `{name}`
 * marks a value filled in at run time; keys ending `.one` / `.other` are the
 * plural forms `tn` chooses between.
 */
import * as access from './messages/access.js';
import * as errors from './messages/errors.js';
import * as home from './messages/home.js';
import * as phone from './messages/phone.js';
import * as records from './messages/records.js';
import * as restore from './messages/restore.js';
import * as sheet from './messages/sheet.js';
import * as workbook from './messages/workbook.js';
import * as sealed from './messages/sealed.js';
import * as lock from './messages/lock.js';
import * as retire from './messages/retire.js';
import * as grid from './messages/grid.js';
import * as filters from './messages/filters.js';
import * as layout from './messages/layout.js';
import * as imports from './messages/imports.js';
import * as formulas from './messages/formulas.js';
import * as formulaEditing from './messages/formula-editing.js';
import * as formulaUse from './messages/formula-use.js';
import * as firstScreen from './messages/first-screen.js';
import * as firstCards from './messages/first-cards.js';

export const en = { ...home.en, ...workbook.en, ...sheet.en, ...phone.en, ...records.en, ...restore.en, ...errors.en, ...access.en, ...sealed.en, ...lock.en, ...retire.en, ...grid.en, ...filters.en, ...layout.en, ...imports.en, ...formulas.en, ...formulaUse.en, ...formulaEditing.en, ...firstScreen.en, ...firstCards.en };

export type MessageKey = keyof typeof en;
