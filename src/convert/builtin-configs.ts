/**
 * The config names the converter knows without a YAML file; each carries the published
 * model_params of the official first-order-model config of the same name
 * (tools/convert/marionette_convert/configs.py, which a test keeps in step with this list).
 */
export const BUILTIN_CONFIGS = ['vox', 'vox-adv', 'taichi', 'taichi-adv', 'mgif', 'fashion', 'bair', 'nemo'] as const;
export type BuiltinConfig = (typeof BUILTIN_CONFIGS)[number];

export function isBuiltinConfig(name: string): name is BuiltinConfig {
  return (BUILTIN_CONFIGS as readonly string[]).includes(name);
}
