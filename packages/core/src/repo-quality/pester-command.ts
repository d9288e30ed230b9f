/**
 * The PowerShell the Pester step runs: `pwsh -NoProfile -NonInteractive -Command <this>`. It loads
 * the repository's PesterConfiguration.psd1 (when there is one), asks for the result object
 * (PassThru) and an NUnit XML file at $env:HEADLESS_PESTER_RESULT, and exits with the number of
 * failed tests, blocks and containers (at most 255), so the exit code alone tells pass from fail.
 * Exit 3 means Pester 5 is not installed. One line, single quotes only: it is an argv element, and
 * no quoting layer between here and pwsh has to be trusted with double quotes or line breaks.
 */
export const PESTER_MISSING_EXIT = 3;

export const PESTER_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '$m = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version.Major -ge 5 } | Sort-Object Version -Descending | Select-Object -First 1',
  `if (-not $m) { [Console]::Error.WriteLine('Pester 5 is not installed: Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser -Force'); exit ${PESTER_MISSING_EXIT} }`,
  'Import-Module $m',
  "$c = if (Test-Path -LiteralPath 'PesterConfiguration.psd1') { New-PesterConfiguration -Hashtable (Import-PowerShellDataFile -LiteralPath 'PesterConfiguration.psd1') } else { New-PesterConfiguration }",
  '$c.Run.PassThru = $true',
  '$c.Run.Exit = $false',
  "if ($c.Output.Verbosity.Value -eq 'None') { $c.Output.Verbosity = 'Normal' }",
  '$c.TestResult.Enabled = $true',
  "$c.TestResult.OutputFormat = 'NUnitXml'",
  '$c.TestResult.OutputPath = $env:HEADLESS_PESTER_RESULT',
  '$r = Invoke-Pester -Configuration $c',
  '$n = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount',
  "if ($n -eq 0 -and $r.Result -eq 'Failed') { $n = 1 }",
  'exit [Math]::Min($n, 255)',
].join('; ');

export const PESTER_RESULT_ENV = 'HEADLESS_PESTER_RESULT';
