/** Minimal typings for fengari (a Lua VM in JavaScript), used only to run Argo CD health scripts in tests. */
declare module 'fengari' {
  export const lua: any;
  export const lauxlib: any;
  export const lualib: any;
  export function to_luastring(s: string): Uint8Array;
  export function to_jsstring(s: Uint8Array): string;
}
