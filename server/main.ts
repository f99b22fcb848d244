import { registerFastStrings } from './fast-strings.js';

// Before anything imports yjs: static imports would load before this body runs, so the hub itself
// comes in by a dynamic import.
registerFastStrings();
await import('./start.js');
