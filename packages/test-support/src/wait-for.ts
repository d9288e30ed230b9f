// One implementation, in core (whose own tests cannot import this package).
export { waitFor } from '@headless/core/process/test-kit';
