// Local typings for the two Babel helper packages that ship without declarations.
declare module '@babel/helper-plugin-utils' {
  export function declare<O, R>(builder: (api: any, options: O, dirname: string) => R): (api: any, options: O, dirname: string) => R;
  export function declarePreset<O, R>(builder: (api: any, options: O, dirname: string) => R): (api: any, options: O, dirname: string) => R;
}
declare module '@babel/helper-module-imports' {
  export function addNamespace(path: any, source: string, opts?: Record<string, unknown>): any;
  export function isModule(path: any): boolean;
}
