/**
 * Runs an Argo CD resource health script (Lua) on an object, as Argo CD's
 * controller does: the object is the global `obj`, the script returns a
 * table with `status` and `message`. fengari implements Lua 5.3; Argo CD
 * runs gopher-lua (5.1): the scripts use only what both share.
 */
import { lauxlib, lua, lualib, to_jsstring, to_luastring } from 'fengari';

function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  const fields = Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${JSON.stringify(k)}] = ${luaLiteral(v)}`);
  return `{${fields.join(', ')}}`;
}

export interface Health {
  readonly status: string;
  readonly message: string;
}

export function runHealth(script: string, obj: unknown): Health {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const source = `obj = ${luaLiteral(obj)}\nlocal function check()\n${script}\nend\nlocal hs = check()\nreturn hs.status, hs.message`;
  if (lauxlib.luaL_loadstring(L, to_luastring(source)) !== lua.LUA_OK || lua.lua_pcall(L, 0, 2, 0) !== lua.LUA_OK) {
    throw new Error(`Lua error: ${to_jsstring(lua.lua_tostring(L, -1))}`);
  }
  const status = to_jsstring(lua.lua_tostring(L, -2));
  const message = lua.lua_isnil(L, -1) ? '' : to_jsstring(lua.lua_tostring(L, -1));
  return { status, message };
}
