/**
 * Reads the moment a usage limit lifts from a tool's own words, so the worker can park that tool
 * until then instead of burning attempts. Each form below is one the CLIs print today:
 *
 * - codex: `... or try again at 10:54 AM.` (the host's local time, today or the next day) and, for
 *   resets on another day, `Try again at Nov 28th, 2026 8:13 AM.` (codex-rs/core/src/error.rs,
 *   `format_retry_timestamp`); sometimes `try again in 4 days 3 hours`.
 * - claude: `You've hit your session limit · resets 3pm (Europe/Berlin)`, `resets at 3:30pm`,
 *   `resets Nov 28, 5am`, and the older `Claude AI usage limit reached|1760000000` (epoch seconds).
 * - gemini / Google APIs: `Suggested retry after 2s.`, `Please retry in 30.5s.`; HTTP `Retry-After: N`.
 * - gemini `You have exhausted your daily quota`: Google's per-day quotas reset at midnight Pacific
 *   time (https://ai.google.dev/gemini-api/docs/rate-limits).
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

/** The earliest plausible moment the tool will accept work again, or undefined if the text names none. */
export function parseResetTime(text: string, now: Date): Date | undefined {
  for (const parse of PARSERS) {
    const at = parse(text, now);
    if (at !== undefined && !Number.isNaN(at.getTime())) return at;
  }
  return undefined;
}

type Parser = (text: string, now: Date) => Date | undefined;

const PARSERS: Parser[] = [
  parseTryAgainAt,
  parseTryAgainIn,
  parseResets,
  parseEpochSuffix,
  parseRetryAfter,
  parseDailyQuota,
];

/** codex: `try again at 10:54 AM` / `try again at Nov 28th, 2026 8:13 AM` (local time). */
function parseTryAgainAt(text: string, now: Date): Date | undefined {
  const m =
    /try again at (?:([A-Za-z]{3})[a-z]* (\d{1,2})(?:st|nd|rd|th)?,? (\d{4}),? )?(\d{1,2}):(\d{2})\s*([AP]M)?/i.exec(
      text,
    );
  if (!m) return undefined;
  const hour = to24h(Number(m[4]), m[6]);
  const minute = Number(m[5]);
  if (m[1] !== undefined) {
    const month = monthIndex(m[1]);
    if (month < 0) return undefined;
    const at = wallTime({ year: Number(m[3]), month, day: Number(m[2]) }, hour, minute, undefined);
    return at > now ? at : justCame(at, now, PRINTED_LATE_MS);
  }
  return nextWallTime(now, hour, minute, undefined, PRINTED_LATE_MS);
}

/** codex and others: `try again in 4 days 3 hours`, `try again in 20 minutes`. */
function parseTryAgainIn(text: string, now: Date): Date | undefined {
  const m = /try again in ((?:\d+(?:\.\d+)?\s*[a-z]+[\s,]*(?:and\s+)?)+)/i.exec(text);
  if (!m?.[1]) return undefined;
  const ms = sumDurations(m[1]);
  return ms === undefined ? undefined : new Date(now.getTime() + ms);
}

/** claude: `resets 3pm`, `resets at 3:30 pm (Europe/Berlin)`, `resets Nov 28, 5am (UTC)`. */
function parseResets(text: string, now: Date): Date | undefined {
  const m =
    /\bresets?(?: at)? (?:([A-Za-z]{3})[a-z]* (\d{1,2})(?:st|nd|rd|th)?,?(?: at)? )?(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?(?:\s*\(([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*)\))?/i.exec(
      text,
    );
  if (!m) return undefined;
  // "resets 15" alone (no am/pm, no minutes) is too vague to trust.
  if (m[4] === undefined && m[5] === undefined) return undefined;
  const zone = m[6] !== undefined && isTimeZone(m[6]) ? m[6] : undefined;
  const hour = to24h(Number(m[3]), m[5]?.replace(/\./g, ''));
  const minute = m[4] === undefined ? 0 : Number(m[4]);
  if (hour > 23 || minute > 59) return undefined;
  if (m[1] !== undefined) {
    const month = monthIndex(m[1]);
    if (month < 0) return undefined;
    const today = wallDate(now, zone);
    // No year is printed: the next such date from today.
    const at = wallTime({ year: today.year, month, day: Number(m[2]) }, hour, minute, zone);
    if (at > now) return at;
    return (
      justCame(at, now, PRINTED_LATE_MS) ??
      wallTime({ year: today.year + 1, month, day: Number(m[2]) }, hour, minute, zone)
    );
  }
  return nextWallTime(now, hour, minute, zone, PRINTED_LATE_MS);
}

/** claude (older builds): `Claude AI usage limit reached|1760000000`. */
function parseEpochSuffix(text: string): Date | undefined {
  const m = /usage limit reached\|(\d{10,13})/i.exec(text);
  if (!m?.[1]) return undefined;
  const n = Number(m[1]);
  return new Date(m[1].length > 10 ? n : n * 1000);
}

/** gemini and HTTP: `Suggested retry after 2s`, `Please retry in 30.5s`, `Retry-After: 120`. */
function parseRetryAfter(text: string, now: Date): Date | undefined {
  const m =
    /retry(?:[- ]after:?| in| after)\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?|m|min|minutes?|h|hours?)?\b/i.exec(
      text,
    );
  if (!m?.[1]) return undefined;
  const unit = normaliseUnit(m[2] ?? 's');
  if (unit === undefined) return undefined;
  return new Date(now.getTime() + Math.ceil(Number(m[1]) * unit));
}

/** gemini: daily quotas reset at midnight Pacific time. */
function parseDailyQuota(text: string, now: Date): Date | undefined {
  if (!/exhausted your daily quota/i.test(text)) return undefined;
  // Not printed but inferred: only a quota message from the minute before midnight is one that came.
  return nextWallTime(now, 0, 0, 'America/Los_Angeles', MINUTE_MS);
}

function sumDurations(text: string): number | undefined {
  let total = 0;
  let found = false;
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/gi)) {
    const unit = normaliseUnit(part[2] ?? '');
    if (unit === undefined) break;
    total += Number(part[1]) * unit;
    found = true;
  }
  return found ? Math.ceil(total) : undefined;
}

function normaliseUnit(unit: string): number | undefined {
  const u = unit.toLowerCase();
  return UNIT_MS[u] ?? UNIT_MS[u.replace(/s$/, '')];
}

function to24h(hour: number, ampm: string | undefined): number {
  if (ampm === undefined) return hour;
  const pm = ampm.toLowerCase().startsWith('p');
  return (hour % 12) + (pm ? 12 : 0);
}

function monthIndex(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase());
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

interface WallDate {
  year: number;
  month: number; // 0-based
  day: number;
}

const MINUTE_MS = 60_000;
/**
 * How long after a printed reset time its words still mean that time, not the next day's: the
 * attempt's output is read when it ends, which can be after the reset it names (a CLI that retried
 * inside, a loaded machine). Printed time-only resets are hours ahead (5-hour windows), never nearly
 * a day, so half an hour late is safely the same reset.
 */
const PRINTED_LATE_MS = 30 * MINUTE_MS;

/**
 * A reset printed to the minute that came less than `lateMs` ago: the end of that minute (the CLIs
 * print it rounded down), which may be past already (then the caller backs off instead).
 */
function justCame(at: Date, now: Date, lateMs: number): Date | undefined {
  return now.getTime() - at.getTime() < lateMs ? new Date(at.getTime() + MINUTE_MS) : undefined;
}

/**
 * The next moment (strictly after now) the wall clock in `zone` (host-local when undefined) shows
 * hour:minute, or the one that just came (see `justCame`).
 */
function nextWallTime(
  now: Date,
  hour: number,
  minute: number,
  zone: string | undefined,
  lateMs: number,
): Date {
  const today = wallDate(now, zone);
  const at = wallTime(today, hour, minute, zone);
  // The one that came last can be yesterday's: `11:58 PM` read at 00:01.
  const last = at <= now ? at : wallTime({ ...today, day: today.day - 1 }, hour, minute, zone);
  const came = justCame(last, now, lateMs);
  if (came) return came;
  return at > now ? at : wallTime({ ...today, day: today.day + 1 }, hour, minute, zone);
}

function wallDate(at: Date, zone: string | undefined): WallDate {
  if (zone === undefined) return { year: at.getFullYear(), month: at.getMonth(), day: at.getDate() };
  const p = zoneParts(at, zone);
  return { year: p.year, month: p.month, day: p.day };
}

/** The instant at which the wall clock in `zone` shows the given date and time (day overflow rolls over). */
function wallTime(date: WallDate, hour: number, minute: number, zone: string | undefined): Date {
  if (zone === undefined) return new Date(date.year, date.month, date.day, hour, minute, 0, 0);
  const asUtc = Date.UTC(date.year, date.month, date.day, hour, minute);
  // The zone's offset at the guess, then once more at the corrected instant (DST edges).
  let instant = asUtc - zoneOffsetMs(new Date(asUtc), zone);
  instant = asUtc - zoneOffsetMs(new Date(instant), zone);
  return new Date(instant);
}

function zoneOffsetMs(at: Date, zone: string): number {
  const p = zoneParts(at, zone);
  const wallAsUtc = Date.UTC(p.year, p.month, p.day, p.hour, p.minute, p.second);
  return wallAsUtc - Math.floor(at.getTime() / 1000) * 1000;
}

function zoneParts(at: Date, zone: string) {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const get = (type: string): number =>
    Number(fmt.formatToParts(at).find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month') - 1,
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}
