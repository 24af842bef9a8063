import { defineRule } from '../define-rule.ts';

export const vehicleOwned = defineRule<{
  person_id_types: string[];
  not_held_statuses: string[];
  exempt_plate_types: string[];
  exempt_vehicle_type_prefixes: string[];
  exempt_plates: string[];
}>(
  {
    id: 'vehicle-owned',
    title: '名下登记有机动车',
    description:
      'A member owns a motor vehicle still registered to them: status without E/M/P/B, not an exempt plate type (07/08), vehicle type ' +
      '(M2*) or plate (残疾人代步车), owner document a resident ID. One row per vehicle.',
    severity: 'medium',
    sources: ['vehicles'],
    params: ['person_id_types', 'not_held_statuses', 'exempt_plate_types', 'exempt_vehicle_type_prefixes', 'exempt_plates'],
  },
  new URL('./rule.sql', import.meta.url),
);
