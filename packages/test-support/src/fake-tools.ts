import { defaultToolsConfig } from '@headless/core/config/default-tools';
import { ToolsConfig } from '@headless/core/config/schema';

/**
 * The built-in tools config, with the fakes' FAKE_* variables passed through to the tools (a
 * test sets them per task or in the worker's environment). `loops: false`: no loop enabled, so a
 * started tree runs no GitStatusLoop of its own.
 */
export function fakeToolsConfig(opts: { loops?: boolean } = {}): ReturnType<typeof defaultToolsConfig> {
  const tools = defaultToolsConfig();
  tools.envPass = [...ToolsConfig.parse(tools).envPass, 'FAKE_*'];
  if (opts.loops === false) tools.loops = {};
  return tools;
}
