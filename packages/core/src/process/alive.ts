/** Kept for the existing importers: process identity lives in identity.ts (see ownership.ts). */
export { isAlive, processStartTime } from './identity.js';
