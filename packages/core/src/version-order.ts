/** A dotted version's first three numbers (`v22.13.0`, `2.29`, `23.0.0-nightly…`); what is missing or not a number is 0. */
function versionParts(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split(/[.-]/)
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0);
}

/** True when `version` is older than `min`, comparing major, minor and patch as numbers. */
export function isOlderVersion(version: string, min: string): boolean {
  const [a, b] = [versionParts(version), versionParts(min)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}
