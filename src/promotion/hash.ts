// Streaming sha256 of files: large reads into one reused buffer per file, never the whole file in
// memory, and a small concurrency limit (outputs can be GBs; the machine may have 2 cores).

import { createHash } from "node:crypto";
import { openUntrustedHandle, UntrustedFileError } from "../core/read.js";

/** 1 MiB reads: large enough that per-read overhead is noise next to hashing. */
export const HASH_CHUNK_BYTES = 1024 * 1024;
/** Files hashed at once: one core hashes while the other's read is in flight. */
export const HASH_CONCURRENCY = 2;

export interface FileDigest {
  sha256: string;
  bytes: number;
}

export class NotAFileError extends Error {
  override name = "NotAFileError";
}

/**
 * Bytes hashed past what a receipt declares before a larger file is given up: a mismatch of a
 * few bytes still gets its digest reported, a sparse file of terabytes is not read.
 */
export const HASH_SLACK_BYTES = 64 * 1024 * 1024;

/**
 * The file is larger than hashFile's `limitBytes`: its size on opening, or the bytes read before
 * it was given up (it grew while being read).
 */
export class SizeMismatchError extends Error {
  override name = "SizeMismatchError";
  constructor(
    readonly file: string,
    readonly bytes: number,
  ) {
    super(`${file} is not the size expected`);
  }
}

/**
 * Hashes the file at `path` (already resolved); refuses anything that is not a regular file
 * before opening it (src/core/read.ts), so a FIFO or /dev/zero neither blocks nor streams forever.
 */
export async function hashFile(path: string, chunkBytes: number = HASH_CHUNK_BYTES, limitBytes?: number): Promise<FileDigest> {
  let opened: Awaited<ReturnType<typeof openUntrustedHandle>>;
  try {
    opened = await openUntrustedHandle(path);
  } catch (error) {
    if (error instanceof UntrustedFileError && error.problem === "not-a-file") throw new NotAFileError(`${path} is ${error.reason}`);
    throw error;
  }
  const { handle, size } = opened;
  try {
    // A file larger than the limit is not read (a sparse file of terabytes would take hours to
    // hash), and one that grows past it while it is read is given up there.
    if (limitBytes !== undefined && size > limitBytes) throw new SizeMismatchError(path, size);
    const hash = createHash("sha256");
    const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(size, 1)));
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      // update() copies what it needs synchronously, so the buffer can be reused at once.
      hash.update(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
      bytes += bytesRead;
      if (limitBytes !== undefined && bytes > limitBytes) throw new SizeMismatchError(path, bytes);
    }
    return { sha256: hash.digest("hex"), bytes };
  } finally {
    await handle.close();
  }
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the items' order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
