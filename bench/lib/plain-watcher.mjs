// The pickup baseline: the least a folder-watching runner can do. fs.watch on the inbox; on an event,
// read each *.jsonl file, start the `stamp` command for every line (one after another) and delete the
// file. No validation, no durability, no ledger. Usage: node plain-watcher.mjs <inbox>
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const inbox = process.argv[2];
let busy = false;
let again = false;

function run(args) {
  return new Promise((resolve) => {
    const p = spawn('sh', ['-c', 'date +%s%N >> "$0"', ...args], { stdio: 'ignore' });
    p.once('exit', resolve);
    p.once('error', resolve);
  });
}

async function scan() {
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  do {
    again = false;
    for (const name of fs.readdirSync(inbox)) {
      if (!name.endsWith('.jsonl') || name.startsWith('.')) continue;
      const file = path.join(inbox, name);
      const text = fs.readFileSync(file, 'utf8');
      fs.unlinkSync(file);
      for (const line of text.split('\n')) if (line.trim()) await run(JSON.parse(line).args ?? []);
    }
  } while (again);
  busy = false;
}

fs.watch(inbox, () => void scan());
process.stdout.write('ready\n');
