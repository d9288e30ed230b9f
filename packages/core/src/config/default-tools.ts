import type * as z from 'zod/mini';
import type { ToolsConfig } from './schema.js';

/**
 * The built-in config/tools.json: what a root with no config runs on and what `headless init`
 * writes. Every flag is one the real CLIs accept today (claude 2.1.331, codex-cli 0.169.0, gemini
 * 0.61.0, aider from its source); the blueprint's `--non-interactive` / `--no-editor` are rejected
 * by them. Why each flag is there, and the evidence for each pattern: docs/tools.md.
 */

const OBSERVED = 'observed from the real CLI (docs/tools.md)';
const RECORDED = 'recorded from the real CLI, no credentials (packages/test-support/fixtures)';
const AIDER_EXCEPTIONS = 'https://github.com/Aider-AI/aider/blob/main/aider/exceptions.py';
const AIDER_BASE_CODER = 'https://github.com/Aider-AI/aider/blob/main/aider/coders/base_coder.py';
const CODEX_ERRORS = 'https://github.com/openai/codex/blob/main/codex-rs/core/src/error.rs';
const GEMINI_HEADLESS = 'https://github.com/google-gemini/gemini-cli/blob/main/docs/cli/headless.md';
const GIT_LOCK = 'https://github.com/git/git/blob/master/lockfile.c (unable_to_lock_message)';

export function defaultToolsConfig(): z.input<typeof ToolsConfig> {
  return {
    tools: {
      git: {
        description: 'git, never prompting (no terminal prompt, no credential manager dialog)',
        executable: 'git',
        argv: ['{args}'],
        env: { GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' },
        patterns: [
          {
            pattern: "index\\.lock'?: File exists",
            class: 'transient',
            reason: 'index.lock',
            source: GIT_LOCK,
          },
          {
            pattern:
              'Could not resolve host|Connection timed out|Connection refused|Failed to connect to|Operation timed out|The remote end hung up unexpectedly|early EOF|RPC failed|Connection reset|unable to access .*: (?:Recv failure|SSL|OpenSSL)',
            class: 'transient',
            reason: 'network',
            source: 'git/http.c and git/connect.c error texts',
          },
          {
            pattern:
              'Authentication failed|Permission denied \\(publickey|could not read (?:Username|Password)|terminal prompts disabled|Host key verification failed|Repository not found',
            class: 'permanent',
            reason:
              'authentication: set up credentials for this user (credential manager or ssh key), then retry',
            source: 'git/credential.c, ssh and GitHub error texts',
          },
          {
            pattern: 'not a git repository',
            class: 'permanent',
            reason: 'not a git repository: check the task repo',
            source: 'git/setup.c',
          },
        ],
        unknownFailure: 'permanent',
      },

      aider: {
        description:
          'aider (pip install aider-chat). Set "model": without one, aider starts its OpenRouter login and waits for a browser.',
        executable: 'aider',
        // Agents edit files: each task gets its own checkout (docs/tasks.md, "worktree").
        worktree: true,
        argv: [
          '--message-file',
          '{promptFile}',
          '--yes-always',
          '--no-check-update',
          '--analytics-disable',
          '--no-gitignore',
          '--no-pretty',
          '--no-stream',
          ['--model', '{model}'],
          '{flags}',
          '{files}',
        ],
        prompt: { via: 'file' },
        model: null,
        // aider/onboarding.py (Aider-AI/aider): with no model and no API key it starts a browser OAuth
        // flow and waits for it. Its wording differs between versions; both are matched. (Its yes/no
        // questions are not: --yes-always answers them, and the answered line looks the same.)
        inputPatterns: [
          'open (this|the following) URL in your (web )?browser',
          'Waiting (up to \\d+ minutes )?for (you to finish in the browser|authentication)',
        ],
        output: 'aider',
        patterns: [
          {
            pattern: 'AuthenticationError|not able to authenticate you',
            class: 'auth',
            reason: 'authentication: check the API key for the model',
            source: AIDER_EXCEPTIONS,
          },
          {
            pattern: 'ContextWindowExceededError|has hit a token limit',
            class: 'permanent',
            reason: 'context window exceeded: give aider fewer files or a smaller task',
            source: AIDER_BASE_CODER,
          },
          {
            pattern: 'No LLM model was specified',
            class: 'permanent',
            reason: 'no model: set tools.aider.model (or an API key in the environment)',
            source: 'https://github.com/Aider-AI/aider/blob/main/aider/onboarding.py',
          },
          {
            pattern: 'NotFoundError|BadRequestError|Message file not found',
            class: 'permanent',
            reason: 'bad request or unknown model',
            source: AIDER_EXCEPTIONS,
          },
          {
            pattern: 'RateLimitError|has rate limited you',
            class: 'transient',
            reason: 'rate limit',
            limit: 'rate',
            source: AIDER_EXCEPTIONS,
          },
          {
            pattern: 'ServiceUnavailableError|InternalServerError|servers are down or overloaded',
            class: 'transient',
            reason: 'overloaded',
            source: AIDER_EXCEPTIONS,
          },
          {
            pattern: 'APIConnectionError|litellm\\.Timeout|timed out without returning a response',
            class: 'transient',
            reason: 'network',
            source: AIDER_EXCEPTIONS,
          },
        ],
        unknownFailure: 'permanent',
      },

      codex: {
        description: 'OpenAI codex exec, JSONL events, writes only inside the repo (workspace-write sandbox)',
        executable: 'codex',
        worktree: true,
        argv: [
          'exec',
          '--json',
          '--skip-git-repo-check',
          '-C',
          '{repo}',
          '--sandbox',
          'workspace-write',
          ['-m', '{model}'],
          '{flags}',
          '{prompt}',
        ],
        // Long prompts: `codex exec -` reads the prompt from stdin (which the runner then closes).
        prompt: { via: 'argument', longVia: 'stdin', stdinArg: '-' },
        output: 'codex-jsonl',
        exitCodes: { '2': 'permanent' },
        patterns: [
          {
            pattern:
              '401 Unauthorized|Incorrect API key|invalid_api_key|Missing environment variable|refresh token|codex login|Not logged in',
            class: 'auth',
            reason: 'authentication: run codex login or set OPENAI_API_KEY',
            source: `${RECORDED}; ${CODEX_ERRORS}`,
          },
          {
            pattern: 'Quota exceeded\\. Check your plan and billing|upgrade to Plus|insufficient_quota',
            class: 'permanent',
            reason: 'billing: the account has no quota for codex',
            source: CODEX_ERRORS,
          },
          {
            pattern: 'hit your usage limit',
            class: 'transient',
            reason: 'usage limit',
            limit: 'usage',
            source: `${OBSERVED}; ${CODEX_ERRORS} (UsageLimitReachedError)`,
          },
          {
            pattern: '429 Too Many Requests|rate limit',
            class: 'transient',
            reason: 'rate limit',
            limit: 'rate',
            source: OBSERVED,
          },
          {
            pattern: '503 Service Unavailable|50[02] |at capacity|high demand|overloaded',
            class: 'transient',
            reason: 'overloaded',
            source: `${OBSERVED}; ${CODEX_ERRORS}`,
          },
          {
            pattern:
              'stream disconnected|Connection failed|error sending request|Reconnecting|waiting for network|timed out',
            class: 'transient',
            reason: 'network',
            source: `${OBSERVED}; ${CODEX_ERRORS}`,
          },
          {
            pattern: 'Not inside a trusted directory',
            class: 'permanent',
            reason: 'untrusted folder: keep --skip-git-repo-check in tools.codex.argv',
            source: OBSERVED,
          },
          {
            pattern: "ran out of room in the model's context window",
            class: 'permanent',
            reason: 'context window exceeded: split the task',
            source: CODEX_ERRORS,
          },
        ],
        // What is left after auth, billing and usage errors is nearly always the service.
        unknownFailure: 'transient',
        // codex's approval questions (strings of the codex 0.171 binary); `exec` asks none today.
        inputPatterns: [
          'Would you like to (?:run the following command|make the following edits|grant these permissions)\\?',
        ],
        // codex reports tokens, not dollars. OpenAI list prices for gpt-5-codex per million tokens.
        pricing: {
          inputUsdPerMTok: 1.25,
          cachedInputUsdPerMTok: 0.125,
          outputUsdPerMTok: 10,
          source: 'https://openai.com/api/pricing (gpt-5-codex, 2026-12): an estimate, check your plan',
        },
      },

      claude: {
        description: 'Claude Code in print mode, JSON result, edits accepted, no interactive questions',
        executable: 'claude',
        worktree: true,
        // `-p` is the print switch, not the prompt's option: it stays when the prompt goes by stdin.
        argv: [
          '-p',
          '{prompt}',
          '--output-format',
          'json',
          '--permission-mode',
          'acceptEdits',
          '--disallowedTools',
          'AskUserQuestion',
          ['--model', '{model}'],
          '{flags}',
        ],
        prompt: { via: 'argument', longVia: 'stdin', stdinArg: null },
        // claude otherwise retries 401/429/network 10 times over ~3 minutes inside one attempt;
        // with 0 it fails in ~1 s and the runner's backoff, usage-limit parking and breaker decide.
        env: { CLAUDE_CODE_MAX_RETRIES: '0' },
        output: 'claude-json',
        // The folder-trust and permission dialogs of the interactive UI (strings of claude 2.1.332).
        inputPatterns: ['Do you trust the files in this folder\\?', 'Yes, I trust this folder'],
        patterns: [
          {
            pattern:
              'Not logged in|Please run /login|Invalid API key|Authentication required|Invalid auth token|OAuth token has expired|authentication_failed',
            class: 'auth',
            reason: 'authentication: run claude /login or set ANTHROPIC_API_KEY',
            source: RECORDED,
          },
          {
            pattern: 'Credit balance is too low|billing_error',
            class: 'permanent',
            reason: 'billing: credit balance too low',
            source: OBSERVED,
          },
          {
            pattern: 'cannot be used with root/sudo privileges',
            class: 'permanent',
            reason:
              'bypassPermissions refused as root: use --permission-mode acceptEdits with --allowedTools',
            source: OBSERVED,
          },
          {
            pattern: 'requires --verbose',
            class: 'permanent',
            reason: 'stream-json output needs --verbose: add it to the flags',
            source: OBSERVED,
          },
          {
            pattern: 'Invalid session ID',
            class: 'permanent',
            reason: 'the --session-id is not a UUID',
            source: RECORDED,
          },
          {
            pattern: 'Input must be provided either through stdin or as a prompt argument',
            class: 'permanent',
            reason: 'no prompt reached claude',
            source: OBSERVED,
          },
          {
            pattern: 'hit your (?:session |weekly |usage )?limit|usage limit reached|resets \\d',
            class: 'transient',
            reason: 'usage limit',
            limit: 'usage',
            source: OBSERVED,
          },
          {
            pattern: '\\b429\\b|rate.?limit',
            class: 'transient',
            reason: 'rate limit',
            limit: 'rate',
            source: OBSERVED,
          },
          {
            pattern: '\\b529\\b|Overloaded',
            class: 'transient',
            reason: 'overloaded',
            source: OBSERVED,
          },
          {
            pattern:
              "Can't reach the API server|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection refused|No internet route|socket hang up",
            class: 'transient',
            reason: 'network',
            source: OBSERVED,
          },
        ],
        unknownFailure: 'transient',
      },

      gemini: {
        description: 'Gemini CLI headless, JSON output, edits auto-approved, workspace trusted',
        executable: 'gemini',
        worktree: true,
        // A group: for a long prompt `-p` goes too and gemini reads the prompt from stdin (not a TTY).
        argv: [
          ['-p', '{prompt}'],
          '--output-format',
          'json',
          '--skip-trust',
          '--approval-mode',
          'auto_edit',
          ['-m', '{model}'],
          '{flags}',
        ],
        prompt: { via: 'argument', longVia: 'stdin', stdinArg: null },
        // Belt and braces with --skip-trust: without trust a headless run exits 55.
        env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' },
        output: 'gemini-json',
        // The trust and login prompts of the interactive UI (strings of gemini 0.61.0).
        inputPatterns: [
          'Do you trust the (?:files in this folder|following folders)',
          'Waiting for authentication',
        ],
        exitCodes: {
          // Documented codes (GEMINI_HEADLESS) and 55 (untrusted folder, observed).
          '41': 'auth', // authentication
          '42': 'permanent', // no or invalid input
          '44': 'permanent', // sandbox error
          '52': 'permanent', // configuration
          '53': 'permanent', // maxSessionTurns reached: a retry hits the same limit
          '54': 'permanent', // fatal tool error (e.g. disk full): needs a person
          '55': 'permanent', // untrusted folder
          '130': 'transient', // cancelled by SIGINT from outside
          // JSON modes exit with the HTTP status mod 256 (observed).
          '144': 'permanent', // 400, e.g. API_KEY_INVALID
          '147': 'auth', // 403
          '173': 'transient', // 429
          '247': 'transient', // 503
        },
        patterns: [
          {
            pattern:
              'API_KEY_INVALID|API key not valid|Please set an Auth method|Invalid auth method|PERMISSION_DENIED',
            class: 'auth',
            reason: 'authentication: set GEMINI_API_KEY or log in with gemini',
            source: `${OBSERVED}; ${GEMINI_HEADLESS} (exit 41)`,
          },
          {
            pattern: 'not running in a trusted directory',
            class: 'permanent',
            reason: 'untrusted folder: keep --skip-trust in tools.gemini.argv',
            source: OBSERVED,
          },
          {
            pattern: 'exhausted your daily quota',
            class: 'transient',
            reason: 'daily quota (resets at midnight Pacific time)',
            limit: 'usage',
            source: `${OBSERVED}; https://ai.google.dev/gemini-api/docs/rate-limits`,
          },
          {
            pattern: 'exceeded your current quota|RESOURCE_EXHAUSTED|\\b429\\b|rate limit',
            class: 'transient',
            reason: 'rate limit',
            limit: 'rate',
            source: OBSERVED,
          },
          {
            pattern: 'overloaded|UNAVAILABLE|\\b503\\b',
            class: 'transient',
            reason: 'overloaded',
            source: OBSERVED,
          },
          {
            pattern: 'fetch failed|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT',
            class: 'transient',
            reason: 'network',
            source: OBSERVED,
          },
        ],
        unknownFailure: 'transient',
      },

      quality: {
        description:
          "the repository's quality gate (headless quality): ruff, pytest, Pester and its JS scripts, or its .headless/quality.json; args: --only/--skip",
        // This node and headless's own CLI script: no PATH lookup, no .cmd shim (docs/quality.md).
        executable: '{node}',
        argv: ['{headless}', 'quality', '--repo', '{repo}', ['--root', '{root}'], '--json', '{args}'],
        // What Python and PowerShell need to find their tools and modules (virtualenvs, pyenv, conda).
        envPass: [
          'VIRTUAL_ENV',
          'CONDA_*',
          'PYENV_*',
          'PYTHON*',
          'PIP_*',
          'PSModulePath',
          'ProgramFiles',
          'ProgramData',
          'SystemDrive',
          'windir',
        ],
        output: 'quality-json',
        // A test suite may print nothing for minutes; the gate itself ends each step at its limit.
        timeoutSec: 3600,
        idleTimeoutSec: 3600,
        unknownFailure: 'permanent',
      },

      pwsh: {
        description: 'PowerShell 7, no profile, never prompting',
        executable: 'pwsh',
        argv: ['-NoProfile', '-NonInteractive', '{args}'],
        unknownFailure: 'permanent',
      },
      node: {
        description: 'Node.js scripts',
        executable: 'node',
        argv: ['{args}'],
        unknownFailure: 'permanent',
      },
      npm: {
        description: 'npm scripts (no update check, no funding notices)',
        executable: 'npm',
        argv: ['{args}'],
        env: { npm_config_update_notifier: 'false', npm_config_fund: 'false' },
        patterns: [
          {
            pattern: 'ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|network request to .* failed',
            class: 'transient',
            reason: 'network',
            source: 'npm error codes (https://docs.npmjs.com/common-errors)',
          },
        ],
        unknownFailure: 'permanent',
      },
    },

    loops: {
      GitStatusLoop: {
        description: 'Fetch and show short status; --no-optional-locks keeps status from taking index.lock',
        enabled: true,
        intervalSec: 300,
        repos: ['.'],
        steps: [
          { tool: 'git', args: ['fetch', '--all', '--prune'] },
          { tool: 'git', args: ['--no-optional-locks', 'status', '-sb'] },
        ],
      },
      ClaudeReviewLoop: {
        description: 'Example: a daily read-only review by claude (enable and adjust)',
        enabled: false,
        intervalSec: 86400,
        repos: ['.'],
        steps: [
          {
            tool: 'claude',
            prompt:
              'Review the changes committed in the last day (git log --since=1.day -p). List bugs, risky changes and missing tests in REVIEW.md. Do not change other files.',
            timeoutSec: 1800,
          },
        ],
      },
      CodexLoop: {
        description: 'Example: codex keeps the test suite green (enable and adjust)',
        enabled: false,
        intervalSec: 21600,
        repos: ['.'],
        steps: [
          {
            tool: 'codex',
            prompt:
              'Run the test suite. If a test fails, find the cause and fix it with the smallest change; do not weaken or delete tests. Summarise what you changed.',
            timeoutSec: 3600,
          },
        ],
      },
      AiderLoop: {
        description: 'Example: aider tidies TODO comments (enable, set tools.aider.model first)',
        enabled: false,
        intervalSec: 86400,
        repos: ['.'],
        steps: [
          {
            tool: 'aider',
            prompt:
              'Pick one TODO comment in the code base that can be resolved safely, resolve it, and remove the comment.',
            timeoutSec: 1800,
          },
        ],
      },
    },
  };
}
