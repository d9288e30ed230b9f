/**
 * Orders machine strings (ISO-8601 times of one format, task ids, file names) by their UTF-16 code
 * units: the same order on every machine. `localeCompare` orders by the machine's locale, and its
 * first call in a process loads ICU's collation data (~13 ms here): on the first claim after every
 * worker start, and in every `status` that sorts a task table.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
