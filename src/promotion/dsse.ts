// DSSE v1 envelopes (github.com/secure-systems-lab/dsse, envelope.md and protocol.md), as in-toto
// attestations and cosign use them: `{ payloadType, payload: base64(body), signatures: [{ keyid,
// sig: base64(signature) }] }`, each signature taken over PAE(payloadType, body), never over the
// JSON. Signatures are ECDSA P-256 over SHA-256, DER-encoded (ASN.1), as cosign and sigstore
// write them, so `openssl dgst -sha256 -verify pub.pem -signature sig.der pae.bin` checks one.

import { sign, verify, type KeyObject } from "node:crypto";

/** The payload type of an in-toto Statement. */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

export interface DsseSignature {
  keyid: string;
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: DsseSignature[];
}

/**
 * The Pre-Authentication Encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where
 * LEN is the byte length in ASCII decimal. What is signed; binding the type stops a signature
 * over one kind of document being replayed as another.
 */
export function pae(payloadType: string, body: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.byteLength} `, "ascii"), type, Buffer.from(` ${body.byteLength} `, "ascii"), body]);
}

/** Signs `body` into an envelope with one signature. */
export function signEnvelope(payloadType: string, body: Uint8Array, key: KeyObject, keyid: string): DsseEnvelope {
  const sig = sign("sha256", pae(payloadType, body), { key, dsaEncoding: "der" });
  return { payloadType, payload: Buffer.from(body).toString("base64"), signatures: [{ keyid, sig: sig.toString("base64") }] };
}

/**
 * Decodes base64 as DSSE allows it, standard or URL-safe alphabet, padded or not; undefined for
 * anything else (Buffer.from would skip the characters it does not know and decode the rest).
 */
export function decodeBase64(text: string): Buffer | undefined {
  const standard = /^[A-Za-z0-9+/]*={0,2}$/.test(text);
  const urlSafe = /^[A-Za-z0-9_-]*={0,2}$/.test(text);
  if (!standard && !urlSafe) return undefined;
  const unpadded = text.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) return undefined;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return undefined;
  return Buffer.from(unpadded, urlSafe && !standard ? "base64url" : "base64");
}

/**
 * Whether any of the envelope's signatures verifies, with `key`, over PAE(payloadType, body).
 * keyid is an unauthenticated hint (DSSE), so it is not consulted: the key decides.
 */
export function verifyEnvelope(envelope: DsseEnvelope, body: Uint8Array, key: KeyObject): boolean {
  const message = pae(envelope.payloadType, body);
  return envelope.signatures.some((signature) => {
    const sig = decodeBase64(signature.sig);
    if (!sig || sig.byteLength === 0) return false;
    try {
      return verify("sha256", message, { key, dsaEncoding: "der" }, sig);
    } catch {
      return false; // not DER at all
    }
  });
}
