/**
 * `npm run export | backup | restore | inspect` (server/cli-commands.ts says what each does).
 * The lib0 hook goes in first, as server/main.ts does it: an export reads a whole room, and a
 * 100k-row room's strings are most of that read.
 */
import { registerFastStrings } from './fast-strings.js';

registerFastStrings();
await import('./cli-commands.js');
