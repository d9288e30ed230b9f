'use strict';
// Shared machinery of the fake AI CLIs (claude, codex, gemini, aider) used by the tests.
// Each fake parses its argv against an allow-list the way the real CLI does (and rejects unknown
// flags with the real message and exit code), records how it was called in $FAKE_RECORD, reads
// stdin the way the real CLI does (blocking where it blocks), and then plays a scenario chosen by
// a `SCENARIO: <name>` line in the prompt or by $FAKE_SCENARIO (default `ok`).

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');

/**
 * Parses argv against `spec`: { '--name': 'bool' | 'value' | 'variadic' }. Aliases are separate
 * keys mapped to the canonical name via `aliases`. Returns the first unknown flag instead of throwing.
 */
function parseArgs(argv, spec, opts = {}) {
  const aliases = opts.aliases || {};
  const flags = {};
  const positionals = [];
  let unknown;
  let badValue;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    let name = token;
    let inline;
    const eq = token.indexOf('=');
    if (token.startsWith('--') && eq > 0) {
      name = token.slice(0, eq);
      inline = token.slice(eq + 1);
    }
    name = aliases[name] || name;
    if (!(name in spec) && opts.allowAbbrev && name.startsWith('--')) {
      const matches = Object.keys(spec).filter((k) => k.startsWith(name));
      if (matches.length === 1) name = matches[0];
    }
    const kind = spec[name];
    if (kind === undefined) {
      if (unknown === undefined) unknown = token.slice(0, eq > 0 ? eq : undefined);
      continue;
    }
    if (kind === 'bool') {
      flags[name] = true;
    } else if (kind === 'value') {
      const value = inline !== undefined ? inline : argv[++i];
      if (value === undefined && badValue === undefined) badValue = name;
      flags[name] = value;
    } else {
      const values = inline !== undefined ? [inline] : [];
      while (inline === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('-'))
        values.push(argv[++i]);
      flags[name] = (flags[name] || []).concat(values);
    }
  }
  return { flags, positionals, unknown, missingValue: badValue };
}

/** Appends one JSON line describing this call to $FAKE_RECORD (names of env vars only, values of FAKE_/CLAUDE_/GEMINI_/CODEX_ ones). */
function record(tool, argv, extra) {
  const file = process.env.FAKE_RECORD;
  if (!file) return;
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(FAKE_|CLAUDE_|GEMINI_|CODEX_HOME$|GIT_TERMINAL_PROMPT$|GCM_INTERACTIVE$)/.test(k)) env[k] = v;
  }
  const line = {
    tool,
    argv,
    cwd: process.cwd(),
    pid: process.pid,
    env,
    envNames: Object.keys(process.env).sort(),
    ...extra,
  };
  fs.appendFileSync(file, JSON.stringify(line) + '\n');
}

/** Reads stdin to EOF (blocks forever on a pipe nobody closes, like the real CLIs). '' on a TTY. */
function readStdinToEof() {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * claude and gemini with a prompt argument: wait `ms` for stdin data; none -> go on without it;
 * some -> read to EOF (and hang if the pipe is never closed).
 */
function readStdinIfOffered(ms) {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks = [];
    let gotData = false;
    const timer = setTimeout(() => {
      if (gotData) return;
      process.stdin.pause();
      process.stdin.destroy();
      resolve('');
    }, ms);
    process.stdin.on('data', (c) => {
      gotData = true;
      chunks.push(c);
    });
    const done = () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    process.stdin.on('end', done);
    process.stdin.on('error', done);
  });
}

/** Scenarios that span a conversation: a resumed session goes on with them (the others end with their run). */
const CONVERSATION_SCENARIOS = new Set(['break-then-fix']);

/** The prompt's `SCENARIO:` line, else the resumed session's conversation scenario, else $FAKE_SCENARIO, else `ok`. */
function scenarioOf(prompt, sessionScenario) {
  const m = /^\s*SCENARIO:\s*([A-Za-z0-9_-]+)/m.exec(prompt || '');
  if (m) return m[1];
  if (sessionScenario && CONVERSATION_SCENARIOS.has(sessionScenario)) return sessionScenario;
  return process.env.FAKE_SCENARIO || 'ok';
}

/** Counts calls for rate-limit-then-ok; returns this call's number (1-based). */
function countCall(tool, prompt) {
  const dir = process.env.FAKE_STATE_DIR;
  const key =
    process.env.FAKE_TASK_KEY ||
    crypto
      .createHash('sha1')
      .update(prompt || '')
      .digest('hex')
      .slice(0, 12);
  const file = dir ? path.join(dir, `${tool}-${key}.count`) : path.join(process.cwd(), `.fake-count-${tool}`);
  let n;
  try {
    n = Number(fs.readFileSync(file, 'utf8')) || 0;
  } catch {
    n = 0;
  }
  n += 1;
  fs.writeFileSync(file, String(n));
  return n;
}

/** Whether this call of a rate-limit-then-ok scenario still fails ($FAKE_FAIL_TIMES, default 2). */
function stillFailing(tool, prompt) {
  const times = Number(process.env.FAKE_FAIL_TIMES || '2');
  return countCall(tool, prompt) <= times;
}

function out(text) {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

function err(text) {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

/** Exits once stdout and stderr are flushed (pipes are asynchronous on some platforms). */
function exit(code) {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

function sleepForever() {
  setInterval(() => {}, 1 << 30);
}

/**
 * A grandchild that ignores SIGTERM and never ends: only SIGKILL (of it or its process group)
 * removes it. Resolves with its pid once its SIGTERM handler is in place, so a test that signals
 * it right after reading GRANDCHILD_PID does not race its start-up.
 */
function spawnStubbornGrandchild() {
  const script = "process.on('SIGTERM',()=>{});process.stdout.write('ready\\n');setInterval(()=>{},1<<30)";
  const child = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'ignore'],
    windowsHide: true,
  });
  return new Promise((resolve) => {
    child.stdout.once('data', () => {
      child.stdout.destroy();
      child.unref();
      resolve(child.pid);
    });
  });
}

/** Writes $FAKE_FLOOD_MB (default 50) MB to stdout as fast as the pipe takes it, then exits 0. */
function flood() {
  const total = Number(process.env.FAKE_FLOOD_MB || '50') * 1024 * 1024;
  const line = 'x'.repeat(1023) + '\n';
  const chunk = Buffer.from(line.repeat(64));
  let written = 0;
  const pump = () => {
    while (written < total) {
      written += chunk.length;
      if (!process.stdout.write(chunk)) {
        process.stdout.once('drain', pump);
        return;
      }
    }
    exit(0);
  };
  pump();
}

/**
 * The scenarios every fake plays the same way. Returns true when it handled `scenario`
 * (the process then ends, or never does).
 */
function playCommon(scenario) {
  switch (scenario) {
    case 'hang':
      out('working...');
      sleepForever();
      return true;
    case 'prompt-no-newline':
      // A question without its newline, then waiting for an answer that never comes (stdin is closed).
      process.stdout.write('Continue? [y/N] ');
      sleepForever();
      return true;
    case 'silent-hang':
      sleepForever();
      return true;
    case 'grandchild':
      sleepForever();
      spawnStubbornGrandchild().then((pid) => out(`GRANDCHILD_PID=${pid}`));
      return true;
    case 'flood':
      flood();
      return true;
    case 'crash':
      err('TypeError: Cannot read properties of undefined (reading "content")');
      err('    at handleResponse (file:///fake/cli.js:1234:56)');
      err('    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)');
      exit(1);
      return true;
    default:
      return false;
  }
}

/** Writes a file in the working folder when $FAKE_WRITE_FILE names one (a fake "edit"). */
function maybeEdit(tool, cwd) {
  const rel = process.env.FAKE_WRITE_FILE;
  if (!rel) return;
  const file = path.resolve(cwd || process.cwd(), rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `edited by fake ${tool}\n`);
}

function sessionId() {
  return process.env.FAKE_SESSION_ID || crypto.randomUUID();
}

/**
 * usage-limit-until: the limit holds until $FAKE_LIMIT_UNTIL_MS (epoch ms); each call while it
 * holds or not is written to $FAKE_STATE_DIR/limit-calls (`<epoch ms> limited` or `ok`), so a test can check
 * that no attempt ran before the reset. With $FAKE_LIMIT_CALLS=n instead, the first n calls are limited
 * (whenever they come: for a printed reset that is not the time the limit ends).
 */
function limitHolds() {
  const dir = process.env.FAKE_STATE_DIR;
  const calls = dir && path.join(dir, 'limit-calls');
  const until = Number(process.env.FAKE_LIMIT_UNTIL_MS || '0');
  let holds = Date.now() < until;
  if (process.env.FAKE_LIMIT_CALLS && calls) {
    const before = fs.existsSync(calls)
      ? fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean).length
      : 0;
    holds = before < Number(process.env.FAKE_LIMIT_CALLS);
  }
  if (calls) fs.appendFileSync(calls, `${Date.now()} ${holds ? 'limited' : 'ok'}\n`);
  return holds;
}

/** The reset time a usage-limit scenario prints ($FAKE_RESET, else each tool's own default). */
function resetText(fallback) {
  return process.env.FAKE_RESET || fallback;
}

/**
 * The recorded outputs of the real CLIs (packages/test-support/fixtures/<tool>.json): the fakes
 * print exactly these, and core's parser test classifies the same cases.
 */
const fixtureCache = {};
function fixtureFile(tool) {
  if (!fixtureCache[tool]) {
    const file = path.join(__dirname, '..', 'fixtures', `${tool}.json`);
    fixtureCache[tool] = JSON.parse(fs.readFileSync(file, 'utf8'));
  }
  return fixtureCache[tool];
}

/** The case for a scenario (its `scenario` field) or, failing that, by case name; undefined if none. */
function fixtureCase(tool, scenarioOrName) {
  const cases = fixtureFile(tool).cases;
  return cases.find((c) => c.scenario === scenarioOrName) || cases.find((c) => c.name === scenarioOrName);
}

/** The case's output with its {{NAME}} values: `vars` first, then $FAKE_* overrides, then the case's and file's defaults. */
function renderCase(tool, c, vars = {}) {
  const env = {};
  if (process.env.FAKE_RESET) env.RESET = process.env.FAKE_RESET;
  if (process.env.FAKE_COST) env.COST = process.env.FAKE_COST;
  const all = { ...fixtureFile(tool).defaults, ...(c.vars || {}), ...env, ...vars };
  const fill = (text) => text.replace(/\{\{([A-Z_]+)\}\}/g, (m, name) => (name in all ? all[name] : m));
  return { stdout: fill(c.stdout), stderr: fill(c.stderr), exitCode: c.exitCode };
}

/** Prints a case as recorded and exits with its code. */
function playCase(tool, name, vars) {
  const c = fixtureCase(tool, name);
  if (!c) throw new Error(`no fixture ${tool}/${name}`);
  const r = renderCase(tool, c, vars);
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  exit(r.exitCode === null ? 1 : r.exitCode);
}

/**
 * Sessions a fake has started, so a resume of an unknown id fails like the real CLI (only when
 * $FAKE_STATE_DIR is set; without it every resume is accepted).
 */
function knownSession(tool, id) {
  const dir = process.env.FAKE_STATE_DIR;
  if (!dir) return true;
  try {
    return fs
      .readFileSync(path.join(dir, `${tool}-sessions`), 'utf8')
      .split('\n')
      .includes(id);
  } catch {
    return false;
  }
}

function rememberSession(tool, id, scenario) {
  const dir = process.env.FAKE_STATE_DIR;
  if (!dir) return;
  fs.appendFileSync(path.join(dir, `${tool}-sessions`), `${id}\n`);
  if (scenario) fs.writeFileSync(path.join(dir, `${tool}-session-${id}.scenario`), scenario);
}

/** The scenario a session began with (a resumed run's prompt carries none). */
function sessionScenario(tool, id) {
  const dir = process.env.FAKE_STATE_DIR;
  if (!dir || !id) return undefined;
  try {
    return fs.readFileSync(path.join(dir, `${tool}-session-${id}.scenario`), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * break-then-fix: an agent whose first change breaks a test and who repairs it once told what
 * failed. A run whose prompt contains $FAKE_FIX_WHEN (what the gate names, e.g. the failing test's
 * id) writes $FAKE_FIX_TEXT to $FAKE_EDIT_FILE; any other run writes $FAKE_BREAK_TEXT there.
 */
function breakThenFix(prompt, cwd) {
  const rel = process.env.FAKE_EDIT_FILE;
  if (!rel) return;
  const when = process.env.FAKE_FIX_WHEN;
  const fixing = when !== undefined && when !== '' && (prompt || '').includes(when);
  const text = fixing ? process.env.FAKE_FIX_TEXT : process.env.FAKE_BREAK_TEXT;
  const file = path.resolve(cwd || process.cwd(), rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text || '');
}

module.exports = {
  breakThenFix,
  sessionScenario,
  parseArgs,
  record,
  readStdinToEof,
  readStdinIfOffered,
  scenarioOf,
  stillFailing,
  out,
  err,
  exit,
  sleepForever,
  spawnStubbornGrandchild,
  playCommon,
  maybeEdit,
  sessionId,
  limitHolds,
  resetText,
  fixtureCase,
  renderCase,
  playCase,
  knownSession,
  rememberSession,
};
