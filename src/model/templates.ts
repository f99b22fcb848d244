import type { ColumnSpec, SelectOption } from './types.js';
import type { Workbook } from './workbook.js';
import { BLANK_SHEET } from './blank-sheet.js';

/**
 * Starting points drawn from what mutual-aid groups keep (shared/field-notes.md):
 * the columns, types and status lists they already use. Cross streets rather
 * than full addresses, and first names only, because these sheets leak.
 */
export interface Template {
  id: string;
  title: string;
  description: string;
  /** the title a new workbook gets, when not the template's own (a blank workbook is not called "Blank workbook") */
  newTitle?: string;
  sheets: TemplateSheet[];
}

export interface TemplateSheet {
  name: string;
  columns: ColumnSpec[];
  rows: number;
  /** [counter column, the column holding its row's minimum], by position in `columns` */
  minColumns?: [number, number][];
  /** the fields a phone card shows, by position in `columns` (unset: defaultCardFields) */
  cardFields?: number[];
}

const PALETTE = ['#cf222e', '#bc4c00', '#bf8700', '#1f6feb', '#8250df', '#1a7f37', '#57606a', '#0a7ea4', '#bf3989', '#6e7781', '#116329', '#953800'];

function options(prefix: string, labels: string[]): SelectOption[] {
  return labels.map((label, i) => ({ id: `${prefix}${i + 1}`, label, color: PALETTE[i % PALETTE.length] }));
}

export const TEMPLATES: Template[] = [
  {
    id: 'blank',
    title: 'Blank workbook',
    description: 'One empty sheet.',
    newTitle: 'Untitled workbook',
    sheets: [{ name: BLANK_SHEET.name, columns: BLANK_SHEET.columns.map((name) => ({ name })), rows: BLANK_SHEET.rows }],
  },
  {
    id: 'requests',
    title: 'Needs / requests tracker',
    description: 'Intake to delivery: who asked, what for, who is on it.',
    sheets: [
      {
        name: 'Requests',
        rows: 30,
        // Status, Support, Cross streets, Delivery volunteer, First name, Urgency: what a driver acts on.
        cardFields: [13, 7, 4, 12, 2, 10],
        columns: [
          { name: 'Received', type: 'date', width: 110 },
          { name: 'Channel', type: 'select', options: options('ch', ['Text', 'Voice', 'Web', 'In person']), width: 100 },
          { name: 'First name', width: 120 },
          { name: 'Phone', width: 130 },
          { name: 'Cross streets', width: 160 },
          { name: 'Neighborhood', width: 130 },
          { name: 'Languages', width: 110 },
          {
            name: 'Support',
            type: 'select',
            width: 150,
            options: options('sp', ['Groceries', 'Prescription pickup', 'Check-in call', 'Financial', 'Translation', 'Social services']),
          },
          { name: 'Household size', type: 'number', width: 110 },
          { name: 'Dietary needs', width: 140 },
          { name: 'Urgency', type: 'select', options: options('ur', ['Today', 'This week', 'Flexible']), width: 100 },
          { name: 'Intake volunteer', type: 'claim', width: 140 },
          { name: 'Delivery volunteer', type: 'claim', expiresDays: 6, width: 150 },
          {
            name: 'Status',
            type: 'select',
            width: 160,
            options: options('st', [
              'Intake needed',
              'In progress',
              'Call back',
              'Phone tag',
              'Cannot reach',
              'Dispatch needed',
              'Delivery needed',
              'Delivery assigned',
              'Request complete',
              'Duplicate',
              'Sent to another group',
              'Outside area',
            ]),
          },
          { name: 'Notes', width: 220 },
        ],
      },
    ],
  },
  {
    id: 'roster',
    title: 'Volunteer shift roster',
    description: 'Shifts by role and place; volunteers claim them.',
    sheets: [
      {
        name: 'Shifts',
        rows: 30,
        // Role, Location, Date, Start, Volunteer, Status.
        cardFields: [0, 1, 2, 3, 6, 7],
        columns: [
          { name: 'Role', width: 140 },
          { name: 'Location', width: 140 },
          { name: 'Date', type: 'date', width: 110 },
          { name: 'Start', width: 80 },
          { name: 'End', width: 80 },
          { name: 'Slots needed', type: 'number', width: 110 },
          { name: 'Volunteer', type: 'claim', width: 160 },
          { name: 'Status', type: 'select', options: options('rs', ['Confirmed', 'Waitlist', 'Not needed']), width: 120 },
          { name: 'Contact', width: 130 },
          { name: 'Notes', width: 200 },
        ],
      },
    ],
  },
  {
    id: 'inventory',
    title: 'Supply inventory',
    description: 'Counts that add up across phones, with reorder levels.',
    sheets: [
      {
        name: 'Inventory',
        rows: 30,
        // "On hand" is low below the row's own "Reorder at".
        minColumns: [[3, 4]],
        // Item, On hand (with its low-stock flag), Unit, Location.
        cardFields: [0, 3, 2, 5],
        columns: [
          { name: 'Item', width: 160 },
          { name: 'Category', type: 'select', width: 120, options: options('ca', ['Food', 'Water', 'Hygiene', 'Medical', 'Baby', 'Clothing', 'Other']) },
          { name: 'Unit', width: 90 },
          { name: 'On hand', type: 'counter', width: 140 },
          { name: 'Reorder at', type: 'number', width: 100 },
          { name: 'Location', width: 130 },
          { name: 'Expiry', type: 'date', width: 110 },
          { name: 'Last counted', type: 'date', width: 120 },
          { name: 'Counted by', width: 120 },
        ],
      },
    ],
  },
];

/** Builds a new workbook from a template, in one transaction. Returns the first sheet's id. */
export function applyTemplate(wb: Workbook, template: Template): string {
  return wb.group('template', template.title, () => {
    wb.stamp(template.newTitle ?? template.title);
    let first = '';
    for (const sheet of template.sheets) {
      const id = wb.addSheet(sheet.name);
      first ||= id;
      const ids = sheet.columns.map((spec) => wb.addColumn(id, spec));
      for (const [counter, min] of sheet.minColumns ?? []) wb.updateColumn(id, ids[counter], { minColumn: ids[min] });
      if (sheet.cardFields) wb.setCardFields(id, sheet.cardFields.map((i) => ids[i]));
      wb.insertRows(id, 0, sheet.rows);
    }
    return first;
  });
}

/**
 * The same template in other words: every name, label and description passed
 * through `word` (the UI's translation); ids, types and structure unchanged, so
 * a template made in Spanish is the same workbook as one made in English.
 */
export function translateTemplate(template: Template, word: (english: string) => string): Template {
  return {
    ...template,
    title: word(template.title),
    description: word(template.description),
    ...(template.newTitle ? { newTitle: word(template.newTitle) } : {}),
    sheets: template.sheets.map((sheet) => ({
      ...sheet,
      name: word(sheet.name),
      columns: sheet.columns.map((spec) => ({
        ...spec,
        name: word(spec.name),
        ...(spec.options ? { options: spec.options.map((o) => ({ ...o, label: word(o.label) })) } : {}),
      })),
    })),
  };
}

/** Every piece of text a template shows, for translation tables and their tests. */
export function templateWords(template: Template): string[] {
  const words = [template.title, template.description, ...(template.newTitle ? [template.newTitle] : [])];
  for (const sheet of template.sheets) {
    words.push(sheet.name);
    for (const spec of sheet.columns) words.push(spec.name, ...(spec.options ?? []).map((o) => o.label));
  }
  return words;
}
