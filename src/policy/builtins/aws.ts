// providers.aws.sign_req as topdown computes it (v1/topdown/providers.go over
// internal/providers/aws SignV4): an AWS Signature Version 4 over the request's method, escaped
// path, raw query, lower-cased headers (authorization, user-agent and x-amzn-trace-id left out),
// and the body's SHA-256 (or UNSIGNED-PAYLOAD), at the given time in nanoseconds. Receives exact
// numbers (the timestamp is past 2^53).

import { createHash, createHmac } from "node:crypto";
import { BuiltinError, OperandError, valueName } from "./errors.js";
import { goJson } from "./json-marshal.js";
import { escapedPath, goUrlParse, type ParsedUrl } from "./uri.js";
import { compareStrings, isSet, RegoNumber } from "./values.js";

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof RegoNumber);
const text = (v: unknown): string => (typeof v === "string" ? v : "");

const REQUIRED_CONFIG = ["aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"];
/** http.send's request keys (validateHTTPRequestOperand). */
const REQUEST_KEYS = new Set(
  "method url body enable_redirect force_json_decode force_yaml_decode headers raw_body tls_use_system_certs tls_ca_cert tls_ca_cert_file tls_ca_cert_env_variable tls_client_cert tls_client_cert_file tls_client_cert_env_variable tls_client_key tls_client_key_file tls_client_key_env_variable tls_insecure_skip_verify tls_server_name timeout cache force_cache force_cache_duration_seconds raise_error caching_mode max_retry_attempts cache_ignored_headers".split(
    " ",
  ),
);
const IGNORED_HEADERS = new Set(["authorization", "user-agent", "x-amzn-trace-id"]);

const hmac = (key: Buffer | string, message: string): Buffer => createHmac("sha256", key).update(message, "utf8").digest();
const sha256Hex = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

function utcStamp(ns: bigint): { date: string; iso: string } {
  let seconds = ns / 1_000_000_000n;
  if (ns % 1_000_000_000n < 0n) seconds -= 1n;
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) throw new BuiltinError("time_ns is out of range");
  const iso = d.toISOString();
  const date = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
  return { date, iso: `${date}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z` };
}

function signV4(headers: Map<string, string>, method: string, url: ParsedUrl, body: Buffer, service: string, config: Obj, ns: bigint, unsignedPayload: boolean): [string, Map<string, string>] {
  const contentSha256 = unsignedPayload ? "UNSIGNED-PAYLOAD" : sha256Hex(body);
  const { date, iso } = utcStamp(ns);
  const region = text(config.aws_region);
  const awsHeaders = new Map<string, string>([
    ["host", url.host],
    ["x-amz-date", iso],
  ]);
  if (service === "s3" || service === "glacier") awsHeaders.set("x-amz-content-sha256", contentSha256);
  const sessionToken = text(config.aws_session_token);
  if (sessionToken !== "") awsHeaders.set("x-amz-security-token", sessionToken);
  const toSign = new Map(awsHeaders);
  for (const [k, v] of headers) {
    const lower = k.toLowerCase();
    if (!IGNORED_HEADERS.has(lower)) toSign.set(lower, v);
  }
  const keys = [...toSign.keys()].sort(compareStrings);
  let canonical = `${method}\n${escapedPath(url)}\n${url.rawQuery}\n`;
  for (const k of keys) canonical += `${k}:${toSign.get(k)}\n`;
  const headerList = keys.join(";");
  canonical += `\n${headerList}\n${contentSha256}`;
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${iso}\n${scope}\n${sha256Hex(Buffer.from(canonical, "utf8"))}`;
  let key = hmac(`AWS4${text(config.aws_secret_access_key)}`, date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, "aws4_request");
  const signature = hmac(key, stringToSign).toString("hex");
  const auth = `AWS4-HMAC-SHA256 Credential=${text(config.aws_access_key)}/${scope},SignedHeaders=${headerList},Signature=${signature}`;
  return [auth, awsHeaders];
}

function signRequest(request: unknown, config: unknown, timeNs: unknown): Obj {
  if (!isObject(request)) throw new OperandError(`operand 1 must be object but got ${valueName(request)}`);
  if (!isObject(config)) throw new OperandError(`operand 1 must be object but got ${valueName(config)}`);
  const missing = REQUIRED_CONFIG.filter((k) => !(k in config));
  if (missing.length > 0) throw new OperandError(`operand 2 missing required AWS config parameters(s): {${missing.map((k) => JSON.stringify(k)).join(", ")}}`);
  const invalid = REQUIRED_CONFIG.filter((k) => typeof config[k] !== "string");
  if (invalid.length > 0) throw new OperandError(`operand 2 invalid values for required AWS config parameters(s): {${invalid.map((k) => JSON.stringify(k)).join(", ")}}`);
  const service = text(config.aws_service);
  const tsText = timeNs instanceof RegoNumber ? timeNs.text : typeof timeNs === "number" ? String(timeNs) : undefined;
  if (tsText === undefined) throw new OperandError(`operand 1 must be number but got ${valueName(timeNs)}`);
  if (!/^-?\d+$/.test(tsText) || BigInt(tsText) > 2n ** 63n - 1n || BigInt(tsText) < -(2n ** 63n)) {
    throw new OperandError("operand 3 could not convert time_ns value into a unix timestamp");
  }
  const ns = BigInt(tsText);
  const unknown = Object.keys(request).filter((k) => !REQUEST_KEYS.has(k));
  if (unknown.length > 0) throw new OperandError(`operand 1 invalid request parameters(s): {${unknown.sort(compareStrings).map((k) => JSON.stringify(k)).join(", ")}}`);
  const absent = ["method", "url"].filter((k) => !(k in request));
  if (absent.length > 0) throw new OperandError(`operand 1 missing required request parameters(s): {${absent.map((k) => JSON.stringify(k)).join(", ")}}`);
  let headers: Obj = {};
  if ("headers" in request) {
    if (!isObject(request.headers) || isSet(request.headers)) throw new OperandError(`operand 0 must be object but got ${valueName(request.headers)}`);
    headers = request.headers;
  }
  const bad = ["method", "url"].filter((k) => typeof request[k] !== "string");
  if (bad.length > 0) throw new OperandError(`operand 1 invalid values for required request parameters(s): {${bad.map((k) => JSON.stringify(k)).join(", ")}}`);
  const url = goUrlParse(text(request.url));
  const body = "raw_body" in request ? Buffer.from(text(request.raw_body), "utf8") : "body" in request ? Buffer.from(goJson(request.body), "utf8") : Buffer.alloc(0);
  let unsignedPayload = false;
  if ("disable_payload_signing" in config) {
    if (typeof config.disable_payload_signing !== "boolean") throw new OperandError("operand 2 invalid value for 'disable_payload_signing' in AWS config");
    unsignedPayload = config.disable_payload_signing;
  }
  const headerMap = new Map(Object.entries(headers).map(([k, v]) => [k, text(v)]));
  const [auth, awsHeaders] = signV4(headerMap, text(request.method), url, body, service, config, ns, unsignedPayload);
  const signed: Obj = {};
  for (const [k, v] of headerMap) signed[k] = v;
  signed.Authorization = auth;
  for (const [k, v] of awsHeaders) signed[k] = v;
  return { ...request, headers: signed };
}

export const AWS_BUILTINS = {
  "providers.aws.sign_req": signRequest,
} satisfies Record<string, (...args: never[]) => unknown>;
