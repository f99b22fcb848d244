export * from './errors.js';
export * from './ids.js';
export * from './position.js';
export * from './schema.js';
export * from './types.js';
export * from './values.js';
export * from './workbook.js';
