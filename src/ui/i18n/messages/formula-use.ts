/** The workbook's time zone (what TODAY and NOW read) and formulas in the history's words. */
export const en = {
  'tz.title': 'Workbook time zone',
  'tz.now': 'TODAY() and NOW() use {zone} on every device.',
  'tz.label': 'Time zone',
  'tz.save': 'Save time zone',
  'tz.saved': 'Time zone set to {zone}: TODAY() and NOW() follow it for everyone.',
  'tz.device': 'This device is set to {zone}.',
  'tz.viewer': 'Only editors can change it.',
  'err.INVALID_TIME_ZONE': 'That is not a time zone.',
  'err.INVALID_TIME_ZONE.input': '“{input}” is not a time zone this browser knows. Pick one from the list, such as America/Mexico_City.',
  'history.columnFormula': 'Changed the formula of column “{name}”: {before} → {after}',
  'history.noFormula': '(no formula)',
};
