import { expect, it } from 'vitest';
import { findMentions } from './mentions.js';
it('finds @mentions outside code and e-mail addresses', () => {
  expect(findMentions('hi @bob and @Carol.')).toEqual(['bob', 'carol']);
  expect(findMentions('mail a@b.example, `@not` here\n```\n@nope\n```\n@yes')).toEqual(['yes']);
  expect(findMentions('@a-b @a_b! (@c) @dan/x')).toEqual(['a-b', 'a_b', 'c', 'dan']);
});
