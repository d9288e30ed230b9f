import fs, { type FSWatcher } from 'node:fs';
import type { RootLayout } from '../paths.js';
import { ConfigError } from './config-error.js';
import { configFromTexts, readConfigTexts, type ConfigTexts, type LoadedConfig } from './load.js';

export interface ConfigWatchOptions {
  layout: RootLayout;
  /** The config running now; a change is only reported when the files differ from what it was read from. */
  current: LoadedConfig;
  /** A changed config that is valid: apply it to new attempts. */
  onChange: (next: LoadedConfig) => void;
  /** A changed config that is not: the running one stays. Called once per distinct fault. */
  onError: (message: string, err: ConfigError) => void;
  /** Events are gathered this long (editors write a file in several steps). */
  debounceMs?: number;
  /** The folder is also read this often: file-watch events only make a check come sooner. */
  pollMs?: number;
}

export interface ConfigWatcher {
  /** Reads the files now and reports a change or a fault (what the timer and the watch events call). */
  check(): Promise<void>;
  /** The fault of the last check, if the files on disk are invalid now. */
  readonly refused: string | undefined;
  close(): void;
}

function readTextsSync(layout: RootLayout): ConfigTexts {
  const read = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  return { tools: read(layout.toolsConfig), policies: read(layout.policiesConfig) };
}

/**
 * Watches config/ and hands a new, validated config to `onChange`. An invalid file is refused with
 * the usual one-line ConfigError message and the running config stays; once the file is fixed, the
 * fixed config is applied. Checks never overlap; errors other than ConfigError are reported too.
 */
export function watchConfig(opts: ConfigWatchOptions): ConfigWatcher {
  // What `current` was read from, taken now: a change made after this point is seen as one.
  let last: ConfigTexts | undefined = readTextsSync(opts.layout);
  let refused: string | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let debounce: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;

  // The config is parsed from the very texts compared here: a file read twice could be caught
  // half-written once and whole the next time, and the same change handed on twice.
  const checkOnce = async () => {
    let texts: ConfigTexts | undefined;
    try {
      texts = await readConfigTexts(opts.layout);
      if (last && texts.tools === last.tools && texts.policies === last.policies) return;
      const next = configFromTexts(opts.layout, texts);
      last = texts;
      refused = undefined;
      if (!closed) opts.onChange(next);
    } catch (err) {
      const e =
        err instanceof ConfigError
          ? err
          : new ConfigError({
              file: 'config/',
              jsonPath: '$',
              found: String(err),
              expected: 'readable config files',
            });
      // An unreadable file: not known what is there, so the next check reads and parses again.
      last = texts;
      if (e.message !== refused && !closed) opts.onError(e.message, e);
      refused = e.message;
    }
  };

  const check = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await checkOnce();
      } while (again && !closed);
    })().finally(() => (running = undefined));
    return running;
  };

  const soon = () => {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => void check(), opts.debounceMs ?? 300);
    debounce.unref();
  };

  const watchDir = () => {
    if (watcher || closed) return;
    try {
      watcher = fs.watch(opts.layout.configDir, { persistent: false }, soon);
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      // No config/ yet: the poll finds it when it appears.
    }
  };

  watchDir();
  const poll = setInterval(() => {
    watchDir();
    void check();
  }, opts.pollMs ?? 5000);
  poll.unref();

  return {
    check,
    get refused() {
      return refused;
    },
    close() {
      closed = true;
      clearInterval(poll);
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}
