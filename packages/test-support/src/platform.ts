// One implementation, in core (whose own tests cannot import this package).
export {
  FAKES_BY_PATH,
  linuxOnly,
  onlyOn,
  platformGate,
  posixOnly,
  type PlatformGate,
} from '@headless/core/platform-kit';
