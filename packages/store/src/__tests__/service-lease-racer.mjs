// One contender for a service lease, for the contention test: it opens the BUILT store, says "ready", waits for
// "go" on stdin (so every contender calls at the same moment), tries once and prints what it got.
import { createInterface } from 'node:readline';
import { acquireServiceLease, openStore } from '../../dist/index.js';

const [kind, where, name, holder, ttlText] = process.argv.slice(2);
const store = await openStore(kind === 'sqlite' ? { kind, path: where } : { kind, url: where }, { migrate: false });
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === 'go') break;
}
let result;
try {
  const got = await acquireServiceLease(store.db, name, holder, Number(ttlText));
  result = { holder, acquired: got.acquired, seen: got.acquired ? got.lease.holder : got.holder };
} catch (error) {
  result = { holder, error: String(error?.message ?? error) };
}
await store.close();
process.stdout.write(JSON.stringify(result) + '\n');
