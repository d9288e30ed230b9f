import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod's English messages for the schemas written with `zod/mini`. Classic `zod` installs them when
 * it is imported; `zod/mini` installs none (its issues then all say "Invalid input"), and `status`
 * loads only mini. Imported for its effect by every module that shows an issue's message.
 */
z.config(en());
