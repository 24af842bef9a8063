import { describe, expect, it } from 'vitest';
import { scrubMessage } from './errors.ts';

describe('scrubMessage', () => {
  it('drops the quoted CSV line and values DuckDB puts in its errors', () => {
    const duck = `Invalid Input Error: CSV Error on Line: 4\nOriginal Line: 1501,150102198001010011,王芳\nExpected Number of Columns: 15 Found: 3\nPossible fixes:\n* Disable the parser's strict mode`;
    expect(scrubMessage(duck)).toBe('Invalid Input Error: CSV Error on Line: 4 / Expected Number of Columns: 15 Found: 3');
    expect(scrubMessage(`Conversion Error: Could not convert string '王芳' to INT32`)).toBe("Conversion Error: Could not convert string '…' to INT32");
    expect(scrubMessage('Constraint Error: duplicate key 150102198001010011')).toBe('Constraint Error: duplicate key …');
  });
});
