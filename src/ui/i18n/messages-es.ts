/**
 * The Spanish of every message: loaded by locale.ts (`loadLocale('es')`) as a chunk of its own, so
 * an English page never downloads it. Typed against the English keys: a missing one fails the build.
 */
import type { MessageKey } from './messages.js';
import { es as home } from './messages/es/home.js';
import { es as workbook } from './messages/es/workbook.js';
import { es as sheet } from './messages/es/sheet.js';
import { es as phone } from './messages/es/phone.js';
import { es as records } from './messages/es/records.js';
import { es as restore } from './messages/es/restore.js';
import { es as errors } from './messages/es/errors.js';
import { es as access } from './messages/es/access.js';
import { es as sealed } from './messages/es/sealed.js';
import { es as lock } from './messages/es/lock.js';
import { es as retire } from './messages/es/retire.js';
import { es as grid } from './messages/es/grid.js';
import { es as filters } from './messages/es/filters.js';
import { es as layout } from './messages/es/layout.js';
import { es as imports } from './messages/es/imports.js';
import { es as formulas } from './messages/es/formulas.js';
import { es as formulaEditing } from './messages/es/formula-editing.js';
import { es as formulaUse } from './messages/es/formula-use.js';
import { es as firstScreen } from './messages/es/first-screen.js';
import { es as firstCards } from './messages/es/first-cards.js';

export const es: Record<MessageKey, string> = { ...home, ...workbook, ...sheet, ...phone, ...records, ...restore, ...errors, ...access, ...sealed, ...lock, ...retire, ...grid, ...filters, ...layout, ...imports, ...formulas, ...formulaUse, ...formulaEditing, ...firstScreen, ...firstCards };
