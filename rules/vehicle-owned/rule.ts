import { defineRule } from '../define-rule.ts';
import { list, pattern, text } from '../params.ts';

export const vehicleOwned = defineRule(
  {
    id: 'vehicle-owned',
    title: '名下登记有机动车',
    description:
      'A member owns a motor vehicle still registered to them: status without E/M/P/B, not an exempt plate type (07/08), vehicle type ' +
      '(M2*) or plate (残疾人代步车), owner document a resident ID. One row per vehicle.',
    severity: 'medium',
    sources: ['vehicles'],
    params: {
      person_id_types: list(pattern(/^[A-Z]$/, 'a one-letter document type (A 居民身份证 …)'), 1),
      not_held_statuses: list(pattern(/^[A-Q]$/, 'a one-letter vehicle status A–Q'), 1),
      exempt_plate_types: list(pattern(/^\d{2}$/, 'a two-digit plate type (07 …)')),
      exempt_vehicle_type_prefixes: list(pattern(/^[A-Z][0-9A-Z]{0,2}$/, 'a vehicle type prefix (M2 …)')),
      exempt_plates: list(text),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
