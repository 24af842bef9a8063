// `make lint`: typescript-eslint's recommended rules, and the layers as an import boundary
// (eslint-plugin-boundaries). A layer may import only the layers listed for it; tests and test
// support may reach across (they assemble whole months), nothing else may.
//
//   base        errors, log                         imports nothing of ours
//   domain      ID numbers, dates, divisions        base
//   adapters    feed declarations                   domain, base
//   rules       rule declarations                   adapters (feed ids), domain, base
//   config      the region's thresholds             rules, adapters (registries), domain, base
//   pipeline    load, match, publish, warehouse     everything above
//   portal      the counties' portal                pipeline and everything above
//   cli, bin    commands                            everything
//   fixtures, scripts   sample data, benchmark      everything
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';

const LAYERS = [
  { type: 'base', pattern: 'base/**' },
  { type: 'domain', pattern: 'domain/**' },
  { type: 'adapters', pattern: 'adapters/**' },
  { type: 'rules', pattern: 'rules/**' },
  { type: 'config', pattern: 'config/**' },
  { type: 'pipeline', pattern: 'pipeline/**' },
  { type: 'portal', pattern: 'portal/**' },
  { type: 'cli', pattern: '{cli,bin}/**' },
  { type: 'tools', pattern: '{fixtures,scripts}/**' },
];

const below = {
  base: [],
  domain: ['base'],
  adapters: ['domain', 'base'],
  rules: ['adapters', 'domain', 'base'],
  config: ['rules', 'adapters', 'domain', 'base'],
  pipeline: ['config', 'rules', 'adapters', 'domain', 'base'],
  portal: ['pipeline', 'config', 'rules', 'adapters', 'domain', 'base'],
  cli: ['portal', 'pipeline', 'config', 'rules', 'adapters', 'domain', 'base'],
  tools: ['cli', 'portal', 'pipeline', 'config', 'rules', 'adapters', 'domain', 'base'],
};

const TESTS = ['**/*.test.ts', '**/test-support.ts', '**/test-helpers.ts', '**/testing.ts', '**/test-data.ts'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'dist.next/**', 'data/**', 'demo-data/**', 'fixtures/tiny/**', 'bench/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': LAYERS.map((l) => ({ ...l, mode: 'full' })),
      'boundaries/include': ['**/*.ts', '**/*.js'],
    },
    rules: {
      'boundaries/element-types': [
        'error',
        {
          default: 'disallow',
          message: '${file.type} may not import ${dependency.type} (layers: eslint.config.js)',
          rules: Object.entries(below).map(([from, allow]) => ({ from, allow: [from, ...allow] })),
        },
      ],
      // `any` is used on purpose where DuckDB rows and exceljs values cross untyped; the rest of
      // the recommended set applies as it is
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: TESTS, rules: { 'boundaries/element-types': 'off' } },
);
