/**
 * The GitHub Actions workflow `headless init --ci` writes into a repository: the same gate as
 * `headless quality` locally, on Windows and Linux. Pure: the text comes back, the caller writes it.
 */

export const WORKFLOW_FILE = '.github/workflows/headless-quality.yml';

/** The gate command, the same locally, in the hook's fallback and in the workflow. */
export const GATE_COMMAND = 'headless quality --repo .';

export interface WorkflowOptions {
  /** The GitHub repository headless is built from, `owner/name`. */
  headlessRepo: string;
  /** Its branch, tag or commit. */
  headlessRef: string;
}

const OWNER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+$/;

export function isGitHubRepoName(s: string): boolean {
  return OWNER_NAME.test(s);
}

/** `owner/name` from a GitHub remote URL (https or ssh), or undefined. */
export function gitHubRepoFromRemote(url: string): string | undefined {
  const m = /github\.com[:/]([^/\s]+\/[^/\s]+?)(?:\.git)?\/?$/.exec(url.trim());
  return m?.[1] && isGitHubRepoName(m[1]) ? m[1] : undefined;
}

export function workflowYaml(opts: WorkflowOptions): string {
  return `# Written by \`headless init --ci\`: the repository's quality gate, the same command as locally
# (\`${GATE_COMMAND}\`), on Windows and Linux. Step logs are uploaded as an artifact, pass or fail.
# Edit freely; \`headless init --ci --force\` writes it again. See headless's docs/quality.md.
name: headless-quality

on:
  push:
  pull_request:

permissions:
  contents: read

env:
  HEADLESS_REPO: ${opts.headlessRepo}
  HEADLESS_REF: ${opts.headlessRef}

jobs:
  quality:
    name: quality (\${{ matrix.os }})
    runs-on: \${{ matrix.os }}
    strategy:
      fail-fast: false
      matrix:
        os: [windows-latest, ubuntu-latest]
    steps:
      - uses: actions/checkout@v4
      - name: Check out headless
        uses: actions/checkout@v4
        with:
          repository: \${{ env.HEADLESS_REPO }}
          ref: \${{ env.HEADLESS_REF }}
          path: .headless-tool
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - name: Build headless and put it on PATH
        shell: bash
        run: |
          cd .headless-tool && npm ci && npm run build
          mkdir -p bin
          printf '#!/bin/sh\\nexec node "%s/packages/cli/dist/bin.js" "$@"\\n' "$PWD" > bin/headless
          chmod +x bin/headless
          printf '@node "%%~dp0..\\\\packages\\\\cli\\\\dist\\\\bin.js" %%*\\r\\n' > bin/headless.cmd
          # Windows: GITHUB_PATH wants a Windows path (cygpath), or pwsh will not find headless.cmd.
          if command -v cygpath >/dev/null; then cygpath -w "$PWD/bin"; else echo "$PWD/bin"; fi >> "$GITHUB_PATH"
      - uses: actions/setup-python@v5
        with:
          python-version: '3.x'
      - name: Python tools (ruff, pytest and the repository's dev requirements)
        shell: pwsh
        run: |
          python -m pip install --upgrade pip
          foreach ($f in 'requirements-dev.txt', 'requirements.txt') { if (Test-Path $f) { python -m pip install -r $f } }
          python -m pip install ruff pytest
      - name: PowerShell with Pester 5
        shell: pwsh
        run: Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser -Force -SkipPublisherCheck
      - name: Quality gate
        run: ${GATE_COMMAND}
      - name: Upload the step logs
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: headless-quality-\${{ matrix.os }}
          path: logs/quality/
          if-no-files-found: ignore
`;
}
