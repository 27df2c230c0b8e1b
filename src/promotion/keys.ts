// Signing keys for verification summaries: ECDSA P-256 in PEM, a PKCS#8 (or SEC1, as
// `openssl ecparam -genkey` writes) private key and an SPKI public key, the formats cosign
// imports and verifies with (`cosign verify-blob --key pub.pem`) and openssl reads. Encrypted
// private keys are refused: decrypt them into the pipeline's secret store instead.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { closeSync, existsSync, openSync, unlinkSync, writeSync } from "node:fs";
import { ConfigError } from "../core/errors.js";
import { readUntrustedFile, UntrustedFileError } from "../core/read.js";
import { refuseLinkedDirectories } from "../core/write.js";

/** Key files are small; anything larger is not a key. */
const MAX_KEY_BYTES = 64 * 1024;

/** A key file through the untrusted-file reader: a FIFO or /dev/zero at the path must not hang or exhaust the run. */
function readPem(file: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readUntrustedFile(file, { maxBytes: MAX_KEY_BYTES });
  } catch (error) {
    if (error instanceof UntrustedFileError && error.problem === "too-large") throw new ConfigError(`the ${what} is over ${MAX_KEY_BYTES} bytes`, file);
    throw new ConfigError(`cannot read the ${what}: ${(error as UntrustedFileError).code ?? (error as Error).message}`, file);
  }
  return bytes.toString("utf8");
}

function requireP256(key: KeyObject, file: string, what: string): KeyObject {
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new ConfigError(`the ${what} is ${key.asymmetricKeyType ?? "unknown"}${curve ? ` (${curve})` : ""}, not ECDSA P-256`, file);
  }
  return key;
}

/** An ECDSA P-256 private key from a PEM file (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`). */
export function loadSigningKey(file: string): KeyObject {
  const pem = readPem(file, "signing key");
  if (pem.includes("ENCRYPTED")) throw new ConfigError("the signing key is encrypted; gatehouse reads unencrypted PEM keys only", file);
  if (!/-----BEGIN (EC )?PRIVATE KEY-----/.test(pem)) throw new ConfigError("the signing key is not a PEM private key (BEGIN PRIVATE KEY or BEGIN EC PRIVATE KEY)", file);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (error) {
    throw new ConfigError(`the signing key cannot be read: ${(error as Error).message}`, file);
  }
  return requireP256(key, file, "signing key");
}

/** An ECDSA P-256 public key from a PEM file (SPKI `PUBLIC KEY`, as cosign.pub). */
export function loadVerifyKey(file: string): KeyObject {
  const pem = readPem(file, "public key");
  // createPublicKey would also derive one from a private key or a certificate: a verifier is given the public key.
  if (!pem.includes("-----BEGIN PUBLIC KEY-----")) throw new ConfigError("the key is not a PEM public key (BEGIN PUBLIC KEY)", file);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch (error) {
    throw new ConfigError(`the public key cannot be read: ${(error as Error).message}`, file);
  }
  return requireP256(key, file, "public key");
}

/** The keyid written beside a signature: the sha256 of the public key's DER (SPKI), in hex. */
export function keyId(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256").update(pub.export({ type: "spki", format: "der" })).digest("hex");
}

/**
 * Generates a P-256 key pair into `privateFile` (mode 0600) and `publicFile`. Refuses to replace
 * either; if the second cannot be written, the first is removed, so no half pair is left.
 */
export function generateKeyFiles(privateFile: string, publicFile: string): { keyid: string } {
  for (const file of [privateFile, publicFile]) {
    if (existsSync(file)) throw new ConfigError("already exists; gatehouse never replaces a key file", file);
    // A committed `keys -> /elsewhere` would put the private key outside the repository.
    refuseLinkedDirectories(file);
  }
  const { privateKey, publicKey } = generateKeyPairSync("ec", {
    namedCurve: "prime256v1",
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  writeNew(privateFile, privateKey, 0o600);
  try {
    writeNew(publicFile, publicKey, 0o644);
  } catch (error) {
    unlinkSync(privateFile);
    throw error;
  }
  return { keyid: keyId(createPublicKey(publicKey)) };
}

/** Creates `file` (never replacing one: O_EXCL) with `mode` from the start, and writes `text`. */
function writeNew(file: string, text: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(file, "wx", mode);
  } catch (error) {
    throw new ConfigError(`cannot create: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, file);
  }
  try {
    writeSync(fd, text);
    closeSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(file); // ours (O_EXCL), and half written
    throw error;
  }
}
