/**
 * The AOF directory on disk: paths, crash-safe manifest switches, the upgrade of an old
 * single-file appendonly.aof, and writing a base file synchronously at start-up. Every change of
 * the manifest is written to a temporary file, fsynced, renamed over the manifest and the
 * directory fsynced, so a crash at any moment leaves either the old or the new manifest, and
 * both only name files that exist. Mirrors redis aof.c persistAofManifest(),
 * aofUpgradePrepare() and the file helpers around them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Bytes } from '../keyspace/bytes.js';
import type { Server } from '../server.js';
import { formatManifest, manifestFileName, tempManifestFileName, type AofManifest } from './aof-manifest.js';

/** Where the AOF lives: `dir`/`appenddirname`, and the names in it. */
export class AofPaths {
  constructor(private readonly server: Server) {}

  /** appendfilename (the prefix of every file name). */
  get fileName(): string {
    return this.server.config.get('appendfilename');
  }

  /** `dir`/`appenddirname` */
  get dir(): string {
    return path.resolve(this.server.config.get('dir'), this.server.config.get('appenddirname'));
  }

  /** A file of the AOF directory. */
  file(name: Bytes): string {
    return path.join(this.dir, name);
  }

  /** The manifest. */
  get manifest(): string {
    return this.file(manifestFileName(this.fileName));
  }

  /** An old-style single AOF file: `dir`/`appendfilename`. */
  get oldStyle(): string {
    return path.resolve(this.server.config.get('dir'), this.fileName);
  }

  /** The temporary base file a rewrite writes (in `dir`, as Redis does). */
  get rewriteTemp(): string {
    return path.resolve(this.server.config.get('dir'), `temp-rewriteaof-bg-${process.pid}.aof`);
  }

  /** The incremental file used while AOF is being turned on (named for real once the base exists). */
  get tempIncrName(): string {
    return `temp-${this.fileName}.incr`;
  }
}

/** Makes the AOF directory if it does not exist. */
export function ensureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
}

/** fsyncs a directory, so the renames and creations in it are durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes the manifest crash-safely (temporary file, fsync, rename, fsync of the directory). */
export function persistManifest(paths: AofPaths, m: AofManifest): void {
  const dir = paths.dir;
  ensureDir(dir);
  const temp = paths.file(tempManifestFileName(paths.fileName));
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, Buffer.from(formatManifest(m), 'latin1'));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, paths.manifest);
  fsyncDir(dir);
}

/** Size of a file, or 0 when it cannot be read. */
export function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

/**
 * Upgrade from Redis < 7.0 (or Kioku's own old layout): moves `dir`/appendonly.aof into the AOF
 * directory as the base of a new manifest. Crash-safe: the file is hard-linked into the
 * directory, the manifest written, and only then the old name removed; after a crash before the
 * manifest exists the old file is still in place and the upgrade simply runs again.
 */
export function migrateOldStyle(paths: AofPaths, m: AofManifest): void {
  const dir = paths.dir;
  ensureDir(dir);
  const target = paths.file(paths.fileName);
  fs.rmSync(target, { force: true });
  fs.linkSync(paths.oldStyle, target);
  m.base = { name: paths.fileName, seq: 1, type: 'b' };
  m.currBaseSeq = 1;
  persistManifest(paths, m);
  fs.unlinkSync(paths.oldStyle);
  fsyncDir(path.dirname(paths.oldStyle));
}

/** Is there a regular file at this path? */
export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The last component of a path. */
export function pathTail(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Removes a temporary file if it is there; a failure (it is a directory...) is not an error. */
export function removeQuietly(p: string): void {
  try {
    fs.rmSync(p, { force: true });
  } catch {
    // Nothing to clean up, or nothing we can clean up.
  }
}
