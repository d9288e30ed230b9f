// Experiment only (bench/profile.mjs --nofsync): makes fsync/fdatasync no-ops in the process, to
// show how much of a figure is spent on durability. Never used by `npm run bench`.
import fsp from 'node:fs/promises';
import process from 'node:process';

const probe = await fsp.open(process.execPath, 'r');
const FH = Object.getPrototypeOf(probe);
await probe.close();
FH.sync = async () => {};
FH.datasync = async () => {};
