import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slugify } from '../src/strings.js';

test('slugify lower-cases and joins words with dashes', () => {
  assert.equal(slugify('  Hello, Wide World! '), 'hello-wide-world');
});
