import { describe, expect, it } from 'vitest';
import { cleanSubject, looksLikeText, parseMessage, stripThinking } from './parse.js';

describe('parseMessage', () => {
  it('splits a plain answer into subject and body', () => {
    expect(parseMessage('Add a parser\n\nIt reads configs.\n- one\n- two\n')).toEqual({ subject: 'Add a parser', body: 'It reads configs.\n- one\n- two' });
    expect(parseMessage('Fix typo')).toEqual({ subject: 'Fix typo', body: '' });
  });

  it('takes off fences, labels, a preamble and thinking', () => {
    expect(parseMessage('<think>the diff adds x</think>\nHere is a commit message:\n```\nSubject: Add the parser.\n\nBody:\nIt reads configs.\n```')).toEqual({
      subject: 'Add the parser',
      body: 'It reads configs.',
    });
    expect(parseMessage('**Title:** "Rename the lexer"\n\n**Description:**\nRenames it.')).toEqual({ subject: 'Rename the lexer', body: 'Renames it.' });
    expect(parseMessage('# Add the parser\n\nbody')).toEqual({ subject: 'Add the parser', body: 'body' });
  });

  it('reads a JSON answer', () => {
    expect(parseMessage('{"subject": "Add the parser", "body": "It reads configs."}')).toEqual({ subject: 'Add the parser', body: 'It reads configs.' });
    expect(parseMessage('{"title": "Add the parser", "description": "x"}')).toEqual({ subject: 'Add the parser', body: 'x' });
  });

  it.each(['', '   \n\n', '<think>only thinking', '```\n```', '%%%% $$$$ ^^^^ !!!!', '\u0000\u0001\u0002', '12345 67890', '{"subject": 42}'])('finds no message in %j', (raw) => {
    expect(parseMessage(raw)).toBeNull();
  });
});

describe('cleanSubject', () => {
  it('keeps 72 characters at most, cut at a word, without an end period or dangling punctuation', () => {
    const s = cleanSubject('Make the compare view show every commit of a long branch, and the files, in the order they were written.');
    expect(s.length).toBeLessThanOrEqual(72);
    expect(s).toBe('Make the compare view show every commit of a long branch, and the files');
    expect(cleanSubject('x'.repeat(100))).toHaveLength(72);
  });
});

describe('stripThinking and looksLikeText', () => {
  it('removes closed and unterminated think blocks', () => {
    expect(stripThinking('<think>a</think>b<think>c')).toBe('b');
  });
  it('tells words from noise', () => {
    expect(looksLikeText('Add the parser')).toBe(true);
    expect(looksLikeText('}{][)(*&^%$#@!')).toBe(false);
    expect(looksLikeText('ab')).toBe(false);
  });
});
