/** `<sheet-grid>` lives in src/ui/grid/; this path stays for the modules that import it from here. */
export * from './grid/sheet-grid.js';
