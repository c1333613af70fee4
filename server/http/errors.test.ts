import { describe, expect, it } from 'vitest';
import { requestLogLevel } from './errors.js';

describe('request log level', () => {
  const plain = { failed: false, refusal: false, slow: false };

  it('logs a maintenance 503 and other refusals the server meant to give at info, slow ones at warn', () => {
    expect(requestLogLevel(503, { ...plain, refusal: true })).toBe('info');
    expect(requestLogLevel(403, { ...plain, refusal: true })).toBe('info');
    expect(requestLogLevel(422, { ...plain, refusal: true, slow: true })).toBe('warn');
  });

  it('logs faults at error: a thrown exception, a 500, and a 5xx nobody marked', () => {
    expect(requestLogLevel(500, { ...plain, failed: true })).toBe('error');
    expect(requestLogLevel(500, { ...plain, refusal: true })).toBe('error');
    expect(requestLogLevel(503, plain)).toBe('error');
    expect(requestLogLevel(200, { ...plain, failed: true })).toBe('error');
  });

  it('logs everything else at info, slow requests at warn', () => {
    expect(requestLogLevel(200, plain)).toBe('info');
    expect(requestLogLevel(404, plain)).toBe('info');
    expect(requestLogLevel(200, { ...plain, slow: true })).toBe('warn');
  });
});
