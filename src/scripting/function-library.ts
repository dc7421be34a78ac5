/**
 * The shapes of the scripting registries the server keeps: the EVAL script cache and the
 * FUNCTION libraries. The registries themselves live on the Server (server.scripts,
 * server.functionLibraries); the scripting engine fills them, SCRIPT/FUNCTION FLUSH empty them,
 * and FUNCTION LIST / SCRIPT EXISTS read them. Mirrors redis functions.h (functionLibInfo,
 * functionInfo) and eval.c's lctx.lua_scripts dictionary.
 */
import type { Bytes } from '../keyspace/bytes.js';

/** One function registered by a library (redis.register_function). */
export interface FunctionInfo {
  name: string;
  /** null when the library gave none (FUNCTION LIST shows a null). */
  description: string | null;
  /** no-writes, allow-oom, allow-stale, no-cluster, allow-cross-slot-keys. */
  flags: string[];
}

/** A library loaded with FUNCTION LOAD. */
export interface FunctionLibrary {
  name: string;
  /** The engine named in the shebang, as FUNCTION LIST shows it (LUA). */
  engine: string;
  /** The library's source, as loaded (FUNCTION LIST WITHCODE). */
  code: Bytes;
  /** Its functions, in registration order. */
  functions: Map<string, FunctionInfo>;
}
