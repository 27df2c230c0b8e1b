// io.jwt.* as topdown computes them (v1/topdown/tokens.go), on node:crypto: decoding, signature
// verification with a PEM certificate, a PEM public key, a JWK or a JWK set (a key whose `kid`
// matches the token's is the only one tried; keys with another `alg` are skipped), the
// constraints of io.jwt.decode_verify (cert/secret, alg, iss, aud, time; exp and nbf against the
// evaluation's clock) and signing with the first key of a JWK set.
//
// Claims come back as JSON numbers read into doubles: an integer past 2^53, which OPA keeps
// exactly, is refused (BuiltinError) rather than returned rounded.

import { createHmac, createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, timingSafeEqual, X509Certificate, constants, type KeyObject } from "node:crypto";
import { BuiltinError, OperandError, operandTypeError, stringOperand, valueName } from "./errors.js";
import { isSet, RegoNumber } from "./values.js";
import { goJson } from "./json-marshal.js";

type Obj = Record<string, unknown>;

const ALGORITHMS = new Set(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512", "EdDSA"]);

/** topdown's base64url.decode: padding added where omitted, then Go's strict URL alphabet. */
export function base64UrlDecode(text: string): Buffer {
  let s = text;
  if (!s.endsWith("=")) {
    const rest = s.length % 4;
    if (rest === 2) s += "==";
    else if (rest === 3) s += "=";
    else if (rest === 1) throw new BuiltinError(`illegal base64url string: ${s}`);
  }
  const clean = s.replace(/[\r\n]/g, "");
  const match = /^([A-Za-z0-9_-]*)(={0,2})$/.exec(clean);
  if (!match || clean.length % 4 !== 0 || (match[2]!.length > 0 && match[1]!.length % 4 !== 4 - match[2]!.length)) {
    const at = clean.search(/[^A-Za-z0-9_-]/);
    throw new BuiltinError(`illegal base64 data at input byte ${at < 0 ? clean.length : at}`);
  }
  return Buffer.from(match[1]!, "base64url");
}

/** A JSON object's text as topdown's json.unmarshal reads it (the last of repeated keys wins). */
function jsonObject(text: string): Obj {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BuiltinError(`invalid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new BuiltinError("decoded JSON type was not an Object");
  assertExact(value);
  return value as Obj;
}

function assertExact(value: unknown): void {
  if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new BuiltinError("gatehouse does not decode JWT claims with integers past 2^53 exactly");
  }
  if (value && typeof value === "object") for (const v of Object.values(value)) assertExact(v);
}

interface Token {
  header: string;
  payload: string;
  signature: string;
}

function splitToken(value: unknown): Token {
  const text = stringOperand(value, 1);
  if (!text.includes(".")) throw new BuiltinError("encoded JWT had no period separators");
  const parts = text.split(".");
  if (parts.length !== 3) throw new BuiltinError(`encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0]!, payload: parts[1]!, signature: parts[2]! };
}

function decodeHeader(token: Token): Obj {
  let text: string;
  try {
    text = base64UrlDecode(token.header).toString("utf8");
  } catch (error) {
    throw new BuiltinError(`JWT header had invalid encoding: ${(error as Error).message}`);
  }
  let header: Obj;
  try {
    header = jsonObject(text);
  } catch (error) {
    throw new BuiltinError(`bad JWT header: ${(error as Error).message}`);
  }
  if ("enc" in header) throw new BuiltinError("JWT is a JWE object, which is not supported");
  return header;
}

function decodePayload(token: Token): string {
  try {
    return base64UrlDecode(token.payload).toString("utf8");
  } catch (error) {
    throw new BuiltinError(`JWT payload had invalid encoding: ${(error as Error).message}`);
  }
}

function decode(value: unknown): unknown[] {
  const token = splitToken(value);
  const header = decodeHeader(token);
  const payloadText = decodePayload(token);
  if (typeof header.cty === "string" && header.cty === "JWT") {
    return decode(payloadText.replace(/^["']+|["']+$/g, ""));
  }
  const payload = jsonObject(payloadText);
  let signature: Buffer;
  try {
    signature = base64UrlDecode(token.signature);
  } catch (error) {
    throw new BuiltinError(`JWT signature had invalid encoding: ${(error as Error).message}`);
  }
  return [header, payload, signature.toString("hex")];
}

// ---------------------------------------------------------------------------------------------
// Keys

interface VerificationKey {
  alg: string;
  kid: string;
  /** a public key, or an oct JWK's secret */
  key: KeyObject | Buffer;
}

/** topdown's parseKeysFromCertOrJWK: one PEM certificate or public key, or a JWK (set). */
function parseKeys(text: string): VerificationKey[] {
  const pem = /-----BEGIN ([^-\r\n]+)-----\r?\n[\s\S]*?-----END \1-----(\r?\n)?/.exec(text);
  if (pem) {
    if (text.slice(pem.index + pem[0].length).length > 0) throw new BuiltinError("extra data after a PEM certificate block");
    if (pem[1] === "CERTIFICATE") {
      try {
        return [{ alg: "", kid: "", key: new X509Certificate(pem[0]).publicKey }];
      } catch (error) {
        throw new BuiltinError(`failed to parse a PEM certificate: ${(error as Error).message}`);
      }
    }
    if (pem[1] === "PUBLIC KEY") {
      try {
        return [{ alg: "", kid: "", key: createPublicKey(pem[0]) }];
      } catch (error) {
        throw new BuiltinError(`failed to parse a PEM public key: ${(error as Error).message}`);
      }
    }
    throw new BuiltinError("failed to extract a Key from the PEM certificate");
  }
  const jwks = parseJwkSet(text, "failed to parse a JWK key (set)");
  const keys: VerificationKey[] = [];
  for (const jwk of jwks) {
    const alg = typeof jwk.alg === "string" ? jwk.alg : "";
    if (alg !== "" && !ALGORITHMS.has(alg)) continue;
    let key: KeyObject | Buffer;
    try {
      if (jwk.kty === "oct" && typeof jwk.k !== "string") throw new Error("missing k");
      key = jwk.kty === "oct" ? base64UrlDecode(jwk.k as string) : createPublicKey({ key: publicPart(jwk) as never, format: "jwk" });
    } catch (error) {
      throw new BuiltinError(`failed to parse a JWK key (set): ${(error as Error).message}`);
    }
    keys.push({ alg, kid: typeof jwk.kid === "string" ? jwk.kid : "", key });
  }
  return keys;
}

function publicPart(jwk: Obj): Obj {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}

function parseJwkSet(text: string, context: string): Obj[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BuiltinError(`${context}: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new BuiltinError(`${context}: not a JSON object`);
  const obj = value as Obj;
  if ("keys" in obj) {
    if (!Array.isArray(obj.keys)) throw new BuiltinError(`${context}: keys is not a list`);
    return obj.keys.filter((k): k is Obj => k !== null && typeof k === "object" && !Array.isArray(k));
  }
  if (typeof obj.kty !== "string") throw new BuiltinError(`${context}: missing kty`);
  return [obj];
}

// ---------------------------------------------------------------------------------------------
// Signatures

const HASH: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/** Whether `signature` is `alg`'s signature of `data` under `key` (any failure is false). */
function verifySignature(alg: string, key: KeyObject | Buffer, data: Buffer, signature: Buffer): boolean {
  try {
    const family = alg.slice(0, 2);
    const hash = HASH[alg.slice(2)];
    if (family === "HS") {
      if (!Buffer.isBuffer(key) || !hash) return false;
      const mac = createHmac(hash, key).update(data).digest();
      return mac.length === signature.length && timingSafeEqual(mac, signature);
    }
    if (Buffer.isBuffer(key) || key.type !== "public") return false;
    if (alg === "EdDSA") return key.asymmetricKeyType === "ed25519" && cryptoVerify(null, data, key, signature);
    if (!hash) return false;
    if (family === "RS" || family === "PS") {
      if (key.asymmetricKeyType !== "rsa") return false;
      const padding = family === "RS" ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_PSS_PADDING;
      return cryptoVerify(hash, data, { key, padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
    }
    if (family === "ES") {
      if (key.asymmetricKeyType !== "ec") return false;
      // Go's ecdsa verification takes r and s as the two halves, whatever the curve's size.
      const half = signature.length >> 1;
      const r = signature.subarray(0, half);
      const s = signature.subarray(half);
      const curveBytes = key.asymmetricKeyDetails?.namedCurve === "prime256v1" ? 32 : key.asymmetricKeyDetails?.namedCurve === "secp384r1" ? 48 : 66;
      if (r.length > curveBytes + 8 || s.length > curveBytes + 8) return false;
      const fixed = Buffer.concat([leftPad(r, curveBytes), leftPad(s, curveBytes)]);
      return cryptoVerify(hash, data, { key, dsaEncoding: "ieee-p1363" }, fixed);
    }
    return false;
  } catch {
    return false;
  }
}

function leftPad(bytes: Buffer, size: number): Buffer {
  let b = bytes;
  while (b.length > size && b[0] === 0) b = b.subarray(1);
  if (b.length > size) throw new Error("integer too large");
  return Buffer.concat([Buffer.alloc(size - b.length), b]);
}

function decodeSignature(token: Token): Buffer {
  return base64UrlDecode(token.signature);
}

/** io.jwt.verify_<alg> with a certificate or key (set). */
function verifyWith(alg: string): (jwt: unknown, keyText: unknown) => boolean {
  return (jwt, keyText) => {
    const token = splitToken(jwt);
    const keys = parseKeys(stringOperand(keyText, 2));
    const signature = decodeSignature(token);
    const header = tokenHeader(decodeHeader(token));
    const data = Buffer.from(`${token.header}.${token.payload}`, "utf8");
    const check = (key: KeyObject | Buffer) => verifySignature(alg, key, data, signature);
    if (header.kid !== "") {
      const byKid = keys.find((k) => k.kid === header.kid);
      if (byKid) return check(byKid.key);
    }
    for (const key of keys) {
      if (key.alg !== "" && key.alg !== header.alg) continue;
      if (check(key.key)) return true;
    }
    return false;
  };
}

function verifyHmac(alg: string): (jwt: unknown, secret: unknown) => boolean {
  return (jwt, secret) => {
    stringOperand(jwt, 1);
    const key = Buffer.from(stringOperand(secret, 2), "utf8");
    const token = splitToken(jwt);
    const data = Buffer.from(`${token.header}.${token.payload}`, "utf8");
    return verifySignature(alg, key, data, decodeSignature(token));
  };
}

interface Header {
  alg: string;
  kid: string;
  cty: string;
  crit?: Set<string>;
  unknown: string[];
}

/** topdown's parseTokenHeader. */
function tokenHeader(decoded: Obj): Header {
  const header: Header = { alg: "", kid: "", cty: "", unknown: [] };
  for (const [key, value] of Object.entries(decoded)) {
    if (key === "alg" || key === "kid" || key === "typ" || key === "cty") {
      if (typeof value !== "string") throw new BuiltinError(`${key}: must be a string`);
      if (key !== "typ") header[key] = value;
    } else if (key === "crit") {
      if (!Array.isArray(value)) throw new BuiltinError("crit: must be a list");
      header.crit = new Set(value.filter((v): v is string => typeof v === "string"));
      if (header.crit.size === 0) throw new BuiltinError("crit: must be a nonempty list");
    } else header.unknown.push(key);
  }
  return header;
}

const validHeader = (h: Header): boolean => h.alg !== "" && !h.unknown.some((u) => h.crit?.has(u));

// ---------------------------------------------------------------------------------------------
// io.jwt.decode_verify

function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof RegoNumber) return value.value;
  return undefined;
}

function decodeVerify(nowNs: () => bigint): (jwt: unknown, constraints: unknown) => unknown[] {
  return (jwt, constraintsValue) => {
    if (constraintsValue === null || typeof constraintsValue !== "object" || Array.isArray(constraintsValue) || isSet(constraintsValue)) {
      throw new OperandError(operandTypeError(2, constraintsValue, "object"));
    }
    const unverified = [false, {}, {}];
    let keys: VerificationKey[] | undefined;
    let secret = "";
    let alg = "";
    let iss = "";
    let aud = "";
    let time = -1;
    for (const [name, value] of Object.entries(constraintsValue as Obj)) {
      switch (name) {
        case "cert":
          if (typeof value !== "string") throw new BuiltinError("cert constraint: must be a string");
          keys = parseKeys(value);
          break;
        case "secret":
        case "alg":
        case "iss":
        case "aud":
          if (typeof value !== "string") throw new BuiltinError(`${name} constraint: must be a string`);
          if (name === "secret") secret = value;
          else if (name === "alg") alg = value;
          else if (name === "iss") iss = value;
          else aud = value;
          break;
        case "time": {
          const t = numberOf(value);
          if (t === undefined) throw new BuiltinError("token time constraint: must be a number");
          if (t < 0) throw new BuiltinError("token time constraint: must not be negative");
          time = t;
          break;
        }
        default:
          throw new BuiltinError(`unknown token validation constraint: ${name}`);
      }
    }
    if (time === -1) time = Number(nowNs());
    const keyCount = (keys ? 1 : 0) + (secret !== "" ? 1 : 0);
    if (keyCount > 1) throw new BuiltinError("duplicate key constraints");
    if (keyCount < 1) throw new BuiltinError("no key constraint");

    let current: unknown = jwt;
    let token: Token;
    let decodedHeader: Obj;
    let payloadText: string;
    for (;;) {
      token = splitToken(current);
      decodedHeader = decodeHeader(token);
      const header = tokenHeader(decodedHeader);
      if (!validHeader(header)) return unverified;
      if (alg !== "" && alg !== header.alg) return unverified;
      const signature = decodeSignature(token);
      const data = Buffer.from(`${token.header}.${token.payload}`, "utf8");
      let verified = false;
      if (keys) {
        const byKid = header.kid !== "" ? keys.find((k) => k.kid === header.kid) : undefined;
        if (byKid) verified = verifySignature(header.alg, byKid.key, data, signature);
        else verified = keys.some((k) => (k.alg === "" || k.alg === header.alg) && verifySignature(header.alg, k.key, data, signature));
      } else {
        verified = verifySignature(header.alg, Buffer.from(secret, "utf8"), data, signature);
      }
      if (!verified) return unverified;
      payloadText = decodePayload(token);
      if (header.cty.toLowerCase() === "jwt") {
        current = payloadText;
        continue;
      }
      break;
    }
    const payload = jsonObject(payloadText);
    if (iss !== "") {
      if (!("iss" in payload)) return unverified;
      if (typeof payload.iss !== "string") throw new BuiltinError("iss value must be a string");
      if (payload.iss !== iss) return unverified;
    }
    if ("aud" in payload) {
      const a = payload.aud;
      const ok = typeof a === "string" ? a === aud : Array.isArray(a) && a.some((e) => typeof e === "string" && e === aud);
      if (!ok) return unverified;
    } else if (aud !== "") return unverified;
    const seconds = time / 1e9;
    if ("exp" in payload) {
      if (typeof payload.exp !== "number") throw new BuiltinError("exp value must be a number");
      if (!(seconds < payload.exp)) return unverified;
    }
    if ("nbf" in payload) {
      if (typeof payload.nbf !== "number") throw new BuiltinError("nbf value must be a number");
      if (seconds < payload.nbf) return unverified;
    }
    return [true, decodedHeader, payload];
  };
}

// ---------------------------------------------------------------------------------------------
// Signing

function signWith(headersText: string, payloadText: string, jwkText: string): string {
  const jwks = parseJwkSet(jwkText, "failed to parse JWK");
  if (jwks.length === 0) throw new BuiltinError("no keys found in JWK set");
  let headers: unknown;
  try {
    headers = JSON.parse(headersText);
  } catch {
    headers = undefined;
  }
  const algValue = headers && typeof headers === "object" ? (headers as Obj).alg : undefined;
  if (typeof algValue !== "string") throw new BuiltinError("missing or invalid 'alg' header");
  if (!ALGORITHMS.has(algValue)) throw new BuiltinError(`unknown JWS algorithm: ${algValue}`);
  const typ = (headers as Obj).typ;
  let payloadIsJson = true;
  try {
    JSON.parse(payloadText);
  } catch {
    payloadIsJson = false;
  }
  if ((typeof typ !== "string" || typ === "JWT") && !payloadIsJson) throw new BuiltinError("type is JWT but payload is not JSON");
  const signingInput = `${Buffer.from(headersText, "utf8").toString("base64url")}.${Buffer.from(payloadText, "utf8").toString("base64url")}`;
  const data = Buffer.from(signingInput, "utf8");
  const jwk = jwks[0]!;
  const hash = HASH[algValue.slice(2)];
  let signature: Buffer;
  try {
    if (algValue.startsWith("HS")) {
      if (jwk.kty !== "oct" || typeof jwk.k !== "string") throw new BuiltinError(`invalid key for ${algValue}`);
      signature = createHmac(hash!, base64UrlDecode(jwk.k)).update(data).digest();
    } else {
      const key = createPrivateKey({ key: jwk as never, format: "jwk" });
      if (algValue === "EdDSA") signature = cryptoSign(null, data, key);
      else if (algValue.startsWith("ES")) signature = cryptoSign(hash!, data, { key, dsaEncoding: "ieee-p1363" });
      else if (algValue.startsWith("PS")) signature = cryptoSign(hash!, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
      else signature = cryptoSign(hash!, data, { key, padding: constants.RSA_PKCS1_PADDING });
    }
  } catch (error) {
    if (error instanceof BuiltinError) throw error;
    throw new BuiltinError(`failed to sign: ${(error as Error).message}`);
  }
  return `${signingInput}.${signature.toString("base64url")}`;
}

export function jwtBuiltins(nowNs: () => bigint) {
  return {
    "io.jwt.decode": decode,
    "io.jwt.decode_verify": decodeVerify(nowNs),
    "io.jwt.verify_rs256": verifyWith("RS256"),
    "io.jwt.verify_rs384": verifyWith("RS384"),
    "io.jwt.verify_rs512": verifyWith("RS512"),
    "io.jwt.verify_ps256": verifyWith("PS256"),
    "io.jwt.verify_ps384": verifyWith("PS384"),
    "io.jwt.verify_ps512": verifyWith("PS512"),
    "io.jwt.verify_es256": verifyWith("ES256"),
    "io.jwt.verify_es384": verifyWith("ES384"),
    "io.jwt.verify_es512": verifyWith("ES512"),
    "io.jwt.verify_eddsa": verifyWith("EdDSA"),
    "io.jwt.verify_hs256": verifyHmac("HS256"),
    "io.jwt.verify_hs384": verifyHmac("HS384"),
    "io.jwt.verify_hs512": verifyHmac("HS512"),
    "io.jwt.encode_sign_raw": (headers: unknown, payload: unknown, key: unknown) => {
      const keyText = stringOperand(key, 3);
      return signWith(stringOperand(headers, 1), stringOperand(payload, 2), keyText);
    },
    "io.jwt.encode_sign": (headers: unknown, payload: unknown, key: unknown) => {
      for (const [i, v] of [headers, payload, key].entries()) {
        if (v === null || typeof v !== "object" || Array.isArray(v)) throw new OperandError(`operand ${i + 1} must be object but got ${valueName(v)}`);
      }
      return signWith(goJson(headers), goJson(payload), goJson(key));
    },
  } satisfies Record<string, (...args: never[]) => unknown>;
}
