/** `npm run dev` (server/dev-servers.ts): the lib0 hook first, as server/main.ts does it. */
import { registerFastStrings } from './fast-strings.js';

registerFastStrings();
await import('./dev-servers.js');
