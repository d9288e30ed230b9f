// One implementation, in core (whose own tests cannot import this package).
export { mountSmallDisk, type SmallDisk } from '@headless/core/fs/small-disk-kit';
