import { translateTemplate, type Template } from '../../model/templates.js';
import type { Locale } from './locale.js';

/**
 * Templates are written in English in the model; these give their words in
 * other languages, keyed by the English. A test checks that every word of
 * every template has an entry, so a new column cannot arrive untranslated.
 * Column letters (A, B, …) are the same everywhere and are left out.
 */
export const TEMPLATE_WORDS: Record<Exclude<Locale, 'en'>, Record<string, string>> = {
  es: {
    'Blank workbook': 'Libro en blanco',
    'One empty sheet.': 'Una hoja vacía.',
    'Untitled workbook': 'Libro sin título',
    'Sheet 1': 'Hoja 1',

    'Needs / requests tracker': 'Seguimiento de necesidades / solicitudes',
    'Intake to delivery: who asked, what for, who is on it.': 'De la recepción a la entrega: quién pidió, qué necesita, quién se encarga.',
    Requests: 'Solicitudes',
    Received: 'Recibida',
    Channel: 'Canal',
    Text: 'Mensaje',
    Voice: 'Llamada',
    Web: 'Web',
    'In person': 'En persona',
    'First name': 'Nombre',
    Phone: 'Teléfono',
    'Cross streets': 'Entre calles',
    Neighborhood: 'Barrio',
    Languages: 'Idiomas',
    Support: 'Apoyo',
    Groceries: 'Despensa',
    'Prescription pickup': 'Recoger medicinas',
    'Check-in call': 'Llamada de seguimiento',
    Financial: 'Económico',
    Translation: 'Traducción',
    'Social services': 'Servicios sociales',
    'Household size': 'Personas en el hogar',
    'Dietary needs': 'Necesidades alimentarias',
    Urgency: 'Urgencia',
    Today: 'Hoy',
    'This week': 'Esta semana',
    Flexible: 'Flexible',
    'Intake volunteer': 'Voluntario de recepción',
    'Delivery volunteer': 'Voluntario de entrega',
    Status: 'Estado',
    'Intake needed': 'Falta recepción',
    'In progress': 'En curso',
    'Call back': 'Devolver llamada',
    'Phone tag': 'Sin coincidir al teléfono',
    'Cannot reach': 'No se localiza',
    'Dispatch needed': 'Falta asignar',
    'Delivery needed': 'Falta entregar',
    'Delivery assigned': 'Entrega asignada',
    'Request complete': 'Solicitud completada',
    Duplicate: 'Duplicada',
    'Sent to another group': 'Enviada a otro grupo',
    'Outside area': 'Fuera de la zona',
    Notes: 'Notas',

    'Volunteer shift roster': 'Turnos de voluntariado',
    'Shifts by role and place; volunteers claim them.': 'Turnos por función y lugar; el voluntariado los reserva.',
    Shifts: 'Turnos',
    Role: 'Función',
    Location: 'Lugar',
    Date: 'Fecha',
    Start: 'Inicio',
    End: 'Fin',
    'Slots needed': 'Plazas necesarias',
    Volunteer: 'Voluntario/a',
    Confirmed: 'Confirmado',
    Waitlist: 'En espera',
    'Not needed': 'No hace falta',
    Contact: 'Contacto',

    'Supply inventory': 'Inventario de suministros',
    'Counts that add up across phones, with reorder levels.': 'Cantidades que se suman entre teléfonos, con niveles de reposición.',
    Inventory: 'Inventario',
    Item: 'Artículo',
    Category: 'Categoría',
    Food: 'Comida',
    Water: 'Agua',
    Hygiene: 'Higiene',
    Medical: 'Médico',
    Baby: 'Bebé',
    Clothing: 'Ropa',
    Other: 'Otro',
    Unit: 'Unidad',
    'On hand': 'Disponibles',
    'Reorder at': 'Reponer con',
    Expiry: 'Caducidad',
    'Last counted': 'Último recuento',
    'Counted by': 'Contado por',
  },
};

/** The template in the reader's language, for the home screen and for a new workbook's names. */
export function localizeTemplate(locale: Locale, template: Template): Template {
  if (locale === 'en') return template;
  const words = TEMPLATE_WORDS[locale];
  return translateTemplate(template, (english) => words[english] ?? english);
}
