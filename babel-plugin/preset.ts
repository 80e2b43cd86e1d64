// `raceway/babel`: `presets: ["raceway/babel"]` or `presets: [["raceway/babel", options]]`, with the
// same options as the TypeScript transformer (SPEC.md §6).
import { declarePreset } from '@babel/helper-plugin-utils';
import plugin = require('./plugin');
import { BABEL_VERSIONS, normalizeOptions, type RacewayOptions } from './options';

const preset = declarePreset((api: any, options: RacewayOptions) => {
  api.assertVersion(BABEL_VERSIONS);
  normalizeOptions(options); // report bad options at configuration time
  return { plugins: [[plugin, options ?? {}]] };
});

export default preset;
module.exports = Object.assign(preset, { default: preset });
