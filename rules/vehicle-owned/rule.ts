import { defineRule } from '../define-rule.ts';
import { list, oneOf, pattern, text } from '../params.ts';

export const vehicleOwned = defineRule(
  {
    id: 'vehicle-owned',
    title: '名下登记有机动车',
    description:
      'A member owns a motor vehicle still registered to them: status without E/M/P (B 转出 is still owned), not an exempt plate type ' +
      '(07/08), vehicle type (M*), use or plate (残疾人专用车), owner document a resident ID. Medium; production vehicles of farming and ' +
      'herding areas (低速车 13, 拖拉机 14, 原农机 25, T*) at the region’s production severity (shipped: low). One row per vehicle.',
    severity: 'medium',
    sources: ['vehicles'],
    applicants: true,
    params: {
      person_id_types: list(pattern(/^[A-Z]$/, 'a one-letter document type (A 居民身份证 …)'), 1),
      not_held_statuses: list(pattern(/^[A-Q]$/, 'a one-letter vehicle status A–Q'), 1),
      exempt_plate_types: list(pattern(/^\d{2}$/, 'a two-digit plate type (07 …)')),
      exempt_vehicle_type_prefixes: list(pattern(/^[A-Z][0-9A-Z]{0,2}$/, 'a vehicle type prefix (M2 …)')),
      exempt_use_natures: list(pattern(/^[A-Z]$/, 'a one-letter use (使用性质)')),
      exempt_plates: list(text),
      production_plate_types: list(pattern(/^\d{2}$/, 'a two-digit plate type (14 …)')),
      production_vehicle_type_prefixes: list(pattern(/^[A-Z][0-9A-Z]{0,2}$/, 'a vehicle type prefix (T …)')),
      production_severity: oneOf(['exempt', 'low', 'medium']),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
