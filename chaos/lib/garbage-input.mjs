// The inputs of the garbage campaign: fuzzed inbox lines and odd-but-valid tasks.
export const MAX_LINE = 65536;

const deep = (d, open = '[', close = ']') => open.repeat(d) + close.repeat(d);

/** Each kind of garbage line and how to make one from (rng, id, n); no raw newline, never blank. */
const GARBAGE = [
  [
    'random-bytes',
    (rng) => {
      const b = rng.bytes(rng.int(1, 3000));
      for (let i = 0; i < b.length; i++) if (b[i] === 0x0a || b[i] === 0x0d) b[i] = 0x41;
      b[0] = 0x7b; // never blank
      return b;
    },
  ],
  [
    'huge-line',
    (rng, id) => `{"id":"${id}","tool":"slow","args":["${'x'.repeat(rng.int(MAX_LINE, MAX_LINE * 4))}"]}`,
  ],
  ['deep-json-args', (rng, id) => `{"id":"${id}","tool":"slow","args":${deep(rng.int(2000, 20000))}}`],
  ['deep-json-env', (rng, id) => `{"id":"${id}","tool":"slow","env":{"A":${deep(rng.int(2000, 20000))}}}`],
  [
    'deep-json-unknown-key',
    (rng, id) =>
      `{"id":"${id}","tool":"slow","x":${deep(rng.int(2000, 20000), '{"a":', '}').replace(/\}+$/, (m) => m)}}`,
  ],
  ['deep-json-top', (rng) => deep(rng.int(2000, 30000))],
  [
    'deep-object-id',
    (rng) => `{"id":${deep(rng.int(2000, 20000), '{"a":', '}').slice(0, -1)}1}},"tool":"slow"}`,
  ],
  [
    'unicode-id',
    (rng, id, n) =>
      `{"id":"${rng.pick(['tâche', '任务', 'ｔａｓｋ', 'a\u202eb', 'emoji-💥', 'ΑΒΓ'])}-${n}","tool":"slow","args":["5"]}`,
  ],
  [
    'wrong-type',
    (rng, id, n) =>
      rng.pick([
        `{"id":${n},"tool":"slow"}`,
        `{"id":"${id}","tool":["slow"]}`,
        `{"id":"${id}","tool":"slow","args":{"0":"5"}}`,
        `{"id":"${id}","tool":"slow","args":[5]}`,
        `{"id":"${id}","tool":"slow","priority":"high"}`,
        `{"id":"${id}","tool":"slow","timeout_sec":1.5}`,
        `{"id":"${id}","tool":"slow","timeout_sec":-1}`,
        `{"id":"${id}","tool":"slow","max_attempts":1e9}`,
        `{"id":"${id}","tool":"slow","not_before":"yesterday"}`,
        `{"id":"${id}","tool":"slow","rerun":"yes"}`,
        `{"id":"${id}","tool":"slow","env":{"A":1}}`,
        `{"id":"${id}","tool":"slow","env":{"BAD NAME":"x"}}`,
        `{"id":null,"tool":null}`,
        `{"id":"${id}","tool":"slow","priority":1e309}`,
      ]),
  ],
  [
    'prototype-keys',
    (rng, id) =>
      rng.pick([
        `{"id":"${id}","tool":"slow","__proto__":{"polluted":true}}`,
        `{"id":"${id}","tool":"__proto__"}`,
        `{"id":"${id}","tool":"constructor"}`,
        `{"id":"${id}","tool":"toString"}`,
        `{"id":"${id}","tool":"slow","constructor":{"prototype":{"polluted":true}}}`,
      ]),
  ],
  [
    'not-an-object',
    (rng, id) =>
      rng.pick(['null', 'true', '42', '"a string"', '[]', `[{"id":"${id}","tool":"slow"}]`, '1e309']),
  ],
  [
    'broken-json',
    (rng, id) =>
      rng.pick([
        `{"id":"${id}","tool":"slow",}`,
        `{"id":"${id}", /* c */ "tool":"slow"}`,
        `{'id':'${id}','tool':'slow'}`,
        `{"id":"${id}","tool":"slow","args":[NaN]}`,
        `{"id":"${id}","tool":"slow"}}`,
        `{"id":"${id}\u0000","tool":"slow"}`,
        `{"id":"${id}","tool":"slow"} trailing`,
      ]),
  ],
  [
    'bad-id',
    (rng) =>
      rng
        .pick([
          '../escape',
          '/abs',
          'a/b',
          'a\\\\b',
          '..',
          '.',
          'CON',
          'nul.txt',
          'COM1',
          '',
          'x'.repeat(129),
        ])
        .replace(/^/, `{"id":"`) + `","tool":"slow"}`,
  ],
  ['unknown-tool', (rng, id) => `{"id":"${id}","tool":"rm -rf /"}`],
  [
    'repo-outside',
    (rng, id) => `{"id":"${id}","tool":"slow","repo":"${rng.pick(['/', '..', '../..', '/etc', '/tmp'])}"}`,
  ],
];

/** One garbage line (no raw newline, not blank) and the kind it is. */
export function garbageLine(rng, n) {
  const [kind, make] = rng.pick(GARBAGE);
  return { kind, bytes: Buffer.from(make(rng, `g-${n}`, n)) };
}

/** A valid task with odd but legal content (unicode, metacharacters); `fail` ones exit 3. */
export function validLine(rng, n, expected) {
  const id = `v-${n}`;
  const fail = rng.chance(0.05);
  const extra = rng.pick([
    'ünïcødé',
    '💥🔥',
    '\u202eRTL',
    '$(touch pwned)',
    '; rm -rf / #',
    '`id`',
    '"quoted" \'x\'',
    '\ud800',
    '%PATH%',
  ]);
  expected.set(id, fail ? 'failed' : 'done');
  const line = JSON.stringify({
    id,
    tool: 'slow',
    args: [String(rng.int(1, 30)), fail ? '3' : '0', extra],
    priority: rng.int(-5, 5),
  });
  // A BOM or CR now and then, as files from Windows tools carry them.
  return Buffer.from(`${rng.chance(0.05) ? '\uFEFF' : ''}${line}${rng.chance(0.2) ? '\r' : ''}`);
}
