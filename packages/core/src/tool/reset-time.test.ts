import { describe, expect, it } from '@jest/globals';
import { parseResetTime } from './reset-time.js';

// Local wall-clock times are built with the local Date constructor, so the tests hold in any TZ.
const now = new Date(2026, 10, 20, 9, 30, 0); // 20 Nov 2026 09:30 local

describe('parseResetTime', () => {
  it('reads codex "try again at 10:54 AM" as today in local time', () => {
    const text =
      'You\u2019ve hit your usage limit. Visit https://chatgpt.com/codex/settings/usage or try again at 10:54 AM.';
    expect(parseResetTime(text, now)).toEqual(new Date(2026, 10, 20, 10, 54));
  });

  it('moves a codex time that has passed today to tomorrow', () => {
    expect(parseResetTime('Try again at 8:13 AM.', now)).toEqual(new Date(2026, 10, 21, 8, 13));
    expect(parseResetTime('Try again at 12:05 AM.', now)).toEqual(new Date(2026, 10, 21, 0, 5));
  });

  it('reads a codex reset on another day with its date', () => {
    expect(parseResetTime("You've hit your usage limit. Try again at Nov 28th, 2026 8:13 PM.", now)).toEqual(
      new Date(2026, 10, 28, 20, 13),
    );
    expect(parseResetTime('try again at Dec 1st, 2026 12:00 PM', now)).toEqual(new Date(2026, 11, 1, 12, 0));
  });

  it('reads codex "try again in 4 days 3 hours"', () => {
    expect(parseResetTime('Upgrade to Pro or try again in 4 days 3 hours.', now)).toEqual(
      new Date(now.getTime() + (4 * 24 + 3) * 3600_000),
    );
  });

  it('reads claude "resets 3pm" and "resets at 3:30 pm" in local time', () => {
    expect(parseResetTime("You've hit your session limit · resets 3pm", now)).toEqual(
      new Date(2026, 10, 20, 15, 0),
    );
    expect(parseResetTime('Usage limit reached · resets at 3:30 pm', now)).toEqual(
      new Date(2026, 10, 20, 15, 30),
    );
    expect(parseResetTime('resets 9am', now)).toEqual(new Date(2026, 10, 21, 9, 0));
  });

  it('reads claude "resets 3pm (UTC)" in the named time zone', () => {
    const utcNow = new Date(Date.UTC(2026, 10, 20, 9, 30));
    expect(parseResetTime("You've hit your limit · resets 3pm (UTC)", utcNow)).toEqual(
      new Date(Date.UTC(2026, 10, 20, 15)),
    );
    // 5am in Berlin (UTC+1 in November) is 04:00 UTC, already past at 09:30 UTC: tomorrow.
    expect(parseResetTime('resets 5am (Europe/Berlin)', utcNow)).toEqual(new Date(Date.UTC(2026, 10, 21, 4)));
  });

  it('reads claude "resets Nov 28, 5am (UTC)"', () => {
    const utcNow = new Date(Date.UTC(2026, 10, 20, 9, 30));
    expect(parseResetTime("You've hit your weekly limit · resets Nov 28, 5am (UTC)", utcNow)).toEqual(
      new Date(Date.UTC(2026, 10, 28, 5)),
    );
  });

  it('reads the old claude "usage limit reached|<epoch>" form', () => {
    expect(parseResetTime('Claude AI usage limit reached|1795000000', now)).toEqual(
      new Date(1795000000 * 1000),
    );
  });

  it('reads gemini "Suggested retry after 2s" and Google "Please retry in 30.5s"', () => {
    expect(parseResetTime('You exceeded your current quota ... Suggested retry after 2s.', now)).toEqual(
      new Date(now.getTime() + 2000),
    );
    expect(parseResetTime('Please retry in 30.5s.', now)).toEqual(new Date(now.getTime() + 30500));
  });

  it('reads an HTTP Retry-After header in seconds', () => {
    expect(parseResetTime('HTTP/1.1 429\nRetry-After: 120\n', now)).toEqual(
      new Date(now.getTime() + 120_000),
    );
  });

  it('puts a gemini daily quota reset at the next midnight Pacific time', () => {
    const utcNow = new Date(Date.UTC(2026, 10, 20, 9, 30)); // 01:30 PST on 20 Nov
    expect(parseResetTime('You have exhausted your daily quota on this model.', utcNow)).toEqual(
      new Date(Date.UTC(2026, 10, 21, 8, 0)), // 00:00 PST = 08:00 UTC
    );
  });

  it('finds nothing in text without a reset time', () => {
    expect(parseResetTime('exceeded retry limit, last status: 429 Too Many Requests', now)).toBeUndefined();
    expect(parseResetTime('Connection reset by peer', now)).toBeUndefined();
    expect(parseResetTime('stream error: exceeded retry limit; retrying 4/5 in 1.471s', now)).toBeUndefined();
  });

  it('ignores a dated reset that is already past', () => {
    expect(parseResetTime('Try again at Nov 1st, 2026 8:13 AM.', now)).toBeUndefined();
  });
});

describe('parseResetTime: the texts of issue 12', () => {
  const evening = new Date(2026, 11, 1, 18, 30); // 1 Dec 2026 18:30 local

  it('codex "try again at 7:05 PM": today, or tomorrow once it has passed', () => {
    const text = 'You\u2019ve hit your usage limit. Upgrade to Pro … or try again at 7:05 PM.';
    expect(parseResetTime(text, evening)).toEqual(new Date(2026, 11, 1, 19, 5));
    expect(parseResetTime(text, new Date(2026, 11, 1, 19, 40))).toEqual(new Date(2026, 11, 2, 19, 5));
  });

  it('a printed reset read just after it came is that reset, not the next day (the minute it names ends)', () => {
    const codex = 'You\u2019ve hit your usage limit. Upgrade to Pro … or try again at 7:05 PM.';
    const claude = "You've hit your session limit · resets 7:05pm";
    for (const text of [codex, claude]) {
      // Read within the printed minute: the minute's end, still ahead, so the park keeps its source.
      expect(parseResetTime(text, new Date(2026, 11, 1, 19, 5, 20))).toEqual(new Date(2026, 11, 1, 19, 6));
      // Read minutes late: a moment already past (the worker backs off briefly instead of a day).
      expect(parseResetTime(text, new Date(2026, 11, 1, 19, 20))).toEqual(new Date(2026, 11, 1, 19, 6));
    }
    // Across midnight: yesterday's 11:58 PM, not tonight's.
    const afterMidnight = new Date(2026, 11, 2, 0, 1);
    expect(parseResetTime('try again at 11:58 PM.', afterMidnight)).toEqual(new Date(2026, 11, 1, 23, 59));
    expect(parseResetTime('resets 11:58pm', afterMidnight)).toEqual(new Date(2026, 11, 1, 23, 59));
    expect(parseResetTime('resets 11:58pm (UTC)', new Date(Date.UTC(2026, 11, 2, 0, 1)))).toEqual(
      new Date(Date.UTC(2026, 11, 1, 23, 59)),
    );
    // Still ahead today when the one that came is long gone.
    expect(parseResetTime('try again at 11:58 PM.', new Date(2026, 11, 2, 1, 0))).toEqual(
      new Date(2026, 11, 2, 23, 58),
    );
    const dated = new Date(2026, 11, 4, 8, 13, 30);
    expect(parseResetTime('Try again at Dec 4th, 2026 8:13 AM.', dated)).toEqual(
      new Date(2026, 11, 4, 8, 14),
    );
    expect(parseResetTime("You've hit your weekly limit · resets Dec 4, 8:13am", dated)).toEqual(
      new Date(2026, 11, 4, 8, 14),
    );
  });

  it('claude "resets 6:52pm", with or without the space and the minutes', () => {
    expect(parseResetTime("You've hit your session limit · resets 6:52pm", evening)).toEqual(
      new Date(2026, 11, 1, 18, 52),
    );
    expect(parseResetTime("You've hit your session limit · resets 6pm", evening)).toEqual(
      new Date(2026, 11, 2, 18, 0),
    );
  });

  it('far resets: a weekly limit days away, a date in the next year', () => {
    expect(parseResetTime("You've hit your weekly limit · resets Dec 4, 5am", evening)).toEqual(
      new Date(2026, 11, 4, 5, 0),
    );
    expect(parseResetTime('Try again at Dec 4th, 2026 8:13 AM.', evening)).toEqual(
      new Date(2026, 11, 4, 8, 13),
    );
    expect(parseResetTime("You've hit your weekly limit · resets Jan 2, 9am", evening)).toEqual(
      new Date(2027, 0, 2, 9, 0),
    );
    expect(parseResetTime('try again in 3 days', evening)).toEqual(
      new Date(evening.getTime() + 3 * 86_400_000),
    );
  });
});
